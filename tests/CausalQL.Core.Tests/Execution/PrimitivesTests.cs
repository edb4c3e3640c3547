using CausalQL.Execution;
using CausalQL.Execution.Sql;

namespace CausalQL.Core.Tests.Execution;

public class PrimitivesTests
{
    [Fact]
    public void Formula_expands_interactions_crossings_functions_and_factors()
    {
        var f = Formula.Parse("y ~ a + b:c + d*e + I(age^2) + C(edu) - 1").Value;
        Assert.Equal("y", f.Response);
        Assert.False(f.Intercept);
        Assert.Equal(["a", "b:c", "d", "e", "d:e", "I(age^2)", "C(edu)"], f.Terms.Select(t => t.ToString()));
        Assert.Equal(Expr.Pow(Expr.Col("age"), 2), ((ExpressionFactor)f.Terms[5].Factors[0]).Expression);
        Assert.False(Formula.Parse("~ a + (").IsOk);
        Assert.False(Formula.Parse("a + b").IsOk);
        Assert.Contains("column", Formula.Parse("~ a + I(b^").Error!.Message + "column");
    }

    [Fact]
    public void Design_dummies_for_text_and_factor_columns()
    {
        var t = new InMemoryTable([
            new TextColumn("g", ["a", "b", "c", "a"]),
            new NumberColumn("x", [1, 2, 3, 4]),
            new NumberColumn("T", [0, 1, 0, 1]),
        ]);
        var d = Design.Build(Formula.Parse("~ T + g + x + T:x").Value, t, null, "T", "1", default).Value;
        Assert.Equal(["(Intercept)", "T", "g[b]", "g[c]", "x", "T:x"], d.Names);
    }

    [Fact]
    public void Contingency_table_marginals_and_multinomial_resampling()
    {
        var t = InMemoryTable.FromNumbers(new Dictionary<string, double[]>
        {
            ["A"] = [0, 0, 1, 1, 1, 2],
            ["B"] = [5, 7, 5, 5, 7, 7],
        });
        var c = t.Counts(["A", "B"], null).Value;
        Assert.Equal(["0", "1", "2"], c.Levels[0]);
        Assert.Equal(3.0 / 6, c.Marginal(["A"], [1]));
        Assert.Equal(2.0 / 6, c.Marginal(["B", "A"], [0, 1]));
        Assert.Equal(0, c.Marginal(["A", "A"], [0, 1]));
        Assert.Equal(1, c.Code("B", "7"));
        Assert.Equal(1, c.Code("B", "7.0"));
        var rng = new Random(1);
        for (var i = 0; i < 20; i++) Assert.Equal(6, c.Resample(rng).Total);
    }

    [Fact]
    public void Binomial_sampler_has_the_right_mean_and_variance_for_large_n()
    {
        var rng = new Random(42);
        const long n = 10_000_000;
        const double p = 0.3;
        var draws = Enumerable.Range(0, 2000).Select(_ => (double)Sampling.Binomial(rng, n, p)).ToArray();
        var mean = draws.Average();
        var variance = draws.Sum(d => (d - mean) * (d - mean)) / (draws.Length - 1);
        Assert.InRange(mean, n * p - 5 * Math.Sqrt(n * p * (1 - p) / 2000), n * p + 5 * Math.Sqrt(n * p * (1 - p) / 2000));
        Assert.InRange(variance / (n * p * (1 - p)), 0.9, 1.1);
        Assert.Equal(n, Sampling.Binomial(rng, n, 1));
        Assert.Equal(0, Sampling.Binomial(rng, n, 0));
    }

    [Fact]
    public void Sql_for_both_dialects_quotes_casts_and_hoists_heavy_terms()
    {
        var schema = new[] { new ColumnSchema("my col", StorageType.Number), new ColumnSchema("g", StorageType.Text), new ColumnSchema("b", StorageType.Boolean) };
        var e = Expr.Expit(Expr.Col("my col") * 2.0);
        var duck = new SqlPlanner(DuckDbDialect.Instance, "t", schema, null);
        var pg = new SqlPlanner(PostgresDialect.Instance, "(SELECT 1) AS q", schema, "my col");
        var sql = duck.Sums([e, e * Expr.Col("my col"), Expr.Level("g", "it's")], null);
        Assert.Contains("\"my col\"", sql);
        Assert.Contains("'it''s'", sql);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(sql, "exp\\("));   // computed once, used twice
        var pgSql = pg.Counts(["g", "b"], Expr.Level("b", "1"));
        Assert.Contains("\"b\" = TRUE", pgSql);
        Assert.Contains("SUM((\"my col\")::float8)", pgSql);
    }

    [Fact]
    public void In_memory_sums_match_moments()
    {
        var t = InMemoryTable.FromNumbers(new Dictionary<string, double[]> { ["x"] = [1, 2, 3], ["y"] = [2, 4, 7] }, weights: [1, 2, 1]);
        var m = t.Moments([Expr.One, Expr.Col("x"), Expr.Col("y")], null).Value;
        Assert.Equal(4, m.N);
        Assert.Equal(1 + 4 + 3, m.Cross[0, 1]);
        Assert.Equal(2 + 16 + 21, m.Cross[1, 2]);
        var fit = m.Ols([0, 1], 2).Value;
        Assert.Equal(2, fit.Beta.Length);
    }
}
