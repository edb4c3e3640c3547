using CausalQL.Binding;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Llm.Tools;

/// <summary>
/// Where a script served to other programs may read files: only under the configured data roots. Scripts are
/// screened on their syntax before anything binds or runs (data sources, DAGitty imports, exports, SQL), and the
/// file reader handed to the session refuses the same paths again, so a path that slips past one still meets the other.
/// Relative paths resolve against the first root. With no roots configured, no file may be touched.
/// </summary>
public sealed class DataRoots
{
    readonly string[] _roots;

    public DataRoots(IEnumerable<string> roots)
    {
        _roots = roots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).Distinct().ToArray();
    }

    public static readonly DataRoots None = new([]);

    public IReadOnlyList<string> Roots => _roots;

    /// <summary>The absolute path a script's path names (relative paths resolve against the first root).</summary>
    public string Resolve(string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) || _roots.Length == 0 ? path : Path.Combine(_roots[0], path));

    /// <summary>Null when the path is under a root (after resolving "..", and symbolic links that exist), else why not.</summary>
    public string? Refusal(string path)
    {
        if (_roots.Length == 0) return $"the server has no data roots, so '{path}' cannot be read (start it with --data-root DIR)";
        string full;
        try
        {
            full = Resolve(path);
            if (new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target) full = target.FullName;
        }
        catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            return $"'{path}' is not a usable path ({e.Message})";
        }
        foreach (var root in _roots)
            if (full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || full == root) return null;
        return $"'{path}' is outside the data roots ({string.Join(", ", _roots)}); refused";
    }

    /// <summary>Errors for every file the script would read or write outside the roots, and for external SQL sources.</summary>
    public IReadOnlyList<Diagnostic> Screen(ScriptSyntax script, SourceText source)
    {
        var errors = new List<Diagnostic>();
        foreach (var statement in script.Statements)
        {
            switch (statement)
            {
                case DataDeclarationSyntax { Source: var call } d:
                    var function = call.Function.Text.ToLowerInvariant();
                    if (function == "sql")
                        errors.Add(Diagnostic.Error(source.Location(d.Span), $"data '{d.Name.Text}' connects to an external SQL server, which this server does not allow; refused"));
                    else if (function is "csv" or "parquet" && call.Arguments.FirstOrDefault() is StringSyntax s)
                    {
                        if (Refusal(s.Value) is { } why) errors.Add(Diagnostic.Error(source.Location(s.Span), why));
                    }
                    break;
                case GraphDeclarationSyntax { Body: GraphImportSyntax import } g:
                    if (Refusal(import.Path) is { } graphWhy) errors.Add(Diagnostic.Error(source.Location(import.Span), graphWhy));
                    break;
                case ExportStatementSyntax { Path: { } path } e:
                    errors.Add(Diagnostic.Error(source.Location(e.Span), $"export to the file \"{path}\" is not allowed on this server; export without 'to' to get the text"));
                    break;
                case PlotStatementSyntax p:
                    errors.Add(Diagnostic.Error(source.Location(p.Path.Span), $"plot writes the file \"{p.Path.Value}\", which is not allowed on this server; the estimate's JSON carries the numbers"));
                    break;
            }
        }
        return errors;
    }

    /// <summary>The session's file reader: the disk, but only under the roots.</summary>
    public IFileReader Reader() => new RootedFileReader(this);

    sealed class RootedFileReader(DataRoots roots) : IFileReader
    {
        public FileReadResult ReadText(string path, string relativeTo)
        {
            if (roots.Refusal(path) is { } why) return new FileError(why);
            var full = roots.Resolve(path);
            try
            {
                if (!File.Exists(full)) return new FileError("no such file");
                if (new FileInfo(full).Length > 64 * 1024 * 1024) return new FileError("the file is larger than 64 MB");
                return new FileText(File.ReadAllText(full), full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new FileError(e.Message);
            }
        }

        public bool Exists(string path, string relativeTo) => roots.Refusal(path) is null && File.Exists(roots.Resolve(path));

        // A refused path resolves to a place that cannot exist, so an engine that opens it finds nothing.
        public string Resolve(string path, string relativeTo) =>
            roots.Refusal(path) is null ? roots.Resolve(path) : Path.Combine(Path.GetTempPath(), "cql-refused", Guid.NewGuid().ToString("N"));
    }
}
