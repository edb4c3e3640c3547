using System.Text.Json.Nodes;
using CausalQL.Binding;
using CausalQL.Execution;
using CausalQL.Graphs;
using CausalQL.Sessions;
using CausalQL.Tests.Graphs;
using CausalQL.Text;
using MathNet.Numerics.Distributions;

namespace CausalQL.Tests.Sessions;

/// <summary>Opens every declared file as one in-memory table, by path.</summary>
sealed class TableOpener(IReadOnlyDictionary<string, InMemoryTable> tables) : IDataOpener
{
    public Result<IDataSource> Open(DataSource source, string relativeTo) =>
        source is FileDataSource f && tables.TryGetValue(f.Path, out var table)
            ? Result<IDataSource>.Ok(table)
            : Result<IDataSource>.Fail("no such table");
}

public class CheckStatementTests
{
    const string Declared = "graph g { X -> M -> Y\n Z -> Y }\ndata d = csv(\"d.csv\")\n";

    static RunResult RunWith(InMemoryTable table, string script)
    {
        var ports = new SessionPorts(new InMemoryFileReader(new Dictionary<string, string> { ["d.csv"] = "" }),
            Data: new TableOpener(new Dictionary<string, InMemoryTable> { ["d.csv"] = table }));
        return new Session(ports).Run(new SourceText(script, "<test>"));
    }

    static double Bern(Random rng, double p) => rng.NextDouble() < p ? 1 : 0;

