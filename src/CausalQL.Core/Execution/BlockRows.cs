using System.Runtime.CompilerServices;

namespace CausalQL.Execution;

/// <summary>What an engine-side function feeds, one thread's instance each: it fills <see cref="Input"/> and calls <see cref="Add"/>.</summary>
public interface IBlockConsumer
{
    /// <summary>The buffer for input <paramref name="i"/>: the engine writes a block's values here (NaN for NULL).</summary>
    Span<double> Input(int i);

    /// <summary>
    /// Input <paramref name="i"/> of the next block is read in place from <paramref name="data"/> (the engine's
    /// doubles, valid until <see cref="Add"/> returns), or from its buffer when <paramref name="data"/> is 0.
    /// </summary>
    void Bind(int i, nint data);

    /// <summary>Takes rows [0, <paramref name="count"/>) of the input buffers.</summary>
    void Add(int count);
}

/// <summary>
/// One thread's share of a sample read inside the engine's scan: the plan's terms are evaluated per
/// block, as for sums, and kept row by row (with the weight), so that no value crosses the engine's
/// row-by-row reader. <see cref="Collect"/> puts the rows of all threads back in the order of a key term.
/// </summary>
public sealed class BlockRowsWorker : IBlockConsumer
{
    readonly BlockInputs _inputs;
    readonly VectorFn[] _terms;
    readonly List<(double[][] Values, double[] Weights)> _chunks = [];

    // Streaming instead of keeping: each block is handed on in these arrays, reused from block to block.
    readonly Action<RowBatch>? _onBlock;
    readonly double[][] _values = [];
    readonly double[] _weights = [];

    internal BlockRowsWorker(BlockSumsPlan plan, IReadOnlyList<Expr> terms, Action<RowBatch>? onBlock = null)
    {
        _inputs = new BlockInputs(plan);
        _terms = terms.Select(t => _inputs.Evaluator.Compile(t, null)).ToArray();
        _onBlock = onBlock;
        if (onBlock is not null)
        {
            _values = _terms.Select(_ => new double[ColumnEvaluator.Block]).ToArray();
            _weights = new double[ColumnEvaluator.Block];
        }
    }

    public long Rows { get; private set; }

    public Span<double> Input(int i) => _inputs.Buffers[i];

    public void Bind(int i, nint data) => _inputs.Bind(i, data);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(int count)
    {
        _inputs.NewBlock(count);
        Rows += count;
        for (var start = 0; start < count; start += ColumnEvaluator.Block)
        {
            var len = Math.Min(ColumnEvaluator.Block, count - start);
            if (_onBlock is not null)
            {
                for (var t = 0; t < _terms.Length; t++) _terms[t](start, len).CopyTo(_values[t]);
                if (_inputs.WeightInput is not { } weight) _weights.AsSpan(0, len).Fill(1);
                else _inputs.Read(weight, start, len).CopyTo(_weights);
                _onBlock(new RowBatch(len, _values, _weights));
                continue;
            }
            var values = new double[_terms.Length][];
            for (var t = 0; t < values.Length; t++) values[t] = _terms[t](start, len).ToArray();
            var weights = new double[len];
            if (_inputs.WeightInput is not { } w) weights.AsSpan().Fill(1);
            else _inputs.Read(w, start, len).CopyTo(weights);
            _chunks.Add((values, weights));
        }
    }

    /// <summary>
    /// The rows of all workers as blocks of columns (one per term) and weights, in ascending order of
    /// term <paramref name="key"/> (e.g. the row's position in the file), so a sample does not depend on
    /// which thread read which block. The engine keeps the order within a block, so the blocks are put
    /// in order by their first key; only when they interleave are the rows copied out and sorted one by one.
    /// (The blocks are handed on as they are: copying them into fresh arrays costs page faults, not copies.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static List<(double[][] Values, double[] Weights)> Collect(IEnumerable<BlockRowsWorker> workers, int termCount, int key)
    {
        var chunks = workers.SelectMany(w => w._chunks).Where(c => c.Weights.Length > 0).ToList();
        chunks.Sort((a, b) => a.Values[key][0].CompareTo(b.Values[key][0]));
        var ordered = true;
        for (var c = 0; c < chunks.Count && ordered; c++)
            ordered = Ascending(chunks[c].Values[key]) && (c == 0 || chunks[c - 1].Values[key][^1] <= chunks[c].Values[key][0]);
        if (ordered) return chunks;
        var rows = chunks.Sum(c => c.Weights.Length);
        var columns = new double[termCount][];
        for (var t = 0; t < termCount; t++) columns[t] = new double[rows];
        var weights = new double[rows];
        var at = 0;
        foreach (var (values, w) in chunks)
        {
            for (var t = 0; t < termCount; t++) values[t].CopyTo(columns[t], at);
            w.CopyTo(weights, at);
            at += w.Length;
        }
        var order = new int[rows];
        for (var i = 0; i < rows; i++) order[i] = i;
        Array.Sort((double[])columns[key].Clone(), order);
        return [(columns.Select(c => Permute(c, order)).ToArray(), Permute(weights, order))];
    }

    static bool Ascending(double[] values)
    {
        for (var i = 1; i < values.Length; i++)
            if (!(values[i - 1] <= values[i])) return false;
        return true;
    }

    static double[] Permute(double[] values, int[] order)
    {
        var result = new double[order.Length];
        for (var i = 0; i < order.Length; i++) result[i] = values[order[i]];
        return result;
    }
}
