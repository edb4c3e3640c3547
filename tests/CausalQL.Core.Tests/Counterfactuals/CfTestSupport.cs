using CausalQL.Counterfactuals;
using CausalQL.Estimands;
using CausalQL.Scm;

namespace CausalQL.Core.Tests.Counterfactuals;

/// <summary>Evaluates an ID*/IDC* estimand on an SCM's interventional distributions and compares it with parallel-world enumeration.</summary>
static class CfTestSupport
{
    public static double EvaluateOn(DiscreteScm scm, CfIdentification id)
    {
        var enumerator = new ScmEnumerator(scm);
        var cache = new Dictionary<string, double>();
        return InterventionalEvaluator.Evaluate(id.Estimand!, id.Bindings, _ => [0, 1], (events, intervention) =>
        {
            var key = string.Join(",", events) + "|" + string.Join(",", intervention);
            if (cache.TryGetValue(key, out var known)) return known;
            var doMap = intervention.ToDictionary(a => a.Variable, a => a.Value);
            // A do() that contradicts itself cannot arise from a valid estimand.
            var list = events.Select(e => CfEvent.Of(e.Variable, e.Value, [.. intervention])).ToList();
            var r = enumerator.Probability(list);
            Assert.True(r.Ok, r.Error);
            return cache[key] = r.Value;
        });
    }

    public static double Truth(DiscreteScm scm, IReadOnlyList<CfEvent> gamma, IReadOnlyList<CfEvent> delta)
    {
        var r = new ScmEnumerator(scm).Probability(gamma, delta);
        Assert.True(r.Ok, r.Error);
        return r.Value;
    }
}
