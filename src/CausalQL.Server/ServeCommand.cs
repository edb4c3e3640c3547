using System.Globalization;
using CausalQL.Llm;

namespace CausalQL.Server;

/// <summary>`cql serve` and `cql mcp`: argument parsing and the hosts. Exit codes: 0 ok, 2 bad command line, 1 failure.</summary>
public static class ServeCommand
{
    public const string Usage = """
        usage:
          cql serve [--urls URL[;URL]] [--data-root DIR]... [--max-request-bytes N] [--timeout SEC] [LLM options]
              the HTTP API (default --urls http://127.0.0.1:5080); OpenAPI at /openapi/v1.json
          cql mcp [--data-root DIR]... [--timeout SEC] [LLM options]
              a Model Context Protocol server on standard input/output (tools: check_script, identify,
              estimate, adjustment_sets, translate)
        scripts may read files only under the --data-root directories (none: no file access).
        LLM options (for /v1/translate and the translate tool):
        """ + "\n" + LlmArgs.Help;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var (options, parseError) = ParseOptions(args, allowUrls: true);
        if (options is null) return BadUsage(error, parseError!);
        var app = CqlServer.Build(options);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            error.WriteLine($"cql serve: cannot listen on {string.Join(", ", options.Urls)}: {e.Message}");
            return 1;
        }
        output.WriteLine($"cql serve: listening on {string.Join(", ", app.Urls)} (OpenAPI: /openapi/v1.json; press Ctrl+C to stop)");
        output.WriteLine(options.DataRoots.Count == 0
            ? "cql serve: no data roots: scripts cannot read files (use --data-root DIR)"
            : $"cql serve: data roots: {string.Join(", ", options.DataRoots)}");
        output.Flush();
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }

    public static Task<int> RunMcpAsync(string[] args, Stream input, Stream output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var (options, parseError) = ParseOptions(args, allowUrls: false);
        if (options is null) return Task.FromResult(BadUsage(error, parseError!));
        return McpHost.RunAsync(options, input, output, cancellationToken);
    }

    static int BadUsage(TextWriter error, string message)
    {
        error.WriteLine($"cql: {message}");
        error.WriteLine(Usage);
        return 2;
    }

    public static (ServerOptions? Options, string? Error) ParseOptions(IReadOnlyList<string> args, bool allowUrls)
    {
        var (llm, rest, llmError) = LlmArgs.Parse(args);
        if (llm is null) return (null, llmError);
        var options = new ServerOptions { Llm = llm };
        var roots = new List<string>();
        for (var i = 0; i < rest.Count; i++)
        {
            var arg = rest[i];
            string Next() => i + 1 < rest.Count ? rest[++i] : throw new ArgumentException($"option '{arg}' needs a value");
            try
            {
                switch (arg)
                {
                    case "--urls" when allowUrls:
                        options = options with { Urls = Next().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
                        break;
                    case "--data-root":
                        var dir = Next();
                        if (!Directory.Exists(dir)) return (null, $"--data-root '{dir}' is not a directory");
                        roots.Add(Path.GetFullPath(dir));
                        break;
                    case "--max-request-bytes":
                        var bytesText = Next();
                        if (!long.TryParse(bytesText, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) || bytes < 1024)
                            return (null, $"--max-request-bytes expects a whole number of at least 1024, found '{bytesText}'");
                        options = options with { MaxRequestBytes = bytes };
                        break;
                    case "--timeout":
                        var secondsText = Next();
                        if (!double.TryParse(secondsText, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > 86400)
                            return (null, $"--timeout expects seconds between 0 and 86400, found '{secondsText}'");
                        options = options with { RequestTimeout = TimeSpan.FromSeconds(seconds) };
                        break;
                    default:
                        return (null, $"unknown option '{arg}'");
                }
            }
            catch (ArgumentException e)
            {
                return (null, e.Message);
            }
        }
        return (options with { DataRoots = roots }, null);
    }
}
