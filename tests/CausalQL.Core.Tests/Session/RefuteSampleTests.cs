using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Tests.Sessions;

/// <summary>`data d = sample(scm, ...)`, `refute` and the E-value, run as scripts through a Session.</summary>
public class RefuteSampleTests
{
    // Z confounds X and Y. With independent noises A ~ 0.6, B ~ 0.5:
    //   P(Y = 1 | do(X = 1)) = 1 - (1 - 0.6)(1 - 0.5·0.5) = 0.7,  P(Y = 1 | do(X = 0)) = 0.5·0.5 = 0.25,  ATE = 0.45.
    // The naive difference is biased upward (Z raises both X and Y), so a right answer needs the adjustment.
    static readonly string Discrete = ConfoundedSample.Script(20000);

    // Linear-Gaussian with a latent confounder U of X and Y and an instrument Z: one unit of X moves Y by 2
    // (the estimators contrast binary treatments by adjustment; a continuous treatment goes through the instrument).
    const string Linear = """
        scm lin {
          U ~ normal(0, 1)
          Z := normal(0, 1)
          X := Z + U + normal(0, 1)
          Y := 2 * X + 3 * U + normal(0, 1)
        }
        graph H { Z -> X -> Y; X <-> Y }
        data dl = sample(lin, n = 10000, seed = 3)

        """;

    static RunResult Run(Session session, string text) => session.Run(new SourceText(text, "<test>"));

    static StatementResult Only(RunResult run, string kind) => Assert.Single(run.Results, r => r.Kind == kind);

    [Fact]
    public void Sampled_discrete_scm_estimates_its_known_ate_and_reports_the_e_value()
    {
        var run = Run(new Session(), Discrete + "estimate e = ATE(X -> Y) in G using d");
        Assert.False(run.HasErrors, string.Join("\n", run.Diagnostics));
        var data = Only(run, "data");
        Assert.Equal(20000, data.Json["n"]!.GetValue<int>());
        Assert.Equal("discrete", data.Json["scm_kind"]!.GetValue<string>());
        var estimate = Only(run, "estimate");
        var value = estimate.Json["value"]!.GetValue<double>();
        Assert.InRange(value, 0.45 - 0.03, 0.45 + 0.03);
        Assert.Equal(20000, estimate.Json["n"]!.GetValue<double>());

        // Binary outcome: E-value of the risk ratio RR = E[Y|do(1)] / E[Y|do(0)], E = RR + sqrt(RR (RR - 1)) (VanderWeele & Ding 2017).
        var m1 = estimate.Json["mean_treated"]!.GetValue<double>();
        var m0 = estimate.Json["mean_control"]!.GetValue<double>();
        var rr = m1 / m0;
        var e = estimate.Json["e_value"]!["point"]!.GetValue<double>();
        Assert.Equal(rr + Math.Sqrt(rr * (rr - 1)), e, 6);
        Assert.InRange(e, 4.6, 5.5); // population value: RR = 2.8, E = 5.04
        Assert.Contains("E-value", estimate.Text);
    }

    [Fact]
    public void Sampled_linear_gaussian_scm_estimates_its_coefficient()
    {
        var run = Run(new Session(), Linear + "estimate e = ATE(X -> Y) in H using dl with method = iv");
        Assert.False(run.HasErrors, string.Join("\n", run.Diagnostics));
        Assert.Equal("linear-Gaussian", Only(run, "data").Json["scm_kind"]!.GetValue<string>());
        var estimate = Only(run, "estimate");
        Assert.InRange(estimate.Json["value"]!.GetValue<double>(), 1.9, 2.1); // IV standard error here ≈ 0.03
        Assert.NotNull(estimate.Json["e_value"]);
        Assert.True(estimate.Json["e_value"]!["point"]!.GetValue<double>() > 1);
    }

