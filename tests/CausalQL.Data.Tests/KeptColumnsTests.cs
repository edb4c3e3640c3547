using CausalQL.Execution;

namespace CausalQL.Data.Tests;

/// <summary>
/// Columns kept in memory after one scan answer sums and samples as the engine would over the same rows
/// (missing values, weights, filters, boolean columns), without the engine; what they do not hold goes to the engine.
/// </summary>
public class KeptColumnsTests
{
    const string Table = """
        SELECT setseed(0.57);
        CREATE TABLE t AS
        SELECT i::DOUBLE AS i,
               CASE WHEN i % 97 = 0 THEN NULL ELSE random() * 4 - 2 END AS x,
               CASE WHEN i % 89 = 0 THEN NULL ELSE (random() < 0.4)::INTEGER END AS a,
               CASE WHEN i % 13 = 0 THEN 'red' ELSE 'blue' END AS colour,
               (random() < 0.5) AS flag,
               random() * 3 AS w,
               CASE WHEN i % 101 = 0 THEN NULL ELSE random() END AS y
        FROM range(250000) r(i)
        """;

    internal static readonly string[] Wanted = ["x", "a", "y", "flag", "colour"];
    static readonly Expr X = Expr.Col("x"), A = Expr.Col("a"), Y = Expr.Col("y");

    internal static IDataSource Open(string? weight = null)
    {
        var r = DuckDbSources.FromSetup("test", Table, "t", weight);
        Assert.True(r.IsOk, r.Error?.Message);
        return r.Value;
    }

    static KeptColumns Keep(IDataSource source, Expr? filter)
    {
        var kept = source.Keep(Wanted, filter, 64L << 20);
        Assert.True(kept.IsOk, kept.Error?.Message);
        Assert.NotNull(kept.Value);
        var loaded = kept.Value.Load();
        Assert.True(loaded.IsOk, loaded.Error?.Message);
        Assert.Equal(kept.Value.RowCount, loaded.Value);
        return kept.Value;
    }

    static IReadOnlyList<Expr> NumberTerms()
    {
        var p = Expr.Expit(Expr.Linear([Expr.One, X], [0.3, -0.8]));
        return
        [
            X, A, Y, X * X, X * Y, p * (1 - p) * X, (A - p) * X, Expr.Clip(p, 0.1, 0.9),
            Expr.Level("a", "1") * X, Expr.Level("flag", "1"), Expr.Level("flag", "0") * Y,
            new IsNotNull("x"), Expr.And(Expr.Level("a", "1"), new IsNotNull("y"))!, Expr.Log(Y + 1),
        ];
    }

