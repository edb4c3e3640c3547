using CausalQL.Tests;
using CausalQL.Execution;
using static CausalQL.Data.Tests.Sources;

namespace CausalQL.Data.Tests;

/// <summary>Published effect estimates, reproduced from the shared data sets (see each data README).</summary>
public class RealDataTests
{
    static readonly string[] LalondeCovariates = ["age", "education", "black", "hispanic", "married", "nodegree", "re74", "re75"];

    [Fact]
    public void Lalonde_experimental_difference_in_means_is_1794()
    {
        using var src = Csv("lalonde", "nsw_dw.csv");
        var reg = Ok(Estimation.Estimate(new EstimationRequest("treat", "re78") { Method = EstimationMethod.Regression }, src));
        Assert.Equal(1794.34, reg.Value, 0.01);
        Assert.Equal(445, reg.N);
        // Same number as an exact plug-in (the outcome's distinct values are the levels).
        var plug = Ok(Estimation.Estimate(new EstimationRequest("treat", "re78") { Method = EstimationMethod.Plugin }, src));
        Assert.Equal(reg.Value, plug.Value, 1e-6);
        // The README's unpooled SE ≈ 671: HC0 on a difference in means is exactly the unpooled SE.
        var hc0 = Ok(Estimation.Estimate(new EstimationRequest("treat", "re78") { Method = EstimationMethod.Regression, Options = new() { Sandwich = SandwichType.HC0 } }, src));
        Assert.InRange(hc0.StandardError!.Value, 665, 677);
        Assert.InRange(plug.StandardError!.Value, 665, 677);
    }

    static IDataSource Observational(string controls) => Setup(
        $"CREATE TABLE t AS SELECT * FROM read_csv({Lit(TestPaths.Data("lalonde", "nsw_dw.csv"))}) WHERE treat = 1 " +
        $"UNION ALL SELECT * FROM read_csv({Lit(TestPaths.Data("lalonde", controls))})");

    [Theory]
    [InlineData("psid_controls.csv", -15204.8)]
    [InlineData("cps_controls.csv", -8497.5)]
    public void Lalonde_naive_observational_differences(string controls, double expected)
    {
        using var src = Observational(controls);
        var r = Ok(Estimation.Estimate(new EstimationRequest("treat", "re78") { Method = EstimationMethod.Regression }, src));
        Assert.Equal(expected, r.Value, 0.1);
    }

    [Fact]
    public void Lalonde_psid_propensity_weighting_for_the_treated_lands_near_the_benchmark()
    {
        using var src = Observational("psid_controls.csv");
        // Dehejia & Wahba's propensity specification (quadratics, unemployment indicators, an interaction).
        var model = "~ age + I(age^2) + I(age^3) + education + I(education^2) + married + nodegree + black + hispanic + re74 + re75 + I(re74 == 0) + I(re75 == 0) + I(education*re74)";
        var r = Ok(Estimation.Estimate(new EstimationRequest("treat", "re78")
        {
            Method = EstimationMethod.Ipw,
            Adjustment = LalondeCovariates,
            Options = new() { TreatmentModel = model, Target = EffectTarget.Att, MeasureBalance = true },
        }, src));
        Assert.True(r.Value is > 1000 and < 2600, $"ATT {r.Value}");   // benchmark 1,794; DW's propensity methods ≈ 1,600–1,700
        // Naive was −15,205: weighting moved it by more than 16,000.
        Assert.NotEmpty(r.Diagnostics!.Balance);
    }

    const string PropensityModel = "~ sex + race + age + I(age^2) + C(education) + smokeintensity + I(smokeintensity^2) + smokeyrs + I(smokeyrs^2) + C(exercise) + C(active) + wt71 + I(wt71^2)";

    static readonly string[] NhefsConfounders = ["sex", "race", "age", "education", "smokeintensity", "smokeyrs", "exercise", "active", "wt71"];

