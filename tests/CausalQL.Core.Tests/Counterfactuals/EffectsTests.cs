using CausalQL.Counterfactuals;
using CausalQL.Graphs;
using CausalQL.Scm;

namespace CausalQL.Core.Tests.Counterfactuals;

/// <summary>Every effect estimand checked against its counterfactual definition, enumerated on random SCMs.</summary>
public class EffectsTests
{
    static Effects On(CausalGraph g, DiscreteScm scm, EffectAssumptions a = EffectAssumptions.None)
    {
        var joint = new ScmEnumerator(scm).ObservationalJoint().Value!;
        double? P(Assignment ev, Assignment c)
        {
            var all = c.Values.ToDictionary();
            foreach (var (k, v) in ev.Values) { if (all.TryGetValue(k, out var old) && old != v) return 0; all[k] = v; }
            var den = joint.Marginal([.. c.Values.Keys], [.. c.Values.Values]);
            return den == 0 ? null : joint.Marginal([.. all.Keys], [.. all.Values]) / den;
        }
        return new Effects(g, P, a);
    }

    /// <summary>Random models whose observational joint is positive (so every conditional the estimands use exists).</summary>
    static IEnumerable<DiscreteScm> PositiveModels(CausalGraph g, int count)
    {
        var found = 0;
        for (var seed = 1; found < count && seed < 500; seed++)
        {
            var scm = RandomScm.ForGraph(g, seed, noiseLevels: 6);
            var joint = new ScmEnumerator(scm).ObservationalJoint().Value!;
            var vars = g.Observed.ToList();
            var positive = Enumerable.Range(0, 1 << vars.Count).All(code => joint.Marginal(vars, [.. vars.Select((_, i) => (code >> i) & 1)]) > 1e-9);
            if (!positive) continue;
            found++;
            yield return scm;
        }
        Assert.Equal(count, found); // the checks above must not pass vacuously
    }

    static double Pr(DiscreteScm scm, CfEvent[] ev, CfEvent[]? given = null) => new ScmEnumerator(scm).Probability(ev, given ?? []).Value;

    static readonly CausalGraph Confounded = CausalGraph.Create(["W", "X", "M", "Y"], [("W", "X"), ("W", "M"), ("W", "Y"), ("X", "M"), ("X", "Y"), ("M", "Y")]);
    static readonly CausalGraph FrontDoor = CausalGraph.Create(["X", "M", "Y"], [("X", "M"), ("M", "Y")], [("X", "Y")]);

    [Fact]
    public void Ate_and_ett_by_backdoor_match_enumeration()
    {
        foreach (var scm in PositiveModels(Confounded, 5))
        {
            var fx = On(Confounded, scm);
            var ate = fx.Ate("X", "Y");
            Assert.Equal(Pr(scm, [CfEvent.Of("Y", 1, ("X", 1))]) - Pr(scm, [CfEvent.Of("Y", 1, ("X", 0))]), ate.Value!.Value, 10);
            var ett = fx.Ett("X", "Y");
            var given = new[] { CfEvent.Factual("X", 1) };
            Assert.Equal(Pr(scm, [CfEvent.Of("Y", 1, ("X", 1))], given) - Pr(scm, [CfEvent.Of("Y", 1, ("X", 0))], given), ett.Value!.Value, 10);
        }
    }

    [Fact]
    public void Front_door_ate_and_ett_match_enumeration()
    {
        foreach (var scm in PositiveModels(FrontDoor, 5))
        {
            var fx = On(FrontDoor, scm);
            Assert.Equal(Pr(scm, [CfEvent.Of("Y", 1, ("X", 1))]) - Pr(scm, [CfEvent.Of("Y", 1, ("X", 0))]), fx.Ate("X", "Y").Value!.Value, 10);
            var given = new[] { CfEvent.Factual("X", 1) };
            var ett = fx.Ett("X", "Y");
            Assert.Contains("front-door", ett.Strategy);
            Assert.Equal(Pr(scm, [CfEvent.Of("Y", 1, ("X", 1))], given) - Pr(scm, [CfEvent.Of("Y", 1, ("X", 0))], given), ett.Value!.Value, 10);
        }
    }

    [Fact]
    public void Natural_effects_by_the_mediation_formula_match_nested_counterfactuals()
    {
        foreach (var scm in PositiveModels(Confounded, 5))
        {
            var fx = On(Confounded, scm);
            var y0 = Pr(scm, [CfEvent.Of("Y", 1, ("X", 0))]);
            // E[Y_{1, M_0}] = Σ_m P(Y_{X=1,M=m} = 1, M_{X=0} = m): two parallel worlds.
            var nested1 = Enumerable.Range(0, 2).Sum(m => Pr(scm, [CfEvent.Of("Y", 1, ("X", 1), ("M", m)), CfEvent.Of("M", m, ("X", 0))]));
            var nested0 = Enumerable.Range(0, 2).Sum(m => Pr(scm, [CfEvent.Of("Y", 1, ("X", 0), ("M", m)), CfEvent.Of("M", m, ("X", 1))]));
            Assert.Equal(nested1 - y0, fx.Mediation("X", ["M"], "Y", direct: true).Value!.Value, 10);
            Assert.Equal(nested0 - y0, fx.Mediation("X", ["M"], "Y", direct: false).Value!.Value, 10);
        }
    }

    [Fact]
    public void Natural_effects_with_a_confounded_mediator_are_not_identifiable_with_a_reason()
    {
        var g = CausalGraph.Create(["X", "M", "Y"], [("X", "M"), ("X", "Y"), ("M", "Y")], [("M", "Y")]);
        var r = On(g, RandomScm.ForGraph(g, 3)).Mediation("X", ["M"], "Y", direct: true);
        Assert.True(r.NotIdentifiable);
        Assert.Contains("not identifiable", r.Explanation);
    }

    [Fact]
    public void Instrumental_ate_needs_an_assumption_and_then_gives_the_wald_ratio()
    {
        var g = CausalGraph.Create(["Z", "X", "Y"], [("Z", "X"), ("X", "Y")], [("X", "Y")]);
        var scm = RandomScm.ForGraph(g, 4);
        var without = On(g, scm).Ate("X", "Y");
        Assert.True(without.NotIdentifiable);
        Assert.Contains("assume linear", without.Explanation);
        var with = On(g, scm, EffectAssumptions.Linear).Ate("X", "Y");
        Assert.Contains("Wald", with.Strategy);
    }
}
