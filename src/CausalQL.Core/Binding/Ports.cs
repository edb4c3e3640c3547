namespace CausalQL.Binding;

/// <summary>
/// How Core reads files it is told about (DAGitty graphs, data files) without doing I/O itself.
/// Paths are as written in the script; the implementation resolves them relative to
/// <c>relativeTo</c>, the file name of the script that names them.
/// </summary>
public interface IFileReader
{
    FileReadResult ReadText(string path, string relativeTo);

    /// <summary>True when the file exists; used to report a missing data file where it is named.</summary>
    bool Exists(string path, string relativeTo);

    /// <summary>The absolute path a script's relative path refers to (what data engines open).</summary>
    string Resolve(string path, string relativeTo);
}

public abstract record FileReadResult;

public sealed record FileText(string Text, string ResolvedPath) : FileReadResult;

/// <summary>Why a file could not be read, in words fit for a diagnostic ("no such file", "not UTF-8 at byte 12").</summary>
public sealed record FileError(string Reason) : FileReadResult;

/// <summary>A reader for tests and the browser: files are a dictionary of path to text.</summary>
public sealed class InMemoryFileReader(IReadOnlyDictionary<string, string> files) : IFileReader
{
    public FileReadResult ReadText(string path, string relativeTo) =>
        files.TryGetValue(path, out var text) ? new FileText(text, path) : new FileError("no such file");

    public bool Exists(string path, string relativeTo) => files.ContainsKey(path);

    public string Resolve(string path, string relativeTo) => path;
}
