using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace CausalQL.Execution;

/// <summary>
/// A sample of the rows held in memory, with its own logistic fit. It gives Newton on the full data
/// its start and, after each full scan, the part of the score that a Newton step leaves out (the
/// nonlinear remainder g(β + Δ) − g(β) + HΔ), estimated on the sample and scaled to the full data.
/// The corrected step lands within about (step)² × (the sample's relative error) of the maximum, so
/// one scan after the first usually ends the run. The full scans still decide: the sample only
/// shortens the path, never the answer (the run ends on a full scan whose own step is tiny).
/// </summary>
sealed class Pilot : IDisposable
{
    readonly double[][] _x;   // k columns of (at least) m rows
    readonly double[] _y, _w;
    readonly int _k, _m;
    /// <summary>Rows [0, half) and [half, m): two halves whose disagreement measures the sample's error (blocks stay together).</summary>
    readonly int _half;

    public double[] Beta { get; }

    // Arrays rented for the sample (see SamplePilot), given back when the estimate is done with the pilot.
    double[][]? _rented;

    /// <summary>Gives the sample's arrays back to the shared pool: a sample a query, fresh each time, cost page faults and collections.</summary>
    public void Dispose()
    {
        if (_rented is not null) GiveBack(_rented);
        _rented = null;
    }

    /// <summary>Returns arrays rented from the shared pool.</summary>
    public static void GiveBack(double[][] rented)
    {
        foreach (var a in rented) System.Buffers.ArrayPool<double>.Shared.Return(a);
    }

    Pilot(double[][] x, double[] y, double[] w, int m, double[] beta) =>
        (_x, _y, _w, _k, _m, _half, Beta) = (x, y, w, x.Length, m, m / 2, beta);

    /// <summary>
    /// The sample (the first <paramref name="m"/> rows of the arrays) with its maximum-likelihood fit; null
    /// when the fit fails (separation, too few rows).
    /// </summary>
    public static Pilot? Fit(double[][] x, double[] y, double[] w, int m, double[][]? rented = null)
    {
        var pilot = FitSample(x, y, w, m);
        if (pilot is not null) pilot._rented = rented;
        else if (rented is not null) GiveBack(rented);
        return pilot;
    }

    static Pilot? FitSample(double[][] x, double[] y, double[] w, int m)
    {
        if (m < 1000) return null;
        var k = x.Length;
        // First on every eighth row, to a loose tolerance, then on all: most iterations run on the small set.
        double[]? start = null;
        if (m >= 8 * 2000)
        {
            var coarse = new Pilot(x.Select(c => EveryEighth(c, m)).ToArray(), EveryEighth(y, m), EveryEighth(w, m), m / 8, new double[k]);
            if (coarse.Newton(new double[k], 1e-4)) start = coarse.Beta;
        }
        // To 1e-7: the sample's own estimate is ~1/√m from the full data's, so a start needs no more digits.
        var pilot = new Pilot(x, y, w, m, new double[k]);
        return pilot.Newton(start ?? new double[k], 1e-7) ? pilot : null;
    }

    static double[] EveryEighth(double[] values, int m)
    {
        var result = new double[m / 8];
        for (var i = 0; i < result.Length; i++) result[i] = values[8 * i];
        return result;
    }

    /// <summary>Newton from <paramref name="start"/> into <see cref="Beta"/> until the relative step is below <paramref name="tolerance"/>; false when it fails.</summary>
    bool Newton(double[] start, double tolerance)
    {
        var k = _k;
        start.CopyTo(Beta, 0);
        var g = new double[k];
        var h = new double[k * k];
        var g2 = new double[k];
        var h2 = new double[k * k];
        for (var iter = 0; iter < 30; iter++)
        {
            // The two halves of the rows on two cores (a few thousand rows each would not repay it: the sample has 15,000 or more).
            Parallel.Invoke(() => Score(Beta, 0, _half, g, h), () => Score(Beta, _half, _m, g2, h2));
            for (var i = 0; i < k; i++) g[i] += g2[i];
            for (var i = 0; i < h.Length; i++) h[i] += h2[i];
            var step = Solve(h, g, k);
            if (step is null) return false;
            var maxStep = 0.0;
            for (var i = 0; i < k; i++)
            {
                Beta[i] += step[i];
                maxStep = Math.Max(maxStep, Math.Abs(step[i]) / (1 + Math.Abs(Beta[i])));
            }
            if (maxStep < tolerance) return true;
        }
        return false;
    }

