using System.Globalization;

namespace CausalQL.Execution;

/// <summary>One column of an <see cref="InMemoryTable"/>: numbers (NaN = missing), text (null = missing) or booleans.</summary>
public abstract record InMemoryColumn(string Name)
{
    public abstract int Length { get; }
    public abstract StorageType Storage { get; }
    public abstract bool IsMissing(int row);
    public abstract string Label(int row);
    /// <summary>The value as a number (NaN when missing or not numeric).</summary>
    public abstract double Number(int row);
}

public sealed record NumberColumn(string Name, double[] Values) : InMemoryColumn(Name)
{
    public override int Length => Values.Length;
    public override StorageType Storage => StorageType.Number;
    public override bool IsMissing(int row) => double.IsNaN(Values[row]);
    public override string Label(int row) => ContingencyTable.LabelOf(Values[row]);
    public override double Number(int row) => Values[row];
}

public sealed record TextColumn(string Name, string?[] Values) : InMemoryColumn(Name)
{
    public override int Length => Values.Length;
    public override StorageType Storage => StorageType.Text;
    public override bool IsMissing(int row) => Values[row] is null;
    public override string Label(int row) => Values[row]!;
    public override double Number(int row) => double.NaN;
}

/// <summary>
/// A table held in .NET memory, for tests, tiny data and bootstrap replicates of a materialised
/// sample. It answers the same port as the SQL sources by evaluating the expressions itself.
/// </summary>
public sealed class InMemoryTable : IDataSource
{
    readonly Dictionary<string, InMemoryColumn> _columns;
    readonly double[]? _weights;
    readonly IndicatorCache _indicators;

    public InMemoryTable(IEnumerable<InMemoryColumn> columns, double[]? weights = null, string description = "table")
        : this(columns, weights, description, new IndicatorCache()) { }

    InMemoryTable(IEnumerable<InMemoryColumn> columns, double[]? weights, string description, IndicatorCache indicators)
    {
        _indicators = indicators;
        var list = columns.ToList();
        var lengths = list.Select(c => c.Length).Distinct().ToList();
        if (lengths.Count > 1) throw new ArgumentException("columns differ in length");
        RowCount = lengths.Count == 0 ? 0 : lengths[0];
        if (weights is not null && weights.Length != RowCount) throw new ArgumentException("weights differ in length from the columns");
        _columns = list.ToDictionary(c => c.Name);
        _weights = weights;
        Schema = list.Select(c => new ColumnSchema(c.Name, c.Storage)).ToList();
        Description = description;
    }

    public static InMemoryTable FromNumbers(IReadOnlyDictionary<string, double[]> columns, double[]? weights = null) =>
        new(columns.Select(kv => (InMemoryColumn)new NumberColumn(kv.Key, kv.Value)), weights);

    public int RowCount { get; }
    public string Description { get; }
    public IReadOnlyList<ColumnSchema> Schema { get; }
    public string? WeightColumn => _weights is null ? null : "(weights)";

    /// <summary>Every scan is arithmetic over memory.</summary>
    public bool RescansCheaply(Expr? filter) => true;
    public InMemoryColumn this[string name] => _columns[name];

    /// <summary>The same columns with other frequency weights (bootstrap replicates, subsets).</summary>
    public InMemoryTable WithWeights(double[] weights) => new(_columns.Values, weights, Description, _indicators);

    /// <summary>A copy with one more column (refutations add random columns).</summary>
    public InMemoryTable With(InMemoryColumn column) =>
        new(_columns.Values.Where(c => c.Name != column.Name).Append(column), _weights, Description, _indicators);

    double W(int row) => _weights?[row] ?? 1;

    /// <summary>The frequency weight of a row (1 when unweighted).</summary>
    public double Weight(int row) => W(row);

    ExecError? Unknown(IEnumerable<string> names)
    {
        foreach (var n in names)
            if (!_columns.ContainsKey(n)) return new ExecError($"column '{n}' does not exist in {Description}", n);
        return null;
    }

    public Result<TableProfile> Profile(IReadOnlyList<string> columns, Expr? filter, CancellationToken cancellationToken = default)
    {
        if (Unknown(columns.Concat(filter?.Columns() ?? [])) is { } err) return err;
        var keep = Compile(filter);
        long rows = 0, complete = 0;
        double weight = 0, completeWeight = 0;
        var nonNull = new long[columns.Count];
        var min = Enumerable.Repeat(double.PositiveInfinity, columns.Count).ToArray();
        var max = Enumerable.Repeat(double.NegativeInfinity, columns.Count).ToArray();
        var zeroOne = Enumerable.Repeat(true, columns.Count).ToArray();
        var cols = columns.Select(c => _columns[c]).ToArray();
        for (var r = 0; r < RowCount; r++)
        {
            if (!Keeps(keep, r)) continue;
            rows++;
            weight += W(r);
            var all = true;
            for (var i = 0; i < cols.Length; i++)
            {
                if (cols[i].IsMissing(r)) { all = false; continue; }
                nonNull[i]++;
                var v = cols[i].Number(r);
                if (double.IsNaN(v)) continue;
                min[i] = Math.Min(min[i], v);
                max[i] = Math.Max(max[i], v);
                if (v != 0 && v != 1) zeroOne[i] = false;
            }
            if (all) { complete++; completeWeight += W(r); }
        }
        var profiles = cols.Select((c, i) => new ColumnProfile(c.Name, c.Storage, nonNull[i], min[i], max[i], zeroOne[i] && nonNull[i] > 0)).ToList();
        return new TableProfile(rows, complete, weight, completeWeight, profiles);
    }

