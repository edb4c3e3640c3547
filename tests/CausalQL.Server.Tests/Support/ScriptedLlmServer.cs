using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CausalQL.Server.Tests.Support;

/// <summary>One scripted answer of the fake model.</summary>
public abstract record ScriptedReply;
public sealed record Say(string Content) : ScriptedReply;
public sealed record Status(int Code, int? RetryAfterSeconds = null) : ScriptedReply;
public sealed record Stall(TimeSpan Delay, string Content) : ScriptedReply;

/// <summary>
/// An OpenAI-compatible chat-completions server on 127.0.0.1 (ephemeral port, real HTTP through Kestrel) that
/// answers from a script: the n-th request gets the n-th reply (the last one repeats). It records every request
/// body so tests can assert what reached the model (e.g. the diagnostics of a repair round). Streaming requests
/// ("stream": true) are answered as server-sent events in the real chunk format.
/// </summary>
public sealed class ScriptedLlmServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly Func<int, JsonObject, ScriptedReply> _script;
    readonly ConcurrentQueue<JsonObject> _requests = new();
    readonly ConcurrentQueue<DateTimeOffset> _arrivals = new();
    int _count;

    public ScriptedLlmServer(params ScriptedReply[] replies)
        : this((n, _) => replies[Math.Min(n, replies.Length - 1)]) { }

    public ScriptedLlmServer(Func<int, JsonObject, ScriptedReply> script)
    {
        _script = script;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v1/chat/completions", Handle);
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Urls.First();
        Endpoint = address.TrimEnd('/') + "/v1";
    }

    /// <summary>The base URL to configure as the LLM endpoint, e.g. http://127.0.0.1:41234/v1.</summary>
    public string Endpoint { get; }

    public IReadOnlyList<JsonObject> Requests => [.. _requests];
    public int RequestCount => _requests.Count;

    /// <summary>When each request arrived (to check that retries back off).</summary>
    public IReadOnlyList<DateTimeOffset> Arrivals => [.. _arrivals];

    /// <summary>The text of every message of the n-th request, joined (for "did the diagnostics reach the model").</summary>
    public string MessagesOf(int n) => string.Join("\n---\n",
        Requests[n]["messages"]!.AsArray().Select(m => m!["content"] is JsonValue v ? v.GetValue<string>() : m!["content"]?.ToJsonString() ?? ""));

    async Task Handle(HttpContext context)
    {
        // Stamped before the body is read and parsed: the first request's parsing (code compiled on first use)
        // would otherwise make it look later than it came, and a backoff after it shorter than it was.
        var arrived = DateTimeOffset.UtcNow;
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
        _arrivals.Enqueue(arrived);
        _requests.Enqueue(body);
        var n = Interlocked.Increment(ref _count) - 1;
        var reply = _script(n, body);
        switch (reply)
        {
            case Status s:
                context.Response.StatusCode = s.Code;
                if (s.RetryAfterSeconds is { } after) context.Response.Headers.RetryAfter = after.ToString();
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(new JsonObject { ["error"] = new JsonObject { ["message"] = $"scripted status {s.Code}", ["type"] = "server_error" } }.ToJsonString());
                return;
            case Stall stall:
                try { await Task.Delay(stall.Delay, context.RequestAborted); }
                catch (OperationCanceledException) { return; }
                await Answer(context, body, stall.Content);
                return;
            case Say say:
                await Answer(context, body, say.Content);
                return;
        }
    }

    static async Task Answer(HttpContext context, JsonObject request, string content)
    {
        var model = request["model"]?.GetValue<string>() ?? "scripted";
        var created = 1_700_000_000;
        if (request["stream"] is JsonValue stream && stream.GetValue<bool>())
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var piece in Chunks(content))
            {
                var chunk = new JsonObject
                {
                    ["id"] = "chatcmpl-scripted", ["object"] = "chat.completion.chunk", ["created"] = created, ["model"] = model,
                    ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["role"] = "assistant", ["content"] = piece }, ["finish_reason"] = null }),
                };
                await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
            }
            var last = new JsonObject
            {
                ["id"] = "chatcmpl-scripted", ["object"] = "chat.completion.chunk", ["created"] = created, ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject(), ["finish_reason"] = "stop" }),
            };
            await context.Response.WriteAsync($"data: {last.ToJsonString()}\n\ndata: [DONE]\n\n");
            return;
        }
        var response = new JsonObject
        {
            ["id"] = "chatcmpl-scripted",
            ["object"] = "chat.completion",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 10, ["total_tokens"] = 20 },
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.ToJsonString());
    }

    static IEnumerable<string> Chunks(string text)
    {
        for (var i = 0; i < text.Length; i += 16) yield return text.Substring(i, Math.Min(16, text.Length - i));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
