using System.Text.Json.Nodes;
using CausalQL.Binding;
using CausalQL.Execution;
using CausalQL.Graphs;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Sessions;

// check G against D: each conditional independence in the graph's basis is tested on the data
// (G-test for discrete columns, Fisher-z for numeric ones), p-values Holm-adjusted across the
// implications, like DAGitty's localTests.
public static partial class Executor
{
    sealed record CheckRow(ConditionalIndependence Ci, IndependenceTest? Test, string? Untestable, ConditionalIndependence? TestedAs = null);

    static ExecutionOutcome Check(CheckStatement s, SessionPorts ports)
    {
        if (ports.Data is not { } opener)
            return Failed(s.Location, "check needs access to data, which this session does not have");
        var alpha = s.Options.Number("alpha") ?? 0.05;
        if (!(alpha > 0 && alpha < 1)) return Failed(s.Location, $"alpha must be between 0 and 1, not {Number(alpha)}");
        foreach (var option in s.Options)
            if (!string.Equals(option.Name, "alpha", StringComparison.OrdinalIgnoreCase))
                return Failed(s.Location, $"check takes the option 'alpha', not '{option.Name}'");

        var graph = s.Graph.Graph;
        var latent = graph.Latents;
        var basis = Implications.Basis(graph.ProjectLatents(), ports.Cancellation);
        var opened = opener.Open(s.Data.Source, s.Location.File);
        if (!opened.IsOk) return Failed(s.Location, $"cannot open data '{s.Data.Name}': {opened.Error!.Message}");
        using var source = opened.Value;

        var observed = graph.Nodes.Where(n => !latent.Contains(n)).ToList();
        var absent = observed.Where(n => source.Column(n) is null).ToList();
        var present = observed.Where(n => source.Column(n) is not null).ToList();
        var diagnostics = new List<Diagnostic>();
        if (absent.Count > 0)
            diagnostics.Add(Diagnostic.Warning(s.Location,
                $"graph {s.Graph.Name} names {(absent.Count == 1 ? "a variable" : "variables")} that data {s.Data.Name} has no column for: "
                + string.Join(", ", absent) + "; implications naming them are not tested"));
        if (present.Count == absent.Count && present.Count == 0)
            return new ExecutionOutcome([], [.. diagnostics]);

        var profile = source.Profile(present, null, ports.Cancellation);
        if (!profile.IsOk) return Failed(s.Location, $"check {s.Graph.Name} against {s.Data.Name}: {profile.Error!.Message}");
        var kinds = present.ToDictionary(n => n, n => profile.Value.Column(n));

        var rows = new List<CheckRow>();
        foreach (var ci in basis)
        {
            bool Unobserved(string n) => latent.Contains(n) || !kinds.ContainsKey(n);
            var missing = new[] { ci.X }.Concat(ci.Y).Concat(ci.Given).Where(Unobserved).ToList();
            // X ⟂ {Y, W} | Z implies X ⟂ Y | Z (decomposition), so a Y member without data is dropped;
            // a missing X or conditioning variable leaves nothing testable.
            var reduced = ci with { Y = VarSet.From(ci.Y.Where(n => !Unobserved(n))) };
            if (Unobserved(ci.X) || ci.Given.Any(Unobserved) || reduced.Y.IsEmpty)
            {
                rows.Add(new CheckRow(ci, null, $"no data for {string.Join(", ", missing)}"));
                continue;
            }
            var names = new[] { reduced.X }.Concat(reduced.Y).Concat(reduced.Given).ToList();
            var tested = TestImplication(source, reduced, names, kinds, ports.Cancellation);
            if (!tested.IsOk)
            {
                if (tested.Error!.Column is not null)
                    return Failed(s.Location, $"check {s.Graph.Name} against {s.Data.Name}: {tested.Error.Message}");
                rows.Add(new CheckRow(ci, null, tested.Error.Message));
            }
            else rows.Add(new CheckRow(ci, tested.Value, null, reduced == ci ? null : reduced));
        }
        var testedRows = rows.Where(r => r.Test is not null).ToList();
        var adjusted = IndependenceTests.Holm(testedRows.Select(r => r.Test!.PValue).ToList());
        var adjustedOf = testedRows.Select((r, i) => (r, adjusted[i])).ToDictionary(p => p.r, p => p.Item2);
        var rejected = adjustedOf.Count(p => p.Value < alpha);

        var lines = new List<string>();
        var items = new List<JsonNode>();
        foreach (var row in rows)
        {
            var item = new JsonObject
            {
                ["x"] = row.Ci.X,
                ["y"] = Array(row.Ci.Y),
                ["given"] = Array(row.Ci.Given),
                ["text"] = row.Ci.ToString(),
            };
            if (row.Test is { } t)
            {
                var padj = adjustedOf[row];
                var verdict = padj < alpha ? "rejected" : "not rejected";
                item["test"] = t.Method;
                item["statistic"] = t.Statistic;
                item["df"] = t.Df;
                item["p"] = t.PValue;
                item["p_adjusted"] = padj;
                item["n"] = t.N;
                item["rejected"] = padj < alpha;
                if (row.TestedAs is { } part) item["tested_as"] = part.ToString();
                var df = t.Df is { } d ? $", df = {d}" : "";
                var statName = t.Df is null ? "|z|" : "G";
                var partly = row.TestedAs is { } reducedCi ? $" (tested as {reducedCi}, the rest has no data)" : "";
                lines.Add($"  {row.Ci}{partly}: {t.Method} {statName} = {Number(t.Statistic)}{df}, p {P(t.PValue)}, Holm p {P(padj)}: {verdict}");
            }
            else
            {
                item["untestable"] = row.Untestable;
                lines.Add($"  {row.Ci}: untestable ({row.Untestable})");
            }
            items.Add(item);
        }
        var untestable = rows.Count - testedRows.Count;
        var summary = basis.IsEmpty
            ? $"graph {s.Graph.Name} implies no conditional independences: nothing to check against {s.Data.Name}"
            : $"check {s.Graph.Name} against {s.Data.Name} (alpha = {Number(alpha)}, Holm-adjusted): "
              + $"{Count(testedRows.Count, "implication")} tested, {rejected} rejected"
              + (untestable > 0 ? $", {untestable} untestable" : "");
        var json = new JsonObject
        {
            ["graph"] = s.Graph.Name,
            ["data"] = s.Data.Name,
            ["alpha"] = alpha,
            ["tested"] = testedRows.Count,
            ["rejected"] = rejected,
            ["untestable"] = untestable,
            ["implications"] = Array(items),
        };
        var text = string.Join("\n", lines.Prepend(summary));
        return new ExecutionOutcome([StatementResult.Create("check", text, s.Location, json)], [.. diagnostics]);
    }