    /// <summary>Binary data from X -> M -> Y <- Z, plus X -> Y when <paramref name="extraEdge"/>.</summary>
    static InMemoryTable Binary(int seed, bool extraEdge, int n = 3000)
    {
        var rng = new Random(seed);
        double[] x = new double[n], m = new double[n], z = new double[n], y = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = Bern(rng, 0.5);
            m[i] = Bern(rng, 0.2 + 0.6 * x[i]);
            z[i] = Bern(rng, 0.4);
            y[i] = Bern(rng, 0.1 + 0.4 * m[i] + 0.2 * z[i] + (extraEdge ? 0.25 * x[i] : 0));
        }
        return InMemoryTable.FromNumbers(new Dictionary<string, double[]> { ["X"] = x, ["M"] = m, ["Z"] = z, ["Y"] = y });
    }

    static InMemoryTable Gaussian(int seed, bool extraEdge, int n = 1000)
    {
        var rng = new Random(seed);
        double[] x = new double[n], m = new double[n], z = new double[n], y = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = Normal.Sample(rng, 1, 2);
            m[i] = 0.8 * x[i] + Normal.Sample(rng, 0, 1);
            z[i] = Normal.Sample(rng, -1, 1);
            y[i] = 0.7 * m[i] + 0.5 * z[i] + (extraEdge ? 0.3 * x[i] : 0) + Normal.Sample(rng, 0, 1);
        }
        return InMemoryTable.FromNumbers(new Dictionary<string, double[]> { ["X"] = x, ["M"] = m, ["Z"] = z, ["Y"] = y });
    }

    static JsonArray Implications(RunResult result)
    {
        Assert.False(result.HasErrors, string.Join("; ", result.Diagnostics));
        var check = Assert.Single(result.Results, r => r.Kind == "check");
        return check.Json["implications"]!.AsArray();
    }

    /// <summary>True when the implication separates X from Y (the pair the extra edge connects).</summary>
    static bool SeparatesXandY(JsonNode item)
    {
        var names = item["y"]!.AsArray().Select(v => (string)v!).Append((string)item["x"]!).ToList();
        return names.Contains("X") && names.Contains("Y");
    }

    static int Rejected(JsonArray items) => items.Count(i => (bool)i!["rejected"]!);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Data_from_the_declared_graph_rejects_almost_nothing(bool gaussian)
    {
        var rejections = 0;
        foreach (var seed in new[] { 1, 2, 3, 4, 5 })
        {
            var table = gaussian ? Gaussian(seed, false) : Binary(seed, false);
            var items = Implications(RunWith(table, Declared + "check g against d with alpha = 0.01"));
            Assert.NotEmpty(items);
            Assert.All(items, i => Assert.Equal(gaussian ? "Fisher-z" : "G-test", (string)i!["test"]!));
            rejections += Rejected(items);
        }
        // Holm at 0.01 over ~3 tests on 5 independent data sets: more than one rejection would be a ~0.1% event.
        Assert.True(rejections <= 1, $"{rejections} rejections");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_edge_the_graph_lacks_is_caught_by_the_implication_it_breaks(bool gaussian)
    {
        foreach (var seed in new[] { 11, 12, 13 })
        {
            var table = gaussian ? Gaussian(seed, true) : Binary(seed, true);
            var result = RunWith(table, Declared + "check g against d with alpha = 0.01");
            var items = Implications(result);
            var broken = Assert.Single(items, i => SeparatesXandY(i!));
            Assert.True((bool)broken!["rejected"]!, broken.ToJsonString());
            Assert.True((double)broken["p_adjusted"]! < 1e-4);
            Assert.Contains("1 rejected", result.Results.Single(r => r.Kind == "check").Text);
        }
    }

    [Fact]
    public void Each_implication_is_printed_with_statistic_df_p_and_verdict()
    {
        var result = RunWith(Binary(7, false), Declared + "check g against d");
        var text = Assert.Single(result.Results, r => r.Kind == "check").Text;
        Assert.StartsWith("check g against d (alpha = 0.05, Holm-adjusted): ", text);
        Assert.Matches(@"Y ⟂ X \| M, Z: G-test G = [0-9.]+, df = 4, p = [0-9.e+-]+, Holm p = [0-9.e+-]+: (not )?rejected", text);
    }

    [Fact]
    public void A_graph_variable_missing_from_the_data_is_a_positioned_warning_and_its_implications_are_untestable()
    {
        var script = "graph g { X -> M -> Y\n Z -> Y\n W -> Z }\ndata d = csv(\"d.csv\")\n\ncheck g against d";
        var result = RunWith(Binary(3, false), script);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(Severity.Warning, warning.Severity);
        Assert.Equal(6, warning.Location.Line);
        Assert.Contains("W", warning.Message);
        var items = Implications(result);
        Assert.Contains(items, i => i!["untestable"] is not null && ((string)i["text"]!).Contains('W'));
        Assert.Contains(items, i => i!["test"] is not null);
        // A joint implication whose Y set names W is still tested on the part that has data (decomposition).
        Assert.Contains(items, i => i!["tested_as"] is not null && !((string)i["tested_as"]!).Contains('W') && ((string)i["text"]!).Contains('W'));
        Assert.Contains("untestable", result.Results.Single(r => r.Kind == "check").Text);
    }

    [Fact]
    public void Latent_variables_are_projected_before_testing()
    {
        // U is latent: the implications of the projected graph (X -> M -> Y, M <-> Y) name only observed nodes.
        var script = "graph g { X -> M -> Y\n U -> M\n U -> Y\n U [latent]\n Z -> Y }\ndata d = csv(\"d.csv\")\ncheck g against d";
        var items = Implications(RunWith(Binary(4, false), script));
        Assert.NotEmpty(items);
        Assert.All(items, i => Assert.DoesNotContain("U", (string)i!["text"]!));
    }

    [Fact]
    public void Text_columns_with_three_levels_get_a_g_test_with_the_matching_df()
    {
        // A -> B -> C with A and C three-level text, B binary: A ⟂ C | B has df = 2 strata × (3−1)(3−1) = 8.
        var rng = new Random(21);
        const int n = 3000;
        var levels = new[] { "lo", "mid", "hi" };
        string?[] a = new string?[n], c = new string?[n];
        var b = new double[n];
        for (var i = 0; i < n; i++)
        {
            var ai = rng.Next(3);
            a[i] = levels[ai];
            b[i] = Bern(rng, 0.2 + 0.3 * ai);
            c[i] = levels[b[i] == 0 || rng.NextDouble() < 0.5 ? rng.Next(3) : 2];  // every level in both strata of B
        }
        a[0] = null;  // a missing value drops that row only
        var table = new InMemoryTable([new TextColumn("A", a), new NumberColumn("B", b), new TextColumn("C", c)]);
        var items = Implications(RunWith(table, "graph g { A -> B -> C }\ndata d = csv(\"d.csv\")\ncheck g against d"));
        var item = Assert.Single(items);
        Assert.Equal("G-test", (string)item!["test"]!);
        Assert.Equal(8, (int)item["df"]!);
        Assert.Equal(n - 1, (double)item["n"]!);
        Assert.False((bool)item["rejected"]!);
    }

    [Fact]
    public void A_bad_alpha_is_a_diagnostic()
    {
        var result = RunWith(Binary(1, false), Declared + "check g against d with alpha = 2");
        Assert.Contains("alpha", Assert.Single(result.Diagnostics).Message);
    }
}

