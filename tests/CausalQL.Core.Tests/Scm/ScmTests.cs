using System.Collections.Immutable;
using CausalQL.Counterfactuals;
using CausalQL.Scm;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Core.Tests.Scm;

public class ScmTests
{
    static ScmTranslation Translate(string text)
    {
        var source = new SourceText(text, "t.cql");
        var parsed = CqlParser.Parse(source);
        Assert.False(parsed.HasErrors, string.Join("\n", parsed.Diagnostics));
        return ScmTranslator.Translate(parsed.Script.Statements.OfType<ScmDeclarationSyntax>().Single(), source);
    }

    static readonly ImmutableDictionary<string, int> NoDo = ImmutableDictionary.Create<string, int>(StringComparer.Ordinal);

    [Fact]
    public void Language_example_enumerates_to_the_closed_form()
    {
        // U ~ bernoulli(0.5); X := U; Y := X xor bernoulli(0.1): P(Y=1) = 0.5, P(Y=1 | do(X=1)) = 0.9.
        var t = Translate("scm m {\n  U ~ bernoulli(0.5)\n  X := U\n  Y := X xor bernoulli(0.1)\n}\n");
        Assert.False(t.HasErrors, string.Join("\n", t.Diagnostics));
        var e = new ScmEnumerator(t.Discrete!);
        Assert.Equal(0.5, e.Probability([CfEvent.Factual("Y", 1)]).Value, 12);
        Assert.Equal(0.9, e.Probability([CfEvent.Of("Y", 1, ("X", 1))]).Value, 12);
        // Abduction: Y = 1 and X = 1 means the flip was 0, so had X been 0, Y would be 0 for sure.
        Assert.Equal(1.0, e.Probability([CfEvent.Of("Y", 0, ("X", 0))], [CfEvent.Factual("X", 1), CfEvent.Factual("Y", 1)]).Value, 12);
        // Twin worlds: P(Y_{X=1} = 1, Y_{X=0} = 0) = P(flip = 0) = 0.9.
        Assert.Equal(0.9, e.Probability([CfEvent.Of("Y", 1, ("X", 1)), CfEvent.Of("Y", 0, ("X", 0))]).Value, 12);
        Assert.Equal(0.5, e.Expectation("Y", NoDo).Value, 12);
    }

    [Fact]
    public void Probability_of_necessity_under_monotonicity_matches_enumeration()
    {
        // Y := X and U or V (monotone in X): PN, PS, PNS from the Tian–Pearl point formulas equal their definitions.
        var t = Translate("scm m {\n  W ~ bernoulli(0.3)\n  U ~ bernoulli(0.6)\n  V ~ bernoulli(0.2)\n  X := W or bernoulli(0.4)\n  Y := (X and U) or V or (W and bernoulli(0.5))\n}\n");
        Assert.False(t.HasErrors, string.Join("\n", t.Diagnostics));
        var e = new ScmEnumerator(t.Discrete!);
        double P(params CfEvent[] ev) => e.Probability(ev).Value;
        double Cond(CfEvent[] ev, CfEvent[] given) => e.Probability(ev, given).Value;
        var y1 = P(CfEvent.Of("Y", 1, ("X", 1)));
        var y0 = P(CfEvent.Of("Y", 1, ("X", 0)));
        double J(int x, int y) => P(CfEvent.Factual("X", x), CfEvent.Factual("Y", y));
        var pns = Effects.CausationProbability("PNS", y1, y0, J(1, 1), J(1, 0), J(0, 1), J(0, 0), monotone: true);
        Assert.Equal(P(CfEvent.Of("Y", 1, ("X", 1)), CfEvent.Of("Y", 0, ("X", 0))), pns.Value!.Value, 12);
        var pn = Effects.CausationProbability("PN", y1, y0, J(1, 1), J(1, 0), J(0, 1), J(0, 0), monotone: true);
        Assert.Equal(Cond([CfEvent.Of("Y", 0, ("X", 0))], [CfEvent.Factual("X", 1), CfEvent.Factual("Y", 1)]), pn.Value!.Value, 12);
        var ps = Effects.CausationProbability("PS", y1, y0, J(1, 1), J(1, 0), J(0, 1), J(0, 0), monotone: true);
        Assert.Equal(Cond([CfEvent.Of("Y", 1, ("X", 1))], [CfEvent.Factual("X", 0), CfEvent.Factual("Y", 0)]), ps.Value!.Value, 12);
        // Without monotonicity the bounds contain the true value.
        var bounds = Effects.CausationProbability("PN", y1, y0, J(1, 1), J(1, 0), J(0, 1), J(0, 0), monotone: false);
        Assert.InRange(pn.Value!.Value, bounds.Lower!.Value - 1e-12, bounds.Upper!.Value + 1e-12);
    }

