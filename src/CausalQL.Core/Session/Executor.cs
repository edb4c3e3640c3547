using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using CausalQL.Binding;
using CausalQL.Graphs;
using CausalQL.Text;

namespace CausalQL.Sessions;

/// <summary>What executing one bound statement produced.</summary>
public sealed record ExecutionOutcome(ImmutableArray<StatementResult> Results, ImmutableArray<Diagnostic> Diagnostics)
{
    public static ExecutionOutcome Of(StatementResult result) => new([result], []);
    public static ExecutionOutcome Failed(Diagnostic diagnostic) => new([], [diagnostic]);
}

/// <summary>
/// Runs bound statements against the engines. Each statement kind is one case; a statement whose
/// engine is not part of this build reports one diagnostic naming the missing capability.
/// </summary>
public static partial class Executor
{
    public static ExecutionOutcome Execute(BoundStatement statement, SessionPorts ports) => statement switch
    {
        GraphDeclaration s => ExecutionOutcome.Of(DescribeGraph(s.Symbol.Name, s.Symbol.Graph, s.Location)),
        DataDeclaration { Symbol.Source: SampleDataSource sample } s => DeclareSample(s, sample),
        DataDeclaration s => ExecutionOutcome.Of(DescribeData(s.Symbol, s.Location)),
        ModelDeclaration s => ExecutionOutcome.Of(DescribeModel(s.Symbol, s.Location)),
        ScmDeclaration s => ExecutionOutcome.Of(DescribeScm(s.Symbol, s.Location)),
        UseStatement s => ExecutionOutcome.Of(StatementResult.Create("use", $"using {s.Target.KindWord} {s.Target.Name}", s.Location,
            new JsonObject { ["name"] = s.Target.Name, ["target"] = s.Target.KindWord })),
        AssumeStatement s => ExecutionOutcome.Of(StatementResult.Create("assume", $"assuming {s.Assumption}", s.Location,
            new JsonObject { ["assumption"] = s.Assumption.Name, ["path"] = Array(s.Assumption.Path.Select(p => (JsonNode)Array(p))) })),
        IdentifyStatement s => Identify(s, ports.Cancellation),
        EstimateStatement s => Estimate(s, ports),
        AdjustmentSetsStatement s => AdjustmentSets(s, ports.Cancellation),
        InstrumentsStatement s => InstrumentsFor(s, ports.Cancellation),
        ImplicationsStatement s => ImplicationsOf(s, ports.Cancellation),
        CheckStatement s => Check(s, ports),
        ShowStatement s => Show(s, ports),
        ExportStatement s => Export(s, ports),
        RefuteStatement s => Refute(s, ports),
        PlotStatement s => Plot(s, ports),
        // An ask needs the symbols in scope and may run further statements: Compilation routes it to Ask instead.
        AskStatement s => AskWithoutScope(s, ports),
        QueryStatement { Graph.Source: ModelSymbol or ScmSymbol } s => EvaluateOnModel(s, ports, s.Assumptions),
        QueryStatement { Graph: { } graph } s => Identify(new IdentifyStatement(s.Query, graph, false, false, Syntax.Seq<BoundOption>.Empty, s.Location), ports.Cancellation),
        QueryStatement s => Missing(s.Location, "a query without a graph", "a graph to answer it in ('use G')"),
        _ => throw new System.Diagnostics.UnreachableException($"unhandled bound statement {statement.GetType().Name}"),
    };

    /// <summary>An ask reached without its scope (a caller bypassing Compilation): translated against no declarations.</summary>
    static ExecutionOutcome AskWithoutScope(AskStatement s, SessionPorts ports)
    {
        var entries = Ask(s, SymbolTable.Empty, ports).Entries;
        return new ExecutionOutcome([.. entries.OfType<ResultEntry>().Select(e => e.Result)], [.. entries.OfType<DiagnosticEntry>().Select(e => e.Diagnostic)]);
    }

    static ExecutionOutcome Missing(Location location, string statement, string capability)
    {
        var bag = new DiagnosticBag();
        bag.ReportMissingCapability(location, statement, capability);
        return new ExecutionOutcome([], bag.ToImmutable());
    }

