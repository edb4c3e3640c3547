using System.Net;
using System.Net.Sockets;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace CausalQL.Llm;

public enum ChatRole { System, User, Assistant }

public sealed record ChatTurn(ChatRole Role, string Text);

/// <summary>Why the model gave no usable answer: a value for callers, never an unhandled exception.</summary>
public enum LlmFailureKind { Unreachable, Timeout, HttpStatus, BadReply }

public sealed class LlmException(LlmFailureKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public LlmFailureKind Kind { get; } = kind;
}

/// <summary>The one thing the translator needs from a language model.</summary>
public interface IChatModel
{
    /// <summary>The model's reply to the conversation so far; throws <see cref="LlmException"/> with a clear message on failure.</summary>
    Task<string> CompleteAsync(IReadOnlyList<ChatTurn> conversation, CancellationToken cancellationToken);

    /// <summary>"model at endpoint", for messages.</summary>
    string Describe { get; }
}

/// <summary>
/// An OpenAI-compatible chat endpoint through Semantic Kernel's OpenAI connector. We hand the connector our own
/// HttpClient, whose handler does the retries (429, 5xx, dropped connections) with exponential backoff and the
/// per-request timeout, so the behaviour is the same whatever server is on the other end.
/// </summary>
public sealed class SemanticKernelChatModel : IChatModel, IDisposable
{
    readonly LlmOptions _options;
    readonly HttpClient _http;
    readonly IChatCompletionService _chat;

    public SemanticKernelChatModel(LlmOptions options, HttpMessageHandler? innerHandler = null)
    {
        _options = options;
        var retry = new RetryHandler(options) { InnerHandler = innerHandler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) } };
        // The handler enforces the per-attempt timeout; the client's own timeout only bounds the whole retry chain.
        _http = new HttpClient(retry) { Timeout = Timeout.InfiniteTimeSpan };
        var builder = Kernel.CreateBuilder();
        builder.AddOpenAIChatCompletion(modelId: options.Model, endpoint: new Uri(options.Endpoint), apiKey: options.ApiKey(), httpClient: _http);
        _chat = builder.Build().GetRequiredService<IChatCompletionService>();
    }

    public string Describe => $"model '{_options.Model}' at {_options.Endpoint}";

    public async Task<string> CompleteAsync(IReadOnlyList<ChatTurn> conversation, CancellationToken cancellationToken)
    {
        var history = new ChatHistory();
        foreach (var turn in conversation)
        {
            switch (turn.Role)
            {
                case ChatRole.System: history.AddSystemMessage(turn.Text); break;
                case ChatRole.User: history.AddUserMessage(turn.Text); break;
                case ChatRole.Assistant: history.AddAssistantMessage(turn.Text); break;
            }
        }
        var settings = new OpenAIPromptExecutionSettings { Temperature = _options.Temperature };
        try
        {
            var reply = await _chat.GetChatMessageContentAsync(history, settings, kernel: null, cancellationToken).ConfigureAwait(false);
            return reply.Content ?? throw new LlmException(LlmFailureKind.BadReply, $"the {Describe} sent a reply with no text");
        }
        catch (LlmException) { throw; }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Classify(e);
        }
    }

    /// <summary>Turns whatever the connector threw into one clear sentence naming the endpoint.</summary>
    LlmException Classify(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case LlmException l: return l;
                case HttpOperationException { StatusCode: { } status }:
                    return new LlmException(LlmFailureKind.HttpStatus,
                        $"the {Describe} answered HTTP {(int)status} ({status}) after {_options.MaxRetries} retries", e);
                case TimeoutException or TaskCanceledException:
                    return new LlmException(LlmFailureKind.Timeout,
                        $"the {Describe} did not answer within {_options.RequestTimeout.TotalSeconds:0.###} s", e);
                case SocketException or HttpRequestException { StatusCode: null }:
                    return new LlmException(LlmFailureKind.Unreachable,
                        $"nothing answers at {_options.Endpoint} ({x.Message}); start a local model server (e.g. `ollama serve`) " +
                        "or pass --endpoint URL and --model NAME", e);
            }
        }
        return new LlmException(LlmFailureKind.BadReply, $"the {Describe} failed: {e.Message}", e);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// Retries transient failures (HTTP 429, 500, 502, 503, 504, connection errors) with exponential backoff,
/// honouring a Retry-After header up to <see cref="LlmOptions.MaxRetryDelay"/>, and bounds each attempt by
/// <see cref="LlmOptions.RequestTimeout"/>. After the last attempt the failing response is returned as it is.
/// </summary>
public sealed class RetryHandler(LlmOptions options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The body is buffered once so every attempt can send it again.
        byte[]? body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var contentHeaders = request.Content?.Headers.ToList();
        for (var attempt = 0; ; attempt++)
        {
            using var attemptRequest = Clone(request, body, contentHeaders);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.RequestTimeout);
            HttpResponseMessage? response = null;
            Exception? failure = null;
            try
            {
                response = await base.SendAsync(attemptRequest, timeout.Token).ConfigureAwait(false);
                // Read the body under the same deadline, so a server that stalls mid-reply is also cut off.
                await response.Content.LoadIntoBufferAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                response?.Dispose();
                throw new LlmException(LlmFailureKind.Timeout,
                    $"the model at {options.Endpoint} did not answer within {options.RequestTimeout.TotalSeconds:0.###} s");
            }
            catch (HttpRequestException e)
            {
                response?.Dispose();
                response = null;
                failure = e;
            }

            var transient = failure is not null || IsTransient(response!.StatusCode);
            if (!transient) return response!;
            if (attempt >= options.MaxRetries)
            {
                if (failure is not null) throw failure;
                return response!;
            }
            var delay = Backoff(attempt, response);
            response?.Dispose();
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    TimeSpan Backoff(int attempt, HttpResponseMessage? response)
    {
        var exponential = options.RetryBaseDelay * Math.Pow(2, attempt);
        var suggested = response?.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => TimeSpan.Zero,
        };
        var delay = suggested > exponential ? suggested : exponential;
        return delay > options.MaxRetryDelay ? options.MaxRetryDelay : delay;
    }

    static HttpRequestMessage Clone(HttpRequestMessage request, byte[]? body, List<KeyValuePair<string, IEnumerable<string>>>? contentHeaders)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
        foreach (var header in request.Headers) clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        if (body is not null)
        {
            clone.Content = new ByteArrayContent(body);
            foreach (var header in contentHeaders!) clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        foreach (var option in request.Options) ((IDictionary<string, object?>)clone.Options)[option.Key] = option.Value;
        return clone;
    }
}
