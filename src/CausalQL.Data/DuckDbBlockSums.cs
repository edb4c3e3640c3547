using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CausalQL.Execution;
using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace CausalQL.Data;

/// <summary>
/// Sums evaluated in C# inside DuckDB's own scan: a variadic scalar function registered on the
/// connection receives each vector of rows (already read, filtered and decoded by DuckDB's
/// threads, in parallel) and feeds it to a <see cref="BlockSumsWorker"/> of the running plan; the
/// query itself only counts rows. Nothing is copied out of the engine row by row, and DuckDB no
/// longer evaluates dozens of long aggregate expressions, which was the cost of a scan.
/// </summary>
sealed unsafe class DuckDbBlockSums : IDisposable
{
    public const string FunctionName = "causalql_block_sums";

    GCHandle _self;
    // The plan of the query now running on this connection (queries on one connection run one at a time).
    volatile Job? _current;

    sealed class Job(BlockSumsPlan plan, Func<IBlockConsumer> newWorker)
    {
        /// <summary>The inputs' count and the largest block the function accepts come from here.</summary>
        public BlockSumsPlan Plan { get; } = plan;
        public ThreadLocal<IBlockConsumer> Workers { get; } = new(newWorker, trackAllValues: true);
    }

    DuckDbBlockSums() { }

    /// <summary>The most rows DuckDB puts in one vector.</summary>
    public int Capacity { get; } = (int)NativeMethods.Helpers.DuckDBVectorSize();

    /// <summary>Registers the function on <paramref name="connection"/>; null when the engine refuses it (then SQL aggregates are used).</summary>
    public static DuckDbBlockSums? Register(DuckDBConnection connection)
    {
        var kernel = new DuckDbBlockSums();
        kernel._self = GCHandle.Alloc(kernel);
        var function = NativeMethods.ScalarFunction.DuckDBCreateScalarFunction();
        try
        {
            NativeMethods.ScalarFunction.DuckDBScalarFunctionSetName(function, FunctionName);
            using (var type = NativeMethods.LogicalType.DuckDBCreateLogicalType(DuckDBType.Double))
            {
                NativeMethods.ScalarFunction.DuckDBScalarFunctionSetVarargs(function, type);
                NativeMethods.ScalarFunction.DuckDBScalarFunctionSetReturnType(function, type);
            }
            // Volatile: called once per row, never folded or cached. Special handling: NULL rows reach it too.
            NativeMethods.ScalarFunction.DuckDBScalarFunctionSetVolatile(function);
            NativeMethods.ScalarFunction.DuckDBScalarFunctionSetSpecialHandling(function);
            NativeMethods.ScalarFunction.DuckDBScalarFunctionSetExtraInfo(function, GCHandle.ToIntPtr(kernel._self), null);
            NativeMethods.ScalarFunction.DuckDBScalarFunctionSetFunction(function, &OnVector);
            if (NativeMethods.ScalarFunction.DuckDBRegisterScalarFunction(connection.NativeConnection, function) == DuckDBState.Success)
                return kernel;
        }
        finally
        {
            NativeMethods.ScalarFunction.DuckDBDestroyScalarFunction(ref function);
        }
        kernel.Dispose();
        return null;
    }

    /// <summary>Makes <paramref name="plan"/> the one the function feeds until <see cref="End"/>.</summary>
    public void Begin(BlockSumsPlan plan) => _current = new Job(plan, plan.NewWorker);

    /// <summary>The sums of the finished query.</summary>
    public SumsResult End()
    {
        var job = _current ?? throw new InvalidOperationException("no block sums are running");
        _current = null;
        using (job.Workers)
            return job.Plan.Merge(job.Workers.Values.Cast<BlockSumsWorker>());
    }

    /// <summary>Makes the function keep the rows of <paramref name="plan"/>'s terms until <see cref="EndRows"/>.</summary>
    public void BeginRows(BlockSumsPlan plan) => _current = new Job(plan, plan.NewCollector);