    static void SameSums(SumsResult expected, SumsResult actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.N, actual.N, Math.Abs(expected.N) * 1e-12);
        Assert.Equal(expected.Sums.Length, actual.Sums.Length);
        for (var i = 0; i < expected.Sums.Length; i++)
            Assert.True(Math.Abs(expected.Sums[i] - actual.Sums[i]) <= 1e-9 * Math.Max(1, Math.Abs(expected.Sums[i])),
                $"term {i}: engine {expected.Sums[i]:R}, kept {actual.Sums[i]:R}");
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("w", false)]
    [InlineData(null, true)]
    [InlineData("w", true)]
    public void Kept_sums_equal_the_engines_and_need_no_engine(string? weight, bool filtered)
    {
        var source = Open(weight);
        var filter = filtered ? Expr.And(new IsNotNull("x"), Expr.Greater(Y, Expr.Num(0.2))) : null;
        var terms = NumberTerms();
        var expected = source.Sums(terms, filter);
        var count = source.Sums([], filter);
        Assert.True(expected.IsOk && count.IsOk);
        using var kept = source.Keep(Wanted, filter, 64L << 20).Value!;
        // The first sums are the engine's scan that reads the rows, taken from them as they are kept.
        var first = kept.Sums(terms, filter);
        Assert.True(first.IsOk, first.Error?.Message);
        SameSums(expected.Value, first.Value);
        Assert.Equal(count.Value.Rows, kept.RowCount);
        // The engine is closed: only rows held in memory can answer now.
        source.Dispose();
        var fromMemory = kept.Sums(terms, filter);
        Assert.True(fromMemory.IsOk, fromMemory.Error?.Message);
        SameSums(expected.Value, fromMemory.Value);
        var none = kept.Sums([], filter);
        Assert.True(none.IsOk, none.Error?.Message);
        Assert.Equal(count.Value.Rows, none.Value.Rows);
        Assert.Equal(count.Value.N, none.Value.N, Math.Abs(count.Value.N) * 1e-12);
    }

    [Fact]
    public void What_is_not_kept_is_asked_of_the_engine()
    {
        using var source = Open();
        var filter = new IsNotNull("x");
        using var kept = Keep(source, filter);
        // A text column's level, a column not kept, another filter: the engine's answers, errors included.
        List<Expr> text = [Expr.Level("colour", "red") * X];
        SameSums(source.Sums(text, filter).Value, kept.Sums(text, filter).Value);
        List<Expr> other = [Expr.Col("i")];
        SameSums(source.Sums(other, filter).Value, kept.Sums(other, filter).Value);
        SameSums(source.Sums([X], null).Value, kept.Sums([X], null).Value);
        var wrong = kept.Sums([Expr.Col("colour") * X], filter);
        Assert.False(wrong.IsOk);
        Assert.Equal(source.Sums([Expr.Col("colour") * X], filter).Error!.Message, wrong.Error!.Message);
        var unknown = kept.Sums([Expr.Col("nope")], filter);
        Assert.False(unknown.IsOk);
        Assert.Contains("'nope' does not exist", unknown.Error!.Message);
    }

    [Fact]
    public void Two_kept_sets_at_once_hold_their_own_rows()
    {
        using var source = Open();
        Expr low = Expr.Less(X, Expr.Num(0)), high = Expr.Greater(X, Expr.Num(0));
        using var first = Keep(source, low);
        using var second = Keep(source, high);
        SameSums(source.Sums(NumberTerms(), low).Value, first.Sums(NumberTerms(), low).Value);
        SameSums(source.Sums(NumberTerms(), high).Value, second.Sums(NumberTerms(), high).Value);
        first.Dispose();
        // Memory given back is lent to the next keeper, whose rows replace the old ones.
        using var third = Keep(source, null);
        SameSums(source.Sums(NumberTerms(), null).Value, third.Sums(NumberTerms(), null).Value);
        SameSums(source.Sums(NumberTerms(), high).Value, second.Sums(NumberTerms(), high).Value);
    }

    [Fact]
    public void A_filter_that_keeps_no_row_keeps_nothing_and_sums_to_zero()
    {
        using var source = Open();
        var none = Expr.Greater(X, Expr.Num(100));
        using var kept = Keep(source, none);
        Assert.Equal(0, kept.RowCount);
        var sums = kept.Sums(NumberTerms(), none);
        Assert.True(sums.IsOk, sums.Error?.Message);
        Assert.Equal(0, sums.Value.Rows);
        Assert.All(sums.Value.Sums, v => Assert.Equal(0, v));
        var sample = kept.SampleRows([X], none, 1000, 0, _ => Assert.Fail("no rows to sample"));
        Assert.Equal(0, sample.Value);
    }

    [Fact]
    public void A_cancelled_sum_over_kept_rows_says_so()
    {
        using var source = Open();
        using var kept = Keep(source, null);
        var r = kept.Sums(NumberTerms(), null, new CancellationToken(canceled: true));
        Assert.False(r.IsOk);
        Assert.Equal("cancelled", r.Error!.Message);
    }

    [Fact]
    public void Keeping_is_declined_above_the_budget_and_where_the_count_needs_a_scan()
    {
        using var source = Open();
        var over = source.Keep(Wanted, null, 1L << 20);
        Assert.True(over.IsOk);
        Assert.Null(over.Value);
        using var view = DuckDbSources.FromSetup("view", Table.Replace("CREATE TABLE t", "CREATE VIEW t"), "t").Value;
        var viewed = view.Keep(Wanted, null, 64L << 20);
        Assert.True(viewed.IsOk);
        Assert.Null(viewed.Value);
        var missing = source.Keep(["x", "nope"], null, 64L << 20);
        Assert.False(missing.IsOk);
        Assert.Contains("'nope' does not exist", missing.Error!.Message);
    }

    [Fact]
    public void A_sample_of_kept_rows_is_spread_over_them_and_keeps_each_rows_values()
    {
        using var source = Open("w");
        // No sums first: the sample reads the rows, then draws from memory (the engine is not asked again).
        using var kept = source.Keep(["i", "w", "x"], null, 64L << 20).Value!;
        var rows = new List<(double I, double X, double W)>();
        var sampled = kept.SampleRows([Expr.Col("i"), X], null, 20_000, 100_000, b =>
        {
            for (var r = 0; r < b.Count; r++) rows.Add((b.Columns[0][r], b.Columns[1][r], b.Weights[r]));
        });
        Assert.True(sampled.IsOk, sampled.Error?.Message);
        Assert.Equal(sampled.Value, rows.Count);
        Assert.InRange(rows.Count, 20_000, 24_000);
        Assert.Equal(rows.Count, rows.Select(r => r.I).Distinct().Count());
        // From all over the table, each row whole: x is missing exactly where the table made it so.
        Assert.True(rows.Min(r => r.I) < 50_000 && rows.Max(r => r.I) > 200_000);
        Assert.All(rows, r => Assert.Equal(r.I % 97 == 0, double.IsNaN(r.X)));
        Assert.Equal(250_000, kept.RowCount);
        var weightOf = new Dictionary<double, double>();
        source.Rows([Expr.Col("i")], null, 65536, b => { for (var r = 0; r < b.Count; r++) weightOf[b.Columns[0][r]] = b.Weights[r]; });
        Assert.All(rows, r => Assert.Equal(weightOf[r.I], r.W));
        var small = kept.SampleRows([Expr.Col("i")], null, 1000, 300_000, _ => Assert.Fail("no rows below the minimum"));
        Assert.Equal(0, small.Value);
    }
}

/// <summary>Tests that run alone: estimates in the other tests, run in parallel, keep rows too.</summary>
[CollectionDefinition(nameof(Alone), DisableParallelization = true)]
public class Alone;

/// <summary>The process-wide limit on kept bytes.</summary>
[Collection(nameof(Alone))]
public class KeptBytesLimitTests
{
    [Fact]
    public void The_process_keeps_no_more_than_its_limit_at_once()
    {
        using var source = KeptColumnsTests.Open();
        var limit = KeptColumns.MostBytesLent;
        try
        {
            // Room for one more set of these rows (4 number columns of 250,000 doubles: 8 MB), not two.
            KeptColumns.MostBytesLent = KeptColumns.LentBytes + 15_000_000;
            var first = source.Keep(KeptColumnsTests.Wanted, null, 64L << 20);
            Assert.NotNull(first.Value);
            var second = source.Keep(KeptColumnsTests.Wanted, null, 64L << 20);
            Assert.True(second.IsOk);
            Assert.Null(second.Value);
            first.Value.Dispose();
            using var third = source.Keep(KeptColumnsTests.Wanted, null, 64L << 20).Value;
            Assert.NotNull(third);
        }
        finally
        {
            KeptColumns.MostBytesLent = limit;
        }
    }

}
