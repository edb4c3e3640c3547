using CausalQL.Execution;

namespace CausalQL.Tests.Execution;

/// <summary>
/// The SIMD element-wise operations give, bit for bit, what the scalar formula gives each element —
/// NaN (missing), infinities, signed zeros and values past the expit clamp included — at every length
/// (so the vector part and the scalar tail both run).
/// </summary>
public class ElementWiseTests
{
    static double[] Values(int n, int seed)
    {
        var special = new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 1.0, -1.0, 800, -800, 700, -700, 1e-300, 5e-324 };
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(i => rng.Next(3) == 0 ? special[rng.Next(special.Length)] : (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 4))).ToArray();
    }

    static void Same(Func<double, double, double> scalar, Action<double[], double[], double[]> vector)
    {
        foreach (var n in new[] { 1, 3, 4, 7, 64, 1023, 1024 })
        {
            var x = Values(n, n);
            var y = Values(n, n + 1000);
            var o = new double[n];
            vector(x, y, o);
            for (var i = 0; i < n; i++)
                Assert.True(BitConverter.DoubleToInt64Bits(scalar(x[i], y[i])) == BitConverter.DoubleToInt64Bits(o[i]),
                    $"n = {n}, element {i}: x = {x[i]:R}, y = {y[i]:R}: scalar {scalar(x[i], y[i]):R}, vector {o[i]:R}");
        }
    }

    [Fact]
    public void Arithmetic_matches_the_scalar_operations_bit_for_bit()
    {
        Same((a, b) => a + b, (x, y, o) => ElementWise.Add(x, y, o));
        Same((a, b) => a - b, (x, y, o) => ElementWise.Subtract(x, y, o));
        Same((a, b) => a * b, (x, y, o) => ElementWise.Multiply(x, y, o));
        Same((a, b) => a / b, (x, y, o) => ElementWise.Divide(x, y, o));
    }

    [Fact]
    public void Comparisons_and_conjunction_give_one_or_zero_as_the_scalar_tests_do()
    {
        Same((a, b) => a < b ? 1 : 0, (x, y, o) => ElementWise.Less(x, y, o));
        Same((a, b) => a == b ? 1 : 0, (x, y, o) => ElementWise.Equal(x, y, o));
        Same((a, b) => a != 0 && !double.IsNaN(a) && b != 0 && !double.IsNaN(b) ? 1 : 0, (x, y, o) => ElementWise.And(x, y, o));
    }

    [Fact]
    public void Running_sums_of_scaled_terms_match_the_tree_of_products_and_sums()
    {
        Same((a, b) => a + 0.37 * b, (x, y, o) => { x.CopyTo(o, 0); ElementWise.AddScaled(o, y, 0.37, first: false); });
        Same((a, b) => -2.5 * b, (x, y, o) => ElementWise.AddScaled(o, y, -2.5, first: true));
        Same((a, b) => a + b, (x, y, o) => { x.CopyTo(o, 0); ElementWise.AddScaled(o, y, null, first: false); });
        Same((a, _) => a + 1.25, (x, _, o) => { x.CopyTo(o, 0); ElementWise.AddConstant(o, 1.25, first: false); });
    }

    [Fact]
    public void A_linear_predictor_sums_like_its_expression_tree()
    {
        // c0 + c1·x + c2·y + y evaluated column-wise equals the row-at-a-time evaluation bit for bit.
        var rng = new Random(7);
        var x = Enumerable.Range(0, 1000).Select(_ => (rng.NextDouble() - 0.5) * 100).ToArray();
        var y = Enumerable.Range(0, 1000).Select(_ => (rng.NextDouble() - 0.5) * 1e-3).ToArray();
        var table = InMemoryTable.FromNumbers(new Dictionary<string, double[]> { ["x"] = x, ["y"] = y });
        var lin = Expr.Linear([Expr.One, Expr.Col("x"), Expr.Col("y")], [0.3, -1.7, 2.9]) + Expr.Col("y");
        var sums = table.Sums([lin, lin * Expr.Col("x")], null);
        Assert.True(sums.IsOk);
        double s0 = 0, s1 = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var v = ((0.3 + -1.7 * x[i]) + 2.9 * y[i]) + y[i];
            s0 += v;
            s1 += v * x[i];
        }
        Assert.Equal(BitConverter.DoubleToInt64Bits(s0), BitConverter.DoubleToInt64Bits(sums.Value.Sums[0]));
        Assert.Equal(BitConverter.DoubleToInt64Bits(s1), BitConverter.DoubleToInt64Bits(sums.Value.Sums[1]));
    }

    [Fact]
    public void Expit_matches_the_clamped_scalar_formula_and_keeps_missing_values_missing()
    {
        Same((a, _) => 1 / (1 + Math.Exp(-Math.Clamp(a, -700, 700))), (x, _, o) => ElementWise.Expit(x, o));
        var o = new double[8];
        ElementWise.Expit([double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 1, 2, 3], o);
        Assert.All(o[..5], v => Assert.True(double.IsNaN(v)));
    }
}
