using System.Collections.Immutable;
using System.Text;

namespace CausalQL.Text;

public enum Severity { Error, Warning, Note }

/// <summary>An error, warning or note tied to a place in the source. Diagnostics are values; nothing throws.</summary>
public sealed record Diagnostic(Severity Severity, Location Location, string Message)
{
    public static Diagnostic Error(Location location, string message) => new(Severity.Error, location, message);
    public static Diagnostic Warning(Location location, string message) => new(Severity.Warning, location, message);
    public static Diagnostic Note(Location location, string message) => new(Severity.Note, location, message);

    public bool IsError => Severity == Severity.Error;

    string SeverityWord => Severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "note",
    };

    /// <summary>`file:line:col: error: message`.</summary>
    public override string ToString() => $"{Location}: {SeverityWord}: {Message}";

    /// <summary>The one-line form followed by the source line and a caret under the column.</summary>
    public string Render(SourceText source)
    {
        var sb = new StringBuilder();
        sb.Append(ToString()).Append('\n');
        var line = source.Line(Location.Line);
        if (line.Length > 0 || Location.Line <= source.LineCount)
        {
            var shown = line.Replace('\t', ' ');
            sb.Append("  ").Append(shown).Append('\n');
            var caretColumn = Math.Max(1, Math.Min(Location.Column, shown.Length + 1));
            var width = Math.Max(1, Math.Min(Location.Span.Length, shown.Length - caretColumn + 1));
            sb.Append("  ").Append(' ', caretColumn - 1).Append('^').Append('~', width - 1).Append('\n');
        }
        return sb.ToString();
    }
}

/// <summary>Collects diagnostics from one pass; every phase reports through it rather than throwing.</summary>
public sealed class DiagnosticBag
{
    readonly List<Diagnostic> _items = [];

    public bool HasErrors => _items.Any(d => d.IsError);
    public int Count => _items.Count;

    public void Add(Diagnostic diagnostic) => _items.Add(diagnostic);
    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);
    public void Error(Location location, string message) => Add(Diagnostic.Error(location, message));
    public void Warning(Location location, string message) => Add(Diagnostic.Warning(location, message));
    public void Note(Location location, string message) => Add(Diagnostic.Note(location, message));

    public ImmutableArray<Diagnostic> ToImmutable() =>
        [.. _items.OrderBy(d => d.Location.Span.Start)];
}