public class IndependenceStatisticsTests
{
    static ContingencyTable Table(string[] variables, params (string[] Labels, double Count)[] cells) =>
        ContingencyTable.Build(variables, cells.Select(c => (c.Labels.Select(l => (string?)l).ToArray(), c.Count))).Value;

    [Fact]
    public void G_test_matches_a_hand_computed_two_by_two_case()
    {
        // [[10, 20], [30, 40]]: expected [[12, 18], [28, 42]], G = 2 Σ o ln(o/e), df 1, p = erfc(√(G/2)).
        var t = Table(["X", "Y"], (["0", "0"], 10), (["0", "1"], 20), (["1", "0"], 30), (["1", "1"], 40));
        var test = IndependenceTests.GTest(t, 1);
        Assert.Equal(0.8043486460964835, test.Statistic, 12);
        Assert.Equal(1, test.Df);
        Assert.Equal(0.36979636792989634, test.PValue, 10);
    }

    [Fact]
    public void G_test_sums_over_strata_and_drops_empty_ones()
    {
        // The same table in two strata of Z (and an empty third level): G doubles, df = 2, p = exp(−G/2).
        var cells = new List<(string[], double)>();
        foreach (var z in new[] { "a", "b" })
            cells.AddRange([(["0", "0", z], 10), (["0", "1", z], 20), (["1", "0", z], 30), (["1", "1", z], 40)]);
        cells.Add((["0", "0", "c"], 0));
        var test = IndependenceTests.GTest(Table(["X", "Y", "Z"], [.. cells]), 1);
        Assert.Equal(2 * 0.8043486460964835, test.Statistic, 12);
        Assert.Equal(2, test.Df);
        Assert.Equal(0.44737923388731937, test.PValue, 10);
    }

    [Fact]
    public void Fisher_z_agrees_with_the_correlation_of_regression_residuals()
    {
        var rng = new Random(5);
        const int n = 400;
        double[] z = new double[n], x = new double[n], y = new double[n];
        for (var i = 0; i < n; i++)
        {
            z[i] = Normal.Sample(rng, 0, 1);
            x[i] = z[i] + Normal.Sample(rng, 0, 1);
            y[i] = 0.5 * z[i] + 0.1 * x[i] + Normal.Sample(rng, 0, 1);
        }
        // Reference: residualize x and y on z by simple regression, correlate the residuals.
        double[] Residual(double[] v)
        {
            double mz = z.Average(), mv = v.Average();
            var b = z.Zip(v, (a, c) => (a - mz) * (c - mv)).Sum() / z.Sum(a => (a - mz) * (a - mz));
            return v.Select((c, i) => c - mv - b * (z[i] - mz)).ToArray();
        }
        var rx = Residual(x);
        var ry = Residual(y);
        var r = rx.Zip(ry, (a, b) => a * b).Sum() / Math.Sqrt(rx.Sum(a => a * a) * ry.Sum(b => b * b));
        var expectedZ = Math.Abs(Math.Atanh(r)) * Math.Sqrt(n - 1 - 3);
        var expectedP = 2 * (1 - Normal.CDF(0, 1, expectedZ));

        var table = InMemoryTable.FromNumbers(new Dictionary<string, double[]> { ["x"] = x, ["y"] = y, ["z"] = z });
        var moments = table.Moments([Expr.One, Expr.Col("x"), Expr.Col("y"), Expr.Col("z")], null).Value;
        var test = IndependenceTests.FisherZ(moments, 1).Value;
        Assert.Equal(expectedZ, test.Statistic, 9);
        Assert.Equal(expectedP, test.PValue, 9);
    }

