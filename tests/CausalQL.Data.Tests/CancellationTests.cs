using CausalQL.Execution;

namespace CausalQL.Data.Tests;

/// <summary>A running DuckDB query is interrupted when the run's token fires (the server's time budget).</summary>
public class CancellationTests
{
    [Fact]
    public void A_long_query_is_interrupted_and_reported_as_cancelled()
    {
        // 10^9 rows from a cross join: counting them takes tens of seconds; interrupted, a fraction of one.
        using var source = DuckDbSources.FromSetup("huge",
            "CREATE VIEW huge AS SELECT a.range % 2 AS X, b.range % 3 AS Y FROM range(100000) a, range(10000) b", "huge").Value;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var counts = source.Counts(["X", "Y"], null, cts.Token);
        Assert.False(counts.IsOk);
        Assert.Equal("cancelled", counts.Error!.Message);

        // The connection is usable afterwards.
        using var small = DuckDbSources.FromSetup("small", "CREATE VIEW small AS SELECT range % 2 AS X FROM range(10)", "small").Value;
        Assert.True(small.Counts(["X"], null).IsOk);
    }
}