    public Result<ContingencyTable> Counts(IReadOnlyList<string> variables, Expr? filter, CancellationToken cancellationToken = default)
    {
        if (Unknown(variables.Concat(filter?.Columns() ?? [])) is { } err) return err;
        var keep = Compile(filter);
        var cols = variables.Select(v => _columns[v]).ToArray();
        var groups = new Dictionary<string, (string?[] Labels, double Count)>(StringComparer.Ordinal);
        long rows = 0;
        for (var r = 0; r < RowCount; r++)
        {
            if (!Keeps(keep, r)) continue;
            rows++;
            var labels = cols.Select(c => c.IsMissing(r) ? null : c.Label(r)).ToArray();
            var key = string.Join("\u0001", labels.Select(l => l ?? "\u0000"));
            groups[key] = groups.TryGetValue(key, out var g) ? (g.Labels, g.Count + W(r)) : (labels, W(r));
        }
        return ContingencyTable.Build(variables, groups.Values, rows);
    }

    public Result<SumsResult> Sums(IReadOnlyList<Expr> terms, Expr? filter, CancellationToken cancellationToken = default)
    {
        if (Unknown(ColumnsRead(terms.Append(filter))) is { } err) return err;
        if (terms.All(ColumnEvaluator.Supports) && (filter is null || ColumnEvaluator.Supports(filter)))
            return SumsByColumn(terms, filter);
        var keep = Compile(filter);
        // Heavy sub-expressions (a fitted propensity used by hundreds of terms) once per row, into slots.
        var rewritten = Hoisting.Rewrite(terms, out var heavy);
        var hf = heavy.Select(CompileExpr).ToArray();
        var slots = new double[hf.Length];
        var fs = rewritten.Select(t => CompileExpr(t, slots)).ToArray();
        var sums = new double[fs.Length];
        double n = 0;
        long rows = 0;
        for (var r = 0; r < RowCount; r++)
        {
            if (!Keeps(keep, r)) continue;
            var w = W(r);
            rows++;
            n += w;
            if (w == 0) continue;
            for (var k = 0; k < hf.Length; k++) slots[k] = hf[k](r);
            for (var i = 0; i < fs.Length; i++) sums[i] += w * fs[i](r);
        }
        return new SumsResult(sums, n, rows);
    }

    /// <summary>
    /// <see cref="Sums"/> a block of rows at a time: each distinct sub-expression is evaluated once over the
    /// block into a buffer (this replaces per-row hoisting slots), then every term's products with the weights are added in row order, so
    /// each sum sees exactly the additions of the row-at-a-time loop.
    /// </summary>
    SumsResult SumsByColumn(IReadOnlyList<Expr> terms, Expr? filter)
    {
        var evaluator = new ColumnEvaluator(_columns, _indicators);
        var keep = filter is null ? null : evaluator.Compile(filter, null);
        var fs = terms.Select(t => evaluator.Compile(t, null)).ToArray();
        var sums = new double[fs.Length];
        var use = new bool[ColumnEvaluator.Block];
        var ones = new double[ColumnEvaluator.Block];
        Array.Fill(ones, 1.0);
        double n = 0;
        long rows = 0;
        for (var start = 0; start < RowCount; start += ColumnEvaluator.Block)
        {
            var len = Math.Min(ColumnEvaluator.Block, RowCount - start);
            var w = _weights is null ? ones.AsSpan(0, len) : _weights.AsSpan(start, len);
            var k = keep is null ? default : keep(start, len);
            var any = false;
            for (var i = 0; i < len; i++)
            {
                var kept = keep is null || (k[i] != 0 && !double.IsNaN(k[i]));
                if (kept) { rows++; n += w[i]; }
                use[i] = kept && w[i] != 0;
                any |= use[i];
            }
            if (!any) continue;
            for (var t = 0; t < fs.Length; t++)
            {
                var v = fs[t](start, len);
                var acc = sums[t];
                for (var i = 0; i < len; i++)
                    if (use[i]) acc += w[i] * v[i];
                sums[t] = acc;
            }
        }
        return new SumsResult(sums, n, rows);
    }

    public Result<long> Rows(IReadOnlyList<Expr> columns, Expr? filter, int batchSize, Action<RowBatch> onBatch, CancellationToken cancellationToken = default)
    {
        if (Unknown(columns.SelectMany(t => t.Columns()).Concat(filter?.Columns() ?? [])) is { } err) return err;
        var keep = Compile(filter);
        var fs = columns.Select(Compile).ToArray();
        long total = 0;
        var buffer = fs.Select(_ => new double[batchSize]).ToArray();
        var weights = new double[batchSize];
        var count = 0;
        for (var r = 0; r < RowCount; r++)
        {
            if (!Keeps(keep, r)) continue;
            for (var i = 0; i < fs.Length; i++) buffer[i][count] = fs[i]!(r);
            weights[count] = W(r);
            if (++count == batchSize)
            {
                onBatch(new RowBatch(count, buffer, weights));
                total += count;
                count = 0;
                buffer = fs.Select(_ => new double[batchSize]).ToArray();
                weights = new double[batchSize];
            }
        }
        if (count > 0) { onBatch(new RowBatch(count, buffer, weights)); total += count; }
        return total;
    }

