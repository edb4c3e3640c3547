using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace CausalQL.Server;

// Request bodies. Field names are camelCase in JSON; unknown fields are rejected (a typo is an error, not ignored).

/// <summary>POST /v1/run and /v1/check.</summary>
public sealed record ScriptRequest(string Script);

/// <summary>POST /v1/run: a script; <c>runAsked</c> false translates its <c>ask "..."</c> statements without running them.</summary>
public sealed record RunRequest(string Script, bool RunAsked = true);

/// <summary>POST /v1/identify: a query in a graph declared by the context script.</summary>
public sealed record IdentifyRequest(string Query, string? Context = null, string? Graph = null, bool Explain = false);

/// <summary>POST /v1/translate: a question in the scope of a context script.</summary>
public sealed record TranslateRequest(string Question, string? Context = null);

/// <summary>GET /v1/health. RunsInFlight counts engine runs still going (an over-budget run until its engines stopped).</summary>
public sealed record HealthReply(string Status, string Version, IReadOnlyList<string> DataRoots, string LlmEndpoint, string LlmModel, double RequestTimeoutSeconds, long MaxRequestBytes,
    int RunsInFlight, long RunsCancelled);

public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        MaxDepth = 32,
        // Plain apostrophes and angle brackets in messages: this is JSON for programs, never embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The body as T, or a 4xx problem: wrong content type, too large, malformed JSON (with line and column), unknown or missing fields.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, long maxBytes) where T : class
    {
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return (null, Problems.Problem(415, "unsupported-media-type", "Unsupported media type",
                $"send the body as application/json (got {(request.ContentType is null ? "no content type" : $"'{request.ContentType}'")})"));
        if (request.ContentLength is { } length && length > maxBytes)
            return (null, TooLarge(maxBytes));
        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                if (buffer.Length + read > maxBytes) return (null, TooLarge(maxBytes));
                buffer.Write(chunk, 0, read);
            }
            bytes = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxBytes));
        }
        if (bytes.Length == 0)
            return (null, Problems.Problem(400, "invalid-json", "Malformed JSON", "the request body is empty; expected a JSON object", line: 1, column: 1));
        try
        {
            var value = JsonSerializer.Deserialize<T>(bytes, Options);
            if (value is null) return (null, Problems.Problem(400, "invalid-json", "Malformed JSON", "expected a JSON object, found null", line: 1, column: 1));
            return (value, null);
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? 0) + 1;
            var column = (int)(e.BytePositionInLine ?? 0) + 1;
            var detail = Describe(e);
            return (null, Problems.Problem(400, "invalid-json", "Malformed or unexpected JSON", detail, line: line, column: column,
                extend: body => body["path"] = e.Path));
        }
    }

    static IResult TooLarge(long maxBytes) =>
        Problems.Problem(413, "request-too-large", "Request too large", $"the request body is larger than the limit of {maxBytes:N0} bytes");

    // System.Text.Json's messages name .NET types; say it in the API's terms instead.
    static string Describe(JsonException e)
    {
        var message = e.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            var property = e.Path?.Split('.').LastOrDefault()?.Trim('[', ']', '\'') ?? "?";
            return $"unknown field '{property}'";
        }
        if (message.Contains("missing required properties", StringComparison.OrdinalIgnoreCase) || message.Contains("required", StringComparison.OrdinalIgnoreCase))
            return "a required field is missing or null: " + FirstSentence(message);
        if (message.Contains("could not be converted", StringComparison.Ordinal))
            return $"the value at {e.Path} has the wrong type";
        return "the body is not valid JSON: " + FirstSentence(message);
    }

    static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }
}