    [Fact]
    public void Placebo_refutation_of_a_sampled_estimate_is_near_zero_and_passes()
    {
        var session = new Session();
        Assert.False(Run(session, Discrete + "estimate e = ATE(X -> Y) in G using d").HasErrors);
        // A later run sees the labelled estimate (REPL style).
        var run = Run(session, "refute e with placebo, seed = 5");
        Assert.False(run.HasErrors, string.Join("\n", run.Diagnostics));
        var r = Only(run, "refutation");
        Assert.StartsWith("{\"kind\":\"refutation\"", r.JsonLine);
        Assert.Equal("placebo", r.Json["method"]!.GetValue<string>());
        Assert.InRange(r.Json["original"]!.GetValue<double>(), 0.42, 0.48);
        Assert.InRange(r.Json["value"]!.GetValue<double>(), -0.03, 0.03);
        Assert.True(r.Json["passed"]!.GetValue<bool>());
        Assert.Contains("passed", r.Text);
    }

    [Fact]
    public void Random_common_cause_and_subset_leave_a_linear_estimate_in_place()
    {
        var run = Run(new Session(), Linear + "estimate e = ATE(X -> Y) in H using dl with method = iv\n"
            + "refute e with random_common_cause, seed = 1\nrefute e with subset, seed = 2");
        Assert.False(run.HasErrors, string.Join("\n", run.Diagnostics));
        var refutations = run.Results.Where(r => r.Kind == "refutation").ToList();
        Assert.Equal(["random_common_cause", "subset"], refutations.Select(r => r.Json["method"]!.GetValue<string>()).ToArray());
        foreach (var r in refutations)
        {
            Assert.InRange(r.Json["value"]!.GetValue<double>(), 1.9, 2.1);
            Assert.True(r.Json["passed"]!.GetValue<bool>(), r.Text);
        }
    }

    [Fact]
    public void Refuting_an_unknown_label_is_a_positioned_error()
    {
        var text = Discrete + "estimate e = ATE(X -> Y) in G using d\nrefute nope with placebo";
        var run = Run(new Session(), text);
        var d = Assert.Single(run.Diagnostics);
        Assert.True(d.IsError);
        Assert.Contains("nope", d.Message);
        Assert.Equal(text.IndexOf("nope", StringComparison.Ordinal), d.Location.Span.Start);
        Assert.DoesNotContain(run.Results, r => r.Kind == "refutation");
    }

    [Fact]
    public void Refuting_an_estimate_that_got_no_data_is_a_positioned_error()
    {
        // The data declaration is rejected (n = 0), so the estimate has no rows and refute has nothing to re-run.
        var text = Discrete + "data empty = sample(m, n = 0)\nestimate e = ATE(X -> Y) in G using empty\nrefute e with placebo";
        var run = Run(new Session(), text);
        var refute = Assert.Single(run.Diagnostics, d => d.Message.Contains("no result to refute"));
        Assert.Equal(text.IndexOf("refute e", StringComparison.Ordinal), refute.Location.Span.Start);
        Assert.Contains(run.Diagnostics, d => d.Message.Contains("n = 0") && d.Location.Span.Start == text.IndexOf("data empty", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("data s = sample(nope, n = 10)", "nope", "nope")]
    [InlineData("data s = sample(m)", "needs the number of rows", "data s")]
    [InlineData("data s = sample(m, n = -5)", "must be a whole number", "data s")]
    [InlineData("data s = sample(m, n = 1000000000000)", "must be a whole number", "data s")]
    [InlineData("data s = sample(m, n = 10, rows = 3)", "option 'rows'", "data s")]
    public void Bad_sample_declarations_are_positioned_errors(string line, string message, string at)
    {
        var text = Discrete + line;
        var run = Run(new Session(), text);
        var d = Assert.Single(run.Diagnostics);
        Assert.True(d.IsError);
        Assert.Contains(message, d.Message);
        Assert.Equal(text.LastIndexOf(at, StringComparison.Ordinal), d.Location.Span.Start);
    }
}
