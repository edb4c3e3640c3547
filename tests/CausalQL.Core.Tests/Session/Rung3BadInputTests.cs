using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Tests.Sessions;

/// <summary>Issue 5's bad-input list, each case run as a script through a session: a positioned error or an explained answer, never an exception.</summary>
public class Rung3BadInputTests
{
    static RunResult Run(string text) => new Session().Run(new SourceText(text, "<test>"));

    const string Squad = "scm squad {\n  Order ~ bernoulli(0.7)\n  Captain := Order\n  A := Captain\n  Death := A\n}\nuse squad\n";

    [Theory]
    [InlineData("P(Q[A = 0] = 1 | Death = 1)", "'Q'")]
    [InlineData("P(Death[Q = 0] = 1 | Death = 1)", "counterfactual subscript names 'Q'")]
    [InlineData("E[Death[A = 1, Captain = Captain[Q = 0]]]", "counterfactual subscript names 'Q'")]
    public void A_counterfactual_on_a_variable_outside_the_model_is_a_positioned_error(string query, string message)
    {
        var run = Run(Squad + query + "\n");
        var error = Assert.Single(run.Diagnostics);
        Assert.Contains(message, error.Message);
        Assert.Equal(8, error.Location.Line);
    }

    [Fact]
    public void Contradictory_evidence_is_inconsistent_answers_zero_and_says_why()
    {
        var identified = Run("graph g { X -> Y }\nidentify P(Y[X = 1] = 1 | Y = 0, X = 1) in g\n");
        var answer = Assert.Single(identified.Results, r => r.Kind == "identification");
        Assert.Equal(0, answer.Json["value"]!.GetValue<int>());
        Assert.Contains("the events contradict each other", answer.Text);
        // On an SCM the same question is computed, and consistency makes it exactly 0 too.
        var scm = Run("scm m {\n  X := bernoulli(0.5)\n  Y := X xor bernoulli(0.3)\n}\nuse m\nP(Y[X = 1] = 1 | Y = 0, X = 1)\n");
        Assert.False(scm.HasErrors, string.Join("; ", scm.Diagnostics));
        Assert.Equal(0.0, scm.Results.Last().Json["value"]!.GetValue<double>());
        Assert.Contains("inconsistent: the evidence observes X = 1, so Y[X = 1] is the observed Y = 0, not 1", scm.Results.Last().Text);
        // Not every difference is a contradiction: without X observed, Y[X = 1] may differ from Y.
        var open = Run("scm m {\n  X := bernoulli(0.5)\n  Y := X xor bernoulli(0.3)\n}\nuse m\nP(Y[X = 1] = 1 | Y = 0)\n");
        // Y = 0 is X = 0 with no flip (0.35) or X = 1 with a flip (0.15); Y[X = 1] = 1 exactly when there is no flip.
        Assert.Equal(0.35 / 0.5, open.Results.Last().Json["value"]!.GetValue<double>(), 12);
    }

    [Theory]
    [InlineData("P(Y = 1 | X = 0) = 0.7\n  P(Y = 0 | X = 0) = 0.6", "the probabilities of Y given X = 0 sum to 1.3, more than 1", 4)]
    [InlineData("P(Y = 1 | X = 0) = 0.2\n  P(Y = 0 | X = 0) = 0.6", "the probabilities of Y = 0 and Y = 1 given X = 0 sum to 0.8, not 1", 4)]
    [InlineData("P(Y = 1 | X = 0) = 0.2\n  P(Y = 1 | X = 0) = 0.3", "given twice with different values", 4)]
    [InlineData("P(Y = 1 | X = 0) = 1.2", "is not a probability (it must lie in [0, 1])", 3)]
    [InlineData("P(Y = 1 | X = 0) = -0.1", "is not a probability (it must lie in [0, 1])", 3)]
    public void Model_probabilities_that_do_not_sum_to_one_or_lie_outside_zero_one_are_positioned_errors(string entries, string message, int line)
    {
        var run = Run($"graph g {{ X -> Y }}\nmodel m on g {{\n  {entries}\n}}\n");
        var error = Assert.Single(run.Diagnostics);
        Assert.Contains(message, error.Message);
        Assert.Equal(line, error.Location.Line);
    }

    [Fact]
    public void A_counterfactual_asked_of_a_model_block_says_where_it_can_be_answered()
    {
        var run = Run("graph g { X -> M -> Y; X -> Y }\nmodel s on g {\n  P(X = 1) = 0.5\n}\nuse s\nP(Y[X = 1, M = M[X = 0]] = 1)\n");
        var error = Assert.Single(run.Diagnostics);
        Assert.Contains("identify it on the graph", error.Message);
        Assert.Equal(6, error.Location.Line);
    }

