using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using CausalQL.Text;

namespace CausalQL.Sessions;

/// <summary>
/// What one statement produced: a kind ("graph", "adjustment_sets", ...), text for people, and a
/// JSON object for machines whose "kind" field repeats <see cref="Kind"/>.
/// </summary>
public sealed record StatementResult(string Kind, string Text, JsonObject Json, Location Location)
{
    /// <summary>The JSON on one line, as `cql run --json` prints it.</summary>
    public string JsonLine => Json.ToJsonString(JsonLineOptions);

    static readonly JsonSerializerOptions JsonLineOptions = new() { WriteIndented = false };

    public static StatementResult Create(string kind, string text, Location location, JsonObject? fields = null)
    {
        // "kind" first, so a reader sees what the object is before its fields.
        var json = new JsonObject { ["kind"] = kind };
        if (fields is not null)
            foreach (var (key, value) in fields.ToList())
            {
                fields.Remove(key);
                json[key] = value;
            }
        return new StatementResult(kind, text, json, location);
    }
}

/// <summary>One thing a run produced, in order: a statement's result or a diagnostic.</summary>
public abstract record RunEntry;
public sealed record ResultEntry(StatementResult Result) : RunEntry;
public sealed record DiagnosticEntry(Diagnostic Diagnostic) : RunEntry;

/// <summary>Everything one <see cref="Session.Run"/> produced, in the order it happened.</summary>
public sealed record RunResult(SourceText Source, ImmutableArray<RunEntry> Entries)
{
    public IEnumerable<StatementResult> Results => Entries.OfType<ResultEntry>().Select(e => e.Result);
    public IEnumerable<Diagnostic> Diagnostics => Entries.OfType<DiagnosticEntry>().Select(e => e.Diagnostic);
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}