    // ------------------------------------------------------------------ declarations

    public static StatementResult DescribeGraph(string name, CausalGraph graph, Location location)
    {
        var latent = graph.Latents;
        var parts = new List<string> { Count(graph.Count, "node") };
        parts.Add(Count(graph.Directed.Length, "directed edge"));
        if (graph.Bidirected.Length > 0) parts.Add(Count(graph.Bidirected.Length, "bidirected edge"));
        if (!latent.IsEmpty) parts.Add($"latent {string.Join(", ", latent)}");
        var text = $"graph {name}: {string.Join(", ", parts)}";
        var json = new JsonObject
        {
            ["name"] = name,
            ["nodes"] = Array(graph.Nodes),
            ["directed"] = Array(graph.Directed.Select(e => (JsonNode)Array([e.From, e.To]))),
            ["bidirected"] = Array(graph.Bidirected.Select(e => (JsonNode)Array([e.A, e.B]))),
            ["latent"] = Array(latent),
            ["exposure"] = Array(graph.NodesWithRole(NodeRole.Exposure)),
            ["outcome"] = Array(graph.NodesWithRole(NodeRole.Outcome)),
            ["adjusted"] = Array(graph.NodesWithRole(NodeRole.Adjusted)),
        };
        return StatementResult.Create("graph", text, location, json);
    }

    static StatementResult DescribeData(DataSymbol data, Location location)
    {
        var (source, json) = data.Source switch
        {
            FileDataSource f => ($"{f.Format}(\"{f.Path}\")", new JsonObject { ["source"] = f.Format, ["path"] = f.Path }),
            SqlDataSource s => ("sql(...)", new JsonObject { ["source"] = "sql" }),
            SampleDataSource s => ($"sample({s.Model})", new JsonObject { ["source"] = "sample", ["model"] = s.Model }),
            _ => throw new System.Diagnostics.UnreachableException(),
        };
        json["name"] = data.Name;
        return StatementResult.Create("data", $"data {data.Name} = {source}", location, json);
    }

    static StatementResult DescribeModel(ModelSymbol model, Location location)
    {
        var on = model.Graph is { } g ? $" on {g.Name}" : "";
        var text = $"model {model.Name}{on}: {Count(model.Entries.Count, "given value")}";
        var json = new JsonObject
        {
            ["name"] = model.Name,
            ["graph"] = model.Graph?.Name,
            ["entries"] = Array(model.Entries.Select(e => (JsonNode)new JsonObject { ["term"] = e.Term.ToString(), ["value"] = e.Value })),
        };
        return StatementResult.Create("model", text, location, json);
    }

    static StatementResult DescribeScm(ScmSymbol scm, Location location)
    {
        var edges = scm.Graph.Directed.Where(e => !scm.Noise.Contains(e.From)).Select(e => $"{e.From} -> {e.To}").ToList();
        var text = $"scm {scm.Name}: {Count(scm.Endogenous.Count, "variable")}"
            + (scm.Noise.IsEmpty ? "" : $", noise {string.Join(", ", scm.Noise)}")
            + (edges.Count == 0 ? "" : $"; {string.Join(", ", edges)}");
        var json = new JsonObject
        {
            ["name"] = scm.Name,
            ["variables"] = Array(scm.Graph.Nodes.Where(scm.Endogenous.Contains)),
            ["noise"] = Array(scm.Noise),
            ["directed"] = Array(scm.Graph.Directed.Select(e => (JsonNode)Array([e.From, e.To]))),
        };
        return StatementResult.Create("scm", text, location, json);
    }

    // ------------------------------------------------------------------ helpers

    internal static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    internal static JsonArray Array(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode)JsonValue.Create(i))]);
    internal static JsonArray Array(IEnumerable<JsonNode> items) => new([.. items]);

    // A tiny negative rounds to "-0", which reads as a sign error: print it as 0.
    internal static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture) is var text && text == "-0" ? "0" : text;
}
