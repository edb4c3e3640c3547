using CausalQL.Data;
using CausalQL.Execution;

namespace CausalQL.Data.Tests;

/// <summary>
/// Sums computed in C# inside DuckDB's scan equal DuckDB's own SQL aggregates on the same rows:
/// missing values, level indicators of text, number and boolean columns, weights, filters,
/// clipping, expit and comparisons, over enough rows that both of DuckDB's threads take part.
/// </summary>
public class BlockSumsTests
{
    const string Table = """
        SELECT setseed(0.31);
        CREATE TABLE t AS
        SELECT i,
               CASE WHEN i % 97 = 0 THEN NULL ELSE random() * 4 - 2 END AS x,
               CASE WHEN i % 89 = 0 THEN NULL ELSE (random() < 0.4)::INTEGER END AS a,
               CASE WHEN i % 13 = 0 THEN 'red' WHEN i % 13 < 5 THEN 'green' ELSE 'blue' END AS colour,
               (random() < 0.5) AS flag,
               random() * 3 AS w,
               CASE WHEN i % 101 = 0 THEN NULL ELSE random() END AS y
        FROM range(300000) r(i)
        """;

    static IDataSource Open(bool blockSums, string? weight = null)
    {
        var r = DuckDbSources.FromSetup("test", Table, "t", weight, blockSums);
        Assert.True(r.IsOk, r.Error?.Message);
        return r.Value;
    }

    static readonly Expr X = Expr.Col("x"), A = Expr.Col("a"), Y = Expr.Col("y");

    static IReadOnlyList<Expr> Terms()
    {
        var p = Expr.Expit(Expr.Linear([Expr.One, X], [0.3, -0.8]));
        return
        [
            X, A, Y, X * X, X * Y, A * Y, Expr.Pow(X - Y, 2),
            p, p * (1 - p) * X, Expr.Clip(p, 0.1, 0.9), (A - p) * X,
            Expr.Level("colour", "red"), Expr.Level("colour", "green") * Y, Expr.Level("a", "1") * X,
            Expr.Level("flag", "1"), Expr.Level("flag", "0") * Y,
            new IsNotNull("x"), new IsNotNull("y") * Y,
            Expr.Greater(p, Expr.Num(0.5)), Expr.Less(X, Y) * A, Expr.And(Expr.Level("a", "1"), new IsNotNull("y"))!,
            Expr.Exp(X), Expr.Log(Y + 1), Y / (X + 3),
        ];
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("w", false)]
    [InlineData(null, true)]
    [InlineData("w", true)]
    public void Block_sums_equal_sql_aggregates(string? weight, bool filtered)
    {
        using var kernel = Open(true, weight);
        using var sql = Open(false, weight);
        var filter = filtered ? Expr.And(new IsNotNull("x"), Expr.Greater(Y, Expr.Num(0.2))) : null;
        var terms = Terms();
        var fast = kernel.Sums(terms, filter);
        var reference = sql.Sums(terms, filter);
        Assert.True(fast.IsOk, fast.Error?.Message);
        Assert.True(reference.IsOk, reference.Error?.Message);
        Assert.Equal(reference.Value.Rows, fast.Value.Rows);
        Assert.Equal(reference.Value.N, fast.Value.N, Math.Abs(reference.Value.N) * 1e-12);
        for (var i = 0; i < terms.Count; i++)
            Assert.True(Math.Abs(reference.Value.Sums[i] - fast.Value.Sums[i]) <= 1e-9 * Math.Max(1, Math.Abs(reference.Value.Sums[i])),
                $"{terms[i]}: SQL {reference.Value.Sums[i]:R}, block sums {fast.Value.Sums[i]:R}");
    }