    [Fact]
    public void Complementary_levels_that_sum_to_one_are_accepted()
    {
        var run = Run("graph g { X -> Y }\nmodel m on g {\n  P(X = 1) = 0.25\n  P(X = 0) = 0.75\n  P(Y = 1 | X = 0) = 0.35\n  P(Y = 0 | X = 0) = 0.65\n}\n");
        Assert.False(run.HasErrors, string.Join("; ", run.Diagnostics));
    }

    [Fact]
    public void An_scm_with_a_cycle_names_the_cycle_and_one_with_an_undefined_noise_term_names_it()
    {
        var cycle = Run("scm c {\n  U ~ bernoulli(0.5)\n  X := Y or U\n  Y := X\n}\n");
        var error = Assert.Single(cycle.Diagnostics);
        Assert.Contains("cycle", error.Message);
        Assert.Contains("X -> Y -> X", error.Message);
        Assert.InRange(error.Location.Line, 3, 4);
        var undefined = Run("scm u {\n  U ~ bernoulli(0.5)\n  X := U xor N\n}\n");
        var missing = Assert.Single(undefined.Diagnostics);
        Assert.Contains("does not define 'N'", missing.Message);
        Assert.Equal((3, 14), (missing.Location.Line, missing.Location.Column));
    }

    [Fact]
    public void A_state_space_that_would_take_hours_is_refused_with_the_budget_named()
    {
        var noise = string.Join("\n", Enumerable.Range(0, 40).Select(i => $"  U{i} ~ bernoulli(0.5)"));
        var reads = string.Join(" xor ", Enumerable.Range(0, 40).Select(i => $"U{i}"));
        var run = Run($"scm big {{\n{noise}\n  Y := {reads}\n}}\nuse big\nP(Y = 1)\n");
        var error = Assert.Single(run.Diagnostics);
        Assert.Contains("1.1E+12 joint exogenous states", error.Message);
        Assert.Contains("enumeration budget of 4E+06 states", error.Message);
        Assert.Equal(45, error.Location.Line);
    }
}

/// <summary>identify NDE/NIE on a graph: the mediation formula with its covariates, the no-direct-path cases, and the confounded mediator.</summary>
public class NaturalEffectIdentifyTests
{
    static RunResult Run(string text) => new Session().Run(new SourceText(text, "<test>"));

    static StatementResult Identify(string graph, string query)
    {
        var run = Run($"graph g {{ {graph} }}\nidentify {query} in g\n");
        Assert.False(run.HasErrors, string.Join("; ", run.Diagnostics));
        return Assert.Single(run.Results, r => r.Kind == "identification");
    }

    [Fact]
    public void The_mediation_formula_names_its_covariates()
    {
        var r = Identify("W -> {X, M, Y}; X -> M -> Y; X -> Y", "NDE(X -> M -> Y)");
        Assert.True(r.Json["identifiable"]!.GetValue<bool>());
        Assert.Equal("W", Assert.Single(r.Json["covariates"]!.AsArray())!.GetValue<string>());
        Assert.Contains("= Σ_{W} P(w) Σ_{M} P(m | X = 0, w) [E(Y | X = 1, m, w) - E(Y | X = 0, m, w)]", r.Text);
        var nie = Identify("X -> M -> Y; X -> Y", "NIE(X -> M -> Y)");
        Assert.Contains("= Σ_{M} E(Y | X = 0, m) [P(m | X = 1) - P(m | X = 0)]", nie.Text);
    }

    [Fact]
    public void Without_a_direct_path_nde_is_zero_and_nie_the_total_effect()
    {
        Assert.Contains("NDE(X -> M -> Y) in g = 0: every directed path from X to Y passes through M", Identify("X -> M -> Y", "NDE(X -> M -> Y)").Text);
        Assert.Contains("equals the total effect ATE(X -> Y)", Identify("X -> M -> Y", "NIE(X -> M -> Y)").Text);
    }

    [Fact]
    public void A_confounded_mediator_is_not_identifiable_by_the_formula_with_the_reason()
    {
        var r = Identify("X -> M -> Y; X -> Y; M <-> Y", "NDE(X -> M -> Y)");
        Assert.False(r.Json["identifiable"]!.GetValue<bool>());
        Assert.Contains("is not identifiable by the mediation formula: no set of observed pre-treatment covariates blocks", r.Text);
    }
}
