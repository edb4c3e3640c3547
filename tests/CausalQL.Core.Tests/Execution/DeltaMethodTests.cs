using CausalQL.Execution;
using CausalQL.Graphs;
using CausalQL.Identification;

namespace CausalQL.Core.Tests.Execution;

/// <summary>
/// The plug-in of an identified estimand gets an analytic interval: the delta method over the multinomial cell
/// proportions. It must agree with the table bootstrap, which makes no linearisation, and cover the truth.
/// </summary>
public class DeltaMethodTests
{
    // Front door with a hidden binary U: U ~ B(0.5), T ~ B(0.2 + 0.6U), M ~ B(0.1 + 0.7T), Y ~ B(0.1 + 0.4M + 0.4U).
    // Truth: P(Y=1 | do(T=t)) = 0.1 + 0.4·P(M=1 | t) + 0.2, so the ATE = 0.4 · 0.7 = 0.28.
    static double CellProbability(int t, int m, int y)
    {
        double total = 0;
        for (var u = 0; u < 2; u++)
        {
            var pt = 0.2 + 0.6 * u;
            var pm = 0.1 + 0.7 * t;
            var py = 0.1 + 0.4 * m + 0.4 * u;
            total += 0.5 * (t == 1 ? pt : 1 - pt) * (m == 1 ? pm : 1 - pm) * (y == 1 ? py : 1 - py);
        }
        return total;
    }

    /// <summary>One weighted row per cell: a table of n observations, drawn exactly (multinomial) from the model.</summary>
    static InMemoryTable Sample(long n, int seed)
    {
        var rng = new Random(seed);
        var cells = (from t in new[] { 0, 1 } from m in new[] { 0, 1 } from y in new[] { 0, 1 } select (t, m, y)).ToList();
        var weights = new double[cells.Count];
        long remaining = n;
        double mass = 1;
        for (var i = 0; i < cells.Count; i++)
        {
            var p = CellProbability(cells[i].t, cells[i].m, cells[i].y);
            weights[i] = Sampling.Binomial(rng, remaining, Math.Min(1, p / mass));
            remaining -= (long)weights[i];
            mass -= p;
        }
        return InMemoryTable.FromNumbers(new Dictionary<string, double[]>
        {
            ["T"] = cells.Select(c => (double)c.t).ToArray(),
            ["M"] = cells.Select(c => (double)c.m).ToArray(),
            ["Y"] = cells.Select(c => (double)c.y).ToArray(),
        }, weights);
    }

    static EstimationRequest FrontDoorRequest(EstimationOptions options)
    {
        var g = CausalGraph.Create(["T", "M", "Y"], [("T", "M"), ("M", "Y")], [("T", "Y")]);
        var id = Identifier.Identify(g, VarSet.Of("Y"), VarSet.Of("T"), VarSet.Empty);
        Assert.True(id.Identifiable);
        return new EstimationRequest("T", "Y") { Method = EstimationMethod.Plugin, Estimand = id.Estimand, Options = options };
    }

    static EstimateResult Ok(Result<EstimateResult> r)
    {
        Assert.True(r.IsOk, r.Error?.Message);
        return r.Value;
    }

    [Fact]
    public void Delta_method_interval_agrees_with_the_table_bootstrap_on_a_large_table()
    {
        var data = Sample(200_000, 11);
        var delta = Ok(Estimation.Estimate(FrontDoorRequest(new()), data));
        var boot = Ok(Estimation.Estimate(FrontDoorRequest(new() { Bootstrap = 2000, Seed = 5 }), data));
        Assert.Equal("normal, delta method over the multinomial cell proportions", delta.IntervalMethod);
        Assert.Equal(boot.Value, delta.Value, 12);
        var se = delta.StandardError!.Value;
        // The bootstrap standard error from 2000 replicates is itself uncertain by about 1/sqrt(2·2000) ≈ 1.6 %.
        Assert.InRange(se / boot.StandardError!.Value, 0.93, 1.07);
        Assert.InRange(delta.Interval!.Lo / boot.Interval!.Lo, 0.98, 1.02);
        Assert.InRange(delta.Interval.Hi / boot.Interval.Hi, 0.98, 1.02);
        Assert.True(Math.Abs(delta.Value - 0.28) < 4 * se, $"{delta.Value} ± {se} vs 0.28");
        Assert.Equal(delta.Value - 1.959963984540054 * se, delta.Interval.Lo, 10);
    }

