using System.Collections.Immutable;
using CausalQL.Conformance;
using CausalQL.Estimands;
using CausalQL.Graphs;

namespace CausalQL.Identification;

/// <summary>A causal query P(Y | do(X), Z).</summary>
public sealed record CausalQuery(VarSet Outcome, VarSet Treatment, VarSet Condition)
{
    public static CausalQuery Of(VarSet y, VarSet x, VarSet? z = null) => new(y, x, z ?? VarSet.Empty);
    public override string ToString() => Identifier.QueryText(Outcome, Treatment, Condition);
}

/// <summary>The largest error of an estimand over random models consistent with the graph.</summary>
public sealed record VerifyReport(bool Passed, double MaxError, int Models, ImmutableArray<double> ErrorPerModel, string Message);

/// <summary>
/// Checks an estimand numerically: draws random discrete SCMs consistent with G (each bidirected edge
/// a binary latent parent of both ends, every conditional table entry at least 0.05), computes the
/// truth by exact enumeration of the mutilated model, evaluates the estimand on the observational
/// joint and reports the largest error. Seeded: the same seed gives the same models.
/// </summary>
public static class Verifier
{
    public const double Tolerance = 1e-9;
    /// <summary>Observed plus latent variables above which exact enumeration is refused.</summary>
    public const int MaxEnumeratedVariables = 22;

    public static VerifyReport Verify(CausalGraph graph, CausalQuery query, Estimand estimand, int models = 5, int seed = 1, int cardinality = 2, CancellationToken ct = default)
    {
        if (graph.FindCycle() is { } cycle)
            return new VerifyReport(false, double.NaN, 0, [], $"the graph has a directed cycle: {string.Join(" -> ", cycle)}");
        var g = graph.ProjectLatents();
        var total = g.Count + g.Bidirected.Length;
        if (total > MaxEnumeratedVariables)
            return new VerifyReport(false, double.NaN, 0, [],
                $"the graph has {g.Count} observed and {g.Bidirected.Length} latent variables; exact enumeration is limited to {MaxEnumeratedVariables}");
        foreach (var n in query.Outcome.Union(query.Treatment).Union(query.Condition))
            if (!g.Contains(n)) return new VerifyReport(false, double.NaN, 0, [], $"'{n}' is not an observed variable of the graph");

        var random = new Random(seed);
        var errors = ImmutableArray.CreateBuilder<double>(models);
        string? worst = null;
        for (var m = 0; m < models; m++)
        {
            ct.ThrowIfCancellationRequested();
            var model = RandomScm.Draw(g, cardinality, random);
            var observational = model.Joint(ImmutableDictionary<int, int>.Empty);
            var truth = model.Truth(query, observational);
            var check = EstimandCheck.Check(estimand, observational, truth, ct);
            errors.Add(check.MaxError);
            if (!check.Passed && worst is null) worst = $"model {m + 1}: {check.Message}";
        }
        var max = errors.Count == 0 ? 0 : errors.Max();
        var passed = max <= Tolerance;
        return new VerifyReport(passed, max, models, errors.ToImmutable(),
            passed ? $"largest error {max:G3} over {models} random models (seed {seed})" : $"largest error {max:G3} over {models} random models (seed {seed}); {worst}");
    }
}

/// <summary>A random discrete SCM over an ADMG: one binary latent per bidirected edge.</summary>
internal sealed class RandomScm
{
    readonly CausalGraph _g;
    readonly int[] _card;                 // observed cardinalities, then latents (2)
    readonly int[][] _parents;            // for each observed node: observed parents then latent parents (indices into the full vector)
    readonly double[][] _table;           // for each observed node: P(v | parents), row-major over parents then v
    readonly double[][] _latent;          // for each latent: its marginal
    readonly int _n;

    RandomScm(CausalGraph g, int[] card, int[][] parents, double[][] table, double[][] latent)
    {
        _g = g; _card = card; _parents = parents; _table = table; _latent = latent; _n = g.Count;
    }

