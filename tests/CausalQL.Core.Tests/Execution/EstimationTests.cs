using CausalQL.Execution;

namespace CausalQL.Core.Tests.Execution;

public class EstimationTests
{
    static readonly string[] Ws = ["W1", "W2", "W3", "W4", "W5"];

    static EstimateResult Ok(Result<EstimateResult> r)
    {
        Assert.True(r.IsOk, r.Error?.Message);
        return r.Value;
    }

    static void Near(double truth, EstimateResult r, double sds = 4)
    {
        Assert.True(Math.Abs(r.Value - truth) <= sds * r.StandardError!.Value, $"{r.Method}: {r.Value} ± {r.StandardError} vs {truth}");
        Assert.True(r.Interval!.Lo < r.Value && r.Value < r.Interval.Hi);
    }

    [Fact]
    public void Linear_data_regression_ipw_and_aipw_recover_the_effect_and_naive_does_not()
    {
        var data = SyntheticData.Linear(20000, 1);
        var naive = Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Method = EstimationMethod.Regression }, data));
        Assert.InRange(naive.Value, 2.9, 3.3);
        foreach (var m in new[] { EstimationMethod.Regression, EstimationMethod.Ipw, EstimationMethod.Aipw })
        {
            var r = Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Method = m, Adjustment = Ws }, data));
            Near(2.0, r);
            Assert.Equal(20000, r.N);
            Assert.NotNull(r.Diagnostics!.EValue);
        }
        var ipw = Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Method = EstimationMethod.Ipw, Adjustment = Ws, Options = new() { Trim = 0.05 } }, data));
        Assert.InRange(ipw.Value, 1.8, 2.2);
        // Balance: weighting shrinks every standardised difference.
        var balance = Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Method = EstimationMethod.Ipw, Adjustment = Ws, Options = new() { MeasureBalance = true } }, data)).Diagnostics!.Balance;
        Assert.Equal(5, balance.Count);
        Assert.All(balance, b => Assert.True(Math.Abs(b.After) < Math.Abs(b.Before) && Math.Abs(b.After) < 0.05, $"{b.Term} {b.Before} → {b.After}"));
        // Unasked, balance is not measured (only `plot balance` reads it; the plot asks for it).
        Assert.Empty(Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Method = EstimationMethod.Ipw, Adjustment = Ws }, data)).Diagnostics!.Balance);
    }

    [Fact]
    public void Binary_data_plugin_gives_the_g_formula_and_matches_logistic_standardisation()
    {
        var data = SyntheticData.Binary(30000, 2);
        var plug = Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Adjustment = ["Z1", "Z2", "Z3"] }, data));
        Assert.Equal("plugin", plug.Method);   // chosen automatically: all columns 0/1
        Near(0.25, plug);
        // Same g-formula, computed by hand from counts.
        var counts = data.Counts(["T", "Y", "Z1", "Z2", "Z3"], null).Value;
        double byHand = 0;
        for (var z = 0; z < 8; z++)
        {
            double Cell(int t, int y) => counts.Cells[(t * 2 + y) * 8 + z];
            var pz = (Cell(0, 0) + Cell(0, 1) + Cell(1, 0) + Cell(1, 1)) / counts.Total;
            byHand += pz * (Cell(1, 1) / (Cell(1, 0) + Cell(1, 1)) - Cell(0, 1) / (Cell(0, 0) + Cell(0, 1)));
        }
        Assert.Equal(byHand, plug.Value, 1e-12);
        var logit = Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Method = EstimationMethod.Regression, Adjustment = ["Z1", "Z2", "Z3"], Options = new() { OutcomeModel = "~ T * Z1 * Z2 * Z3" } }, data));
        Assert.StartsWith("regression (logistic", logit.Method);
        Assert.Equal(plug.Value, logit.Value, 1e-6);   // a saturated logistic model reproduces the g-formula
        Assert.Equal(plug.StandardError!.Value, logit.StandardError!.Value, 2e-4);
        var boot = Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Adjustment = ["Z1", "Z2", "Z3"], Options = new() { Bootstrap = 200, Seed = 3 } }, data));
        Assert.InRange(boot.StandardError!.Value / plug.StandardError!.Value, 0.8, 1.25);
    }

    [Fact]
    public void Effects_within_strata()
    {
        var data = SyntheticData.Binary(50000, 4);
        var r = Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Adjustment = ["Z1", "Z2"], Options = new() { By = ["Z3"] } }, data));
        Assert.Equal(2, r.Strata.Count);
        var z0 = r.Strata.Single(s => s.Stratum["Z3"] == "0").Estimate;
        var z1 = r.Strata.Single(s => s.Stratum["Z3"] == "1").Estimate;
        Near(0.2, z0);   // effect 0.2 where Z3 = 0, 0.3 where Z3 = 1
        Near(0.3, z1);
        Assert.Equal(data.RowCount, z0.N + z1.N);
    }

    [Fact]
    public void Two_stage_least_squares_recovers_the_effect_that_ols_misses()
    {
        var data = SyntheticData.Instrument(20000, 5);
        var iv = Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Instruments = ["Z"], Adjustment = ["W"] }, data));
        Assert.StartsWith("iv", iv.Method);
        Near(1.5, iv);
        Assert.True(iv.Diagnostics!.FirstStageF > 100);
        // OLS of Y on T and W is biased by the hidden U (it lands below 1.5 by far).
        var ols = data.Moments([Expr.One, Expr.Col("T"), Expr.Col("W"), Expr.Col("Y")], null).Value.Ols([0, 1, 2], 3).Value;
        Assert.True(ols.Beta[1] < 1.2, $"OLS {ols.Beta[1]}");
    }

    [Fact]
    public void Two_stage_least_squares_with_missing_values_uses_the_complete_rows_and_counts_the_rest()
    {
        var data = SyntheticData.Instrument(5000, 9);
        var z = ((NumberColumn)data["Z"]).Values.ToArray();
        for (var i = 0; i < z.Length; i += 50) z[i] = double.NaN;
        var holed = data.With(new NumberColumn("Z", z));
        var keep = Enumerable.Range(0, z.Length).Where(i => !double.IsNaN(z[i])).ToArray();
        var complete = InMemoryTable.FromNumbers(new[] { "Z", "T", "Y", "W" }.ToDictionary(c => c, c => keep.Select(i => ((NumberColumn)holed[c]).Values[i]).ToArray()));
        var request = new EstimationRequest("T", "Y") { Instruments = ["Z"], Adjustment = ["W"] };
        var a = Ok(Estimation.Estimate(request, holed));
        var b = Ok(Estimation.Estimate(request, complete));
        Assert.Equal(b.Value, a.Value, 1e-12);
        Assert.Equal(100, a.DroppedRows);
        Assert.Equal(4900, a.N);
        Assert.Equal(0, b.DroppedRows);
    }

    [Fact]
    public void Linear_front_door()
    {
        var data = SyntheticData.FrontDoor(20000, 6);
        var r = Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Mediators = ["M"] }, data));
        Near(1.08, r);
    }

    [Fact]
    public void E_value_matches_vanderweele_and_ding()
    {
        // Their example: RR = 3.9 gives an E-value of 7.26.
        var est = new EstimateResult { Value = 2.9 * 0.1, Method = "x", N = 1, EstimandText = "", MeanControl = 0.1, MeanTreated = 0.39 };
        var e = Estimation.ComputeEValue(est, binaryOutcome: true)!;
        Assert.Equal(7.26, e.Point, 0.01);
        Assert.Equal(1.0, Estimation.ComputeEValue(est with { Interval = new Interval(-0.1, 0.5) }, true)!.Interval);
    }

    [Fact]
    public void Refutations_behave_as_in_dowhy()
    {
        var data = SyntheticData.Linear(5000, 7);
        var req = new EstimationRequest("T", "Y") { Method = EstimationMethod.Aipw, Adjustment = Ws };
        var placebo = Estimation.Refute(req, data, RefutationKind.Placebo, seed: 1);
        Assert.True(placebo.IsOk, placebo.Error?.Message);
        Assert.True(placebo.Value.Passed, placebo.Value.ToString());
        Assert.InRange(placebo.Value.NewValue, -0.3, 0.3);
        var cause = Estimation.Refute(req, data, RefutationKind.RandomCommonCause, seed: 2).Value;
        Assert.True(cause.Passed, cause.ToString());
        var subset = Estimation.Refute(req, data, RefutationKind.Subset, seed: 3).Value;
        Assert.True(subset.Passed, subset.ToString());
        Assert.NotEqual(subset.Original, subset.NewValue);
    }

    [Fact]
    public void Row_bootstrap_of_a_model_based_estimate_is_reproducible()
    {
        var data = SyntheticData.Linear(2000, 8);
        var req = new EstimationRequest("T", "Y") { Method = EstimationMethod.Regression, Adjustment = Ws, Options = new() { Bootstrap = 60, Seed = 11 } };
        var a = Ok(Estimation.Estimate(req, data));
        var b = Ok(Estimation.Estimate(req, data));
        Assert.Equal(a.Interval, b.Interval);
        Assert.True(a.Interval!.Contains(2.0) || Math.Abs(a.Value - 2.0) < 4 * a.StandardError!.Value);
        var analytic = Ok(Estimation.Estimate(req with { Options = new() }, data));
        Assert.InRange(a.StandardError!.Value / analytic.StandardError!.Value, 0.75, 1.33);
    }

    [Fact]
    public void Positivity_violations_are_errors_listing_the_cells()
    {
        var t = new double[] { 1, 1, 0, 0, 1, 1 };
        var z = new double[] { 0, 0, 0, 0, 1, 1 };
        var y = new double[] { 1, 0, 1, 0, 1, 1 };
        var data = InMemoryTable.FromNumbers(new Dictionary<string, double[]> { ["T"] = t, ["Z"] = z, ["Y"] = y });
        var r = Estimation.Estimate(new EstimationRequest("T", "Y") { Adjustment = ["Z"] }, data);
        Assert.False(r.IsOk);
        Assert.Contains("T = 0 where Z = 1", r.Error!.Message);
    }
}
