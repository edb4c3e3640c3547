using CausalQL.Estimands;
using CausalQL.Identification;
using static CausalQL.Tests.Identification.TestGraphs;

namespace CausalQL.Tests.Identification;

public class VerifierTests
{
    [Fact]
    public void The_front_door_formula_is_exact_on_random_models()
    {
        var m = S("M"); var x = S("X"); var y = S("Y");
        var report = Verifier.Verify(FrontDoorGraph, CausalQuery.Of(y, x), Identifier.FrontDoorEstimand(y, x, m), models: 5, seed: 11);
        Assert.True(report.Passed, report.Message);
        Assert.Equal(5, report.ErrorPerModel.Length);
    }

    [Fact]
    public void The_back_door_formula_is_exact_and_the_naive_conditional_is_not()
    {
        var q = CausalQuery.Of(S("Y"), S("X"));
        Assert.True(Verifier.Verify(BackDoor, q, Identifier.BackDoorEstimand(S("Y"), S("X"), S("Z")), models: 5, seed: 2).Passed);
        var naive = Verifier.Verify(BackDoor, q, Est.P(S("Y"), S("X")), models: 5, seed: 2);
        Assert.False(naive.Passed);
        Assert.True(naive.MaxError > 1e-4);
    }

    [Fact]
    public void The_napkin_estimand_from_ID_is_exact_and_y0s_P_of_Y_given_X_is_not()
    {
        var q = CausalQuery.Of(S("Y"), S("X"));
        var r = Identifier.Identify(Napkin, q.Outcome, q.Treatment, q.Condition);
        Assert.True(Verifier.Verify(Napkin, q, r.Estimand!, models: 5, seed: 4).Passed);
        Assert.False(Verifier.Verify(Napkin, q, Est.P(S("Y"), S("X")), models: 5, seed: 4).Passed);
    }

    [Fact]
    public void The_same_seed_draws_the_same_models()
    {
        var q = CausalQuery.Of(S("Y"), S("X"));
        var a = Verifier.Verify(BackDoor, q, Est.P(S("Y"), S("X")), models: 3, seed: 7);
        var b = Verifier.Verify(BackDoor, q, Est.P(S("Y"), S("X")), models: 3, seed: 7);
        Assert.Equal(a.ErrorPerModel.ToArray(), b.ErrorPerModel.ToArray());
        Assert.All(a.ErrorPerModel, e => Assert.True(e > 0));
    }

    [Fact]
    public void Graphs_too_large_to_enumerate_are_a_message()
    {
        var edges = Enumerable.Range(1, 30).Select(i => $"V{i} -> V{i + 1}").ToArray();
        var report = Verifier.Verify(G(edges), CausalQuery.Of(S("V31"), S("V1")), Est.P("V31"), models: 1, seed: 1);
        Assert.False(report.Passed);
        Assert.Contains("enumeration", report.Message);
    }
}
