using CausalQL.Execution;
using MathNet.Numerics.LinearAlgebra;

namespace CausalQL.Core.Tests.Execution;

/// <summary>
/// IPW and AIPW against a direct computation written here from the textbook formulas, on arrays:
/// the logistic MLE by Newton to machine precision, the weighted means, and for IPW the stacked
/// estimating-equation sandwich with its Jacobian taken by finite differences (a path that shares
/// nothing with the estimator's analytic sums).
/// </summary>
public class PropensityEstimatorTests
{
    static readonly string[] Ws = ["W1", "W2", "W3", "W4", "W5"];

    sealed record Data(double[][] X, double[] T, double[] Y)
    {
        public int N => Y.Length;
        public int K => X.Length;
    }

    static Data Arrays(InMemoryTable table) => new(
        [Enumerable.Repeat(1.0, table.RowCount).ToArray(), .. Ws.Select(w => ((NumberColumn)table[w]).Values)],
        ((NumberColumn)table["T"]).Values, ((NumberColumn)table["Y"]).Values);

    static double Expit(double x) => 1 / (1 + Math.Exp(-x));

    static double Eta(Data d, double[] beta, int i)
    {
        var s = 0.0;
        for (var j = 0; j < d.K; j++) s += beta[j] * d.X[j][i];
        return s;
    }

    static double[] LogisticMle(Data d)
    {
        var beta = new double[d.K];
        for (var iter = 0; iter < 100; iter++)
        {
            var h = Matrix<double>.Build.Dense(d.K, d.K);
            var g = Vector<double>.Build.Dense(d.K);
            for (var i = 0; i < d.N; i++)
            {
                var p = Expit(Eta(d, beta, i));
                for (var a = 0; a < d.K; a++)
                {
                    g[a] += (d.T[i] - p) * d.X[a][i];
                    for (var b = 0; b < d.K; b++) h[a, b] += p * (1 - p) * d.X[a][i] * d.X[b][i];
                }
            }
            var step = h.Solve(g);
            for (var a = 0; a < d.K; a++) beta[a] += step[a];
            if (step.AbsoluteMaximum() < 1e-15) break;
        }
        return beta;
    }

    public enum Kind { Hajek, HorvitzThompson, Att }

    /// <summary>ψ_i(θ) for θ = (β, μ1, μ0): the logistic score and the two weighted-mean equations.</summary>
    static double[] Psi(Data d, double[] theta, int i, Kind kind, double trim)
    {
        var k = d.K;
        var beta = theta[..k];
        var p = Expit(Eta(d, beta, i));
        var e = trim > 0 ? Math.Clamp(p, trim, 1 - trim) : p;
        var (a, y) = (d.T[i], d.Y[i]);
        var psi = new double[k + 2];
        for (var j = 0; j < k; j++) psi[j] = (a - p) * d.X[j][i];
        double mu1 = theta[k], mu0 = theta[k + 1];
        switch (kind)
        {
            case Kind.Hajek:
                psi[k] = a / e * (y - mu1);
                psi[k + 1] = (1 - a) / (1 - e) * (y - mu0);
                break;
            case Kind.HorvitzThompson:
                psi[k] = a * y / e - mu1;
                psi[k + 1] = (1 - a) * y / (1 - e) - mu0;
                break;
            default:
                psi[k] = a * (y - mu1);
                psi[k + 1] = (1 - a) * e / (1 - e) * (y - mu0);
                break;
        }
        return psi;
    }

    static (double Ate, double Se) Direct(Data d, Kind kind, double trim)
    {
        var k = d.K;
        var beta = LogisticMle(d);
        double s1 = 0, sy1 = 0, s0 = 0, sy0 = 0;
        for (var i = 0; i < d.N; i++)
        {
            var p = Expit(Eta(d, beta, i));
            var e = trim > 0 ? Math.Clamp(p, trim, 1 - trim) : p;
            var (w1, w0) = kind == Kind.Att ? (d.T[i], (1 - d.T[i]) * e / (1 - e)) : (d.T[i] / e, (1 - d.T[i]) / (1 - e));
            s1 += w1; sy1 += w1 * d.Y[i]; s0 += w0; sy0 += w0 * d.Y[i];
        }
        var (mu1, mu0) = kind == Kind.HorvitzThompson ? (sy1 / d.N, sy0 / d.N) : (sy1 / s1, sy0 / s0);
        double[] theta = [.. beta, mu1, mu0];
        // Jacobian of Σψ by central differences; meat Σψψ'.
        Vector<double> Total(double[] th)
        {
            var t = Vector<double>.Build.Dense(k + 2);
            for (var i = 0; i < d.N; i++) t += Vector<double>.Build.DenseOfArray(Psi(d, th, i, kind, trim));
            return t;
        }
        var jac = Matrix<double>.Build.Dense(k + 2, k + 2);
        for (var c = 0; c < k + 2; c++)
        {
            var h = 1e-5 * (1 + Math.Abs(theta[c]));
            var up = (double[])theta.Clone(); up[c] += h;
            var down = (double[])theta.Clone(); down[c] -= h;
            jac.SetColumn(c, (Total(up) - Total(down)) / (2 * h));
        }
        var meat = Matrix<double>.Build.Dense(k + 2, k + 2);
        for (var i = 0; i < d.N; i++)
        {
            var v = Vector<double>.Build.DenseOfArray(Psi(d, theta, i, kind, trim));
            meat += v.OuterProduct(v);
        }
        var jinv = jac.Inverse();
        var cov = jinv * meat * jinv.Transpose();
        return (mu1 - mu0, Math.Sqrt(cov[k, k] + cov[k + 1, k + 1] - 2 * cov[k, k + 1]));
    }

