using System.Runtime.InteropServices;

namespace CausalQL.Execution;

/// <summary>
/// Double columns in native memory, one after another, filled by many threads at once: each block of rows
/// claims the next free rows. One arena is kept for the process and lent again, since fresh memory costs a
/// page fault per 4 KB page on first touch (a 64 MB arena took 200 ms that way on the development VM; the
/// scans it saves take 10). On Linux it asks for transparent huge pages, which fault 512 times less often.
/// </summary>
sealed unsafe class ColumnArena : IDisposable
{
    static ColumnArena? _spare;

    readonly double* _base;
    readonly long _bytes;
    int _rows;

    public int Columns { get; private set; }
    public int Capacity { get; private set; }
    /// <summary>Rows claimed so far.</summary>
    public int Rows => Volatile.Read(ref _rows);

    ColumnArena(long bytes)
    {
        const int hugePage = 2 << 20;
        _bytes = (bytes + hugePage - 1) / hugePage * hugePage;
        _base = (double*)NativeMemory.AlignedAlloc((nuint)_bytes, hugePage);
        if (OperatingSystem.IsLinux()) AskForHugePages(_base, _bytes);
    }

    static void AskForHugePages(void* at, long bytes)
    {
        const int madvHugePage = 14;
        try { _ = Madvise(at, (nuint)bytes, madvHugePage); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { /* only a hint */ }
    }

    [DllImport("libc", EntryPoint = "madvise")]
    static extern int Madvise(void* address, nuint length, int advice);

    static long _lent;
    long _lentBytes;
    public static long Lent => Interlocked.Read(ref _lent);

    /// <summary>
    /// An empty arena for <paramref name="columns"/> columns of <paramref name="capacity"/> rows (the process's spare
    /// one when it is large enough), or null when the arenas lent now and this one would exceed <see cref="KeptColumns.MostBytesLent"/>.
    /// </summary>
    public static ColumnArena? TryRent(int columns, int capacity)
    {
        var bytes = (long)columns * capacity * sizeof(double);
        if (Interlocked.Add(ref _lent, bytes) > KeptColumns.MostBytesLent)
        {
            Interlocked.Add(ref _lent, -bytes);
            return null;
        }
        var arena = Interlocked.Exchange(ref _spare, null);
        if (arena is null || arena._bytes < bytes)
        {
            arena?.Free();
            arena = new ColumnArena(Math.Max(bytes, 1));
        }
        (arena.Columns, arena.Capacity, arena._rows, arena._lentBytes) = (columns, capacity, 0, bytes);
        return arena;
    }

    /// <summary>Rows [start, start + count) for the caller alone; -1 when they would not fit.</summary>
    public int Claim(int count)
    {
        var end = Interlocked.Add(ref _rows, count);
        return end <= Capacity ? end - count : -1;
    }

    public double* Column(int c) => _base + (long)c * Capacity;

    /// <summary>Lends the memory back to the process (the larger of this and any spare one is kept).</summary>
    public void Dispose()
    {
        Interlocked.Add(ref _lent, -Interlocked.Exchange(ref _lentBytes, 0));
        var previous = Interlocked.Exchange(ref _spare, this);
        if (previous is null || previous == this) return;
        if (previous._bytes <= _bytes) previous.Free();
        else if (Interlocked.CompareExchange(ref _spare, previous, this) == this) Free();
        else previous.Free();
    }

    void Free() => NativeMemory.AlignedFree(_base);
}

/// <summary>
/// One engine thread's part in filling a <see cref="ColumnArena"/>: every block of rows it is handed is
/// copied to rows claimed in the arena (input i to column i), and then, while those rows are still in the
/// cache, handed on from there to the sums of the scan that asked for the rows, when there is one.
/// Order across threads does not matter to sums.
/// </summary>
sealed unsafe class ColumnKeeper : IBlockConsumer
{
    readonly ColumnArena _arena;
    readonly double[][] _buffers;
    readonly nint[] _bound;
    readonly int[] _sumInputColumns;

