using System.Runtime.CompilerServices;

namespace CausalQL.Execution;

/// <summary>
/// Σ w·term over rows that an engine hands over in blocks of double columns (DuckDB's vectors),
/// for <see cref="IDataSource.Sums"/>: the engine reads, filters and decodes the rows and computes
/// only the leaves (<see cref="Inputs"/>: columns, level indicators, random draws); every term is
/// evaluated here, column-wise with shared sub-expressions, and summed with SIMD. Engines evaluate
/// a few dozen aggregates of long expressions far slower than this (each aggregate its own
/// expression tree, the fitted propensity recomputed per term), so this keeps a scan near the cost
/// of decoding it.
/// Semantics follow SQL's SUM: a row whose term is missing (NaN: a NULL input) adds nothing to that
/// term, N is the weight total over all rows handed over, Rows counts them.
/// </summary>
public sealed class BlockSumsPlan
{
    const string InputPrefix = "\u0002in";

    readonly List<Expr> _terms;

    BlockSumsPlan(List<Expr> terms, List<Expr> inputs, bool weighted, int capacity)
    {
        _terms = terms;
        Inputs = inputs;
        Weighted = weighted;
        Capacity = capacity;
    }

    /// <summary>The per-row values the engine computes, in the order it passes them; the weight last when weighted.</summary>
    public IReadOnlyList<Expr> Inputs { get; }
    public bool Weighted { get; }
    /// <summary>The most rows one block may hold.</summary>
    public int Capacity { get; }
    public int TermCount => _terms.Count;

    /// <summary>
    /// A plan for the terms, or null when some node cannot be evaluated here (then the engine's own SQL does it).
    /// Text columns read as numbers are left to the engine, which reports them.
    /// </summary>
    public static BlockSumsPlan? Create(IReadOnlyList<Expr> terms, Func<string, StorageType?> storageOf, string? weightColumn, int capacity)
    {
        var inputs = new List<Expr>();
        var index = new Dictionary<Expr, int>();
        var ok = true;
        Expr Leaf(Expr leaf)
        {
            if (!index.TryGetValue(leaf, out var i))
            {
                i = inputs.Count;
                index[leaf] = i;
                inputs.Add(leaf);
            }
            return new ColumnRef(InputPrefix + i);
        }
        Expr Rewrite(Expr e)
        {
            switch (e)
            {
                case ColumnRef c:
                    if (storageOf(c.Name) is not (StorageType.Number or StorageType.Boolean)) ok = false;
                    return Leaf(c);
                // On number and boolean columns (NULL arrives as NaN) the indicators are comparisons
                // done here, so the engine passes the bare column instead of computing a CASE per row.
                // NaN compares unequal to everything, itself included, as NULL makes SQL's CASE give 0.
                case LevelIs l when storageOf(l.Column) is StorageType.Number or StorageType.Boolean:
                    return Expr.Equal(Leaf(new ColumnRef(l.Column)), new Constant(LevelValue(l.Label, storageOf(l.Column)!.Value)));
                case IsNotNull n when storageOf(n.Column) is StorageType.Number or StorageType.Boolean:
                    {
                        var column = Leaf(new ColumnRef(n.Column));
                        return Expr.Equal(column, column);
                    }
                case LevelIs or IsNotNull or RandomUniform: return Leaf(e);
                case Constant: return e;
                case Binary b: return new Binary(b.Op, Rewrite(b.Left), Rewrite(b.Right));
                case Power p: return new Power(Rewrite(p.Base), p.Exponent);
                case Call c: return new Call(c.Fn, Rewrite(c.Arg));
                case Clamp c: return new Clamp(Rewrite(c.Arg), c.Lo, c.Hi);
                case Compare c: return new Compare(c.Op, Rewrite(c.Left), Rewrite(c.Right));
                case Conjunction c: return new Conjunction(Rewrite(c.Left), Rewrite(c.Right));
                default: ok = false; return e;
            }
        }
        var rewritten = terms.Select(Rewrite).ToList();
        if (!ok || !rewritten.All(ColumnEvaluator.Supports)) return null;
        if (weightColumn is not null)
        {
            if (storageOf(weightColumn) is not (StorageType.Number or StorageType.Boolean)) return null;
            // The weight is always its own input (last), even when a term reads the same column.
            inputs.Add(new ColumnRef(weightColumn));
        }
        return new BlockSumsPlan(rewritten, inputs, weightColumn is not null, capacity);
    }

    /// <summary>The value a level label stands for in a number or boolean column, as the SQL dialects read it (NaN: matches no row).</summary>
    static double LevelValue(string label, StorageType storage) => storage switch
    {
        StorageType.Boolean => label is "1" or "true" or "TRUE" or "True" ? 1 : 0,
        _ => double.TryParse(label, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : double.NaN,
    };

    /// <summary>State for one engine thread: its own buffers, compiled terms and partial sums.</summary>
    public BlockSumsWorker NewWorker() => new(this, _terms);

    /// <summary>State for one engine thread that keeps each row's term values instead of summing them (a sample read in the scan).</summary>
    public BlockRowsWorker NewCollector() => new(this, _terms);

    /// <summary>
    /// State for one thread that hands each block's term values (and weights) to <paramref name="onBlock"/> in arrays
    /// it reuses for the next block: the callee reads or copies them during the call.
    /// </summary>
    public BlockRowsWorker NewStreamer(Action<RowBatch> onBlock) => new(this, _terms, onBlock);

    /// <summary>The totals of all workers (each worker saw a disjoint part of the rows).</summary>
    public SumsResult Merge(IEnumerable<BlockSumsWorker> workers)
    {
        var sums = new double[_terms.Count];
        double n = 0;
        long rows = 0;
        foreach (var w in workers)
        {
            for (var i = 0; i < sums.Length; i++) sums[i] += w.Sums[i];
            n += w.N;
            rows += w.Rows;
        }
        return new SumsResult(sums, n, rows);
    }

    internal static string InputName(int i) => InputPrefix + i;
}

/// <summary>One thread's share of a <see cref="BlockSumsPlan"/>: the engine fills <see cref="Input"/> and calls <see cref="Add"/>.</summary>
public sealed class BlockSumsWorker : IBlockConsumer
{
    readonly BlockInputs _inputs;
    // A term is summed as the product of its factors (the left spine of its products, at most four
    // with the weight, which comes first), multiplied element by element in the tree's order and never
    // stored. Terms whose factors agree but for the last share a group: per vector of rows the common
    // prefix is multiplied once, in registers, and then by each member's last factor (a multi-dot), so
    // a product costs one load instead of three or four (the sums were bound by loads).
    readonly ProductGroup[] _groups;