    [Fact]
    public void Nhefs_unadjusted_difference_is_2_54_kg()
    {
        using var src = Csv("nhefs", "nhefs.csv");
        var r = Ok(Estimation.Estimate(new EstimationRequest("qsmk", "wt82_71") { Method = EstimationMethod.Regression }, src));
        Assert.Equal(2.54, r.Value, 0.005);
        Assert.Equal(1566, r.N);
        Assert.Equal(63, r.DroppedRows);
        Assert.Contains(r.Warnings, w => w.Contains("dropped 63"));
    }

    [Fact]
    public void Nhefs_ip_weighting_is_3_44_kg()
    {
        using var src = Csv("nhefs", "nhefs.csv");
        var request = new EstimationRequest("qsmk", "wt82_71")
        {
            Method = EstimationMethod.Ipw,
            Adjustment = NhefsConfounders,
            Options = new() { TreatmentModel = PropensityModel, MeasureBalance = true },
        };
        var r = Ok(Estimation.Estimate(request, src));
        Assert.Equal(3.44, r.Value, 0.005);
        // The book's 95% CI is (2.4, 4.5) with a robust SE that treats the propensity as known (conservative);
        // ours stacks the propensity's estimating equations, so it is a little narrower.
        Assert.InRange(r.Interval!.Lo, 2.0, 2.6);
        Assert.InRange(r.Interval.Hi, 4.3, 4.9);
        // Balance improves for every covariate term.
        Assert.All(r.Diagnostics!.Balance, b => Assert.True(Math.Abs(b.After) <= 0.1, $"{b.Term}: {b.After}"));
        // Stabilised or not, Hájek weighting gives the same point; Horvitz–Thompson differs slightly.
        var ht = Ok(Estimation.Estimate(request with { Options = request.Options with { Stabilized = false } }, src));
        Assert.InRange(ht.Value, 2.5, 4.5);
    }

    [Fact]
    public void Nhefs_standardisation_is_3_52_kg()
    {
        using var src = Csv("nhefs", "nhefs.csv");
        var outcome = "wt82_71 ~ qsmk + sex + race + age + I(age^2) + C(education) + smokeintensity + I(smokeintensity^2) + smokeyrs + I(smokeyrs^2) + C(exercise) + C(active) + wt71 + I(wt71^2) + qsmk:smokeintensity";
        var r = Ok(Estimation.Estimate(new EstimationRequest("qsmk", "wt82_71")
        {
            Method = EstimationMethod.Regression,
            Adjustment = NhefsConfounders,
            Options = new() { OutcomeModel = outcome },
        }, src));
        Assert.Equal(3.52, r.Value, 0.005);
        Assert.InRange(r.Interval!.Lo, 2.4, 2.8);
        Assert.InRange(r.Interval.Hi, 4.3, 4.7);

        // Doubly robust with both of the book's models lands between the two (≈ 3.4–3.6).
        var aipw = Ok(Estimation.Estimate(new EstimationRequest("qsmk", "wt82_71")
        {
            Method = EstimationMethod.Aipw,
            Adjustment = NhefsConfounders,
            Options = new() { OutcomeModel = outcome, TreatmentModel = PropensityModel },
        }, src));
        Assert.InRange(aipw.Value, 3.3, 3.7);
    }

    [Fact]
    public void K401_naive_difference_is_19559()
    {
        using var src = Csv("401k", "401k.csv");
        var r = Ok(Estimation.Estimate(new EstimationRequest("e401", "net_tfa") { Method = EstimationMethod.Regression }, src));
        Assert.Equal(19559.3, r.Value, 0.1);
        Assert.Equal(9915, r.N);
        // OLS with the nine controls, linear terms (README's quick check: 5,896).
        var adj = Ok(Estimation.Estimate(new EstimationRequest("e401", "net_tfa")
        {
            Method = EstimationMethod.Regression,
            Adjustment = ["age", "inc", "educ", "fsize", "marr", "twoearn", "db", "pira", "hown"],
        }, src));
        Assert.Equal(5896, adj.Value, 1.0);
    }
}
