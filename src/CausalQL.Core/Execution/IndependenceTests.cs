using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace CausalQL.Execution;

/// <summary>One conditional-independence test: its statistic, degrees of freedom (null for Fisher-z) and p-value.</summary>
public sealed record IndependenceTest(string Method, double Statistic, int? Df, double PValue, double N);

/// <summary>
/// Tests of X ⟂ Y | Z on data: the G-test (likelihood-ratio chi-square) for discrete columns, from one
/// contingency table, and Fisher's z test of zero partial correlation for numeric columns, from one
/// moment matrix. Both are the tests DAGitty's localTests and pgmpy use for these column kinds.
/// </summary>
public static class IndependenceTests
{
    /// <summary>
    /// G-test of x ⟂ ys | zs on a table whose variables are exactly [x, ...ys, ...zs] in that order, so that
    /// (row-major) a cell index is (xi·|Y| + yi)·|Z| + zi with Y and Z read as joint variables.
    /// G = 2 Σ n_xyz ln(n_xyz n_z / (n_xz n_yz)); df = Σ over non-empty strata (r_x − 1)(r_y − 1), with
    /// r_x, r_y the levels seen in that stratum (unseen levels carry no information, as in pgmpy/bnlearn adjusted df).
    /// </summary>
    public static IndependenceTest GTest(ContingencyTable table, int yCount)
    {
        var levels = table.Levels.Select(l => l.Count).ToArray();
        var nx = levels[0];
        var ny = 1;
        for (var i = 1; i <= yCount; i++) ny *= levels[i];
        var nz = 1;
        for (var i = 1 + yCount; i < levels.Length; i++) nz *= levels[i];
        double g = 0;
        var df = 0;
        var cells = table.Cells;
        for (var z = 0; z < nz; z++)
        {
            var rowSums = new double[nx];
            var colSums = new double[ny];
            double total = 0;
            for (var x = 0; x < nx; x++)
                for (var y = 0; y < ny; y++)
                {
                    var c = cells[(x * ny + y) * nz + z];
                    rowSums[x] += c;
                    colSums[y] += c;
                    total += c;
                }
            if (total <= 0) continue;  // empty stratum: dropped
            for (var x = 0; x < nx; x++)
                for (var y = 0; y < ny; y++)
                {
                    var c = cells[(x * ny + y) * nz + z];
                    if (c > 0) g += 2 * c * Math.Log(c * total / (rowSums[x] * colSums[y]));
                }
            var rx = rowSums.Count(s => s > 0);
            var ry = colSums.Count(s => s > 0);
            df += Math.Max(0, rx - 1) * Math.Max(0, ry - 1);
        }
        g = Math.Max(0, g);
        var p = df == 0 ? 1.0 : ChiSquaredUpperTail(df, g);
        return new IndependenceTest("G-test", g, df, p, table.Total);
    }

    // The chi-square upper tail as a regularized gamma, without the cancellation of 1 − CDF.
    static double ChiSquaredUpperTail(int df, double g) => MathNet.Numerics.SpecialFunctions.GammaUpperRegularized(df / 2.0, g / 2.0);

    /// <summary>
    /// Fisher-z test of x ⟂ ys | zs from a moment matrix over [1, x, ...ys, ...zs]. For one y: the partial
    /// correlation r of x and y given zs, z = atanh(r)·√(n − |zs| − 3), two-sided normal p. For several ys the
    /// joint null (all coefficients of ys in the regression of x on ys ∪ zs are zero) is tested by each y given
    /// zs ∪ the other ys, combined by Bonferroni (min p × |ys|, which equals Holm's for the global null);
    /// the statistic reported is the largest |z|.
    /// </summary>
    public static Result<IndependenceTest> FisherZ(MomentMatrix moments, int yCount)
    {
        var k = moments.Columns.Count - 1;  // variables after the constant
        var n = moments.N;
        if (n <= k + 2) return Result<IndependenceTest>.Fail($"too few rows ({n}) for a partial-correlation test on {k} variables");
        var cov = Matrix<double>.Build.Dense(k, k);
        for (var i = 0; i < k; i++)
            for (var j = 0; j < k; j++)
            {
                var mi = moments.Cross[0, i + 1] / n;
                var mj = moments.Cross[0, j + 1] / n;
                cov[i, j] = (moments.Cross[i + 1, j + 1] - n * mi * mj) / (n - 1);
            }
        for (var i = 0; i < k; i++)
            if (!(cov[i, i] > 1e-12 * Math.Max(1, Math.Abs(moments.Cross[i + 1, i + 1] / n))))
                return Result<IndependenceTest>.Fail($"column '{moments.Columns[i + 1]}' is constant");
        var precision = cov.Inverse();
        if (precision.Enumerate().Any(v => !double.IsFinite(v)))
            return Result<IndependenceTest>.Fail("the columns are collinear");
        var conditioned = k - 2;  // zs plus the other ys, for each y
        double best = 0, minP = 1;
        for (var yi = 1; yi <= yCount; yi++)
        {
            // Partial correlation of x and y given all the rest, from the precision matrix.
            var r = -precision[0, yi] / Math.Sqrt(precision[0, 0] * precision[yi, yi]);
            r = Math.Clamp(r, -1 + 1e-15, 1 - 1e-15);
            var z = Math.Abs(0.5 * Math.Log((1 + r) / (1 - r)) * Math.Sqrt(n - conditioned - 3));
            var p = 2 * Normal.CDF(0, 1, -z);
            best = Math.Max(best, z);
            minP = Math.Min(minP, p);
        }
        return new IndependenceTest("Fisher-z", best, null, Math.Min(1, minP * yCount), n);
    }

    /// <summary>Holm's step-down adjustment of a family of p-values (same order as given).</summary>
    public static double[] Holm(IReadOnlyList<double> pValues)
    {
        var m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ToArray();
        var adjusted = new double[m];
        double running = 0;
        for (var rank = 0; rank < m; rank++)
        {
            var i = order[rank];
            running = Math.Max(running, Math.Min(1, (m - rank) * pValues[i]));
            adjusted[i] = running;
        }
        return adjusted;
    }
}
