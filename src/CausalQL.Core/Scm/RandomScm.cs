using System.Collections.Immutable;
using CausalQL.Graphs;

namespace CausalQL.Scm;

/// <summary>
/// Random discrete SCMs compatible with an ADMG, for checking estimands against exact
/// enumeration: each bidirected edge becomes a binary latent noise term read by both ends; each
/// variable V gets a private noise U_V with a few levels and a random table
/// V := f(parents, latents, U_V), so that counterfactuals are not degenerate.
/// </summary>
public static class RandomScm
{
    public static DiscreteScm ForGraph(CausalGraph graph, int seed, int cardinality = 2, int noiseLevels = 4)
    {
        var rng = new Random(seed);
        var g = graph.ProjectLatents();
        var order = g.TopologicalOrder() ?? throw new ArgumentException("the graph has a directed cycle");
        var noise = new List<NoiseTerm>();
        var latentsOf = g.Nodes.ToDictionary(n => n, _ => new List<string>(), StringComparer.Ordinal);
        var k = 0;
        foreach (var (a, b) in g.Bidirected)
        {
            var name = $"L{++k}.{a}.{b}";
            noise.Add(NoiseTerm.Bernoulli(name, 0.2 + 0.6 * rng.NextDouble()));
            latentsOf[a].Add(name);
            latentsOf[b].Add(name);
        }
        var mechanisms = new List<Mechanism>();
        foreach (var v in order)
        {
            var u = $"U.{v}";
            var weights = Enumerable.Range(0, noiseLevels).Select(_ => 0.1 + rng.NextDouble()).ToArray();
            noise.Add(new NoiseTerm(u, [.. weights.Select(w => w / weights.Sum())]));
            var inputs = g.Parents(v).Concat(latentsOf[v]).Append(u).ToImmutableArray();
            var sizes = inputs.Select(i => i == u ? noiseLevels : latentsOf[v].Contains(i) ? 2 : cardinality).ToArray();
            var rows = ImmutableDictionary.CreateBuilder<string, double>();
            var digits = new int[inputs.Length];
            while (true)
            {
                rows[string.Join(",", digits)] = rng.Next(cardinality);
                var i = 0;
                while (i < digits.Length && ++digits[i] == sizes[i]) { digits[i] = 0; i++; }
                if (i == digits.Length) break;
            }
            mechanisms.Add(new Mechanism(v, new TableExpr(inputs, rows.ToImmutable(), 0)));
        }
        return new DiscreteScm([.. noise], [.. mechanisms]);
    }
}