    static EstimateResult Ok(Result<EstimateResult> r)
    {
        Assert.True(r.IsOk, r.Error?.Message);
        return r.Value;
    }

    [Theory]
    [InlineData(Kind.Hajek, 0.0)]
    [InlineData(Kind.Hajek, 0.1)]
    [InlineData(Kind.HorvitzThompson, 0.0)]
    [InlineData(Kind.Att, 0.0)]
    [InlineData(Kind.Att, 0.05)]
    public void Ipw_equals_the_direct_mle_based_estimate_and_its_stacked_sandwich(Kind kind, double trim)
    {
        var table = SyntheticData.Linear(3000, 31);
        var d = Arrays(table);
        var (ate, se) = Direct(d, kind, trim);
        var options = new EstimationOptions
        {
            Stabilized = kind != Kind.HorvitzThompson,
            Target = kind == Kind.Att ? EffectTarget.Att : EffectTarget.Ate,
            Trim = trim > 0 ? trim : null,
        };
        var ours = Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Method = EstimationMethod.Ipw, Adjustment = Ws, Options = options }, table));
        Assert.Equal(ate, ours.Value, Math.Abs(ate) * 1e-8);
        Assert.Equal(se, ours.StandardError!.Value, se * 1e-5);
        Assert.Contains("stacked estimating equations", ours.IntervalMethod);
    }

    [Fact]
    public void Ipw_sandwich_is_smaller_than_known_propensity_variance_and_agrees_with_the_bootstrap()
    {
        var table = SyntheticData.Linear(2000, 32);
        var request = new EstimationRequest("T", "Y") { Method = EstimationMethod.Ipw, Adjustment = Ws };
        var analytic = Ok(Estimation.Estimate(request, table));
        var boot = Ok(Estimation.Estimate(request with { Options = new() { Bootstrap = 150, Seed = 5 } }, table));
        Assert.InRange(boot.StandardError!.Value / analytic.StandardError!.Value, 0.8, 1.25);
    }

    [Fact]
    public void Aipw_equals_the_direct_estimate_from_the_mle_and_per_arm_least_squares()
    {
        var table = SyntheticData.Linear(3000, 33);
        var d = Arrays(table);
        var beta = LogisticMle(d);
        double[] Ols(double arm)
        {
            var rows = Enumerable.Range(0, d.N).Where(i => d.T[i] == arm).ToArray();
            var x = Matrix<double>.Build.Dense(rows.Length, d.K, (r, c) => d.X[c][rows[r]]);
            var y = Vector<double>.Build.Dense(rows.Length, r => d.Y[rows[r]]);
            return x.TransposeThisAndMultiply(x).Solve(x.TransposeThisAndMultiply(y)).ToArray();
        }
        var (b1, b0) = (Ols(1), Ols(0));
        var total = 0.0;
        for (var i = 0; i < d.N; i++)
        {
            var e = Expit(Eta(d, beta, i));
            var (m1, m0) = (Eta(d, b1, i), Eta(d, b0, i));
            total += m1 - m0 + d.T[i] * (d.Y[i] - m1) / e - (1 - d.T[i]) * (d.Y[i] - m0) / (1 - e);
        }
        var direct = total / d.N;
        var ours = Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Method = EstimationMethod.Aipw, Adjustment = Ws }, table));
        Assert.Equal(direct, ours.Value, Math.Abs(direct) * 1e-8);
        Assert.Contains("stacked estimating equations", ours.IntervalMethod);
    }

    /// <summary>
    /// AIPW's stacked equations θ = (β, γ..., μ1, μ0): logistic score, least-squares normal equations
    /// (per arm on X, or one model on (X, T)), and the two AIPW means; solved directly, Jacobian by
    /// central differences, sandwich J⁻¹ M J⁻ᵀ.
    /// </summary>
    static (double Ate, double Se) AipwDirect(Data d, bool single, double trim)
    {
        var k = d.K;
        var q = single ? k + 1 : k;
        var blocks = single ? 1 : 2;
        var size = k + blocks * q + 2;
        double[] Z(int i, double? t) => [.. Enumerable.Range(0, k).Select(j => d.X[j][i]), .. single ? new[] { t ?? d.T[i] } : []];
        double Dot(double[] a, double[] b, int o) { var s = 0.0; for (var j = 0; j < a.Length; j++) s += a[j] * b[o + j]; return s; }
        double[] Psi(double[] th, int i)
        {
            var p = Expit(Eta(d, th[..k], i));
            var e = trim > 0 ? Math.Clamp(p, trim, 1 - trim) : p;
            var (a, y) = (d.T[i], d.Y[i]);
            var psi = new double[size];
            for (var j = 0; j < k; j++) psi[j] = (a - p) * d.X[j][i];
            var z = Z(i, null);
            double m1, m0;
            if (single)
            {
                var r = y - Dot(z, th, k);
                for (var j = 0; j < q; j++) psi[k + j] = z[j] * r;
                (m1, m0) = (Dot(Z(i, 1), th, k), Dot(Z(i, 0), th, k));
            }
            else
            {
                (m1, m0) = (Dot(z, th, k), Dot(z, th, k + q));
                for (var j = 0; j < q; j++) { psi[k + j] = a * z[j] * (y - m1); psi[k + q + j] = (1 - a) * z[j] * (y - m0); }
            }
            psi[size - 2] = m1 + a * (y - m1) / e - th[size - 2];
            psi[size - 1] = m0 + (1 - a) * (y - m0) / (1 - e) - th[size - 1];
            return psi;
        }
        double[] Ols(Func<int, bool> keep)
        {
            var rows = Enumerable.Range(0, d.N).Where(keep).ToArray();
            var x = Matrix<double>.Build.Dense(rows.Length, q, (r, c) => Z(rows[r], null)[c]);
            var y = Vector<double>.Build.Dense(rows.Length, r => d.Y[rows[r]]);
            return x.TransposeThisAndMultiply(x).Solve(x.TransposeThisAndMultiply(y)).ToArray();
        }
        var theta = new double[size];
        LogisticMle(d).CopyTo(theta, 0);
        if (single) Ols(_ => true).CopyTo(theta, k);
        else { Ols(i => d.T[i] == 1).CopyTo(theta, k); Ols(i => d.T[i] == 0).CopyTo(theta, k + q); }
        // μ solves its own equation given the rest (ψ_μ is linear in μ with slope −1).
        double s1 = 0, s0 = 0;
        for (var i = 0; i < d.N; i++) { var ps = Psi(theta, i); s1 += ps[size - 2]; s0 += ps[size - 1]; }
        theta[size - 2] = s1 / d.N;
        theta[size - 1] = s0 / d.N;
        Vector<double> Total(double[] th)
        {
            var t = Vector<double>.Build.Dense(size);
            for (var i = 0; i < d.N; i++) t += Vector<double>.Build.DenseOfArray(Psi(th, i));
            return t;
        }
        var jac = Matrix<double>.Build.Dense(size, size);
        for (var c = 0; c < size; c++)
        {
            var h = 1e-5 * (1 + Math.Abs(theta[c]));
            var up = (double[])theta.Clone(); up[c] += h;
            var down = (double[])theta.Clone(); down[c] -= h;
            jac.SetColumn(c, (Total(up) - Total(down)) / (2 * h));
        }
        var meat = Matrix<double>.Build.Dense(size, size);
        for (var i = 0; i < d.N; i++)
        {
            var v = Vector<double>.Build.DenseOfArray(Psi(theta, i));
            meat += v.OuterProduct(v);
        }
        var jinv = jac.Inverse();
        var cov = jinv * meat * jinv.Transpose();
        int a1 = size - 2, a0 = size - 1;
        return (theta[a1] - theta[a0], Math.Sqrt(cov[a1, a1] + cov[a0, a0] - 2 * cov[a1, a0]));
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.1)]
    [InlineData(true, 0.0)]
    [InlineData(true, 0.1)]
    public void Aipw_standard_error_equals_the_stacked_sandwich_of_propensity_outcome_and_mean_equations(bool single, double trim)
    {
        var table = SyntheticData.Linear(3000, 34);
        var d = Arrays(table);
        var (ate, se) = AipwDirect(d, single, trim);
        var options = new EstimationOptions
        {
            Trim = trim > 0 ? trim : null,
            OutcomeModel = single ? "~ T + " + string.Join(" + ", Ws) : null,
        };
        var ours = Ok(Estimation.Estimate(new EstimationRequest("T", "Y") { Method = EstimationMethod.Aipw, Adjustment = Ws, Options = options }, table));
        Assert.Equal(ate, ours.Value, Math.Abs(ate) * 1e-8);
        Assert.Equal(se, ours.StandardError!.Value, se * 1e-5);
        Assert.Contains("stacked estimating equations", ours.IntervalMethod);
    }

    [Fact]
    public void Aipw_sandwich_agrees_with_the_bootstrap()
    {
        var table = SyntheticData.Linear(2000, 35);
        var request = new EstimationRequest("T", "Y") { Method = EstimationMethod.Aipw, Adjustment = Ws };
        var analytic = Ok(Estimation.Estimate(request, table));
        var boot = Ok(Estimation.Estimate(request with { Options = new() { Bootstrap = 150, Seed = 7 } }, table));
        Assert.InRange(boot.StandardError!.Value / analytic.StandardError!.Value, 0.8, 1.25);
    }
}
