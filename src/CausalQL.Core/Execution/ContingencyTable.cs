using System.Collections.Concurrent;
using System.Globalization;
using CausalQL.Estimands;
using MathNet.Numerics.Distributions;

namespace CausalQL.Execution;

/// <summary>
/// Weighted counts over discrete variables, dense and row-major (first variable slowest). Each
/// variable's levels are coded 0..k-1 in sorted order (numerically when all labels are numbers)
/// and the labels are kept. As an <see cref="IMarginalSource"/> it answers any marginal of the
/// empirical distribution, which is what the estimand evaluator needs for a plug-in estimate.
/// </summary>
public sealed class ContingencyTable : IMarginalSource
{
    readonly Dictionary<string, int> _index;
    readonly int[] _strides;
    readonly ConcurrentDictionary<string, double[]> _marginals = new();

    ContingencyTable(IReadOnlyList<string> variables, IReadOnlyList<IReadOnlyList<string>> levels, double[] counts, double missing, long rows)
    {
        Variables = variables;
        Levels = levels;
        Cells = counts;
        Missing = missing;
        Rows = rows;
        Total = counts.Sum();
        _index = variables.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i);
        _strides = new int[variables.Count];
        var stride = 1;
        for (var i = variables.Count - 1; i >= 0; i--) { _strides[i] = stride; stride *= levels[i].Count; }
    }

    /// <summary>Largest dense table we build; beyond it the variables are not discrete enough for plug-in.</summary>
    public const int MaxCells = 20_000_000;

    public IReadOnlyList<string> Variables { get; }
    public IReadOnlyList<IReadOnlyList<string>> Levels { get; }
    /// <summary>Counts (or weight sums) per cell, row-major.</summary>
    public double[] Cells { get; }
    /// <summary>Total weight of the complete rows counted.</summary>
    public double Total { get; }
    /// <summary>Weight of the rows left out because a variable was missing.</summary>
    public double Missing { get; }
    /// <summary>Physical rows seen by the query (complete or not); equals Total + Missing for unweighted data.</summary>
    public long Rows { get; }

    /// <summary>Builds a table from GROUP BY output rows (labels per variable, null = missing, and the count).</summary>
    public static Result<ContingencyTable> Build(IReadOnlyList<string> variables, IEnumerable<(string?[] Labels, double Count)> groups, long rows = -1)
    {
        var list = groups.ToList();
        double missing = 0;
        var complete = new List<(string?[] Labels, double Count)>();
        foreach (var g in list)
        {
            if (g.Labels.Any(l => l is null)) missing += g.Count;
            else complete.Add(g);
        }
        var levels = new List<IReadOnlyList<string>>();
        long cells = 1;
        for (var i = 0; i < variables.Count; i++)
        {
            var labels = complete.Select(g => g.Labels[i]!).Distinct(StringComparer.Ordinal).ToList();
            labels.Sort(CompareLabels);
            levels.Add(labels);
            cells *= Math.Max(labels.Count, 1);
            if (cells > MaxCells)
                return Result<ContingencyTable>.Fail(
                    $"too many distinct value combinations for a plug-in estimate (column '{variables[i]}' has {labels.Count} levels); use a model-based method", variables[i]);
        }
        var counts = new double[cells];
        var lookup = levels.Select(l => l.Select((label, code) => (label, code)).ToDictionary(p => p.label, p => p.code, StringComparer.Ordinal)).ToList();
        var strides = new int[variables.Count];
        var stride = 1;
        for (var i = variables.Count - 1; i >= 0; i--) { strides[i] = stride; stride *= levels[i].Count; }
        foreach (var (labels, count) in complete)
        {
            var idx = 0;
            for (var i = 0; i < labels.Length; i++) idx += lookup[i][labels[i]!] * strides[i];
            counts[idx] += count;
        }
        return new ContingencyTable(variables.ToList(), levels, counts, missing, rows < 0 ? (long)Math.Round(list.Sum(g => g.Count)) : rows);
    }

    /// <summary>Numbers sort numerically and before text; text sorts ordinally.</summary>
    public static int CompareLabels(string a, string b)
    {
        var an = double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x);
        var bn = double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y);
        return (an, bn) switch
        {
            (true, true) => x.CompareTo(y),
            (true, false) => -1,
            (false, true) => 1,
            _ => string.CompareOrdinal(a, b),
        };
    }

    /// <summary>The invariant label of a number as data sources print it (1.0 prints as "1").</summary>
    public static string LabelOf(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);

    public bool Has(string variable) => _index.ContainsKey(variable);

    /// <summary>The code of a level label, or -1 when the data never show it.</summary>
    public int Code(string variable, string label)
    {
        var levels = Levels[_index[variable]];
        for (var i = 0; i < levels.Count; i++)
            if (SameLabel(levels[i], label)) return i;
        return -1;
    }

    /// <summary>Labels match when equal as text or as numbers ("1" and "1.0").</summary>
    public static bool SameLabel(string a, string b) =>
        a == b || double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
               && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y) && x == y;

    public string Label(string variable, int code) => Levels[_index[variable]][code];

    IReadOnlyList<string> IMarginalSource.Variables => Variables;

    public IReadOnlyList<int> Domain(string variable) => Enumerable.Range(0, Levels[_index[variable]].Count).ToArray();

    public double Marginal(IReadOnlyList<string> variables, IReadOnlyList<int> values)
    {
        if (variables.Count == 0) return 1;
        if (Total <= 0) return double.NaN;
        // Project once per variable subset (in table order), then index: the evaluator asks many times.
        var positions = variables.Select(v => _index.TryGetValue(v, out var p) ? p : throw new ArgumentException($"variable '{v}' is not in the table")).ToArray();
        var sorted = positions.Distinct().Order().ToArray();
        var key = string.Join(",", sorted);
        var marginal = _marginals.GetOrAdd(key, _ => Project(sorted));
        var idx = 0;
        var stride = 1;
        var assigned = new int[sorted.Length];
        Array.Fill(assigned, -1);
        for (var i = 0; i < positions.Length; i++)
        {
            var slot = Array.IndexOf(sorted, positions[i]);
            if (values[i] < 0 || values[i] >= Levels[positions[i]].Count) return 0;
            if (assigned[slot] >= 0 && assigned[slot] != values[i]) return 0;  // the same variable bound to two values
            assigned[slot] = values[i];
        }
        for (var s = sorted.Length - 1; s >= 0; s--) { idx += assigned[s] * stride; stride *= Levels[sorted[s]].Count; }
        return marginal[idx] / Total;
    }

    double[] Project(int[] keep)
    {
        var size = keep.Aggregate(1, (acc, p) => acc * Levels[p].Count);
        var result = new double[size];
        var strides = new int[keep.Length];
        var stride = 1;
        for (var s = keep.Length - 1; s >= 0; s--) { strides[s] = stride; stride *= Levels[keep[s]].Count; }
        for (var cell = 0; cell < Cells.Length; cell++)
        {
            if (Cells[cell] == 0) continue;
            var idx = 0;
            for (var s = 0; s < keep.Length; s++)
                idx += cell / _strides[keep[s]] % Levels[keep[s]].Count * strides[s];
            result[idx] += Cells[cell];
        }
        return result;
    }

    /// <summary>The same table with the given cell counts (levels kept).</summary>
    public ContingencyTable WithCells(double[] cells) => new(Variables, Levels, cells, 0, Rows);

    /// <summary>
    /// A bootstrap replicate: n = round(Total) draws from the multinomial over the cells, done as a
    /// chain of exact binomial draws, so no row is read again.
    /// </summary>
    public ContingencyTable Resample(Random rng) =>
        new(Variables, Levels, Sampling.Multinomial(rng, (long)Math.Round(Total), Cells), 0, Rows);
}