    [Fact]
    public void Moments_and_estimates_agree_on_both_paths()
    {
        using var kernel = Open(true);
        using var sql = Open(false);
        var filter = Expr.And(new IsNotNull("x"), new IsNotNull("a"), new IsNotNull("y"));
        var m1 = kernel.Moments([Expr.One, X, A, Y], filter);
        var m2 = sql.Moments([Expr.One, X, A, Y], filter);
        Assert.True(m1.IsOk && m2.IsOk);
        Assert.Equal(m2.Value.N, m1.Value.N);
        var request = new EstimationRequest("a", "y") { Method = EstimationMethod.Ipw, Adjustment = ["x"] };
        var e1 = Estimation.Estimate(request, kernel);
        var e2 = Estimation.Estimate(request, sql);
        Assert.True(e1.IsOk, e1.Error?.Message);
        Assert.True(e2.IsOk, e2.Error?.Message);
        Assert.Equal(e2.Value.Value, e1.Value.Value, 1e-10);
        Assert.Equal(e2.Value.StandardError!.Value, e1.Value.StandardError!.Value, 1e-10);
        Assert.Equal(e2.Value.N, e1.Value.N);
    }

    [Fact]
    public void A_text_column_read_as_a_number_is_still_the_engines_error()
    {
        using var kernel = Open(true);
        var r = kernel.Sums([Expr.Col("colour") * X], null);
        Assert.False(r.IsOk);
        Assert.Contains("colour", r.Error!.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_scan_through_the_engine_function_can_be_cancelled()
    {
        // More rows than a scan gets through in the test's minute: 2·10⁹ took ~5 s once the sums got faster, so a
        // cancellation delayed on a loaded machine could arrive after the end and find nothing to cancel.
        // (Cancelled, the scan still ends later on a larger range: ~1 s at 2·10⁹, ~5 s at 2·10¹⁰.)
        var big = DuckDbSources.FromSetup("big", "CREATE VIEW t AS SELECT i::DOUBLE AS x FROM range(20000000000) r(i)", "t");
        Assert.True(big.IsOk, big.Error?.Message);
        using var source = big.Value;
        using var cts = new CancellationTokenSource();
        var sums = Task.Run(() => source.Sums([Expr.Col("x") * Expr.Col("x")], null, cts.Token));
        // Cancel once the scan is under way (the first rows have reached the function), not after a fixed time.
        await Task.Delay(200);
        cts.Cancel();
        var result = await sums.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(result.IsOk);
        Assert.Equal("cancelled", result.Error!.Message);
    }

    [Fact]
    public void A_scan_cancelled_before_it_starts_does_not_run()
    {
        // The engine clears an interrupt when a query starts, so a cancellation that arrived first must be seen before it.
        var big = DuckDbSources.FromSetup("big", "CREATE VIEW t AS SELECT i::DOUBLE AS x FROM range(20000000000) r(i)", "t");
        Assert.True(big.IsOk, big.Error?.Message);
        using var source = big.Value;
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var result = source.Sums([Expr.Col("x") * Expr.Col("x")], null, cts.Token);
        Assert.False(result.IsOk);
        Assert.Equal("cancelled", result.Error!.Message);
    }
}

/// <summary>A sample of one Parquet file is drawn from windows spread over the whole file, each row once.</summary>
public class ParquetSampleTests
{
    [Fact]
    public void Samples_of_a_parquet_file_come_from_windows_across_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("causalql-sample");
        try
        {
            var path = Path.Combine(dir.FullName, "rows.parquet");
            var made = DuckDbSources.FromSetup("make", $"COPY (SELECT i::DOUBLE AS i, (i % 3)::DOUBLE AS w FROM range(5000000) r(i)) TO '{path}' (FORMAT parquet)", "(SELECT 1)");
            Assert.True(made.IsOk, made.Error?.Message);
            made.Value.Dispose();
            var opened = DuckDbSources.Parquet(path);
            Assert.True(opened.IsOk, opened.Error?.Message);
            using var source = opened.Value;
            var seen = FilteredSample(source);
            // One window in each half of the file (a window per 2.5M rows at most, so that a small file is
            // not mostly decoded for a sample).
            Assert.True(seen.Min() < 2_500_000 && seen.Max() >= 2_500_000, $"sample spans {seen.Min()}..{seen.Max()}");
            // Read inside the scan by several threads, the rows still come in file order.
            Assert.Equal(seen.Order(), seen);
            // Too few rows for a sample to be worth it: nothing is read.
            var none = source.SampleRows([Expr.Col("i")], null, 30_000, 6_000_000, _ => Assert.Fail("no rows expected"));
            Assert.True(none.IsOk);
            Assert.Equal(0, none.Value);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void A_sample_read_in_the_scan_has_each_rows_values_weight_and_missing_values()
    {
        var dir = Directory.CreateTempSubdirectory("causalql-sample");
        try
        {
            var path = Path.Combine(dir.FullName, "rows.parquet");
            var made = DuckDbSources.FromSetup("make", $"COPY (SELECT i::DOUBLE AS i, (i % 3)::DOUBLE AS w, (i % 2)::INT AS t, CASE WHEN i % 7 = 0 THEN NULL ELSE i / 10 END AS x FROM range(3000000) r(i)) TO '{path}' (FORMAT parquet)", "(SELECT 1)");
            Assert.True(made.IsOk, made.Error?.Message);
            made.Value.Dispose();
            var opened = DuckDbSources.Parquet(path, weightColumn: "w");
            Assert.True(opened.IsOk, opened.Error?.Message);
            using var source = opened.Value;
            var rows = new List<(double I, double T, double X, double W)>();
            var read = source.SampleRows([Expr.Col("i"), Expr.Level("t", "1"), Expr.Col("x") * 2], null, 20_000, 200_000, b =>
            {
                for (var r = 0; r < b.Count; r++) rows.Add((b.Columns[0][r], b.Columns[1][r], b.Columns[2][r], b.Weights[r]));
            });
            Assert.True(read.IsOk, read.Error?.Message);
            Assert.Equal(rows.Count, read.Value);
            Assert.InRange(rows.Count, 15_000, 25_000);
            Assert.All(rows, row =>
            {
                var i = (long)row.I;
                Assert.Equal(i % 2, row.T);
                Assert.Equal(i % 3, row.W);
                if (i % 7 == 0) Assert.True(double.IsNaN(row.X), $"row {i}: x should be missing");
                else Assert.Equal(i / 10.0 * 2, row.X);
            });
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Samples_of_a_table_come_from_windows_of_its_rows_in_order()
    {
        // A table in the source's own database (as csv(...) loads one): windows by rowid, read in the scan.
        var opened = DuckDbSources.FromSetup("table", "CREATE TABLE t AS SELECT i::DOUBLE AS i, (i % 3)::DOUBLE AS w FROM range(1000000) r(i)", "t");
        Assert.True(opened.IsOk, opened.Error?.Message);
        using var source = opened.Value;
        var seen = FilteredSample(source);
        // Windows spread over the table (one per 500,000 rows at most: here one in each half), in row order.
        Assert.True(seen.Min() < 500_000 && seen.Max() >= 500_000, $"sample spans {seen.Min()}..{seen.Max()}");
        Assert.Equal(seen.Order(), seen);
        // The same sample again: the windows are placed by a fixed seed.
        Assert.Equal(seen, FilteredSample(source));
        // The count taken when the table was opened still decides whether a sample is worth it.
        var none = source.SampleRows([Expr.Col("i")], null, 30_000, 2_000_000, _ => Assert.Fail("no rows expected"));
        Assert.True(none.IsOk);
        Assert.Equal(0, none.Value);
    }

    /// <summary>
    /// A sample of ~30,000 rows of a source whose column i numbers its rows and w = i mod 3, filtered to w &gt; 0:
    /// about two thirds of the rows pass, none comes twice, and every one passes the filter.
    /// </summary>
    static List<double> FilteredSample(IDataSource source)
    {
        Assert.True(source.SamplesCheaply);
        var seen = new List<double>();
        var read = source.SampleRows([Expr.Col("i")], Expr.Greater(Expr.Col("w"), Expr.Num(0)), 30_000, 200_000, b => seen.AddRange(b.Columns[0].AsSpan(0, b.Count).ToArray()));
        Assert.True(read.IsOk, read.Error?.Message);
        Assert.Equal(seen.Count, read.Value);
        Assert.InRange(seen.Count, 18_000, 22_000);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.All(seen, i => Assert.NotEqual(0, i % 3));
        return seen;
    }
}