    public static RandomScm Draw(CausalGraph g, int cardinality, Random random)
    {
        var n = g.Count;
        var latents = g.Bidirected.Length;
        var card = new int[n + latents];
        for (var i = 0; i < n; i++) card[i] = cardinality;
        for (var l = 0; l < latents; l++) card[n + l] = 2;
        var parents = new int[n][];
        for (var i = 0; i < n; i++)
        {
            var list = g.ParentIndices(i).ToArray().ToList();
            for (var l = 0; l < latents; l++)
            {
                var (a, b) = g.Bidirected[l];
                if (g.IndexOf(a) == i || g.IndexOf(b) == i) list.Add(n + l);
            }
            parents[i] = [.. list];
        }
        var table = new double[n][];
        for (var i = 0; i < n; i++)
        {
            var rows = parents[i].Aggregate(1, (acc, p) => acc * card[p]);
            table[i] = new double[rows * card[i]];
            for (var r = 0; r < rows; r++) FillDistribution(table[i].AsSpan(r * card[i], card[i]), random);
        }
        var latent = new double[latents][];
        for (var l = 0; l < latents; l++) { latent[l] = new double[2]; FillDistribution(latent[l], random); }
        return new RandomScm(g, card, parents, table, latent);
    }

    /// <summary>A random distribution with every entry at least 0.05.</summary>
    static void FillDistribution(Span<double> p, Random random)
    {
        var floor = 0.05;
        var weights = new double[p.Length];
        var sum = 0.0;
        for (var k = 0; k < p.Length; k++) { weights[k] = -Math.Log(1 - random.NextDouble()); sum += weights[k]; }
        var free = 1 - floor * p.Length;
        for (var k = 0; k < p.Length; k++) p[k] = floor + free * weights[k] / sum;
    }

    /// <summary>The joint over the observed variables under do(intervention) (empty: observational).</summary>
    public JointTable Joint(IReadOnlyDictionary<int, int> intervention)
    {
        var total = _card.Length;
        var size = 1;
        for (var i = 0; i < _n; i++) size *= _card[i];
        var p = new double[size];
        var values = new int[total];
        while (true)
        {
            var weight = 1.0;
            var consistent = true;
            for (var l = _n; l < total; l++) weight *= _latent[l - _n][values[l]];
            for (var i = 0; i < _n && consistent; i++)
            {
                if (intervention.TryGetValue(i, out var forced))
                {
                    if (values[i] != forced) consistent = false;
                    continue;
                }
                var row = 0;
                foreach (var q in _parents[i]) row = row * _card[q] + values[q];
                weight *= _table[i][row * _card[i] + values[i]];
            }
            if (consistent)
            {
                var flat = 0;
                for (var i = 0; i < _n; i++) flat = flat * _card[i] + values[i];
                p[flat] += weight;
            }
            var k = total - 1;
            for (; k >= 0; k--)
            {
                if (++values[k] < _card[k]) break;
                values[k] = 0;
            }
            if (k < 0) break;
        }
        return new JointTable([.. _g.Nodes], [.. _card.Take(_n)], p);
    }

    /// <summary>P(y | do(x), z) for every x and z, in the conformance row shape.</summary>
    public InterventionalTruth Truth(CausalQuery q, JointTable observational)
    {
        var outcome = q.Outcome.ToArray();
        var treatment = q.Treatment.ToArray();
        var condition = q.Condition.ToArray();
        var rows = ImmutableArray.CreateBuilder<InterventionalRow>();
        foreach (var xs in Assignments(treatment.Select(t => _card[_g.IndexOf(t)]).ToArray()))
        {
            var intervention = new Dictionary<int, int>();
            for (var i = 0; i < treatment.Length; i++) intervention[_g.IndexOf(treatment[i])] = xs[i];
            var joint = treatment.Length == 0 ? observational : Joint(intervention);
            foreach (var zs in Assignments(condition.Select(c => _card[_g.IndexOf(c)]).ToArray()))
            {
                var pz = joint.Marginal(condition, zs);
                var ps = ImmutableArray.CreateBuilder<double>();
                foreach (var ys in Assignments(outcome.Select(o => _card[_g.IndexOf(o)]).ToArray()))
                    ps.Add(joint.Marginal([.. outcome, .. condition], [.. ys, .. zs]) / pz);
                rows.Add(new InterventionalRow(
                    treatment.Select((t, i) => (t, xs[i])).ToImmutableDictionary(p => p.t, p => p.Item2, StringComparer.Ordinal),
                    condition.Select((c, i) => (c, zs[i])).ToImmutableDictionary(p => p.c, p => p.Item2, StringComparer.Ordinal),
                    ps.ToImmutable()));
            }
        }
        return new InterventionalTruth([.. outcome], rows.ToImmutable());
    }

    static IEnumerable<int[]> Assignments(int[] domains)
    {
        var values = new int[domains.Length];
        while (true)
        {
            yield return (int[])values.Clone();
            var k = domains.Length - 1;
            for (; k >= 0; k--)
            {
                if (++values[k] < domains[k]) break;
                values[k] = 0;
            }
            if (k < 0) yield break;
        }
    }
}