    internal BlockSumsWorker(BlockSumsPlan plan, IReadOnlyList<Expr> terms)
    {
        _inputs = new BlockInputs(plan);
        Expr? weight = plan.Weighted ? new ColumnRef(BlockSumsPlan.InputName(plan.Inputs.Count - 1)) : null;
        var spines = terms.Select(t => (weight is null ? [] : new List<Expr> { weight }).Concat(Factors(t, weight is null ? 4 : 3)).ToList()).ToList();
        _groups = ProductGroup.Build(spines, e => _inputs.Evaluator.Compile(e, null));
        Sums = new double[terms.Count];
    }

    /// <summary>
    /// ((f1·f2)·f3)·f4 = the term's product spine: at most <paramref name="most"/> factors, the first standing
    /// for the subtree of the leading ones when there are more (it is then computed, and shared, as a node).
    /// </summary>
    static List<Expr> Factors(Expr term, int most)
    {
        var spine = new List<Expr>();
        var node = term;
        while (node is Binary { Op: BinaryOp.Mul } m && spine.Count < most - 1)
        {
            spine.Add(m.Right);
            node = m.Left;
        }
        spine.Add(node);
        spine.Reverse();
        return spine;
    }

    public double[] Sums { get; }
    public double N { get; private set; }
    public long Rows { get; private set; }

    /// <summary>The buffer for input <paramref name="i"/>: the engine writes a block's values here (NaN for NULL).</summary>
    public Span<double> Input(int i) => _inputs.Buffers[i];

    public void Bind(int i, nint data) => _inputs.Bind(i, data);

    /// <summary>Adds rows [0, <paramref name="count"/>) of the inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(int count)
    {
        _inputs.NewBlock(count);
        Rows += count;
        var weights = _inputs.WeightInput;
        for (var start = 0; start < count; start += ColumnEvaluator.Block)
        {
            var len = Math.Min(ColumnEvaluator.Block, count - start);
            N += weights is not { } w ? len : SumSkippingNaN(_inputs.Read(w, start, len));
            foreach (var g in _groups) g.AddTo(Sums, start, len);
        }
    }

    static double SumSkippingNaN(ReadOnlySpan<double> a) => RowProducts.Sum(new RowProducts.Prefix1(a));
}

/// <summary>
/// One block of inputs, as the engine hands it over: each input either read in place from the engine's
/// own memory (<see cref="Bind"/>; a column without missing values) or copied into a buffer here (with NaN
/// for the missing ones); and an evaluator of expressions over them. One per thread, shared by the workers
/// that sum terms and that keep rows.
/// </summary>
sealed unsafe class BlockInputs
{
    public BlockInputs(BlockSumsPlan plan)
    {
        Buffers = plan.Inputs.Select(_ => new double[plan.Capacity]).ToArray();
        _bound = new nint[Buffers.Length];
        var inputs = new Dictionary<string, VectorFn>();
        for (var i = 0; i < Buffers.Length; i++)
        {
            var input = i;
            inputs[BlockSumsPlan.InputName(i)] = (s, n) => Read(input, s, n);
        }
        // exp with SIMD: within 2 ulp of the row path's, whose rows are added in another order anyway.
        Evaluator = new ColumnEvaluator(new Dictionary<string, InMemoryColumn>(), new IndicatorCache(), vectorExp: true, inputs: inputs);
        WeightInput = plan.Weighted ? Buffers.Length - 1 : null;
    }

    // Per input: the engine's memory holding this block's values, or 0 when they are in the buffer.
    readonly nint[] _bound;

    /// <summary>The copy buffers: the engine writes input i here when it cannot be read in place.</summary>
    public double[][] Buffers { get; }
    public ColumnEvaluator Evaluator { get; }
    /// <summary>The weight input (the last), or null when unweighted.</summary>
    public int? WeightInput { get; }

    /// <summary>
    /// Input <paramref name="i"/> of the next block is read from <paramref name="data"/> (doubles that stay
    /// valid until the block is added), or from its buffer when <paramref name="data"/> is 0. Reading in place
    /// saves copying every value of every scan (it was the largest memory traffic of a scan).
    /// </summary>
    public void Bind(int i, nint data) => _bound[i] = data;

    /// <summary>Rows [s, s + n) of input <paramref name="i"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<double> Read(int i, int s, int n)
    {
        var data = _bound[i];
        return data != 0 ? new ReadOnlySpan<double>((double*)data + s, n) : Buffers[i].AsSpan(s, n);
    }

    /// <summary>Checks that <paramref name="count"/> rows fit and forgets what was computed from the previous block.</summary>
    public void NewBlock(int count)
    {
        if (count > (Buffers.Length > 0 ? Buffers[0].Length : int.MaxValue))
            throw new ArgumentOutOfRangeException(nameof(count), count, "a block holds more rows than the plan's capacity");
        Evaluator.ContentsChanged();
    }
}
