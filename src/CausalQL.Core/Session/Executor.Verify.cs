using System.Collections.Immutable;
using CausalQL.Estimands;
using CausalQL.Graphs;
using CausalQL.Scm;

namespace CausalQL.Sessions;

// `identify ... verify`: the estimand is evaluated on the observational distribution of random
// discrete SCMs compatible with the graph and compared with the interventional truth computed
// by exact enumeration of the same SCMs. Seeds are fixed so the check is reproducible.
public static partial class Executor
{
    const int VerifyModels = 5;
    const double VerifyTolerance = 1e-9;

    /// <summary>Null when the estimand matched every model, else what went wrong (in words).</summary>
    static (int Models, int Checks, string? Problem) Verify(CausalGraph graph, IdQuestion q, Estimand estimand, CancellationToken cancellation)
    {
        var checks = 0;
        var models = 0;
        var g = graph.ProjectLatents();
        for (var seed = 1; seed <= 20 * VerifyModels && models < VerifyModels; seed++)
        {
            var enumerator = new ScmEnumerator(RandomScm.ForGraph(g, seed)) { Cancellation = cancellation };
            var observed = enumerator.ObservationalJoint();
            if (!observed.Ok) return (models, checks, observed.Error);
            // Identification assumes positivity: a random model with an impossible observational
            // cell would leave the estimand undefined there, so it is not a fair test.
            if (observed.Value!.Probabilities.Any(p => p <= 1e-12)) continue;
            models++;
            foreach (var x in Levels(q.X))
            {
                var interventional = enumerator.Joint(x.ToImmutableDictionary(StringComparer.Ordinal));
                if (!interventional.Ok) return (models, checks, interventional.Error);
                foreach (var z in Levels(q.Z))
                {
                    var zVars = z.Keys.ToList();
                    var pz = interventional.Value!.Marginal(zVars, [.. zVars.Select(v => z[v])]);
                    // The observational side must give the condition positive probability too.
                    if (pz <= 0 || observed.Value!.Marginal(zVars, [.. zVars.Select(v => z[v])]) <= 0) continue;
                    foreach (var y in Levels(q.Y))
                    {
                        var yz = y.Concat(z).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
                        var yzVars = yz.Keys.ToList();
                        var truth = interventional.Value.Marginal(yzVars, [.. yzVars.Select(v => yz[v])]) / pz;
                        var bindings = new Dictionary<string, int>(x.Concat(yz), StringComparer.Ordinal);
                        foreach (var free in EstimandEvaluator.FreeVariables(estimand).Where(v => !bindings.ContainsKey(v)))
                            bindings[free] = 0;
                        if (!EstimandEvaluator.TryEvaluate(estimand, bindings, observed.Value, out var value, out var error))
                            return (models, checks, error);
                        checks++;
                        if (Math.Abs(value - truth) > VerifyTolerance)
                            return (models, checks,
                                $"on random model {seed}, at {string.Join(", ", bindings.Select(kv => $"{kv.Key} = {kv.Value}"))}, the estimand gives {value:G6} but the truth is {truth:G6}");
                    }
                }
            }
        }
        return models == 0 ? (0, 0, "no random model with positive probabilities was found for this graph") : (models, checks, null);
    }

    /// <summary>Every 0/1 assignment of the variables (random models are binary).</summary>
    static IEnumerable<Dictionary<string, int>> Levels(VarSet vars)
    {
        var list = vars.ToList();
        for (var code = 0; code < 1 << list.Count; code++)
            yield return list.Select((v, i) => (v, (code >> i) & 1)).ToDictionary(t => t.v, t => t.Item2, StringComparer.Ordinal);
    }
}