    [Fact]
    public void Delta_method_standard_error_matches_the_spread_over_repeated_samples()
    {
        // 200 independent tables of 5000: the standard deviation of their estimates is the sampling error itself.
        var estimates = new List<double>();
        var ses = new List<double>();
        var means = new List<double>();
        var meanSes = new List<double>();
        for (var s = 0; s < 200; s++)
        {
            var r = Ok(Estimation.Estimate(FrontDoorRequest(new()), Sample(5000, 100 + s)));
            estimates.Add(r.Value);
            ses.Add(r.StandardError!.Value);
            means.Add(r.MeanTreated!.Value);
            meanSes.Add((r.MeanTreatedInterval!.Hi - r.MeanTreatedInterval.Lo) / (2 * 1.959963984540054));
        }
        // 200 draws pin the spread down to about ±10 % (1/sqrt(2·199) ≈ 5 % standard error).
        Assert.InRange(ses.Average() / Sd(estimates), 0.85, 1.15);
        Assert.InRange(estimates.Average(), 0.28 - 0.01, 0.28 + 0.01);
        // The treated mean alone: P(Y = 1 | do(T = 1)) = 0.1 + 0.4 · 0.8 + 0.4 · 0.5 = 0.62.
        Assert.InRange(meanSes.Average() / Sd(means), 0.85, 1.15);
        Assert.InRange(means.Average(), 0.62 - 0.01, 0.62 + 0.01);

        static double Sd(List<double> xs)
        {
            var m = xs.Average();
            return Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / (xs.Count - 1));
        }
    }

    [Fact]
    public void Exact_table_and_bootstrap_request_keep_their_own_intervals()
    {
        var boot = Ok(Estimation.Estimate(FrontDoorRequest(new() { Bootstrap = 50, Seed = 1 }), Sample(20_000, 3)));
        Assert.StartsWith("bootstrap percentile, 50 replicates", boot.IntervalMethod);
    }

    // Back-door: Z ~ B(0.5), X ~ B(0.2 + 0.6Z), Y ~ B(0.1 + 0.3X + 0.4Z): P(Y = 1 | do(X = 1)) = 0.1 + 0.3 + 0.2 = 0.6.
    static InMemoryTable BackDoorSample(long n, int seed)
    {
        var rng = new Random(seed);
        var cells = (from z in new[] { 0, 1 } from x in new[] { 0, 1 } from y in new[] { 0, 1 } select (z, x, y)).ToList();
        var weights = new double[cells.Count];
        long remaining = n;
        double mass = 1;
        for (var i = 0; i < cells.Count; i++)
        {
            var (z, x, y) = cells[i];
            var px = 0.2 + 0.6 * z;
            var py = 0.1 + 0.3 * x + 0.4 * z;
            var p = 0.5 * (x == 1 ? px : 1 - px) * (y == 1 ? py : 1 - py);
            weights[i] = Sampling.Binomial(rng, remaining, Math.Min(1, p / mass));
            remaining -= (long)weights[i];
            mass -= p;
        }
        return InMemoryTable.FromNumbers(new Dictionary<string, double[]>
        {
            ["Z"] = cells.Select(c => (double)c.z).ToArray(),
            ["X"] = cells.Select(c => (double)c.x).ToArray(),
            ["Y"] = cells.Select(c => (double)c.y).ToArray(),
        }, weights);
    }

    [Fact]
    public void Back_door_plugin_gives_the_treated_mean_an_interval_of_the_right_width()
    {
        var means = new List<double>();
        var ses = new List<double>();
        for (var s = 0; s < 200; s++)
        {
            var r = Ok(Estimation.Estimate(new EstimationRequest("X", "Y") { Method = EstimationMethod.Plugin, Adjustment = ["Z"] }, BackDoorSample(4000, 500 + s)));
            means.Add(r.MeanTreated!.Value);
            ses.Add((r.MeanTreatedInterval!.Hi - r.MeanTreatedInterval.Lo) / (2 * 1.959963984540054));
        }
        var m = means.Average();
        var sd = Math.Sqrt(means.Sum(x => (x - m) * (x - m)) / (means.Count - 1));
        Assert.InRange(ses.Average() / sd, 0.85, 1.15);
        Assert.InRange(m, 0.6 - 0.01, 0.6 + 0.01);

        // With a bootstrap the one interval there is belongs to the effect: no analytic mean interval beside it.
        var boot = Ok(Estimation.Estimate(new EstimationRequest("X", "Y") { Method = EstimationMethod.Plugin, Adjustment = ["Z"], Options = new() { Bootstrap = 20 } }, BackDoorSample(4000, 1)));
        Assert.Null(boot.MeanTreatedInterval);
    }
}
