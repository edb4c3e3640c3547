using System.Text.Json;

namespace CausalQL.Llm;

/// <summary>
/// Where the language model lives and how patiently to talk to it. Any OpenAI-compatible chat endpoint works
/// (OpenAI, Azure OpenAI's compatible route, Ollama, llama.cpp server, vLLM). The key is never stored here: only
/// the name of the environment variable that holds it.
/// </summary>
public sealed record LlmOptions
{
    /// <summary>Ollama's usual OpenAI-compatible address, so a local model works with no configuration.</summary>
    public const string DefaultEndpoint = "http://localhost:11434/v1";
    public const string DefaultModel = "llama3.1";
    public const string DefaultApiKeyVariable = "CQL_LLM_API_KEY";

    public string Endpoint { get; init; } = DefaultEndpoint;
    public string Model { get; init; } = DefaultModel;
    public string ApiKeyVariable { get; init; } = DefaultApiKeyVariable;

    /// <summary>How many times the model may try again after its reply failed to parse or bind.</summary>
    public int MaxRepairRounds { get; init; } = 3;

    /// <summary>Time allowed for one HTTP request to the model.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Retries after HTTP 429/5xx or a dropped connection, with exponential backoff from <see cref="RetryBaseDelay"/>.</summary>
    public int MaxRetries { get; init; } = 3;
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A longer Retry-After from the server is cut to this, so a misbehaving server cannot stall us.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Questions longer than this are refused before anything is sent.</summary>
    public int MaxQuestionLength { get; init; } = 16_000;

    public double Temperature { get; init; } = 0;

    /// <summary>The API key from the environment; local servers need none, so a placeholder is sent.</summary>
    public string ApiKey() => Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key ? key : "no-key";

    /// <summary>
    /// Reads a JSON config file: <c>{ "endpoint": "...", "model": "...", "apiKeyVariable": "...", "maxRepairRounds": 3,
    /// "requestTimeoutSeconds": 120, "maxRetries": 3 }</c>. Unknown fields are errors, so a typo is not silently ignored.
    /// </summary>
    public static LlmConfigResult Load(string json, LlmOptions? baseline = null)
    {
        var options = baseline ?? new LlmOptions();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            return new LlmConfigResult(null, $"the LLM config is not valid JSON: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return new LlmConfigResult(null, "the LLM config must be a JSON object");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value;
                string? error = null;
                switch (property.Name)
                {
                    case "endpoint" when value.ValueKind == JsonValueKind.String:
                        options = options with { Endpoint = value.GetString()! };
                        break;
                    case "model" when value.ValueKind == JsonValueKind.String:
                        options = options with { Model = value.GetString()! };
                        break;
                    case "apiKeyVariable" when value.ValueKind == JsonValueKind.String:
                        options = options with { ApiKeyVariable = value.GetString()! };
                        break;
                    case "maxRepairRounds" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var rounds) && rounds >= 0:
                        options = options with { MaxRepairRounds = rounds };
                        break;
                    case "maxRetries" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var retries) && retries >= 0:
                        options = options with { MaxRetries = retries };
                        break;
                    case "requestTimeoutSeconds" when value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) && seconds > 0:
                        options = options with { RequestTimeout = TimeSpan.FromSeconds(seconds) };
                        break;
                    case "temperature" when value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var t) && t >= 0:
                        options = options with { Temperature = t };
                        break;
                    case "endpoint" or "model" or "apiKeyVariable" or "maxRepairRounds" or "maxRetries" or "requestTimeoutSeconds" or "temperature":
                        error = $"the LLM config field '{property.Name}' has a value of the wrong kind";
                        break;
                    default:
                        error = $"unknown field '{property.Name}' in the LLM config (expected endpoint, model, apiKeyVariable, maxRepairRounds, maxRetries, requestTimeoutSeconds, temperature)";
                        break;
                }
                if (error is not null) return new LlmConfigResult(null, error);
            }
        }
        return options.Validate() is { } invalid ? new LlmConfigResult(null, invalid) : new LlmConfigResult(options, null);
    }

    /// <summary>A message when the endpoint is not an absolute http(s) URL, else null.</summary>
    public string? Validate() =>
        Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? null
            : $"the LLM endpoint '{Endpoint}' is not an http(s) URL (for example {DefaultEndpoint})";
}

public sealed record LlmConfigResult(LlmOptions? Options, string? Error);