/// <summary>Exact samplers that stay fast for millions of trials.</summary>
public static class Sampling
{
    /// <summary>
    /// Counts of <paramref name="n"/> draws over categories with probability proportional to
    /// <paramref name="weights"/> (non-positive weights are never drawn): a chain of exact binomial draws,
    /// O(categories · log n) whatever n is.
    /// </summary>
    public static double[] Multinomial(Random rng, long n, IReadOnlyList<double> weights)
    {
        var result = new double[weights.Count];
        var remainingMass = weights.Where(w => w > 0).Sum();
        var remaining = n;
        for (var i = 0; i < weights.Count && remaining > 0; i++)
        {
            if (weights[i] <= 0) continue;
            var k = Binomial(rng, remaining, remainingMass <= 0 ? 1 : Math.Min(1, weights[i] / remainingMass));
            result[i] = k;
            remaining -= k;
            remainingMass -= weights[i];
        }
        return result;
    }

    /// <summary>
    /// Binomial(n, p), exact: small n by counting, large n by splitting on a beta-distributed order
    /// statistic (Devroye, Non-Uniform Random Variate Generation, ch. X.4), O(log n) beta draws.
    /// </summary>
    public static long Binomial(Random rng, long n, double p)
    {
        long result = 0;
        while (true)
        {
            if (n <= 0 || p <= 0) return result;
            if (p >= 1) return result + n;
            if (n <= 64)
            {
                for (var i = 0; i < n; i++) if (rng.NextDouble() < p) result++;
                return result;
            }
            var a = n / 2 + 1;
            var u = Beta.Sample(rng, a, n + 1 - a);  // the a-th smallest of n uniforms
            if (u < p)
            {
                result += a;
                n -= a;
                p = (p - u) / (1 - u);
            }
            else
            {
                n = a - 1;
                p /= u;
            }
        }
    }
}
