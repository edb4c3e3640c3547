using System.Text.Json.Nodes;
using CausalQL.Binding;
using CausalQL.Graphs;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Sessions;

// Graph statements: show, export, implications, adjustment sets, instruments — answered by the
// graph layer (CausalQL.Graphs).
public static partial class Executor
{
    static ExecutionOutcome Show(ShowStatement s, SessionPorts ports)
    {
        if (s.Graph is not { } context)
            return ExecutionOutcome.Of(DescribeSymbol(s.Target, s.Location));
        if (s.Format == "text")
            return ExecutionOutcome.Of(StatementResult.Create("show", GraphExport.ToText(context.Graph, context.Name).TrimEnd('\n'), s.Location,
                new JsonObject { ["name"] = context.Name, ["format"] = "text", ["text"] = GraphExport.ToText(context.Graph, context.Name) }));
        if (ports.Drawer is not { } drawer)
            return Failed(s.Location, $"show {context.Name} as {s.Format} needs a graph drawer, which this session does not have");
        var drawn = drawer.Draw(GraphExport.ToDot(context.Graph, context.Name), s.Format, $"{context.Name}.{s.Format}", s.Location.File);
        return drawn.Error is { } error
            ? Failed(s.Location, error)
            : ExecutionOutcome.Of(StatementResult.Create("show", $"drew {context.Name} to {drawn.Path}", s.Location,
                new JsonObject { ["name"] = context.Name, ["format"] = s.Format, ["path"] = drawn.Path }));
    }

    static StatementResult DescribeSymbol(Symbol symbol, Location location) => symbol switch
    {
        DataSymbol d => DescribeData(d, location),
        ModelSymbol m => DescribeModelInFull(m, location),
        ScmSymbol m => DescribeScm(m, location),
        _ => StatementResult.Create("show", $"{symbol.KindWord} {symbol.Name} (declared at {symbol.Declared})", location,
            new JsonObject { ["name"] = symbol.Name, ["target"] = symbol.KindWord }),
    };

    static StatementResult DescribeModelInFull(ModelSymbol model, Location location)
    {
        var head = DescribeModel(model, location);
        var lines = model.Entries.Select(e => $"  {e.Term} = {Number(e.Value)}");
        return head with { Text = string.Join("\n", lines.Prepend(head.Text)) };
    }

    static ExecutionOutcome Export(ExportStatement s, SessionPorts ports)
    {
        var g = s.Graph.Graph;
        var text = s.Format switch
        {
            "dot" => GraphExport.ToDot(g, s.Graph.Name),
            "dagitty" => GraphExport.ToDagitty(g),
            "json" => GraphExport.ToJson(g),
            _ => throw new System.Diagnostics.UnreachableException(),
        };
        var json = new JsonObject { ["name"] = s.Graph.Name, ["format"] = s.Format };
        if (s.Path is null)
        {
            json["text"] = text;
            return ExecutionOutcome.Of(StatementResult.Create("export", text.TrimEnd('\n'), s.Location, json));
        }
        if (ports.Output is not { } output)
            return Failed(s.Location, $"export to \"{s.Path}\" needs file output, which this session does not have");
        if (output.Write(s.Path, s.Location.File, text) is { } error)
            return Failed(s.Location, $"cannot write '{s.Path}': {error}");
        json["path"] = s.Path;
        return ExecutionOutcome.Of(StatementResult.Create("export", $"wrote {s.Graph.Name} as {s.Format} to {s.Path}", s.Location, json));
    }

    static ExecutionOutcome ImplicationsOf(ImplicationsStatement s, CancellationToken cancellation)
    {
        // Statements about observed variables only: explicit latent nodes are projected away first.
        var basis = Implications.Basis(s.Graph.Graph.ProjectLatents(), cancellation);
        var text = basis.IsEmpty
            ? $"graph {s.Graph.Name} implies no conditional independences"
            : $"graph {s.Graph.Name} implies {Count(basis.Length, "conditional independence")}:\n"
              + string.Join("\n", basis.Select(ci => { cancellation.ThrowIfCancellationRequested(); return "  " + ci; }));
        var json = new JsonObject
        {
            ["graph"] = s.Graph.Name,
            // The basis grows with the square of the graph; so does writing it out.
            ["independences"] = Array(basis.Select(ci => cancellation.IsCancellationRequested ? throw new OperationCanceledException(cancellation) : (JsonNode)new JsonObject
            {
                ["x"] = ci.X,
                ["y"] = Array(ci.Y),
                ["given"] = Array(ci.Given),
                ["text"] = ci.ToString(),
            })),
        };
        return ExecutionOutcome.Of(StatementResult.Create("implications", text, s.Location, json));
    }

