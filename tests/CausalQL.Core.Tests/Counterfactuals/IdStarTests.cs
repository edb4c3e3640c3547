using System.Collections.Immutable;
using CausalQL.Counterfactuals;
using CausalQL.Estimands;
using CausalQL.Graphs;
using CausalQL.Scm;

namespace CausalQL.Core.Tests.Counterfactuals;

public class IdStarTests
{
    static readonly CausalGraph XY = CausalGraph.Create(["X", "Y"], [("X", "Y")]);

    [Fact]
    public void Contradictory_evidence_is_inconsistent_with_probability_zero()
    {
        // P(Y[X=1] = 1 | Y = 0, X = 1): by consistency Y[X=1] = Y when X = 1.
        var r = CounterfactualIdentification.IdcStar(XY, [CfEvent.Of("Y", 1, ("X", 1))], [CfEvent.Factual("Y", 0), CfEvent.Factual("X", 1)]);
        Assert.Equal(CfVerdict.Inconsistent, r.Verdict);
        Assert.Equal(Est.Zero, r.Estimand);
        Assert.Contains("inconsistent", r.Explanation);
        Assert.Contains("probability is 0", r.Explanation);
    }

    [Fact]
    public void Probability_of_necessity_style_joint_is_not_identifiable()
    {
        var r = CounterfactualIdentification.IdStar(XY, [CfEvent.Of("Y", 0, ("X", 0)), CfEvent.Of("Y", 1, ("X", 1))]);
        Assert.Equal(CfVerdict.NotIdentifiable, r.Verdict);
        Assert.Contains("hedge", r.Explanation);
    }

    [Fact]
    public void Effect_of_treatment_on_the_treated_in_the_backdoor_graph_is_identified_and_correct()
    {
        var g = CausalGraph.Create(["Z", "X", "Y"], [("Z", "X"), ("Z", "Y"), ("X", "Y")]);
        var gamma = new[] { CfEvent.Of("Y", 1, ("X", 0)) };
        var delta = new[] { CfEvent.Factual("X", 1) };
        var r = CounterfactualIdentification.IdcStar(g, gamma, delta);
        Assert.Equal(CfVerdict.Identified, r.Verdict);
        for (var seed = 10; seed < 16; seed++)
        {
            var scm = RandomScm.ForGraph(g, seed);
            var truth = new ScmEnumerator(scm).Probability(gamma, delta);
            if (!truth.Ok) continue; // P(X = 1) = 0 in this random model
            Assert.Equal(truth.Value, CfTestSupport.EvaluateOn(scm, r), 9);
        }
    }

    [Fact]
    public void Unknown_variable_is_reported_not_thrown()
    {
        var r = CounterfactualIdentification.IdStar(XY, [CfEvent.Of("Q", 1, ("X", 0))]);
        Assert.Equal(CfVerdict.Invalid, r.Verdict);
        Assert.Contains("'Q'", r.Explanation);
    }

    /// <summary>Soundness on random ADMGs and random rung-3 queries: every identified answer equals enumeration.</summary>
    [Fact]
    public void Random_graphs_and_queries_identified_answers_match_enumeration()
    {
        var rng = new Random(2024);
        int identified = 0, checkedQueries = 0;
        for (var trial = 0; trial < 110; trial++)
        {
            var n = rng.Next(3, 6);
            var names = Enumerable.Range(0, n).Select(i => "V" + i).ToArray();
            var directed = new List<(string, string)>();
            var bidirected = new List<(string, string)>();
            for (var i = 0; i < n; i++)
                for (var j = i + 1; j < n; j++)
                {
                    if (rng.NextDouble() < 0.45) directed.Add((names[i], names[j]));
                    if (rng.NextDouble() < 0.15) bidirected.Add((names[i], names[j]));
                }
            var g = CausalGraph.Create(names, directed, bidirected);
            CfEvent RandomEvent()
            {
                var v = names[rng.Next(1, n)];
                var x = names[rng.Next(0, n)];
                return x == v || rng.NextDouble() < 0.3
                    ? CfEvent.Factual(v, rng.Next(2))
                    : CfEvent.Of(v, rng.Next(2), (x, rng.Next(2)));
            }
            var gamma = Enumerable.Range(0, rng.Next(1, 3)).Select(_ => RandomEvent()).ToList();
            var delta = Enumerable.Range(0, rng.Next(0, 3)).Select(_ => RandomEvent()).ToList();
            var r = delta.Count == 0 ? CounterfactualIdentification.IdStar(g, gamma) : CounterfactualIdentification.IdcStar(g, gamma, delta);
            checkedQueries++;
            if (!r.IsIdentified) continue;
            identified++;
            for (var seed = 0; seed < 2; seed++)
            {
                var scm = RandomScm.ForGraph(g, trial * 10 + seed, noiseLevels: 3);
                var truth = new ScmEnumerator(scm).Probability(gamma, delta);
                if (!truth.Ok) continue; // conditioning event of probability 0 in this model
                var value = CfTestSupport.EvaluateOn(scm, r);
                Assert.True(Math.Abs(truth.Value - value) < 1e-9,
                    $"trial {trial}: {g} | γ={string.Join(", ", gamma)} δ={string.Join(", ", delta)} → {r.Estimand} = {value}, enumeration {truth.Value}");
            }
        }
        Assert.True(identified > 30, $"only {identified} of {checkedQueries} identified");
    }
}
