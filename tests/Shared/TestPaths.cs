namespace CausalQL.Tests;

/// <summary>Finds the repository root and the shared test material (conformance cases, data sets).</summary>
public static class TestPaths
{
    /// <summary>The folder holding CausalQL.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// The shared/ folder: $CAUSALQL_SHARED if set, else the first ancestor of the repository
    /// root that has a shared/ folder beside it (CI puts it next to the clone).
    /// </summary>
    public static string Shared { get; } = FindShared();

    public static string Conformance(string file) => Path.Combine(Shared, "conformance", file);
    public static string Data(params string[] parts) => Path.Combine([Shared, "data", .. parts]);

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CausalQL.sln"))) return dir.FullName;
        throw new InvalidOperationException("CausalQL.sln not found above " + AppContext.BaseDirectory);
    }

    static string FindShared()
    {
        var fromEnv = Environment.GetEnvironmentVariable("CAUSALQL_SHARED");
        if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
        for (var dir = new DirectoryInfo(RepoRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "conformance"))) return candidate;
        }
        throw new InvalidOperationException("shared/ (conformance cases and data) not found beside " + RepoRoot);
    }
}