    static ExecutionOutcome AdjustmentSets(AdjustmentSetsStatement s, CancellationToken cancellation)
    {
        var g = s.Graph.Graph;
        var question = $"{Show(s.Exposures)} -> {Show(s.Outcomes)} in {s.Graph.Name}";
        IReadOnlyList<VarSet> sets;
        string? note;
        var complete = true;
        string mode;
        switch (s.Mode)
        {
            case AdjustmentMode.Minimal:
                {
                    var result = Adjustment.Minimal(g, s.Exposures, s.Outcomes, new AdjustmentOptions { TimeBudget = s.Options.Duration("timeout"), Cancellation = cancellation });
                    if (result.Status == SearchStatus.Invalid) return Failed(s.Location, $"adjustment sets for {question}: {result.Note}");
                    sets = result.Sets;
                    note = result.Note;
                    complete = result.Exhausted;
                    mode = "minimal";
                    break;
                }
            case AdjustmentMode.Canonical or AdjustmentMode.Optimal:
                {
                    if (s.Mode == AdjustmentMode.Optimal && (s.Exposures.Count != 1 || s.Outcomes.Count != 1))
                        return Failed(s.Location, "the optimal adjustment set is defined here for one exposure and one outcome");
                    var answer = s.Mode == AdjustmentMode.Canonical
                        ? Adjustment.Canonical(g, s.Exposures, s.Outcomes)
                        : Adjustment.Optimal(g, s.Exposures.First(), s.Outcomes.First());
                    sets = answer.Set is { } set ? [set] : [];
                    note = answer.Note;
                    mode = s.Mode == AdjustmentMode.Canonical ? "canonical" : "optimal";
                    break;
                }
            default:
                return AllAdjustmentSetsFor(s, question);
        }
        var json = new JsonObject
        {
            ["graph"] = s.Graph.Name,
            ["exposures"] = Array(s.Exposures),
            ["outcomes"] = Array(s.Outcomes),
            ["mode"] = mode,
            ["sets"] = Array(sets.Select(set => (JsonNode)Array(set))),
            ["exists"] = sets.Count > 0,
            ["complete"] = complete,
        };
        if (note is not null) json["note"] = note;
        string text;
        if (sets.Count == 0)
            text = $"no adjustment set exists for {question}" + (note is null ? "" : $" ({TrimPrefix(note, "no adjustment set exists: ")})");
        else
        {
            var title = mode == "minimal" ? $"minimal adjustment sets for {question}:" : $"{mode} adjustment set for {question}:";
            text = title + "\n" + string.Join("\n", sets.Select(set => "  " + (set.IsEmpty ? "{} (no adjustment needed)" : "{" + string.Join(", ", set) + "}")));
            if (!complete) text += "\n  (search stopped early: " + (note ?? "limit reached") + ")";
        }
        return ExecutionOutcome.Of(StatementResult.Create("adjustment_sets", text, s.Location, json));
    }

    static ExecutionOutcome InstrumentsFor(InstrumentsStatement s, CancellationToken cancellation)
    {
        if (s.Exposures.Count != 1 || s.Outcomes.Count != 1)
            return Failed(s.Location, "instruments are found for one exposure and one outcome: write 'instruments for X -> Y'");
        var x = s.Exposures.First();
        var y = s.Outcomes.First();
        var result = Graphs.Instruments.Conditional(s.Graph.Graph, x, y, cancellation);
        if (!result.IsValid) return Failed(s.Location, $"instruments for {x} -> {y} in {s.Graph.Name}: {result.Error}");
        var question = $"{x} -> {y} in {s.Graph.Name}";
        var text = result.Instruments.IsEmpty
            ? $"no instrument exists for {question}"
            : $"instruments for {question}:\n" + string.Join("\n", result.Instruments.Select(i =>
                "  " + i.Instrument + (i.Given.IsEmpty ? "" : $" given {Show(i.Given)}")));
        var json = new JsonObject
        {
            ["graph"] = s.Graph.Name,
            ["exposure"] = x,
            ["outcome"] = y,
            ["instruments"] = Array(result.Instruments.Select(i => (JsonNode)new JsonObject { ["instrument"] = i.Instrument, ["given"] = Array(i.Given) })),
        };
        return ExecutionOutcome.Of(StatementResult.Create("instruments", text, s.Location, json));
    }

    static string TrimPrefix(string text, string prefix) => text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;

    internal static string Show(VarSet set) => set.Count == 1 ? set.First() : "{" + string.Join(", ", set) + "}";

    static ExecutionOutcome Failed(Location location, string message) => ExecutionOutcome.Failed(Diagnostic.Error(location, message));
}