    public ColumnKeeper(ColumnArena arena, int capacity, BlockSumsWorker? sums, int[] sumInputColumns)
    {
        _arena = arena;
        _buffers = Enumerable.Range(0, arena.Columns).Select(_ => new double[capacity]).ToArray();
        _bound = new nint[arena.Columns];
        Sums = sums;
        _sumInputColumns = sumInputColumns;
    }

    public BlockSumsWorker? Sums { get; }

    public Span<double> Input(int i) => _buffers[i];

    public void Bind(int i, nint data) => _bound[i] = data;

    public void Add(int count)
    {
        var start = _arena.Claim(count);
        if (start < 0) throw new InvalidOperationException("the engine handed over more rows than it counted");
        for (var c = 0; c < _bound.Length; c++)
        {
            var source = _bound[c] != 0 ? new ReadOnlySpan<double>((double*)_bound[c], count) : _buffers[c].AsSpan(0, count);
            source.CopyTo(new Span<double>(_arena.Column(c) + start, count));
        }
        if (Sums is null) return;
        for (var at = 0; at < count; at += ColumnEvaluator.Block)
        {
            for (var i = 0; i < _sumInputColumns.Length; i++) Sums.Bind(i, (nint)(_arena.Column(_sumInputColumns[i]) + start + at));
            Sums.Add(Math.Min(ColumnEvaluator.Block, count - at));
        }
    }
}

/// <summary>
/// The engine's scan that fills kept columns: it hands every block of the kept inputs to a consumer made
/// per thread by the given function, and returns the number of rows it counted.
/// </summary>
public delegate Result<long> KeepScan(Func<IBlockConsumer> newConsumer, CancellationToken cancellationToken);

/// <summary>
/// The rows of a source that a filter keeps, with the number columns an estimator reads, held in memory
/// from its first scan on, so that its further scans (a logistic fit's Newton steps, the sandwich) and its
/// start sample run over memory instead of asking the engine again. The rows are read by the first request
/// over them: a request for sums takes its sums from the rows as they are copied (a regression's moments),
/// a request for a sample reads the rows first and then samples memory. Requests it cannot answer from what
/// it holds (another filter, a column it lacks, text, counts and profiles) go to the source itself, so its
/// answers and messages are the source's. Sums over memory run block by block through the same
/// <see cref="BlockSumsPlan"/> as the engine's scans, on all cores.
/// </summary>
public sealed unsafe class KeptColumns : IDataSource
{
    readonly IDataSource _source;
    readonly Expr? _filter;
    readonly Dictionary<Expr, int> _columnOf;
    readonly int _blockCapacity;
    readonly KeepScan _scan;
    ColumnArena? _arena;
    int _rows;
    bool _filled;

    KeptColumns(IDataSource source, Expr? filter, IReadOnlyList<Expr> inputs, ColumnArena arena, int blockCapacity, KeepScan scan)
    {
        _source = source;
        _filter = filter;
        _columnOf = [];
        for (var i = 0; i < inputs.Count; i++) _columnOf.TryAdd(inputs[i], i);
        (_arena, _blockCapacity, _scan) = (arena, blockCapacity, scan);
    }

    /// <summary>
    /// Room for <paramref name="inputs"/> (the leaves of a <see cref="BlockSumsPlan"/> over the wanted columns, the
    /// weight last when weighted) of at most <paramref name="capacity"/> rows, read by <paramref name="scan"/> in
    /// blocks of at most <paramref name="blockCapacity"/> rows when first needed; null when other estimates of the
    /// process hold as much as it lends (see <see cref="MostBytesLent"/>).
    /// </summary>
    public static KeptColumns? Create(IDataSource source, Expr? filter, IReadOnlyList<Expr> inputs, int capacity, int blockCapacity, KeepScan scan) =>
        ColumnArena.TryRent(inputs.Count, capacity) is { } arena ? new KeptColumns(source, filter, inputs, arena, blockCapacity, scan) : null;

