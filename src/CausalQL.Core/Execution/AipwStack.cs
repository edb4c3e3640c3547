using MathNet.Numerics.LinearAlgebra;

namespace CausalQL.Execution;

public static partial class Estimation
{
    /// <summary>
    /// AIPW's stacked estimating equations θ = (β, γ..., μ1, μ0) with linear outcome models: the logistic
    /// score (A − p)x, the least-squares normal equations R·z(Y − z'γ) (R = A and B per arm, or 1 for one
    /// model with T in it), and φ1 − μ1, φ0 − μ0. The sums for M = Σ ψψᵀ and J = Σ ∂ψ/∂θ are taken in the
    /// propensity's final scan (so a database computes them too); μ never enters a sum: ψ = g − μ-part and
    /// Σ(g_j − μ_j)(g_l − μ_l) is expanded.
    /// Where the rows can be scanned again cheaply, M is not summed at all: the variance cᵀJ⁻¹MJ⁻ᵀc is
    /// Σ (ℓᵀψ)² with the lead ℓ = J⁻ᵀc, known once J is, so one more pass sums a single term instead of the
    /// (size² / 2) products of M (a quarter of the terms of the last scan instead of all of them).
    /// </summary>
    sealed class AipwStack
    {
        readonly int _k, _q, _blocks;
        readonly int[] _g;          // Σ g_j, j over θ
        readonly int[]? _gg;        // Σ g_j g_l, upper triangle (−1: zero by construction); null: taken by a lead pass
        readonly int[][] _zz;       // per block: Σ R z_i z_j, upper triangle
        readonly int[] _dMu1, _dMu0; // Σ ∂φ1/∂γ, Σ ∂φ0/∂γ over all blocks' coefficients
        readonly List<(Expr U, Expr? C)> _parts; // g_j = U_j·C_j, for the lead pass

        AipwStack(int k, int q, int blocks, int[] g, int[]? gg, int[][] zz, int[] dMu1, int[] dMu0, List<(Expr U, Expr? C)> parts) =>
            (_k, _q, _blocks, _g, _gg, _zz, _dMu1, _dMu0, _parts) = (k, q, blocks, g, gg, zz, dMu1, dMu0, parts);

        /// <summary>True when the last scan took M's sums; otherwise the variance is the sum of <see cref="LeadTerm"/>.</summary>
        public bool HasMeat => _gg is not null;

        /// <summary>
        /// Appends the sums to <paramref name="terms"/>. <paramref name="blocks"/>: each outcome model's row
        /// indicator R and residual Y − z'γ; <paramref name="z1"/>, <paramref name="z0"/>: the columns whose
        /// product with γ is m1, m0 (per block, zero constants where a block does not enter that arm).
        /// </summary>
        public static AipwStack Build(List<Expr> terms, Design propensity, IReadOnlyList<Expr> z, (Expr R, Expr Resid)[] blocks,
            IReadOnlyList<Expr> z1, IReadOnlyList<Expr> z0, Expr a, Expr b, Expr p, Expr e, Expr phi1, Expr phi0, bool meat = true)
        {
            int Add(Expr x) { terms.Add(x); return terms.Count - 1; }
            // Each g as a multiplier times a column (null: none), so that products can be written one way:
            // Σ u_A c_i · u_B c_j = Σ (u_A u_B)(c_i c_j), the columns in a fixed order. Where two blocks share
            // their columns (the usual propensity and outcome designs on the same covariates) c_i c_j and
            // c_j c_i are then one term, which the scan takes once.
            var parts = new List<(Expr U, Expr? C)>();
            parts.AddRange(propensity.Columns.Select(x => ((a - p), (Expr?)x)));
            foreach (var (r, resid) in blocks) parts.AddRange(z.Select(c => (r * resid, (Expr?)c)));
            parts.Add((phi1, null));
            parts.Add((phi0, null));
            var g = parts.Select(t => t.C is null ? t.U : t.U * t.C).ToList();
            var gIdx = g.Select(Add).ToArray();
            var ordinal = new Dictionary<Expr, int>();
            foreach (var c in parts.Select(t => t.C).OfType<Expr>()) ordinal.TryAdd(c, ordinal.Count);
            Expr Product(int i, int j)
            {
                var (ui, ci) = parts[i];
                var (uj, cj) = parts[j];
                if (ci is not null && cj is not null && ordinal[ci] > ordinal[cj]) (ci, cj) = (cj, ci);
                var product = ui * uj;
                if (ci is not null) product *= ci;
                if (cj is not null) product *= cj;
                return product;
            }
            // Which outcome block each g belongs to (−1: none); two different arms' rows never meet (A·B = 0), so
            // their cross sums are known zeros and not scanned.
            var owner = new int[g.Count];
            Array.Fill(owner, -1);
            for (var blk = 0; blk < blocks.Length; blk++) for (var i = 0; i < z.Count; i++) owner[propensity.Count + blk * z.Count + i] = blk;
            List<int>? gg = meat ? [] : null;
            for (var i = 0; i < g.Count && gg is not null; i++)
                for (var j = i; j < g.Count; j++)
                    gg.Add(owner[i] >= 0 && owner[j] >= 0 && owner[i] != owner[j] ? -1 : Add(Product(i, j)));
            var zz = blocks.Select(blk =>
            {
                var list = new List<int>();
                for (var i = 0; i < z.Count; i++) for (var j = i; j < z.Count; j++) list.Add(Add(blk.R * z[i] * z[j]));
                return list.ToArray();
            }).ToArray();
            // ∂φ1/∂m1 = 1 − A/e, ∂φ0/∂m0 = 1 − B/(1 − e).
            var w1 = 1 - a / e;
            var w0 = 1 - b / (1 - e);
            var d1 = z1.Select(c => Add(c * w1)).ToArray();
            var d0 = z0.Select(c => Add(c * w0)).ToArray();
            return new AipwStack(propensity.Count, z.Count, blocks.Length, gIdx, gg?.ToArray(), zz, d1, d0, parts);
        }