    [Fact]
    public void Holm_adjusts_step_down_and_keeps_the_order()
    {
        var adjusted = IndependenceTests.Holm([0.01, 0.04, 0.03]);
        Assert.Equal(0.03, adjusted[0], 12);
        Assert.Equal(0.06, adjusted[1], 12);
        Assert.Equal(0.06, adjusted[2], 12);
    }
}

public class AllAdjustmentSetsTests
{
    static RunResult Run(string script) => new Session().Run(new SourceText(script, "<test>"));

    [Fact]
    public void All_sets_match_brute_force_on_small_random_graphs()
    {
        var rng = new Random(2024);
        var compared = 0;
        for (var trial = 0; trial < 150; trial++)
        {
            var g = RandomGraphs.Admg(rng, rng.Next(3, 7), rng.NextDouble() * 0.5 + 0.2, 0.15, 0.15);
            var observed = g.Nodes.Where(n => !g.IsLatent(n)).ToList();
            if (observed.Count < 2) continue;
            var x = observed[rng.Next(observed.Count)];
            var y = observed.Where(n => n != x).ElementAt(rng.Next(observed.Count - 1));
            var xs = VarSet.From([x]);
            var ys = VarSet.From([y]);
            var result = AllAdjustmentSets.Find(g, xs, ys, 100_000);
            if (result.Invalid) continue;
            var oracle = new BruteForce.AdjustmentOracle(g, xs, ys);
            var expected = BruteForce.Subsets(observed.Where(n => n != x && n != y).ToList()).Where(oracle.IsValid).ToList();
            expected.Sort(AllAdjustmentSets.CompareByNames);
            Assert.True(result.Complete, result.Note);
            Assert.Equal(expected, result.Sets.ToList());
            compared++;
        }
        Assert.True(compared > 100, $"only {compared} graphs compared");
    }

