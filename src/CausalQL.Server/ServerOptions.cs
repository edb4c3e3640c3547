using CausalQL.Llm;

namespace CausalQL.Server;

/// <summary>How `cql serve` (and `cql mcp`) run: where they listen, what files they may read, and their limits.</summary>
public sealed record ServerOptions
{
    public IReadOnlyList<string> Urls { get; init; } = ["http://127.0.0.1:5080"];

    /// <summary>Directories scripts may read data and graph files from; none means no file access at all.</summary>
    public IReadOnlyList<string> DataRoots { get; init; } = [];

    /// <summary>Largest request body accepted (413 beyond it).</summary>
    public long MaxRequestBytes { get; init; } = 1024 * 1024;

    /// <summary>Time one request's engine work may take (504 beyond it; the server stays up).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Engine runs in flight at once; more wait briefly, then get 503 (a cancelled run leaves at its next check).</summary>
    public int MaxConcurrentRuns { get; init; } = Math.Max(4, Environment.ProcessorCount * 4);

    public LlmOptions Llm { get; init; } = new();
}
