using MathNet.Numerics.LinearAlgebra;

namespace CausalQL.Execution;

/// <summary>Σ w·x_i·x_j over a set of columns (include <see cref="Expr.One"/> to get sums and n): all a linear model needs.</summary>
public sealed record MomentMatrix(IReadOnlyList<Expr> Columns, double[,] Cross, double N, long Rows)
{
    public int IndexOf(Expr column)
    {
        for (var i = 0; i < Columns.Count; i++) if (Columns[i].Equals(column)) return i;
        return -1;
    }

    public Matrix<double> Sub(IReadOnlyList<int> rows, IReadOnlyList<int> cols) =>
        Matrix<double>.Build.Dense(rows.Count, cols.Count, (i, j) => Cross[rows[i], cols[j]]);

    public Vector<double> SubVector(IReadOnlyList<int> rows, int col) =>
        Vector<double>.Build.Dense(rows.Count, i => Cross[rows[i], col]);

    /// <summary>Least squares of column y on columns x: β = (X'X)⁻¹X'y, with the residual sum of squares from the same moments.</summary>
    public Result<LinearFit> Ols(IReadOnlyList<int> x, int y)
    {
        var xtx = Sub(x, x);
        var xty = SubVector(x, y);
        var solved = LinearAlgebraHelpers.SolveSymmetric(xtx, xty, x.Select(i => Columns[i].ToString()).ToList());
        if (!solved.IsOk) return solved.Error;
        var beta = solved.Value;
        var rss = Cross[y, y] - 2 * beta.DotProduct(xty) + beta.DotProduct(xtx * beta);
        return new LinearFit(x.Select(i => Columns[i]).ToList(), beta.ToArray(), Math.Max(rss, 0), N, xtx.Inverse());
    }
}

/// <summary>A least-squares fit: coefficients by term, residual sum of squares, n and (X'X)⁻¹ for classical standard errors.</summary>
public sealed record LinearFit(IReadOnlyList<Expr> Terms, double[] Beta, double Rss, double N, Matrix<double> XtxInverse)
{
    public double Sigma2 => Rss / Math.Max(1, N - Terms.Count);
    public double ClassicalVariance(int i) => Sigma2 * XtxInverse[i, i];
    public Expr Predictor => Expr.Linear(Terms, Beta);
}

static class LinearAlgebraHelpers
{
    /// <summary>Solves a symmetric positive (semi)definite system; a singular one is an error naming the collinear terms.</summary>
    public static Result<Vector<double>> SolveSymmetric(Matrix<double> a, Vector<double> b, IReadOnlyList<string> names)
    {
        // Scale to unit diagonal so the test for collinearity does not depend on the units of each term.
        var n = a.RowCount;
        var s = new double[n];
        for (var i = 0; i < n; i++)
        {
            if (!(a[i, i] > 0))
                return Result<Vector<double>>.Fail($"the model cannot be fitted: term '{names[i]}' is zero on every row used", names[i]);
            s[i] = Math.Sqrt(a[i, i]);
        }
        var scaled = Matrix<double>.Build.Dense(n, n, (i, j) => a[i, j] / (s[i] * s[j]));
        var qr = scaled.QR();
        for (var i = 0; i < n; i++)
            if (Math.Abs(qr.R[i, i]) <= 1e-9)
                return Result<Vector<double>>.Fail(
                    $"the model cannot be fitted: term '{names[i]}' is constant or collinear with the terms before it in these data", names[i]);
        var x = a.Solve(b);
        return x.Any(v => double.IsNaN(v) || double.IsInfinity(v))
            ? Result<Vector<double>>.Fail("the model cannot be fitted: the design matrix is singular")
            : Result<Vector<double>>.Ok(x);
    }
}