    /// <summary>The columns read by some expressions, visiting each shared subtree once (the terms of a fit share their predictor).</summary>
    static IEnumerable<string> ColumnsRead(IEnumerable<Expr?> exprs)
    {
        var seen = new HashSet<Expr>(ReferenceEqualityComparer.Instance);
        var names = new List<string>();
        var stack = new Stack<Expr>(exprs.OfType<Expr>());
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            if (!seen.Add(e)) continue;
            switch (e)
            {
                case ColumnRef c: names.Add(c.Name); break;
                case LevelIs l: names.Add(l.Column); break;
                case IsNotNull n: names.Add(n.Column); break;
                case Binary b: stack.Push(b.Right); stack.Push(b.Left); break;
                case Power p: stack.Push(p.Base); break;
                case Call c: stack.Push(c.Arg); break;
                case Clamp c: stack.Push(c.Arg); break;
                case Compare c: stack.Push(c.Right); stack.Push(c.Left); break;
                case Conjunction c: stack.Push(c.Right); stack.Push(c.Left); break;
            }
        }
        return names;
    }

    static bool Keeps(Func<int, double>? keep, int row)
    {
        if (keep is null) return true;
        var v = keep(row);
        return v != 0 && !double.IsNaN(v);
    }

    Func<int, double>? Compile(Expr? e) => e is null ? null : CompileExpr(e);

    Func<int, double> CompileExpr(Expr e) => CompileExpr(e, null);

    Func<int, double> CompileExpr(Expr e, double[]? slots)
    {
        switch (e)
        {
            case Constant c: { var v = c.Value; return _ => v; }
            case RandomUniform: { var rng = new Random(RowCount); return _ => rng.NextDouble(); }
            case ColumnRef c when slots is not null && c.Name.StartsWith(Hoisting.Prefix, StringComparison.Ordinal) && !_columns.ContainsKey(c.Name):
                { var k = int.Parse(c.Name.AsSpan(Hoisting.Prefix.Length), provider: System.Globalization.CultureInfo.InvariantCulture); return _ => slots[k]; }
            case ColumnRef c: { var col = _columns[c.Name]; return col.Number; }
            case LevelIs l:
                {
                    var col = _columns[l.Column];
                    var label = l.Label;
                    return r => col.IsMissing(r) ? double.NaN : ContingencyTable.SameLabel(col.Label(r), label) ? 1 : 0;
                }
            case IsNotNull n: { var col = _columns[n.Column]; return r => col.IsMissing(r) ? 0 : 1; }
            case Binary b:
                {
                    var l = CompileExpr(b.Left, slots);
                    var rr = CompileExpr(b.Right, slots);
                    return b.Op switch
                    {
                        BinaryOp.Add => r => l(r) + rr(r),
                        BinaryOp.Sub => r => l(r) - rr(r),
                        BinaryOp.Mul => r => l(r) * rr(r),
                        _ => r => l(r) / rr(r),
                    };
                }
            case Power p:
                {
                    var b = CompileExpr(p.Base, slots);
                    var k = p.Exponent;
                    return k == 2 ? r => { var x = b(r); return x * x; } : r => Math.Pow(b(r), k);
                }
            case Call c:
                {
                    var a = CompileExpr(c.Arg, slots);
                    return c.Fn switch
                    {
                        Function.Exp => r => Math.Exp(a(r)),
                        Function.Log => r => Math.Log(a(r)),
                        _ => r => 1 / (1 + Math.Exp(-Math.Clamp(a(r), -700, 700))),
                    };
                }
            case Clamp c: { var a = CompileExpr(c.Arg, slots); var lo = c.Lo; var hi = c.Hi; return r => Math.Clamp(a(r), lo, hi); }
            case Compare c:
                {
                    var l = CompileExpr(c.Left, slots);
                    var rr = CompileExpr(c.Right, slots);
                    return c.Op switch { CompareOp.Less => r => l(r) < rr(r) ? 1 : 0, CompareOp.Greater => r => l(r) > rr(r) ? 1 : 0, _ => r => l(r) == rr(r) ? 1 : 0 };
                }
            case Conjunction c:
                {
                    var l = CompileExpr(c.Left, slots);
                    var rr = CompileExpr(c.Right, slots);
                    return r => { var a = l(r); return a != 0 && !double.IsNaN(a) && rr(r) is var b && b != 0 && !double.IsNaN(b) ? 1 : 0; };
                }
            default: throw new ArgumentOutOfRangeException(nameof(e), e, "unknown expression");
        }
    }

    public void Dispose() { }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Description} ({RowCount} rows)");
}
