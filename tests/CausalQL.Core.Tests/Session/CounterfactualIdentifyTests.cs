using CausalQL.Counterfactuals;
using CausalQL.Estimands;
using CausalQL.Graphs;
using CausalQL.Scm;
using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Tests.Sessions;

/// <summary>`identify` on a counterfactual probability goes through ID*/IDC* and its estimand is checked against enumeration.</summary>
public class CounterfactualIdentifyTests
{
    static RunResult Run(string text) => new Session().Run(new SourceText(text, "cf.cql"));

    [Theory]
    [InlineData("P(Y[X = 1] = 1 | X = 0)", 11)]
    [InlineData("P(Y[X = 0] = 1 | X = 1)", 12)]
    [InlineData("P(Y[X = 1] = 0, X = 1)", 13)]
    public void Effect_of_treatment_on_the_untreated_matches_enumeration_on_random_models(string query, int seed)
    {
        var result = Run($"graph g {{ Z -> X -> Y; Z -> Y }}\nidentify {query} in g\n");
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var answer = Assert.Single(result.Results, r => r.Kind == "identification");
        Assert.True(answer.Json["identifiable"]!.GetValue<bool>());
        Assert.True(answer.Json["observational"]!.GetValue<bool>());
        Assert.True(EstimandJson.TryRead(answer.Json["estimand_tree"], out var estimand, out var error), error);
        var bindings = answer.Json["bindings"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<int>());

        var graph = CausalGraph.Create([], [("Z", "X"), ("X", "Y"), ("Z", "Y")]);
        var model = RandomScm.ForGraph(graph, seed);
        var enumerator = new ScmEnumerator(model);
        var joint = enumerator.ObservationalJoint();
        Assert.True(joint.Ok, joint.Error);
        var value = EstimandEvaluator.Evaluate(estimand, bindings, joint.Value!);

        // The truth, by enumerating the exogenous states of the twin network.
        var (gamma, delta) = query switch
        {
            "P(Y[X = 1] = 1 | X = 0)" => (new[] { CfEvent.Of("Y", 1, ("X", 1)) }, new[] { CfEvent.Factual("X", 0) }),
            "P(Y[X = 0] = 1 | X = 1)" => (new[] { CfEvent.Of("Y", 1, ("X", 0)) }, new[] { CfEvent.Factual("X", 1) }),
            _ => (new[] { CfEvent.Of("Y", 0, ("X", 1)), CfEvent.Factual("X", 1) }, Array.Empty<CfEvent>()),
        };
        var truth = enumerator.Probability(gamma, delta.Length == 0 ? null : delta);
        Assert.True(truth.Ok, truth.Error);
        Assert.Equal(truth.Value, value, 9);
    }

    [Fact]
    public void A_counterfactual_in_the_bow_graph_is_not_identifiable_with_its_hedge()
    {
        var result = Run("graph bow { X -> Y; X <-> Y }\nidentify P(Y[X = 1] = 1 | X = 0) in bow\n");
        var answer = Assert.Single(result.Results, r => r.Kind == "identification");
        Assert.False(answer.Json["identifiable"]!.GetValue<bool>());
        Assert.StartsWith("P(Y[X = 1] = 1 | X = 0) in bow is not identifiable: X is intervened on (= 1) and observed (= 0)", answer.Text);
    }

    [Fact]
    public void Contradictory_evidence_is_inconsistent_and_answers_zero()
    {
        var result = Run("graph g { X -> Y }\nidentify P(Y[X = 1] = 1 | Y = 0, X = 1) in g\n");
        var answer = Assert.Single(result.Results, r => r.Kind == "identification");
        Assert.Equal(0, answer.Json["value"]!.GetValue<int>());
        Assert.Contains("= 0: the events contradict each other", answer.Text);
    }

    [Fact]
    public void A_counterfactual_event_without_a_value_is_a_positioned_error()
    {
        var result = Run("graph g { X -> Y }\nidentify P(Y[X = 1] | X = 0) in g\n");
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(2, error.Location.Line);
        Assert.Equal("identify P(Y[X = 1] | X = 0): 'Y' needs a value in a counterfactual query (for example Y = 1)", error.Message);
    }
}