    /// <summary>
    /// Reads the rows in one engine scan, taking <paramref name="plan"/>'s sums on the way (null: none). After a
    /// failed scan nothing is kept: later requests go to the source, which reports its own errors.
    /// </summary>
    Result<SumsResult?> Fill(BlockSumsPlan? plan, CancellationToken cancellationToken)
    {
        var arena = _arena!;
        var inputColumns = plan?.Inputs.Select(e => _columnOf[e]).ToArray() ?? [];
        var keepers = new List<ColumnKeeper>();
        var scanned = _scan(() =>
        {
            var keeper = new ColumnKeeper(arena, _blockCapacity, plan?.NewWorker(), inputColumns);
            lock (keepers) keepers.Add(keeper);
            return keeper;
        }, cancellationToken);
        if (!scanned.IsOk || scanned.Value != arena.Rows)
        {
            var rows = arena.Rows;
            Dispose();
            return scanned.IsOk ? Result<SumsResult?>.Fail($"{_source.Description}: the engine handed over {rows} of {scanned.Value} rows to be kept") : scanned.Error;
        }
        (_rows, _filled) = (arena.Rows, true);
        return plan?.Merge(keepers.Select(k => k.Sums!));
    }

    /// <summary>Reads the rows now if no request has; their number.</summary>
    public Result<long> Load(CancellationToken cancellationToken = default)
    {
        if (_arena is null) return Result<long>.Fail($"{_source.Description}: no rows are kept");
        if (!_filled && Fill(null, cancellationToken) is { IsOk: false } failed) return failed.Error;
        return (long)_rows;
    }

    /// <summary>
    /// The most bytes kept at once by all estimates of the process (a server runs several side by side); beyond
    /// it an estimate reads its source each time instead.
    /// </summary>
    public static long MostBytesLent { get; set; } = 512L << 20;

    /// <summary>Bytes lent to kept columns now, over the whole process.</summary>
    public static long LentBytes => ColumnArena.Lent;

    public long RowCount => _rows;
    public string Description => _source.Description;
    public IReadOnlyList<ColumnSchema> Schema => _source.Schema;
    public string? WeightColumn => _source.WeightColumn;

    /// <summary>True when the rows of <paramref name="filter"/> are the ones kept (or about to be).</summary>
    bool Holds(Expr? filter) => _arena is not null && Equals(filter, _filter);

    StorageType? StorageOf(string column) => _source.Column(column)?.Storage;

    /// <summary>A plan over what is kept, or null when a term needs something else (then the source answers).</summary>
    BlockSumsPlan? PlanFor(IReadOnlyList<Expr> terms)
    {
        var plan = BlockSumsPlan.Create(terms, StorageOf, WeightColumn, ColumnEvaluator.Block);
        if (plan is null) return null;
        // The weight is the last input of both plans, the same column: it maps like any other.
        foreach (var input in plan.Inputs)
            if (!_columnOf.ContainsKey(input)) return null;
        return plan;
    }

    public Result<SumsResult> Sums(IReadOnlyList<Expr> terms, Expr? filter, CancellationToken cancellationToken = default)
    {
        if (!Holds(filter) || PlanFor(terms.Count > 0 ? terms : [new Constant(1)]) is not { } plan) return _source.Sums(terms, filter, cancellationToken);
        if (!_filled)
        {
            var first = Fill(plan, cancellationToken);
            if (!first.IsOk) return first.Error;
            return terms.Count > 0 ? first.Value! : first.Value! with { Sums = [] };
        }
        var blocks = (_rows + ColumnEvaluator.Block - 1) / ColumnEvaluator.Block;
        var workers = new List<BlockSumsWorker>();
        // Contiguous shares, one per core: a worker compiles its terms once, and its blocks follow each other in memory.
        var shares = Math.Max(1, Math.Min(Environment.ProcessorCount, blocks / 8));
        try
        {
            Parallel.For(0, shares, new ParallelOptions { CancellationToken = cancellationToken }, share =>
            {
                var worker = plan.NewWorker();
                for (var b = (int)((long)blocks * share / shares); b < (int)((long)blocks * (share + 1) / shares) && !cancellationToken.IsCancellationRequested; b++)
                    Feed(worker, plan, b);
                lock (workers) workers.Add(worker);
            });
        }
        catch (OperationCanceledException) { }
        // As an engine's scan does: cancelled is an answer, not an exception.
        if (cancellationToken.IsCancellationRequested) return Result<SumsResult>.Fail("cancelled");
        var sums = plan.Merge(workers);
        return terms.Count > 0 ? sums : sums with { Sums = [] };
    }

