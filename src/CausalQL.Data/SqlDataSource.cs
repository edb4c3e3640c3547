using System.Data.Common;
using System.Globalization;
using CausalQL.Execution;
using CausalQL.Execution.Sql;

namespace CausalQL.Data;

/// <summary>
/// A data source behind any ADO.NET connection: each request of the port becomes one SQL query
/// (through <see cref="SqlPlanner"/> and a dialect) and only its small result comes back.
/// Engine errors become <see cref="ExecError"/> values through the given translator.
/// </summary>
public sealed class SqlDataSource : IDataSource
{
    readonly DbConnection _connection;
    readonly SqlPlanner _planner;
    readonly Func<Exception, string> _describeError;
    readonly Action? _cleanup;
    readonly Lock _gate = new();
    readonly DuckDbBlockSums? _blockSums;
    // For a relation whose row numbers the engine can seek to (one Parquet file, a table): given the row
    // count, the rows wanted and whether to keep the row-number column, a relation of a few windows
    // of rows that the scan reads alone.
    readonly Func<long, long, bool, string>? _windowSample;
    // The row count of a relation that cannot change (a table in the source's own in-memory database), taken when it was opened.
    readonly long? _knownRowCount;

    public SqlDataSource(string description, DbConnection connection, SqlDialect dialect, string relation,
        IReadOnlyList<ColumnSchema> schema, string? weightColumn, Func<Exception, string> describeError, Action? cleanup = null)
        : this(description, connection, dialect, relation, schema, weightColumn, describeError, cleanup, null) { }

    internal SqlDataSource(string description, DbConnection connection, SqlDialect dialect, string relation,
        IReadOnlyList<ColumnSchema> schema, string? weightColumn, Func<Exception, string> describeError, Action? cleanup, DuckDbBlockSums? blockSums,
        Func<long, long, bool, string>? windowSample = null, long? knownRowCount = null)
    {
        _knownRowCount = knownRowCount;
        _blockSums = blockSums;
        _windowSample = windowSample;
        Description = description;
        _connection = connection;
        Schema = schema;
        WeightColumn = weightColumn;
        _planner = new SqlPlanner(dialect, relation, schema, weightColumn);
        _describeError = describeError;
        _cleanup = cleanup;
    }

    public string Description { get; }
    public IReadOnlyList<ColumnSchema> Schema { get; }
    public string? WeightColumn { get; }
    public SqlPlanner Planner => _planner;

    ExecError? Unknown(IEnumerable<string> names)
    {
        foreach (var n in names)
            if (Schema.All(c => c.Name != n))
                return new ExecError($"column '{n}' does not exist in {Description} (columns: {string.Join(", ", Schema.Select(c => c.Name).Take(30))})", n);
        return null;
    }

    public Result<TableProfile> Profile(IReadOnlyList<string> columns, Expr? filter, CancellationToken cancellationToken = default)
    {
        if (Unknown(columns.Concat(filter?.Columns() ?? [])) is { } err) return err;
        return Query(_planner.Profile(columns, filter), cancellationToken, reader =>
        {
            reader.Read();
            var rows = ToLong(reader.GetValue(0));
            var weight = ToDouble(reader.GetValue(1));
            var complete = ToLong(reader.GetValue(2));
            var completeWeight = ToDouble(reader.GetValue(3));
            var profiles = new List<ColumnProfile>();
            for (var i = 0; i < columns.Count; i++)
            {
                var o = 4 + 4 * i;
                var nonNull = ToLong(reader.GetValue(o));
                var storage = Schema.First(c => c.Name == columns[i]).Storage;
                var min = ToDouble(reader.GetValue(o + 1));
                var max = ToDouble(reader.GetValue(o + 2));
                var others = reader.IsDBNull(o + 3) ? 0 : ToLong(reader.GetValue(o + 3));
                profiles.Add(new ColumnProfile(columns[i], storage, nonNull, min, max, storage != StorageType.Text && nonNull > 0 && others == 0));
            }
            return new TableProfile(rows, complete, weight, completeWeight, profiles);
        });
    }

    public Result<ContingencyTable> Counts(IReadOnlyList<string> variables, Expr? filter, CancellationToken cancellationToken = default)
    {
        if (Unknown(variables.Concat(filter?.Columns() ?? [])) is { } err) return err;
        var groups = Query(_planner.Counts(variables, filter), cancellationToken, reader =>
        {
            var list = new List<(string?[], double)>();
            while (reader.Read())
            {
                var labels = new string?[variables.Count];
                for (var i = 0; i < variables.Count; i++) labels[i] = LabelOf(reader.GetValue(i));
                list.Add((labels, ToDouble(reader.GetValue(variables.Count))));
            }
            return list;
        });
        return groups.Bind(g => ContingencyTable.Build(variables, g, WeightColumn is null ? (long)Math.Round(g.Sum(x => x.Item2)) : -1));
    }

