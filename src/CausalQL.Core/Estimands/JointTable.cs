namespace CausalQL.Estimands;

/// <summary>
/// An exact joint distribution over discrete variables stored flat and row-major (first variable
/// slowest, last fastest), as in the <c>observational</c> field of the conformance cases.
/// Marginal tables are computed once per variable subset and cached, so evaluating an estimand
/// with many terms costs one pass over the joint per distinct subset.
/// </summary>
public sealed class JointTable : IMarginalSource
{
    readonly string[] _variables;
    readonly int[] _cardinality;
    readonly double[] _p;
    readonly int[] _stride;
    readonly Dictionary<string, int> _index;
    readonly int[][] _domains;
    readonly Dictionary<string, double[]> _marginals = new(StringComparer.Ordinal);
    readonly object _gate = new();

    public JointTable(IReadOnlyList<string> variables, IReadOnlyList<int> cardinality, IReadOnlyList<double> p)
    {
        if (variables.Count != cardinality.Count)
            throw new ArgumentException("one cardinality per variable is needed", nameof(cardinality));
        _variables = [.. variables];
        _cardinality = [.. cardinality];
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _variables.Length; i++)
        {
            if (_cardinality[i] < 1) throw new ArgumentException($"variable '{_variables[i]}' has no values", nameof(cardinality));
            if (!_index.TryAdd(_variables[i], i)) throw new ArgumentException($"variable '{_variables[i]}' is listed twice", nameof(variables));
        }
        long size = 1;
        foreach (var k in _cardinality) size *= k;
        if (size != p.Count) throw new ArgumentException($"the table needs {size} entries, not {p.Count}", nameof(p));
        _p = [.. p];
        _stride = new int[_variables.Length];
        var s = 1;
        for (var i = _variables.Length - 1; i >= 0; i--) { _stride[i] = s; s *= _cardinality[i]; }
        _domains = [.. _cardinality.Select(k => Enumerable.Range(0, k).ToArray())];
    }

    public IReadOnlyList<string> Variables => _variables;
    public IReadOnlyList<int> Cardinality => _cardinality;
    /// <summary>The flat joint probabilities, row-major.</summary>
    public IReadOnlyList<double> Probabilities => _p;

    public IReadOnlyList<int> Domain(string variable) => _domains[Require(variable)];

    public double Marginal(IReadOnlyList<string> variables, IReadOnlyList<int> values)
    {
        if (variables.Count != values.Count) throw new ArgumentException("one value per variable is needed", nameof(values));
        if (variables.Count == 0) return 1.0;
        // Distinct column indices in table order; a column asked twice with two values has probability 0.
        Span<int> valueOf = _variables.Length <= 64 ? stackalloc int[_variables.Length] : new int[_variables.Length];
        valueOf.Fill(-1);
        for (var i = 0; i < variables.Count; i++)
        {
            var c = Require(variables[i]);
            var v = values[i];
            if (v < 0 || v >= _cardinality[c]) return 0.0;
            if (valueOf[c] >= 0 && valueOf[c] != v) return 0.0;
            valueOf[c] = v;
        }
        var columns = new List<int>();
        for (var c = 0; c < _variables.Length; c++) if (valueOf[c] >= 0) columns.Add(c);
        var table = MarginalTable(columns);
        var offset = 0;
        foreach (var c in columns) offset = offset * _cardinality[c] + valueOf[c];
        return table[offset];
    }

    /// <summary>
    /// A direct view of the marginal over <paramref name="variables"/> (distinct columns): the table and,
    /// for each requested variable in the given order, its stride and cardinality, so that
    /// P(variables = values) = table[Σ values[i]·strides[i]]. False when a column repeats.
    /// </summary>
    public bool TryGetMarginalView(IReadOnlyList<string> variables, out double[] table, out int[] strides, out int[] cardinalities)
    {
        var cols = new int[variables.Count];
        for (var i = 0; i < cols.Length; i++) cols[i] = Require(variables[i]);
        var sorted = cols.Distinct().Order().ToList();
        table = [];
        strides = [];
        cardinalities = [];
        if (sorted.Count != cols.Length) return false;
        table = MarginalTable(sorted);
        var strideOf = new Dictionary<int, int>();
        var s = 1;
        for (var k = sorted.Count - 1; k >= 0; k--) { strideOf[sorted[k]] = s; s *= _cardinality[sorted[k]]; }
        strides = [.. cols.Select(c => strideOf[c])];
        cardinalities = [.. cols.Select(c => _cardinality[c])];
        return true;
    }

    /// <summary>The marginal table over <paramref name="columns"/> (ascending), row-major in that order.</summary>
    double[] MarginalTable(List<int> columns)
    {
        var key = string.Join(",", columns);
        lock (_gate)
        {
            if (_marginals.TryGetValue(key, out var cached)) return cached;
        }
        var size = 1;
        foreach (var c in columns) size *= _cardinality[c];
        var table = new double[size];
        var n = _variables.Length;
        var digits = new int[n];
        for (var flat = 0; flat < _p.Length; flat++)
        {
            var offset = 0;
            foreach (var c in columns) offset = offset * _cardinality[c] + digits[c];
            table[offset] += _p[flat];
            // Advance the odometer (last variable fastest).
            for (var i = n - 1; i >= 0; i--)
            {
                if (++digits[i] < _cardinality[i]) break;
                digits[i] = 0;
            }
        }
        lock (_gate) { _marginals[key] = table; }
        return table;
    }

    int Require(string variable) =>
        _index.TryGetValue(variable, out var i) ? i : throw new ArgumentException($"'{variable}' is not a variable of this table", nameof(variable));
}