    /// <summary>Hands block <paramref name="b"/> (of <see cref="ColumnEvaluator.Block"/> rows) to a consumer, read in place.</summary>
    void Feed(IBlockConsumer consumer, BlockSumsPlan plan, int b)
    {
        var start = b * ColumnEvaluator.Block;
        var count = Math.Min(ColumnEvaluator.Block, _rows - start);
        for (var i = 0; i < plan.Inputs.Count; i++)
            consumer.Bind(i, (nint)(_arena!.Column(_columnOf[plan.Inputs[i]]) + start));
        consumer.Add(count);
    }

    public bool SamplesCheaply => true;

    public bool RescansCheaply(Expr? filter) => Holds(filter);

    /// <summary>
    /// About <paramref name="rows"/> rows in a few runs of consecutive blocks spread over the kept rows (whose
    /// order is the engine's, by block), evaluated as the plan's terms; the source samples what is not kept.
    /// </summary>
    public Result<long> SampleRows(IReadOnlyList<Expr> columns, Expr? filter, long rows, long minimumRows, Action<RowBatch> onBatch, CancellationToken cancellationToken = default)
    {
        // A sample is asked for before any sums (the start of a Newton run): the rows are read first, then sampled here.
        if (Holds(filter) && !_filled) Load(cancellationToken);
        if (!Holds(filter) || PlanFor(columns) is not { } plan)
            return _source.SampleRows(columns, filter, rows, minimumRows, onBatch, cancellationToken);
        if (_rows < minimumRows || _rows == 0) return 0L;
        var blocks = (_rows + ColumnEvaluator.Block - 1) / ColumnEvaluator.Block;
        var wanted = (int)Math.Clamp((rows + ColumnEvaluator.Block - 1) / ColumnEvaluator.Block, 1, blocks);
        const int runs = 8;
        long total = 0;
        var streamer = plan.NewStreamer(batch =>
        {
            total += batch.Count;
            onBatch(batch);
        });
        for (var run = 0; run < runs; run++)
        {
            var first = (int)((long)blocks * run / runs);
            var length = (wanted * (run + 1) / runs) - (wanted * run / runs);
            for (var b = first; b < Math.Min(blocks, first + length); b++) Feed(streamer, plan, b);
        }
        return total;
    }

    public Result<TableProfile> Profile(IReadOnlyList<string> columns, Expr? filter, CancellationToken cancellationToken = default) =>
        _source.Profile(columns, filter, cancellationToken);

    public Result<ContingencyTable> Counts(IReadOnlyList<string> variables, Expr? filter, CancellationToken cancellationToken = default) =>
        _source.Counts(variables, filter, cancellationToken);

    public Result<long> Rows(IReadOnlyList<Expr> columns, Expr? filter, int batchSize, Action<RowBatch> onBatch, CancellationToken cancellationToken = default) =>
        _source.Rows(columns, filter, batchSize, onBatch, cancellationToken);

    /// <summary>Lends the memory back; the source stays open (it is the caller's).</summary>
    public void Dispose()
    {
        _arena?.Dispose();
        _arena = null;
    }
}