    [Fact]
    public void Linear_gaussian_closed_forms_match_textbook_values_and_sampling()
    {
        // X := U1, M := 2 X + U2, Y := 3 M + X + U3 with unit noises.
        var t = Translate("scm lin {\n  U1 ~ normal(1, 1)\n  U2 ~ normal(0, 1)\n  U3 ~ normal(0, 2)\n  X := U1\n  M := 2 * X + U2\n  Y := 3 * M + X + U3\n}\n");
        Assert.False(t.HasErrors, string.Join("\n", t.Diagnostics));
        var g = new LinearGaussianEngine(t.Linear!);
        Assert.Equal(7.0, g.Mean("Y"), 12);                       // 3·2·1 + 1
        Assert.Equal(49.0 + 9 + 4, g.Covariance("Y", "Y"), 10);   // 7² Var X + 3² Var U2 + Var U3
        Assert.Equal(14.0, g.Mean("Y", new Dictionary<string, double> { ["X"] = 2 }), 12);
        // Counterfactual: observed X = 1, M = 3, Y = 10 → U2 = 1, U3 = 0; had X been 0: M = 1, Y = 3.
        var cf = g.CounterfactualMean("Y", new Dictionary<string, double> { ["X"] = 0 }, new Dictionary<string, double> { ["X"] = 1, ["M"] = 3, ["Y"] = 10 });
        Assert.Equal(3.0, cf, 9);
        var sample = g.Sample(20000, seed: 3);
        Assert.InRange(sample["Y"].Average(), 6.7, 7.3);
    }

    [Fact]
    public void Sampling_is_seeded_and_follows_the_model()
    {
        var t = Translate("scm m {\n  X := bernoulli(0.3)\n  Y := X or bernoulli(0.5)\n}\n");
        var e = new ScmEnumerator(t.Discrete!);
        var a = e.Sample(5000, seed: 7);
        Assert.Equal(a["Y"], e.Sample(5000, seed: 7)["Y"]);
        Assert.InRange(a["Y"].Average(), 0.62, 0.68); // 0.3 + 0.7·0.5 = 0.65
        var joint = e.ObservationalJoint().Value!;
        Assert.Equal(0.65, joint.Marginal(["Y"], [1]), 12);
    }

    [Fact]
    public void State_space_over_the_budget_is_a_clear_error_not_a_hang()
    {
        var lines = string.Join("\n", Enumerable.Range(0, 40).Select(i => $"  U{i} ~ bernoulli(0.5)"));
        var t = Translate("scm big {\n" + lines + "\n  Y := U0 xor U39\n}\n");
        var r = new ScmEnumerator(t.Discrete!).Probability([CfEvent.Factual("Y", 1)]);
        Assert.False(r.Ok);
        Assert.Contains("budget", r.Error);
        Assert.Contains("1.1E+12", r.Error);
    }

    [Fact]
    public void Translator_reports_cycles_undefined_names_and_bad_probabilities_with_positions()
    {
        var cycle = Translate("scm c {\n  X := Y\n  Y := X\n}\n");
        Assert.Contains(cycle.Diagnostics, d => d.IsError && d.Message.Contains("cycle") && d.Location.Line >= 2);
        var undefined = Translate("scm u {\n  X := N and Z\n}\n");
        Assert.Contains(undefined.Diagnostics, d => d.IsError && d.Message.Contains("'N'") && d.Location.Line == 2);
        var probability = Translate("scm p {\n  U ~ bernoulli(1.5)\n  X := U\n}\n");
        var error = Assert.Single(probability.Diagnostics, d => d.IsError);
        Assert.Contains("outside [0, 1]", error.Message);
        Assert.Equal(2, error.Location.Line);
        Assert.Null(probability.Discrete);
    }

    [Fact]
    public void Model_block_validation_reports_out_of_range_and_oversumming_probabilities()
    {
        var entries = new List<GivenEntry>
        {
            new(Assignment.Of(("X", 1)), Assignment.Empty, 1.2),
            new(Assignment.Of(("Y", 1)), Assignment.Of(("X", 0)), 0.7),
            new(Assignment.Of(("Y", 0)), Assignment.Of(("X", 0)), 0.6),
        };
        var problems = GivenModel.Validate(entries);
        Assert.Contains(problems, p => p.Entry == 0 && p.Message.Contains("outside [0, 1]"));
        Assert.Contains(problems, p => p.Message.Contains("sum to 1.3"));
    }

    [Fact]
    public void Given_model_uses_complement_and_total_probability_and_names_a_missing_term()
    {
        var g = Graphs.CausalGraph.Create(["X", "Y"], [("X", "Y")]);
        var m = new GivenModel(g, [
            new(Assignment.Of(("X", 1)), Assignment.Empty, 0.4),
            new(Assignment.Of(("Y", 1)), Assignment.Of(("X", 0)), 0.2),
            new(Assignment.Of(("Y", 1)), Assignment.Of(("X", 1)), 0.7)]);
        Assert.Equal(0.6 * 0.2 + 0.4 * 0.7, m.Probability(Assignment.Of(("Y", 1)), Assignment.Empty).Value, 12);
        Assert.Equal(0.3, m.Probability(Assignment.Of(("Y", 0)), Assignment.Of(("X", 1))).Value, 12);
        // Bayes: P(X=1 | Y=1) = 0.28 / 0.4.
        Assert.Equal(0.28 / 0.4, m.Probability(Assignment.Of(("X", 1)), Assignment.Of(("Y", 1))).Value, 12);
        var partial = new GivenModel(g, [new(Assignment.Of(("Y", 1)), Assignment.Of(("X", 0)), 0.2)]);
        var missing = partial.Probability(Assignment.Of(("Y", 1)), Assignment.Empty);
        Assert.False(missing.Ok);
        Assert.Contains("P(Y = 1)", missing.Error);
    }
}