    /// <summary>The rows kept by the finished query in blocks, ordered by term <paramref name="key"/>, and how many there were.</summary>
    public (List<(double[][] Values, double[] Weights)> Blocks, long Rows) EndRows(int key)
    {
        var job = _current ?? throw new InvalidOperationException("no block rows are running");
        _current = null;
        using (job.Workers)
        {
            var workers = job.Workers.Values.Cast<BlockRowsWorker>().ToList();
            return (BlockRowsWorker.Collect(workers, job.Plan.TermCount, key), workers.Sum(w => w.Rows));
        }
    }

    /// <summary>Makes the function hand <paramref name="plan"/>'s inputs to consumers made by <paramref name="newConsumer"/>, one per thread, until <see cref="EndConsumers"/>.</summary>
    public void BeginConsumers(BlockSumsPlan plan, Func<IBlockConsumer> newConsumer) => _current = new Job(plan, newConsumer);

    /// <summary>Ends the query begun by <see cref="BeginConsumers"/> (the consumers hold what they were given).</summary>
    public void EndConsumers()
    {
        var job = _current ?? throw new InvalidOperationException("no block consumers are running");
        _current = null;
        job.Workers.Dispose();
    }

    public void Abandon() => _current = null;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    static void OnVector(IntPtr info, IntPtr chunk, IntPtr output)
    {
        // Nothing may escape into native code: a failure becomes the query's error.
        try
        {
            var self = (DuckDbBlockSums)GCHandle.FromIntPtr(NativeMethods.ScalarFunction.DuckDBScalarFunctionGetExtraInfo(info)).Target!;
            var job = self._current ?? throw new InvalidOperationException($"{FunctionName} was called outside a CausalQL scan");
            var worker = job.Workers.Value!;
            var rows = (int)Native.ChunkSize(chunk);
            var columns = (int)Native.ChunkColumnCount(chunk);
            if (columns != job.Plan.Inputs.Count)
                throw new InvalidOperationException($"{FunctionName} got {columns} inputs, expected {job.Plan.Inputs.Count}");
            if (rows > job.Plan.Capacity)
                throw new InvalidOperationException($"{FunctionName} got a vector of {rows} rows, more than {job.Plan.Capacity}");
            for (var i = 0; i < columns; i++)
            {
                var vector = Native.ChunkVector(chunk, (ulong)i);
                var data = Native.VectorData(vector);
                var validity = Native.VectorValidity(vector);
                // No missing value: the worker reads the engine's vector where it is (valid until this call returns).
                if (validity is null)
                {
                    worker.Bind(i, (nint)data);
                    continue;
                }
                var target = worker.Input(i)[..rows];
                new ReadOnlySpan<double>(data, rows).CopyTo(target);
                for (var r = 0; r < rows; r++)
                    if ((validity[r >> 6] & (1UL << (r & 63))) == 0) target[r] = double.NaN;
                worker.Bind(i, 0);
            }
            worker.Add(rows);
            new Span<double>(Native.VectorData(output), rows).Clear();
        }
        catch (Exception e)
        {
            NativeMethods.ScalarFunction.DuckDBScalarFunctionSetError(info, e.Message);
        }
    }

    public void Dispose()
    {
        if (_self.IsAllocated) _self.Free();
    }

    /// <summary>The few C API calls made per vector, without a GC transition (they only read pointers).</summary>
    static class Native
    {
        const string Library = "duckdb";
        [DllImport(Library, EntryPoint = "duckdb_data_chunk_get_size"), SuppressGCTransition] public static extern ulong ChunkSize(IntPtr chunk);
        [DllImport(Library, EntryPoint = "duckdb_data_chunk_get_column_count"), SuppressGCTransition] public static extern ulong ChunkColumnCount(IntPtr chunk);
        [DllImport(Library, EntryPoint = "duckdb_data_chunk_get_vector"), SuppressGCTransition] public static extern IntPtr ChunkVector(IntPtr chunk, ulong index);
        [DllImport(Library, EntryPoint = "duckdb_vector_get_data"), SuppressGCTransition] public static extern void* VectorData(IntPtr vector);
        [DllImport(Library, EntryPoint = "duckdb_vector_get_validity"), SuppressGCTransition] public static extern ulong* VectorValidity(IntPtr vector);
    }
}
