using CausalQL.Execution;
using static CausalQL.Data.Tests.Sources;

namespace CausalQL.Data.Tests;

public class SourceTests
{
    [Fact]
    public void Column_kinds_are_detected()
    {
        var dir = TempDir();
        File.WriteAllText(Path.Combine(dir, "k.csv"), "b,c,x,flag\n0,red,1.5,true\n1,blue,2.5,false\n1,red,,true\n");
        var src = DataSourceFactory.Open("csv", ["k.csv"], dir).Value;
        var p = src.Profile(["b", "c", "x", "flag"], null).Value;
        Assert.Equal(ColumnKind.Binary, p.Column("b").Kind);
        Assert.Equal(ColumnKind.Categorical, p.Column("c").Kind);
        Assert.Equal(ColumnKind.Numeric, p.Column("x").Kind);
        Assert.Equal(ColumnKind.Binary, p.Column("flag").Kind);
        Assert.Equal(3, p.Rows);
        Assert.Equal(2, p.CompleteRows);
        var counts = src.Counts(["flag", "c"], null).Value;
        Assert.Equal(["0", "1"], counts.Levels[0]);
        Assert.Equal(["blue", "red"], counts.Levels[1]);
        Assert.Equal(2, counts.Cells[counts.Code("flag", "1") * 2 + counts.Code("c", "red")]);
    }

    [Fact]
    public void Parquet_globs_read_every_file_and_relative_paths_resolve_against_the_base_folder()
    {
        var dir = TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "parts"));
        for (var i = 0; i < 3; i++)
            using (Setup($"CREATE TABLE t AS SELECT range % 2 AS T, (range % 3 = 0)::INT AS Y FROM range({1000 * (i + 1)}); COPY t TO {Lit(Path.Combine(dir, "parts", $"p{i}.parquet"))} (FORMAT parquet)")) { }
        var src = DataSourceFactory.Open("parquet", ["parts/*.parquet"], dir);
        Assert.True(src.IsOk, src.Error?.Message);
        Assert.Equal(6000, src.Value.Counts(["T", "Y"], null).Value.Total);
        var est = Ok(Estimation.Estimate(new EstimationRequest("T", "Y"), src.Value));
        Assert.Equal("plugin", est.Method);
        Assert.Equal(6000, est.N);
    }

    [Fact]
    public void Sums_moments_and_rows_agree_between_duckdb_and_memory()
    {
        using var duck = Csv("lalonde", "nsw_dw.csv");
        var cols = new[] { "treat", "age", "re78" };
        var rows = new List<double[]>();
        var streamed = duck.Rows(cols.Select(Expr.Col).ToList(), Expr.Level("black", "1"), 100, b =>
        {
            for (var i = 0; i < b.Count; i++) rows.Add([b.Columns[0][i], b.Columns[1][i], b.Columns[2][i]]);
        });
        Assert.True(streamed.IsOk);
        var mem = InMemoryTable.FromNumbers(new Dictionary<string, double[]>
        {
            ["treat"] = rows.Select(r => r[0]).ToArray(), ["age"] = rows.Select(r => r[1]).ToArray(), ["re78"] = rows.Select(r => r[2]).ToArray(),
        });
        var terms = new[] { Expr.One, Expr.Col("age"), Expr.Col("treat") * Expr.Col("re78"), Expr.Expit(Expr.Col("age") / 10.0), Expr.Pow(Expr.Col("age"), 2) };
        var a = duck.Sums(terms, Expr.Level("black", "1")).Value;
        var b = mem.Sums(terms, null).Value;
        Assert.Equal(a.Rows, streamed.Value);
        for (var i = 0; i < terms.Length; i++) Assert.Equal(b.Sums[i], a.Sums[i], Math.Abs(b.Sums[i]) * 1e-12);
    }
}
