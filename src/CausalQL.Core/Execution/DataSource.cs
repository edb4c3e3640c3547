namespace CausalQL.Execution;

/// <summary>How a column is stored by the engine (before any interpretation).</summary>
public enum StorageType { Number, Text, Boolean }

/// <summary>What a column means to an estimator, detected from its storage and values.</summary>
public enum ColumnKind { Binary, Categorical, Numeric }

public sealed record ColumnSchema(string Name, StorageType Storage);

/// <summary>Detected facts about one column over the rows a query sees.</summary>
public sealed record ColumnProfile(string Name, StorageType Storage, long NonNull, double Min, double Max, bool AllZeroOne)
{
    /// <summary>Binary: numbers that are all 0/1, or booleans; categorical: text; otherwise numeric.</summary>
    public ColumnKind Kind => Storage switch
    {
        StorageType.Boolean => ColumnKind.Binary,
        StorageType.Text => ColumnKind.Categorical,
        _ => AllZeroOne ? ColumnKind.Binary : ColumnKind.Numeric,
    };
}

/// <summary>Row counts (physical rows, and the weight total when the source is weighted) and per-column facts.</summary>
public sealed record TableProfile(long Rows, long CompleteRows, double Weight, double CompleteWeight, IReadOnlyList<ColumnProfile> Columns)
{
    public ColumnProfile Column(string name) => Columns.First(c => c.Name == name);
}

/// <summary>The sums of some row expressions over the rows a filter keeps, with the weight total (n).</summary>
public sealed record SumsResult(double[] Sums, double N, long Rows);

/// <summary>A batch of rows streamed to an estimator that needs rows: one array per requested expression, plus the weights.</summary>
public sealed record RowBatch(int Count, double[][] Columns, double[] Weights);

/// <summary>
/// The port through which every estimator reads data. Heavy work is pushed to the engine as
/// aggregates in one scan: <see cref="Counts"/> (GROUP BY counts) and <see cref="Sums"/> (sums of
/// row expressions, of which moment matrices are a special case, see <see cref="DataSourceExtensions.Moments"/>).
/// Rows are streamed in batches only to estimators that need them. A source may carry a weight
/// column (frequency weights); then every count and sum is weighted.
/// </summary>
public interface IDataSource : IDisposable
{
    /// <summary>Human description, e.g. "csv(data/x.csv)"; never contains a password.</summary>
    string Description { get; }
    IReadOnlyList<ColumnSchema> Schema { get; }
    string? WeightColumn { get; }

    /// <summary>Row counts, complete-case counts over <paramref name="columns"/>, and per-column facts, in one scan.</summary>
    Result<TableProfile> Profile(IReadOnlyList<string> columns, Expr? filter, CancellationToken cancellationToken = default);

    /// <summary>The contingency table over <paramref name="variables"/>; rows with a missing value in them are counted in <see cref="ContingencyTable.Missing"/>.</summary>
    Result<ContingencyTable> Counts(IReadOnlyList<string> variables, Expr? filter, CancellationToken cancellationToken = default);

    /// <summary>Σ w·term over the rows kept by the filter, for each term, in one scan.</summary>
    Result<SumsResult> Sums(IReadOnlyList<Expr> terms, Expr? filter, CancellationToken cancellationToken = default);

    /// <summary>Streams the values of <paramref name="columns"/> in batches; returns the number of rows streamed.</summary>
    Result<long> Rows(IReadOnlyList<Expr> columns, Expr? filter, int batchSize, Action<RowBatch> onBatch, CancellationToken cancellationToken = default);

    /// <summary>True when <see cref="SampleRows"/> reads little more than the sample (block sampling, a cheap row count).</summary>
    bool SamplesCheaply => false;

    /// <summary>
    /// True when another scan of the rows <paramref name="filter"/> keeps costs little more than its arithmetic (rows in
    /// memory): an estimator may then split a wide scan in two narrower ones (see the sandwich's lead pass).
    /// </summary>
    bool RescansCheaply(Expr? filter) => false;

    /// <summary>
    /// Streams a random sample of about <paramref name="rows"/> rows (before the filter), or nothing
    /// (returns 0) when the source holds fewer than <paramref name="minimumRows"/>; used only to find
    /// a starting point, so block sampling is fine. Engines that can sample blocks without reading the
    /// rest override this; the default draws each row with probability rows/total. A batch's arrays may be
    /// reused for the next batch: the callee reads or copies them during the call.
    /// </summary>
    Result<long> SampleRows(IReadOnlyList<Expr> columns, Expr? filter, long rows, long minimumRows, Action<RowBatch> onBatch, CancellationToken cancellationToken = default) =>
        this.BernoulliSample(columns, filter, rows, minimumRows, onBatch, cancellationToken);

    /// <summary>
    /// The rows <paramref name="filter"/> keeps, with the number and boolean columns among <paramref name="columns"/>
    /// (and the weight), to be read into memory by the first request over them (see <see cref="KeptColumns"/>) for an
    /// estimator that scans several times; null when the source cannot do it cheaply (its row count unknown without
    /// a scan, an engine without block scans), they would take more than <paramref name="maxBytes"/>, or the process
    /// lends as much memory as it may already.
    /// </summary>
    Result<KeptColumns?> Keep(IReadOnlyList<string> columns, Expr? filter, long maxBytes, CancellationToken cancellationToken = default) =>
        Result<KeptColumns?>.Ok(null);
}

public static class DataSourceExtensions
{
    /// <summary>A count scan, then each row kept with probability rows/total by the engine's random().</summary>
    public static Result<long> BernoulliSample(this IDataSource source, IReadOnlyList<Expr> columns, Expr? filter, long rows, long minimumRows,
        Action<RowBatch> onBatch, CancellationToken cancellationToken = default)
    {
        var count = source.Sums([], null, cancellationToken);
        if (!count.IsOk) return count.Error;
        if (count.Value.Rows < minimumRows) return 0L;
        var fraction = Math.Min(1, (double)rows / count.Value.Rows);
        return source.Rows(columns, Expr.And(filter, Expr.Less(new RandomUniform(), fraction)), 65536, onBatch, cancellationToken);
    }

    public static ColumnSchema? Column(this IDataSource source, string name) =>
        source.Schema.FirstOrDefault(c => c.Name == name);

    /// <summary>The moment matrix Σ w·c_i·c_j (i ≤ j) of the given columns, pushed down as one aggregate scan.</summary>
    public static Result<MomentMatrix> Moments(this IDataSource source, IReadOnlyList<Expr> columns, Expr? filter, CancellationToken cancellationToken = default)
    {
        var terms = new List<Expr>();
        for (var i = 0; i < columns.Count; i++)
            for (var j = i; j < columns.Count; j++)
                terms.Add(columns[i] * columns[j]);
        return source.Sums(terms, filter, cancellationToken).Map(s =>
        {
            var k = columns.Count;
            var m = new double[k, k];
            var t = 0;
            for (var i = 0; i < k; i++)
                for (var j = i; j < k; j++)
                    m[i, j] = m[j, i] = s.Sums[t++];
            return new MomentMatrix(columns, m, s.N, s.Rows);
        });
    }
}
