using System.Numerics;
using System.Runtime.Intrinsics;
using CausalQL.Execution;
using Xunit;

namespace CausalQL.Tests.Execution;

/// <summary>
/// The passes that fuse several operations (a chain of "and"s, two operands a pass) or use a SIMD exp,
/// against the scalar formula on every element, for every length up to a few vectors (the tails) and values
/// at IEEE edges (NaN, ±∞, ±0, huge): the conjunction bit for bit, the SIMD exp within 2 ulp of Math.Exp.
/// </summary>
public class FusedElementWiseTests
{
    static readonly double[] Edges = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 1, -1, 1e308, -1e308, 5e-324, 700, -700, 750, -750, 0.5];

    static double[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => random.NextDouble() < 0.3 ? Edges[random.Next(Edges.Length)] : random.NextDouble() * 20 - 10).ToArray();
    }

    static void Same(double expected, double actual, string what) =>
        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual) || (double.IsNaN(expected) && double.IsNaN(actual)),
            $"{what}: {expected:R} vs {actual:R}");

    [Fact]
    public void Scaled_terms_added_in_one_pass_are_bit_for_bit_those_added_one_by_one()
    {
        foreach (var n in Enumerable.Range(0, 40))
            foreach (var count in new[] { 2, 3, 4 })
                foreach (var first in new[] { true, false })
                {
                    var xs = Enumerable.Range(0, count).Select(t => Values(n, 7 * n + t)).ToArray();
                    // Coefficients of every kind, 1 (a term without a product) among them.
                    double[] cs = [0.37, 1, -2.5e-3, 1e300];
                    var o = Values(n, 1000 + n);
                    var expected = (double[])o.Clone();
                    for (var t = 0; t < count; t++) ElementWise.AddScaled(expected, xs[t], cs[t] == 1 ? null : cs[t], first: first && t == 0);
                    ElementWise.AddScaled4(o, first, count, xs[0], cs[0], xs[1], cs[1], count > 2 ? xs[2] : default, cs[2], count > 3 ? xs[3] : default, cs[3]);
                    for (var i = 0; i < n; i++) Same(expected[i], o[i], $"{count} terms{(first ? ", first" : "")} at {i} of {n}");
                }
    }

    [Fact]
    public void A_chain_of_ands_is_the_conjunction_of_its_operands()
    {
        static bool True(double v, bool notNull) => !double.IsNaN(v) && (notNull || v != 0);
        foreach (var n in Enumerable.Range(0, 40))
            foreach (var (withO, aNotNull, bNotNull) in new[] { (false, false, false), (true, false, true), (false, true, true), (true, true, false) })
            {
                var a = Values(n, n);
                var b = Values(n, 50 + n);
                var o = Values(n, 99 + n);
                var before = (double[])o.Clone();
                ElementWise.AndOf(o, withO, a, aNotNull, b, bNotNull);
                for (var i = 0; i < n; i++)
                    Same((!withO || True(before[i], false)) && True(a[i], aNotNull) && True(b[i], bNotNull) ? 1 : 0, o[i], $"and at {i} of {n}");
            }
    }

    [Fact]
    public void Expit_is_the_row_path_and_the_simd_exp_within_two_ulp()
    {
        foreach (var n in Enumerable.Range(0, 40).Append(2048))
        {
            var x = Values(n, 7 * n);
            var expit = new double[n];
            var vectorExpit = new double[n];
            var vectorExp = new double[n];
            ElementWise.Expit(x, expit);
            ElementWise.VectorExpit(x, vectorExpit);
            ElementWise.VectorExp(x, vectorExp);
            for (var i = 0; i < n; i++)
            {
                var reference = 1 / (1 + Math.Exp(-Math.Clamp(x[i], -700, 700)));
                Same(reference, expit[i], $"expit({x[i]})");
                Assert.True(WithinUlps(reference, vectorExpit[i], 3), $"vector expit({x[i]}): {vectorExpit[i]:R} vs {reference:R}");
                Assert.True(WithinUlps(Math.Exp(x[i]), vectorExp[i], 2), $"vector exp({x[i]}): {vectorExp[i]:R} vs {Math.Exp(x[i]):R}");
            }
        }
    }

    [Fact]
    public void The_simd_exp_is_within_two_ulp_over_its_whole_range()
    {
        // The IEEE edges, then uniform over the finite range, dense near the ends where the result overflows
        // or turns subnormal; every length's tail through the narrower vector and scalar paths.
        var random = new Random(11);
        double[] x = [.. Edges, .. Edges, .. Enumerable.Range(0, 200_000).Select(i => (i % 4) switch
        {
            0 => random.NextDouble() * 1460 - 748,
            1 => 705 + random.NextDouble() * 6,
            2 => -750 + random.NextDouble() * 45,
            _ => (random.NextDouble() - 0.5) * 1e-3,
        })];
        foreach (var n in new[] { x.Length, x.Length - 1, x.Length - 5 })
        {
            var o = new double[n];
            ElementWise.VectorExp(x.AsSpan(0, n), o);
            for (var i = 0; i < n; i++)
                Assert.True(WithinUlps(Math.Exp(x[i]), o[i], 2), $"vector exp({x[i]:R}): {o[i]:R} vs {Math.Exp(x[i]):R}");
        }
        // Both widths on every value, whichever the processor would pick (512-bit, or the portable vector).
        for (var i = 0; i + Vector512<double>.Count <= x.Length; i += Vector512<double>.Count)
        {
            var wide = ElementWise.SimdExp.Of(Vector512.Create(x.AsSpan(i, Vector512<double>.Count)));
            for (var j = 0; j < Vector512<double>.Count; j++)
                Assert.True(WithinUlps(Math.Exp(x[i + j]), wide[j], 2), $"512-bit exp({x[i + j]:R}): {wide[j]:R}");
        }
        for (var i = 0; i + Vector<double>.Count <= x.Length; i += Vector<double>.Count)
        {
            var portable = ElementWise.SimdExp.Of(new Vector<double>(x.AsSpan(i, Vector<double>.Count)));
            for (var j = 0; j < Vector<double>.Count; j++)
                Assert.True(WithinUlps(Math.Exp(x[i + j]), portable[j], 2), $"portable exp({x[i + j]:R}): {portable[j]:R}");
        }
    }

    static bool WithinUlps(double expected, double actual, long ulps) =>
        (double.IsNaN(expected) && double.IsNaN(actual)) || expected == actual
        || (Math.Sign(expected) == Math.Sign(actual) && Math.Abs(BitConverter.DoubleToInt64Bits(expected) - BitConverter.DoubleToInt64Bits(actual)) <= ulps);
}
