using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using CausalQL.Estimands;
using CausalQL.Graphs;

namespace CausalQL.Conformance;

public enum QueryKind { Interventional, ConditionalInterventional, Counterfactual }

/// <summary>One row of a case's ground truth: P(outcome | do(Do), Given) flat over the outcome variables.</summary>
public sealed record InterventionalRow(ImmutableDictionary<string, int> Do, ImmutableDictionary<string, int> Given, ImmutableArray<double> P);

public sealed record InterventionalTruth(ImmutableArray<string> Outcome, ImmutableArray<InterventionalRow> Rows);

/// <summary>
/// A conformance case as described in shared/conformance/README.md. Only the fields the runner
/// needs are read; the raw JSON object is kept for tests that look at peer fields.
/// </summary>
public sealed record ConformanceCase(
    string Id,
    CausalGraph Graph,
    QueryKind Kind,
    VarSet Outcome,
    VarSet Treatment,
    VarSet Condition,
    bool? Identifiable,
    JointTable? Observational,
    InterventionalTruth? Interventional,
    JsonObject Raw)
{
    /// <summary>Parses JSON-lines text; each bad line is an error with its line number, the rest still parse.</summary>
    public static (ImmutableArray<ConformanceCase> Cases, ImmutableArray<string> Errors) ParseLines(string jsonl)
    {
        var cases = ImmutableArray.CreateBuilder<ConformanceCase>();
        var errors = ImmutableArray.CreateBuilder<string>();
        var lineNumber = 0;
        foreach (var rawLine in jsonl.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0) continue;
            if (TryParse(line, out var c, out var error)) cases.Add(c!);
            else errors.Add($"line {lineNumber}: {error}");
        }
        return (cases.ToImmutable(), errors.ToImmutable());
    }

    public static bool TryParse(string json, out ConformanceCase? result, out string? error)
    {
        result = null;
        try
        {
            if (JsonNode.Parse(json) is not JsonObject o) { error = "not a JSON object"; return false; }
            result = FromJson(o);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            error = ex.Message;
            return false;
        }
    }

    static ConformanceCase FromJson(JsonObject o)
    {
        var id = o["id"]?.GetValue<string>() ?? throw new FormatException("case has no id");
        var g = o["graph"] as JsonObject ?? throw new FormatException($"{id}: no graph");
        var nodes = Strings(g["nodes"]);
        var directed = Pairs(g["directed"]);
        var bidirected = Pairs(g["bidirected"]);
        var latent = Strings(g["latent"]);
        var roles = latent.ToDictionary(n => n, _ => NodeRole.Latent, StringComparer.Ordinal);
        var graph = CausalGraph.Create(nodes, directed, bidirected, roles);

        var q = o["query"] as JsonObject ?? throw new FormatException($"{id}: no query");
        var kindText = q["kind"]?.GetValue<string>();
        var kind = kindText switch
        {
            "interventional" => QueryKind.Interventional,
            "conditional-interventional" => QueryKind.ConditionalInterventional,
            "counterfactual" => QueryKind.Counterfactual,
            _ => throw new FormatException($"{id}: unknown query kind '{kindText}'"),
        };
        VarSet outcome = VarSet.Empty, treatment = VarSet.Empty, condition = VarSet.Empty;
        if (kind != QueryKind.Counterfactual)
        {
            outcome = VarSet.From(Strings(q["outcome"]));
            treatment = VarSet.From(Strings(q["treatment"]));
            condition = VarSet.From(Strings(q["condition"]));
        }
        bool? identifiable = o["identifiable"] is JsonValue iv && iv.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? iv.GetValue<bool>() : null;

        JointTable? observational = null;
        if (o["observational"] is JsonObject obs)
            observational = new JointTable(Strings(obs["variables"]),
                [.. (obs["cardinality"] as JsonArray ?? []).Select(n => n!.GetValue<int>())],
                [.. (obs["p"] as JsonArray ?? []).Select(n => n!.GetValue<double>())]);

        InterventionalTruth? truth = null;
        if (o["interventional"] is JsonObject inter)
        {
            var rows = (inter["rows"] as JsonArray ?? []).Select(r => new InterventionalRow(
                Assignment(r!["do"]), Assignment(r["given"]),
                [.. (r["p"] as JsonArray ?? []).Select(n => n!.GetValue<double>())]));
            truth = new InterventionalTruth([.. Strings(inter["outcome"])], [.. rows]);
        }
        return new ConformanceCase(id, graph, kind, outcome, treatment, condition, identifiable, observational, truth, o);
    }

    static List<string> Strings(JsonNode? node) =>
        node is JsonArray a ? [.. a.Select(n => n!.GetValue<string>())] : [];

    static List<(string, string)> Pairs(JsonNode? node) =>
        node is JsonArray a
            ? [.. a.Select(p => p is JsonArray pair && pair.Count == 2
                ? (pair[0]!.GetValue<string>(), pair[1]!.GetValue<string>())
                : throw new FormatException("an edge must be a pair of names"))]
            : [];

    static ImmutableDictionary<string, int> Assignment(JsonNode? node) =>
        node is JsonObject o
            ? o.ToImmutableDictionary(kv => kv.Key, kv => kv.Value!.GetValue<int>(), StringComparer.Ordinal)
            : ImmutableDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal);
}
