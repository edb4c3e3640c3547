using System.Collections.Immutable;

namespace CausalQL.Counterfactuals;

/// <summary>P(Variable = 1 | Conditioning = code) for every configuration code (first conditioning variable is bit 0).</summary>
public sealed record ConditionalTable(string Variable, ImmutableArray<string> Conditioning, ImmutableArray<double> ProbabilityOfOne);

/// <summary>
/// Draws rows from a partly given distribution when — and only when — its given probabilities
/// define the full joint: the chain rule in a topological order of the graph, each variable
/// conditioned on its parents (a DAG's Markov factorisation) or, when latent confounders (<->)
/// make that invalid, on all its predecessors. The first term the model does not determine is named.
/// </summary>
public static class GivenModelSampler
{
    /// <summary>More conditioning variables than this would mean a table of more than 65,536 rows per variable.</summary>
    public const int MaxConditioning = 16;

    public static CfOutcome<ImmutableArray<ConditionalTable>> Factorize(GivenModel model)
    {
        var graph = model.Graph;
        if (graph.TopologicalOrder() is not { } order) return CfOutcome<ImmutableArray<ConditionalTable>>.Failure("the graph has a directed cycle");
        var markov = graph.Bidirected.Length == 0;
        var tables = ImmutableArray.CreateBuilder<ConditionalTable>();
        for (var i = 0; i < order.Length; i++)
        {
            var v = order[i];
            ImmutableArray<string> conditioning = markov ? [.. graph.Parents(v).OrderBy(p => order.IndexOf(p))] : [.. order.Take(i)];
            if (conditioning.Length > MaxConditioning)
                return CfOutcome<ImmutableArray<ConditionalTable>>.Failure($"'{v}' would be conditioned on {conditioning.Length} variables, more than the sampler's {MaxConditioning}");
            var p = new double[1 << conditioning.Length];
            for (var code = 0; code < p.Length; code++)
            {
                var given = Assignment.Of([.. conditioning.Select((c, bit) => (c, (code >> bit) & 1))]);
                var one = Assignment.Of((v, 1));
                if (model.TryProbability(one, given) is not { } value)
                    return CfOutcome<ImmutableArray<ConditionalTable>>.Failure(
                        $"{GivenModel.Term(one, given)} is missing; sampling needs every variable's probability for each configuration of its {(markov ? "parents" : "predecessors (the graph has latent confounders)")}");
                p[code] = value;
            }
            tables.Add(new ConditionalTable(v, conditioning, [.. p]));
        }
        return CfOutcome<ImmutableArray<ConditionalTable>>.Success(tables.ToImmutable());
    }

    /// <summary>n seeded draws, one 0/1 column per variable, in the tables' (topological) order.</summary>
    public static ImmutableDictionary<string, int[]> Sample(ImmutableArray<ConditionalTable> tables, int n, int seed)
    {
        var rng = new Random(seed);
        var index = tables.Select((t, i) => (t.Variable, i)).ToDictionary(t => t.Variable, t => t.i, StringComparer.Ordinal);
        var columns = tables.Select(_ => new int[n]).ToArray();
        var inputs = tables.Select(t => t.Conditioning.Select(c => index[c]).ToArray()).ToArray();
        for (var row = 0; row < n; row++)
            for (var i = 0; i < tables.Length; i++)
            {
                var code = 0;
                for (var bit = 0; bit < inputs[i].Length; bit++) code |= columns[inputs[i][bit]][row] << bit;
                columns[i][row] = rng.NextDouble() < tables[i].ProbabilityOfOne[code] ? 1 : 0;
            }
        return tables.Select((t, i) => (t.Variable, i)).ToImmutableDictionary(t => t.Variable, t => columns[t.i], StringComparer.Ordinal);
    }
}
