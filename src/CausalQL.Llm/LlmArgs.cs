using System.Globalization;

namespace CausalQL.Llm;

/// <summary>
/// The command-line options every LLM-using command shares: --endpoint URL, --model NAME, --api-key-env VAR,
/// --llm-config FILE (JSON, see <see cref="LlmOptions.Load"/>), --repair-rounds N, --llm-timeout SECONDS.
/// Precedence: defaults, then the config file (--llm-config, or $CQL_LLM_CONFIG), then the flags.
/// </summary>
public static class LlmArgs
{
    public static readonly string[] Flags = ["--endpoint", "--model", "--api-key-env", "--llm-config", "--repair-rounds", "--llm-timeout"];

    public const string Help = """
          --endpoint URL        OpenAI-compatible endpoint (default http://localhost:11434/v1, Ollama)
          --model NAME          model name (default llama3.1)
          --api-key-env VAR     environment variable holding the API key (default CQL_LLM_API_KEY)
          --llm-config FILE     JSON config: endpoint, model, apiKeyVariable, maxRepairRounds, maxRetries,
                                requestTimeoutSeconds, temperature (default: $CQL_LLM_CONFIG if set)
          --repair-rounds N     repair rounds after a reply with errors (default 3)
          --llm-timeout SEC     time allowed for one model request (default 120)
        """;

    /// <summary>Takes the LLM flags out of <paramref name="args"/>: the options, the remaining arguments, or an error.</summary>
    public static (LlmOptions? Options, List<string> Remaining, string? Error) Parse(IReadOnlyList<string> args)
    {
        var rest = new List<string>();
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=');
            var name = eq > 0 && arg.StartsWith("--") ? arg[..eq] : arg;
            if (!Flags.Contains(name))
            {
                rest.Add(arg);
                continue;
            }
            string value;
            if (eq > 0 && arg.StartsWith("--")) value = arg[(eq + 1)..];
            else if (i + 1 < args.Count) value = args[++i];
            else return (null, rest, $"option '{name}' needs a value");
            flags[name] = value;
        }

        var options = new LlmOptions();
        var configPath = flags.GetValueOrDefault("--llm-config") ?? Environment.GetEnvironmentVariable("CQL_LLM_CONFIG");
        if (!string.IsNullOrEmpty(configPath))
        {
            string text;
            try { text = File.ReadAllText(configPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return (null, rest, $"cannot read the LLM config '{configPath}': {e.Message}");
            }
            var loaded = LlmOptions.Load(text, options);
            if (loaded.Error is not null) return (null, rest, $"{configPath}: {loaded.Error}");
            options = loaded.Options!;
        }
        if (flags.TryGetValue("--endpoint", out var endpoint)) options = options with { Endpoint = endpoint };
        if (flags.TryGetValue("--model", out var model)) options = options with { Model = model };
        if (flags.TryGetValue("--api-key-env", out var keyVar)) options = options with { ApiKeyVariable = keyVar };
        if (flags.TryGetValue("--repair-rounds", out var rounds))
        {
            if (!int.TryParse(rounds, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 20)
                return (null, rest, $"--repair-rounds expects a whole number from 0 to 20, found '{rounds}'");
            options = options with { MaxRepairRounds = n };
        }
        if (flags.TryGetValue("--llm-timeout", out var timeout))
        {
            if (!double.TryParse(timeout, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || s <= 0 || s > 3600)
                return (null, rest, $"--llm-timeout expects seconds between 0 and 3600, found '{timeout}'");
            options = options with { RequestTimeout = TimeSpan.FromSeconds(s) };
        }
        return options.Validate() is { } invalid ? (null, rest, invalid) : (options, rest, null);
    }
}
