using System.Globalization;
using System.Text;
using CausalQL.Conformance;
using CausalQL.Execution;
using CausalQL.Graphs;
using CausalQL.Identification;
using CausalQL.Tests;
using static CausalQL.Data.Tests.Sources;

namespace CausalQL.Data.Tests;

/// <summary>
/// The executor on the conformance cases (shared/conformance/identification.jsonl): the identified
/// estimand of every identifiable single-treatment, single-outcome interventional case is
/// evaluated by plug-in on data in DuckDB — (a) the exact observational table as weighted rows
/// (must equal the enumerated interventional truth to 1e-9) and (b) a sample of 1M rows drawn
/// from it (within sampling error).
/// </summary>
public class ConformanceTests
{
    static List<ConformanceCase> Cases()
    {
        var (cases, errors) = ConformanceCase.ParseLines(File.ReadAllText(TestPaths.Conformance("identification.jsonl")));
        Assert.Empty(errors);
        return cases.Where(c => c is { Kind: QueryKind.Interventional, Identifiable: true, Observational: not null, Interventional: not null }
                                && c.Treatment.Count == 1 && c.Outcome.Count == 1 && c.Condition.IsEmpty).ToList();
    }

    /// <summary>Writes the joint table as CSV rows (one per cell) with a weight column and opens it through DuckDB.</summary>
    static IDataSource WeightedSource(ConformanceCase c, double[] weights, string dir)
    {
        var obs = c.Observational!;
        var vars = obs.Variables;
        var sb = new StringBuilder(string.Join(",", vars.Select(v => "\"" + v + "\"")) + ",cql_weight\n");
        var values = new int[vars.Count];
        for (var cell = 0; cell < weights.Length; cell++)
        {
            var rest = cell;
            for (var i = vars.Count - 1; i >= 0; i--) { values[i] = rest % obs.Cardinality[i]; rest /= obs.Cardinality[i]; }
            sb.Append(string.Join(",", values)).Append(',').Append(weights[cell].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
        var file = Path.Combine(dir, c.Id + ".csv");
        File.WriteAllText(file, sb.ToString());
        var r = CausalQL.Data.DataSourceFactory.Open("csv", [file], dir, new DataSourceOptions("cql_weight"));
        Assert.True(r.IsOk, r.Error?.Message);
        return r.Value;
    }

    /// <summary>Checks E[Y | do(X = x)] for every do-row of the truth, returns the largest error.</summary>
    static double MaxError(ConformanceCase c, IDataSource src, Estimands.Estimand estimand)
    {
        var x = c.Treatment.Single();
        var y = c.Outcome.Single();
        var worst = 0.0;
        // One estimate gives E[Y | do(x = v)] and E[Y | do(x = other)]: pair the do-values up.
        var doValues = c.Interventional!.Rows.Select(r => r.Do[x]).Distinct().Order().ToList();
        var known = new Dictionary<int, double>();
        for (var i = 0; i < doValues.Count; i += 2)
        {
            var v = doValues[i];
            var other = i + 1 < doValues.Count ? doValues[i + 1] : doValues[0];
            var est = Ok(Estimation.Estimate(new EstimationRequest(x, y)
            {
                Method = EstimationMethod.Plugin,
                Estimand = estimand,
                TreatedValue = v.ToString(CultureInfo.InvariantCulture),
                ControlValue = other.ToString(CultureInfo.InvariantCulture),
            }, src));
            known[v] = est.MeanTreated!.Value;
            known[other] = est.MeanControl!.Value;
        }
        foreach (var row in c.Interventional.Rows)
        {
            var truth = row.P.Select((p, k) => p * k).Sum();   // E[Y | do(x)] with Y coded 0..k-1
            worst = Math.Max(worst, Math.Abs(known[row.Do[x]] - truth));
        }
        return worst;
    }

    [Fact]
    public void Plugin_on_the_observational_table_as_weighted_rows_is_exact()
    {
        var cases = Cases();
        Assert.True(cases.Count >= 30, $"only {cases.Count} cases");
        var dir = TempDir();
        var checkedCases = 0;
        foreach (var c in cases)
        {
            var id = Identifier.Identify(c.Graph, c.Outcome, c.Treatment, VarSet.Empty);
            Assert.True(id.Identifiable, $"{c.Id}: {id.Error}");
            using var src = WeightedSource(c, c.Observational!.Probabilities.ToArray(), dir);
            var err = MaxError(c, src, id.Estimand!);
            Assert.True(err <= 1e-9, $"{c.Id}: error {err} with estimand {id.Estimand}");
            checkedCases++;
        }
        Assert.Equal(cases.Count, checkedCases);
    }

    [Fact]
    public void Plugin_on_a_large_sample_is_within_sampling_error()
    {
        var rng = new Random(20261128);
        var dir = TempDir();
        foreach (var c in Cases().Where((_, i) => i % 8 == 0))
        {
            var id = Identifier.Identify(c.Graph, c.Outcome, c.Treatment, VarSet.Empty);
            // A sample of one million rows, as counts per cell (exact multinomial draw).
            var p = c.Observational!.Probabilities.ToArray();
            const long n = 1_000_000;
            var counts = Sampling.Multinomial(rng, n, p);
            Assert.Equal(n, (long)counts.Sum());
            using var src = WeightedSource(c, counts, dir);
            var err = MaxError(c, src, id.Estimand!);
            Assert.True(err < 0.01, $"{c.Id}: error {err}");
            Assert.True(err > 0, $"{c.Id}: a sample cannot be exact");
        }
    }

    [Fact]
    public void Bootstrap_of_a_plugin_resamples_the_table_and_covers_the_truth()
    {
        var c = Cases().First(k => k.Id == "ce-test-case-1");
        var id = Identifier.Identify(c.Graph, c.Outcome, c.Treatment, VarSet.Empty);
        var p = c.Observational!.Probabilities.Select(q => Math.Round(q * 20000)).ToArray();
        using var src = WeightedSource(c, p, TempDir());
        var req = new EstimationRequest("x", "y") { Method = EstimationMethod.Plugin, Estimand = id.Estimand, Options = new() { Bootstrap = 300, Seed = 7 } };
        var a = Ok(Estimation.Estimate(req, src));
        var b = Ok(Estimation.Estimate(req, src));
        Assert.Equal(a.Interval, b.Interval);   // same seed, same interval
        var truth = c.Interventional!.Rows.Single(r => r.Do["x"] == 1).P[1] - c.Interventional.Rows.Single(r => r.Do["x"] == 0).P[1];
        Assert.True(a.Interval!.Contains(truth), $"{a.Interval} vs {truth}");
        Assert.InRange(a.Interval.Hi - a.Interval.Lo, 0.005, 0.1);
        Assert.Equal(300, a.BootstrapReplicates.Count);
    }

    [Fact]
    public void Delta_method_interval_of_a_plugin_agrees_with_the_table_bootstrap_and_covers_the_truth()
    {
        var rng = new Random(4242);
        var dir = TempDir();
        var compared = 0;
        foreach (var c in Cases().Where((_, i) => i % 4 == 1))
        {
            var x = c.Treatment.Single();
            var y = c.Outcome.Single();
            var doValues = c.Interventional!.Rows.Select(r => r.Do[x]).Distinct().Order().ToList();
            var id = Identifier.Identify(c.Graph, c.Outcome, c.Treatment, VarSet.Empty);
            var p = c.Observational!.Probabilities.ToArray();
            const long n = 200_000;
            var counts = Sampling.Multinomial(rng, n, p);
            using var src = WeightedSource(c, counts, dir);
            EstimationRequest Request(int bootstrap) => new(x, y)
            {
                Method = EstimationMethod.Plugin, Estimand = id.Estimand,
                TreatedValue = doValues[^1].ToString(CultureInfo.InvariantCulture), ControlValue = doValues[0].ToString(CultureInfo.InvariantCulture),
                Options = new() { Bootstrap = bootstrap, Seed = 9 },
            };
            var delta = Estimation.Estimate(Request(0), src);
            if (!delta.IsOk) continue;   // an empty cell in this sample: no estimate to compare
            var boot = Ok(Estimation.Estimate(Request(500), src));   // its own standard error is uncertain by about 3 %
            var truth = Mean(c, x, doValues[^1]) - Mean(c, x, doValues[0]);
            var se = delta.Value.StandardError!.Value;
            var bootSe = boot.StandardError!.Value;
            if (bootSe < 1e-9)
            {
                // No dependence on the data at all (the outcome does not respond): both must say so.
                Assert.True(se < 1e-6, $"{c.Id}: delta se {se}, bootstrap se {bootSe}");
                continue;
            }
            Assert.True(se / bootSe is > 0.85 and < 1.15, $"{c.Id}: delta se {se} vs bootstrap se {bootSe}");
            Assert.True(Math.Abs(delta.Value.Value - truth) < 4.5 * se, $"{c.Id}: {delta.Value.Value} ± {se} vs truth {truth}");
            compared++;
        }
        Assert.True(compared >= 8, $"only {compared} cases compared");
    }

    /// <summary>E[Y | do(x = v)] from the enumerated truth, Y coded 0..k-1.</summary>
    static double Mean(ConformanceCase c, string x, int v) => c.Interventional!.Rows.Single(r => r.Do[x] == v).P.Select((p, k) => p * k).Sum();
}