    /// <summary>
    /// Newton's step from a full scan at β (score <paramref name="g"/>, matrix <paramref name="a"/> = Σ p(1−p)xxᵀ
    /// taken at <paramref name="betaA"/>, over a weight total <paramref name="n"/>) plus the sample's estimate of
    /// the remainder, solved by fixed-point iteration; with the predicted size (relative, as Newton's step sizes)
    /// of what is left, from the halves' disagreement. Null when the iteration does not settle.
    /// </summary>
    public (double[] Step, double Predicted)? Correct(double[] beta, double[] betaA, Matrix<double> a, Vector<double> g, double n)
    {
        var k = _k;
        if (a.RowCount != k || !(n > 0)) return null;
        var m = _m;
        Matrix<double> aInverse;
        try { aInverse = a.Inverse(); } catch (ArgumentException) { return null; }
        if (!aInverse.Enumerate().All(double.IsFinite)) return null;
        // Per half: Σ w(y − p)x at β and Σ w p(1−p)xxᵀ at βA (the remainder subtracts their linear part).
        var halves = new[] { (From: 0, To: _half), (From: _half, To: m) };
        var g0 = halves.Select(_ => new double[k]).ToArray();
        var a0 = halves.Select(_ => new double[k * k]).ToArray();
        var weight = new double[2];
        // The halves on two cores, here and in every remainder below.
        Parallel.For(0, 2, s =>
        {
            var (from, to) = halves[s];
            Score(beta, from, to, g0[s], null);
            Score(betaA, from, to, new double[k], a0[s]);
            for (var r = from; r < to; r++) weight[s] += _w[r];
        });
        if (!(weight[0] > 0) || !(weight[1] > 0)) return null;
        var scale = n / (weight[0] + weight[1]);
        // R(Δ) per half, unscaled: g_m(β + Δ) − g_m(β) + A_m Δ.
        double[][] Remainder(double[] delta)
        {
            var at = beta.Zip(delta, (b, d) => b + d).ToArray();
            var result = new double[2][];
            Parallel.For(0, 2, s =>
            {
                var gs = new double[k];
                Score(at, halves[s].From, halves[s].To, gs, null);
                for (var i = 0; i < k; i++)
                {
                    var linear = 0.0;
                    for (var j = 0; j < k; j++) linear += a0[s][i * k + j] * delta[j];
                    gs[i] += linear - g0[s][i];
                }
                result[s] = gs;
            });
            return result;
        }
        double Relative(double[] d, double[] at)
        {
            var max = 0.0;
            for (var i = 0; i < k; i++) max = Math.Max(max, Math.Abs(d[i]) / (1 + Math.Abs(beta[i] + at[i])));
            return max;
        }
        var step = (aInverse * g).ToArray();
        if (Relative(step, step) > 0.5) return null;   // far from the maximum: plain Newton
        var lastChange = double.PositiveInfinity;
        var settled = double.PositiveInfinity;
        for (var iter = 0; iter < 30; iter++)
        {
            var rem = Remainder(step);
            var total = Vector<double>.Build.Dense(k, i => g[i] + scale * (rem[0][i] + rem[1][i]));
            var next = (aInverse * total).ToArray();
            if (!next.All(double.IsFinite)) return null;
            var change = Relative(next.Zip(step, (x, y) => x - y).ToArray(), next);
            step = next;
            settled = change;
            // 1e-10 is far below what the sample can tell (its error is predicted next, and this is added to it).
            if (change <= 1e-10) break;
            if (iter > 3 && change > lastChange) return null;
            lastChange = change;
        }
        // The two halves' estimates of the remainder, each scaled to the full data; the whole sample's
        // error is about half their difference.
        var last = Remainder(step);
        var diff = Vector<double>.Build.Dense(k, i => (n / weight[0] * last[0][i] - n / weight[1] * last[1][i]) / 2);
        // An iteration that had not settled leaves its last change on top.
        var predicted = Relative((aInverse * diff).ToArray(), step) + settled;
        return (step, predicted);
    }

    /// <summary>
    /// Σ w(y − p)x over rows [from, to) into <paramref name="g"/>, and Σ w p(1−p)xxᵀ (full k×k) into <paramref name="h"/> when given.
    /// Column-wise over chunks of rows with the engine-side sums' SIMD kernels (a vector exp among them): the
    /// sample only guides Newton on the full data, so its last bits do not matter.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Score(double[] beta, int from, int to, double[] g, double[]? h)
    {
        const int Chunk = 512;
        var k = _k;
        Array.Clear(g);
        if (h is not null) Array.Clear(h);
        Span<double> eta = stackalloc double[Chunk];
        Span<double> resid = stackalloc double[Chunk];
        Span<double> v = stackalloc double[Chunk];
        for (var start = from; start < to; start += Chunk)
        {
            var len = Math.Min(Chunk, to - start);
            var e = eta[..len];
            e.Clear();
            for (var i = 0; i < k; i++) ElementWise.AddScaled(e, _x[i].AsSpan(start, len), beta[i], first: false);
            Residuals(e, _y.AsSpan(start, len), _w.AsSpan(start, len), resid[..len], v[..len]);
            for (var i = 0; i < k; i++)
            {
                var xi = _x[i].AsSpan(start, len);
                g[i] += RowProducts.Sum(new RowProducts.Prefix2(resid[..len], xi));
                if (h is null) continue;
                for (var j = 0; j <= i; j++) h[i * k + j] += RowProducts.Sum(new RowProducts.Prefix3(v[..len], xi, _x[j].AsSpan(start, len)));
            }
        }
        if (h is null) return;
        for (var i = 0; i < k; i++) for (var j = 0; j < i; j++) h[j * k + i] = h[i * k + j];
    }

    /// <summary>From η: r = w(y − p) and v = w·p(1 − p), p = expit(η) (the SIMD one of the engine-side sums).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Residuals(ReadOnlySpan<double> eta, ReadOnlySpan<double> y, ReadOnlySpan<double> w, Span<double> r, Span<double> v)
    {
        ElementWise.VectorExpit(eta, v);
        for (var i = 0; i < eta.Length; i++)
        {
            var p = v[i];
            r[i] = w[i] * (y[i] - p);
            v[i] = w[i] * p * (1 - p);
        }
    }

    static double[]? Solve(double[] h, double[] g, int k)
    {
        var m = Matrix<double>.Build.Dense(k, k, (i, j) => h[i * k + j]);
        var step = m.Solve(Vector<double>.Build.DenseOfArray(g));
        return step.All(double.IsFinite) ? step.ToArray() : null;
    }
}