    public Result<SumsResult> Sums(IReadOnlyList<Expr> terms, Expr? filter, CancellationToken cancellationToken = default)
    {
        if (Unknown(terms.SelectMany(t => t.Columns()).Concat(filter?.Columns() ?? [])) is { } err) return err;
        if (_blockSums is not null && terms.Count > 0
            && BlockSumsPlan.Create(terms, c => Schema.FirstOrDefault(s => s.Name == c)?.Storage, WeightColumn, _blockSums.Capacity) is { Inputs.Count: > 0 } plan)
            return BlockSums(plan, filter, cancellationToken);
        return Query(_planner.Sums(terms, filter), cancellationToken, reader =>
        {
            reader.Read();
            var n = ToDouble(reader.GetValue(0));
            var rows = ToLong(reader.GetValue(1));
            var sums = new double[terms.Count];
            for (var i = 0; i < terms.Count; i++) sums[i] = reader.IsDBNull(i + 2) ? 0 : ToDouble(reader.GetValue(i + 2));
            return new SumsResult(sums, double.IsNaN(n) ? 0 : n, rows);
        });
    }

    /// <summary>The sums computed by the engine-side function during one counting scan.</summary>
    Result<SumsResult> BlockSums(BlockSumsPlan plan, Expr? filter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _blockSums!.Begin(plan);
            var scanned = CountingScan(_planner.BlockSums(plan.Inputs, DuckDbBlockSums.FunctionName, filter), cancellationToken);
            if (!scanned.IsOk)
            {
                _blockSums.Abandon();
                return scanned.Error;
            }
            var sums = _blockSums.End();
            // Every row the query counted went through the function: a mismatch would be a silent wrong sum.
            if (sums.Rows != scanned.Value)
                return Result<SumsResult>.Fail($"{Description}: the engine handed over {sums.Rows} of {scanned.Value} rows to the sums");
            return sums;
        }
    }

    public Result<KeptColumns?> Keep(IReadOnlyList<string> columns, Expr? filter, long maxBytes, CancellationToken cancellationToken = default)
    {
        // Only where the row count is known without a scan (a table of the source's own, a file the engine counts from
        // its metadata) and the engine hands its vectors over: elsewhere keeping would cost a scan more than it saves.
        if (_blockSums is null || (_knownRowCount is null && _windowSample is null)) return Result.Ok<KeptColumns?>(null);
        if (Unknown(columns.Concat(filter?.Columns() ?? [])) is { } err) return err;
        // The weight column comes last of its own accord.
        var numbers = columns.Distinct().Where(c => c != WeightColumn && Schema.First(s => s.Name == c).Storage is StorageType.Number or StorageType.Boolean)
            .Select(Expr.Col).ToList();
        if (numbers.Count == 0
            || BlockSumsPlan.Create(numbers, c => Schema.FirstOrDefault(s => s.Name == c)?.Storage, WeightColumn, _blockSums.Capacity) is not { } plan)
            return Result.Ok<KeptColumns?>(null);
        var count = RowCount(cancellationToken);
        if (!count.IsOk) return count.Error;
        if (count.Value * plan.Inputs.Count * sizeof(double) > maxBytes || count.Value > int.MaxValue) return Result.Ok<KeptColumns?>(null);
        // The rows are read by the estimator's first request over them (see KeptColumns).
        return KeptColumns.Create(this, filter, plan.Inputs, (int)count.Value, _blockSums.Capacity, (newConsumer, ct) =>
        {
            lock (_gate)
            {
                _blockSums.BeginConsumers(plan, newConsumer);
                var scanned = CountingScan(_planner.BlockSums(plan.Inputs, DuckDbBlockSums.FunctionName, filter), ct);
                if (scanned.IsOk) _blockSums.EndConsumers();
                else _blockSums.Abandon();
                return scanned;
            }
        });
    }

    public Result<long> Rows(IReadOnlyList<Expr> columns, Expr? filter, int batchSize, Action<RowBatch> onBatch, CancellationToken cancellationToken = default)
    {
        if (Unknown(columns.SelectMany(t => t.Columns()).Concat(filter?.Columns() ?? [])) is { } err) return err;
        return Stream(_planner.Rows(columns, filter), columns.Count, batchSize, onBatch, cancellationToken);
    }

    public bool SamplesCheaply => _windowSample is not null || _planner.SampleRows([], null, 100) is not null;

    public Result<long> SampleRows(IReadOnlyList<Expr> columns, Expr? filter, long rows, long minimumRows, Action<RowBatch> onBatch, CancellationToken cancellationToken = default)
    {
        if (Unknown(columns.SelectMany(t => t.Columns()).Concat(filter?.Columns() ?? [])) is { } err) return err;
        if (!SamplesCheaply) return this.BernoulliSample(columns, filter, rows, minimumRows, onBatch, cancellationToken);
        var count = RowCount(cancellationToken);
        if (!count.IsOk) return count.Error;
        if (count.Value < minimumRows) return 0L;
        if (_windowSample is not null && _blockSums is not null
            && BlockSumsPlan.Create([.. columns, new ColumnRef(DuckDbSources.RowNumber)],
                c => c == DuckDbSources.RowNumber ? StorageType.Number : Schema.FirstOrDefault(s => s.Name == c)?.Storage, WeightColumn, _blockSums.Capacity) is { Inputs.Count: > 0 } plan)
            return SampleInScan(plan, _windowSample(count.Value, rows, true), filter, onBatch, cancellationToken);
        var sql = _windowSample is not null
            ? _planner.RowsOf(_windowSample(count.Value, rows, false), columns, filter)
            : _planner.SampleRows(columns, filter, 100.0 * rows / count.Value)!;
        return Stream(sql, columns.Count, 65536, onBatch, cancellationToken);
    }

    /// <summary>
    /// The sample's rows evaluated inside the engine's scan (as sums are) and put in file order by their
    /// row number (the plan's last term): reading them one value at a time through the data reader cost
    /// more than decoding them.
    /// </summary>
    Result<long> SampleInScan(BlockSumsPlan plan, string windows, Expr? filter, Action<RowBatch> onBatch, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _blockSums!.BeginRows(plan);
            var scanned = CountingScan(_planner.BlockSums(plan.Inputs, DuckDbBlockSums.FunctionName, filter, windows), cancellationToken);
            if (!scanned.IsOk)
            {
                _blockSums.Abandon();
                return scanned.Error;
            }
            var (blocks, rows) = _blockSums.EndRows(plan.TermCount - 1);
            if (rows != scanned.Value)
                return Result<long>.Fail($"{Description}: the engine handed over {rows} of {scanned.Value} sampled rows");
            foreach (var (values, weights) in blocks) onBatch(new RowBatch(weights.Length, values[..^1], weights));
            return rows;
        }
    }

    Result<long> Stream(string sql, int k, int batchSize, Action<RowBatch> onBatch, CancellationToken cancellationToken) =>
        Query(sql, cancellationToken, reader =>
        {
            long total = 0;
            var buffer = Enumerable.Range(0, k).Select(_ => new double[batchSize]).ToArray();
            var weights = new double[batchSize];
            var count = 0;
            while (reader.Read())
            {
                for (var i = 0; i < k; i++) buffer[i][count] = reader.IsDBNull(i) ? double.NaN : reader.GetDouble(i);
                weights[count] = reader.IsDBNull(k) ? 0 : reader.GetDouble(k);
                if (++count == batchSize)
                {
                    onBatch(new RowBatch(count, buffer, weights));
                    total += count;
                    count = 0;
                    buffer = Enumerable.Range(0, k).Select(_ => new double[batchSize]).ToArray();
                    weights = new double[batchSize];
                }
            }
            if (count > 0) { onBatch(new RowBatch(count, buffer, weights)); total += count; }
            return total;
        });

    /// <summary>The relation's row count: taken when it was opened if it cannot change, else counted by the engine.</summary>
    Result<long> RowCount(CancellationToken cancellationToken) =>
        _knownRowCount is { } known ? known : Query(_planner.RowCount(), cancellationToken, reader => { reader.Read(); return ToLong(reader.GetValue(0)); });

    /// <summary>Runs a block-sums scan, whose one value is the number of rows it handed to the engine-side function.</summary>
    Result<long> CountingScan(string sql, CancellationToken cancellationToken) =>
        Query(sql, cancellationToken, reader =>
        {
            reader.Read();
            return ToLong(reader.GetValue(0));
        });

    /// <summary>Runs one query and reads its result; engine failures and cancellation become errors.</summary>
    Result<T> Query<T>(string sql, CancellationToken cancellationToken, Func<DbDataReader, T> read)
    {
        lock (_gate)
        {
            try
            {
                // A cancellation that came before the query would be lost: the engine clears its interrupt when a query starts.
                cancellationToken.ThrowIfCancellationRequested();
                using var command = _connection.CreateCommand();
                command.CommandText = sql;
                using var registration = cancellationToken.Register(() => { try { command.Cancel(); } catch { /* best effort */ } });
                using var reader = command.ExecuteReader();
                var result = read(reader);
                cancellationToken.ThrowIfCancellationRequested();
                return result;
            }
            catch (OperationCanceledException)
            {
                return Result<T>.Fail("cancelled");
            }
            catch (Exception e) when (e is DbException or InvalidOperationException or InvalidCastException or FormatException or OverflowException)
            {
                if (cancellationToken.IsCancellationRequested) return Result<T>.Fail("cancelled");
                return Result<T>.Fail($"{Description}: {_describeError(e)}");
            }
        }
    }

    internal static string? LabelOf(object value) => value switch
    {
        DBNull => null,
        null => null,
        bool b => b ? "1" : "0",
        double d => double.IsNaN(d) ? null : ContingencyTable.LabelOf(d),
        float f => float.IsNaN(f) ? null : ContingencyTable.LabelOf(f),
        decimal m => ContingencyTable.LabelOf((double)m),
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    static double ToDouble(object value) => value switch
    {
        DBNull => double.NaN,
        bool b => b ? 1 : 0,
        System.Numerics.BigInteger big => (double)big,
        _ => Convert.ToDouble(value, CultureInfo.InvariantCulture),
    };

    static long ToLong(object value) => value is DBNull ? 0 : (long)Math.Round(ToDouble(value));

    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
            _blockSums?.Dispose();
            _cleanup?.Invoke();
        }
    }
}