    [Fact]
    public void The_minimal_members_of_the_full_list_are_dagittys_minimal_sets()
    {
        // The 30 DAGitty cases (material we did not write): the inclusion-minimal sets among all valid
        // sets must be exactly DAGitty's minimal sets, and its canonical set (when one exists) must be listed.
        var cases = File.ReadLines(TestPaths.Conformance("adjustment-dev.jsonl")).Where(l => l.Trim().Length > 0)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(30, cases.Count);
        var checkedComplete = 0;
        static VarSet Names(System.Text.Json.JsonElement a) => VarSet.From(a.EnumerateArray().Select(e => e.GetString()!));
        foreach (var c in cases)
        {
            var graph = c.GetProperty("graph");
            var g = CausalGraph.Create(graph.GetProperty("nodes").EnumerateArray().Select(e => e.GetString()!),
                graph.GetProperty("directed").EnumerateArray().Select(e => (e[0].GetString()!, e[1].GetString()!)), null,
                graph.GetProperty("latent").EnumerateArray().ToDictionary(e => e.GetString()!, _ => NodeRole.Latent));
            var xs = Names(c.GetProperty("exposure"));
            var ys = Names(c.GetProperty("outcome"));
            var result = AllAdjustmentSets.Find(g, xs, ys, 2_000);
            var id = c.GetProperty("id").GetString();
            var listed = result.Sets.ToHashSet();
            Assert.All(listed, set => Assert.True(Adjustment.IsValid(g, xs, ys, set)));
            var minimal = listed.Where(set => !listed.Any(other => other.Count < set.Count && other.All(set.Contains))).ToHashSet();
            var expected = c.GetProperty("minimal_sets").EnumerateArray().Select(Names).ToHashSet();
            if (!result.Complete)
            {
                // Large graphs stop early, but every size below the largest listed one is complete.
                var complete = result.Sets.IsEmpty ? 0 : result.Sets[^1].Count;
                expected = expected.Where(set => set.Count < complete).ToHashSet();
                minimal = minimal.Where(set => set.Count < complete).ToHashSet();
                Assert.NotNull(result.Note);
                Assert.True(expected.SetEquals(minimal), $"{id}: expected {string.Join(" ", expected)}, got {string.Join(" ", minimal)}");
                continue;
            }
            checkedComplete++;
            Assert.True(expected.SetEquals(minimal), $"{id}: expected {string.Join(" ", expected)}, got {string.Join(" ", minimal)}");
            if (c.TryGetProperty("canonical_set", out var canonical) && canonical.ValueKind == System.Text.Json.JsonValueKind.Array)
                Assert.Contains(Names(canonical), listed);
        }
        Assert.True(checkedComplete >= 15, $"only {checkedComplete} cases listed completely");
    }

    [Fact]
    public void The_session_lists_every_valid_set_sorted_by_size()
    {
        var result = Run("graph g { W -> Z -> X -> Y\n Z -> Y\n V -> Y }\nadjustment sets for X -> Y in g all");
        Assert.False(result.HasErrors, string.Join("; ", result.Diagnostics));
        var r = Assert.Single(result.Results, x => x.Kind == "adjustment_sets");
        Assert.Equal("all 4 valid adjustment sets for X -> Y in g:\n  Z\n  {V, Z}\n  {W, Z}\n  {V, W, Z}", r.Text);
        Assert.Equal("all", (string)r.Json["mode"]!);
        Assert.True((bool)r.Json["complete"]!);
    }

    [Fact]
    public void The_cap_stops_the_list_and_says_so()
    {
        // Six parents of Y only: every subset of them is valid (64 sets).
        const string graph = "graph g { X -> Y\n A -> Y\n B -> Y\n C -> Y\n D -> Y\n E -> Y\n F -> Y }\n";
        var capped = Assert.Single(Run(graph + "adjustment sets for X -> Y in g all with max = 10").Results, x => x.Kind == "adjustment_sets");
        Assert.Equal(10, capped.Json["sets"]!.AsArray().Count);
        Assert.False((bool)capped.Json["complete"]!);
        Assert.Contains("cap reached", capped.Text);
        var exact = Assert.Single(Run(graph + "adjustment sets for X -> Y in g all with max = 64").Results, x => x.Kind == "adjustment_sets");
        Assert.Equal(64, exact.Json["sets"]!.AsArray().Count);
        Assert.True((bool)exact.Json["complete"]!);
        Assert.DoesNotContain("cap reached", exact.Text);
        var all = Assert.Single(Run(graph + "adjustment sets for X -> Y in g all").Results, x => x.Kind == "adjustment_sets");
        Assert.Equal(64, all.Json["sets"]!.AsArray().Count);
    }

    [Fact]
    public void No_set_and_bad_options_are_reported()
    {
        var none = Assert.Single(Run("graph g { X -> Y\n X <-> Y }\nadjustment sets for X -> Y in g all").Results, x => x.Kind == "adjustment_sets");
        Assert.StartsWith("no adjustment set exists for X -> Y in g", none.Text);
        var bad = Run("graph g { X -> Y }\nadjustment sets for X -> Y in g all with max = 0");
        Assert.Contains("max", Assert.Single(bad.Diagnostics).Message);
    }
}