        /// <summary>J = Σ ∂ψ/∂θ; <paramref name="h"/> is the propensity's Σ p(1−p)xxᵀ, the Σ ∂φ/∂η·x sums at the given offsets.</summary>
        Matrix<double> Jacobian(double[] v, double n, Matrix<double> h, int dPhi1, int dPhi0)
        {
            var size = _k + _blocks * _q + 2;
            int mu1 = size - 2, mu0 = size - 1;
            var jac = Matrix<double>.Build.Dense(size, size);
            jac.SetSubMatrix(0, 0, -h);
            for (var blk = 0; blk < _blocks; blk++)
            {
                var o = _k + blk * _q;
                var t = 0;
                for (var i = 0; i < _q; i++) for (var j = i; j < _q; j++) jac[o + i, o + j] = jac[o + j, o + i] = -v[_zz[blk][t++]];
            }
            for (var i = 0; i < _k; i++) { jac[mu1, i] = v[dPhi1 + i]; jac[mu0, i] = v[dPhi0 + i]; }
            for (var i = 0; i < _blocks * _q; i++) { jac[mu1, _k + i] = v[_dMu1[i]]; jac[mu0, _k + i] = v[_dMu0[i]]; }
            jac[mu1, mu1] = jac[mu0, mu0] = -n;
            return jac;
        }

        /// <summary>μ at the scanned β (Σ(φ − μ) = 0 there), zero for the other rows of θ.</summary>
        double[] Mu(double[] v, double n)
        {
            var mu = new double[_g.Length];
            mu[^2] = v[_g[^2]] / n;
            mu[^1] = v[_g[^1]] / n;
            return mu;
        }

        /// <summary>ℓ = J⁻ᵀc for the contrast c = μ1 − μ0.</summary>
        Vector<double> Lead(Matrix<double> jac)
        {
            var contrast = Vector<double>.Build.Dense(jac.RowCount);
            contrast[^2] = 1;
            contrast[^1] = -1;
            return jac.Transpose().Solve(contrast);
        }

        /// <summary>Var(μ1 − μ0) = cᵀ J⁻¹ M J⁻ᵀ c from the scanned sums of M (see <see cref="HasMeat"/>).</summary>
        public double Variance(double[] v, double n, Matrix<double> h, int dPhi1, int dPhi0)
        {
            var size = _k + _blocks * _q + 2;
            var lead = Lead(Jacobian(v, n, h, dPhi1, dPhi0));
            var mu = Mu(v, n);
            var meat = Matrix<double>.Build.Dense(size, size);
            var u = 0;
            for (var i = 0; i < size; i++)
                for (var j = i; j < size; j++)
                {
                    var index = _gg![u++];
                    meat[i, j] = meat[j, i] = (index < 0 ? 0 : v[index]) - mu[i] * v[_g[j]] - mu[j] * v[_g[i]] + n * mu[i] * mu[j];
                }
            return lead.DotProduct(meat * lead);
        }

        /// <summary>(ℓᵀ(g − μ))² per row: its sum over the rows of the last scan, at the same β, is the variance cᵀJ⁻¹MJ⁻ᵀc.</summary>
        public Expr LeadTerm(double[] v, double n, Matrix<double> h, int dPhi1, int dPhi0)
        {
            var lead = Lead(Jacobian(v, n, h, dPhi1, dPhi0)).ToArray();
            var mu = Mu(v, n);
            var shift = 0.0;
            for (var j = 0; j < mu.Length; j++) shift += lead[j] * mu[j];
            // ℓᵀg grouped by multiplier, Σ_U U·(Σ ℓ_j C_j): each U (the score's A − p, a block's R·residual) is multiplied once per row.
            var groups = new List<(Expr U, List<Expr> C, List<double> L)>();
            Expr sum = Expr.ZeroConst;
            for (var j = 0; j < _parts.Count; j++)
            {
                var (u, c) = _parts[j];
                if (c is null) { sum += lead[j] * u; continue; }
                var at = groups.FindIndex(grp => grp.U.Equals(u));
                if (at < 0) { groups.Add((u, [], [])); at = groups.Count - 1; }
                groups[at].C.Add(c);
                groups[at].L.Add(lead[j]);
            }
            foreach (var (u, c, l) in groups) sum += u * Expr.Linear(c, l);
            return Expr.Pow(sum - shift, 2);
        }
    }
}