    /// <summary>
    /// One implication on the data: all columns discrete (binary or text) → G-test from one Counts query;
    /// otherwise, all columns numbers → Fisher-z from one Moments query over complete rows; text mixed with
    /// continuous numbers has no test here.
    /// </summary>
    static Result<IndependenceTest> TestImplication(IDataSource source, ConditionalIndependence ci, List<string> names, Dictionary<string, ColumnProfile> kinds, CancellationToken cancellation)
    {
        if (names.All(n => kinds[n].Kind != ColumnKind.Numeric))
            return source.Counts(names, null, cancellation).Map(table => IndependenceTests.GTest(table, ci.Y.Count));
        if (names.Any(n => kinds[n].Storage == StorageType.Text))
            return Result<IndependenceTest>.Fail("mixes text and continuous columns, which no test here handles");
        var columns = new List<Expr> { Expr.One };
        columns.AddRange(names.Select(Expr.Col));
        var complete = Expr.And([.. names.Select(Expr.NotNull)]);
        return source.Moments(columns, complete, cancellation).Bind(m => IndependenceTests.FisherZ(m, ci.Y.Count));
    }

    static string P(double p) => p switch
    {
        0 => "< 1e-300",  // below double precision: the test statistic is enormous
        < 1e-4 => "= " + p.ToString("0.##e+0", System.Globalization.CultureInfo.InvariantCulture),
        _ => "= " + Number(p),
    };
}
