using CausalQL.Execution;
using Xunit;

namespace CausalQL.Core.Tests.Execution;

/// <summary>The block-wise sums of the in-memory table against a plain per-row loop written out here.</summary>
public sealed class InMemorySumsTests
{
    [Fact]
    public void Block_sums_equal_a_row_loop_bit_for_bit_with_filter_weights_missing_values_and_shared_subtrees()
    {
        const int n = 2500;   // more than one block, last block partial
        var r = new Random(3);
        var x = new double[n];
        var g = new string?[n];
        var w = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = i % 97 == 0 ? double.NaN : r.NextDouble() * 4 - 2;
            g[i] = i % 53 == 0 ? null : r.Next(3).ToString(System.Globalization.CultureInfo.InvariantCulture);
            w[i] = r.Next(3);
        }
        var table = new InMemoryTable([new NumberColumn("x", x), new TextColumn("g", g)], w);
        var p = Expr.Expit(0.3 + 1.7 * Expr.Col("x"));
        var v = p * (1 - p);
        Expr[] terms = [v, v * Expr.Col("x"), Expr.Level("g", "1") - p, Expr.Pow(Expr.Col("x") + 1, 3), Expr.Clip(Expr.Log(p), -1, 0)];
        var filter = Expr.And(Expr.NotNull("g"), Expr.Greater(Expr.Col("x"), -1.5));

        var got = table.Sums(terms, filter);

        Assert.True(got.IsOk);
        var expected = new double[terms.Length];
        double total = 0;
        long rows = 0;
        for (var i = 0; i < n; i++)
        {
            if (g[i] is null || !(x[i] > -1.5)) continue;
            rows++;
            total += w[i];
            if (w[i] == 0) continue;
            var pi = 1 / (1 + Math.Exp(-Math.Clamp(0.3 + 1.7 * x[i], -700, 700)));
            var vi = pi * (1 - pi);
            expected[0] += w[i] * vi;
            expected[1] += w[i] * (vi * x[i]);
            expected[2] += w[i] * ((g[i] == "1" ? 1 : 0) - pi);
            expected[3] += w[i] * Math.Pow(x[i] + 1, 3);
            expected[4] += w[i] * Math.Clamp(Math.Log(pi), -1, 0);
        }
        Assert.Equal(expected, got.Value.Sums);
        Assert.Equal(total, got.Value.N);
        Assert.Equal(rows, got.Value.Rows);
    }
}
