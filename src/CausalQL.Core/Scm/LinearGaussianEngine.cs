using System.Collections.Immutable;
using CausalQL.Counterfactuals;
using MathNet.Numerics.LinearAlgebra;

namespace CausalQL.Scm;

/// <summary>
/// Closed forms for a linear-Gaussian SCM. Every endogenous variable is affine in the noise
/// vector u ~ N(μ, diag σ²): V = a_V + B_V·u. Means and covariances follow directly; do(X = x)
/// replaces X's row by the constant x; a counterfactual mean E[Y_x | evidence] conditions u on
/// the (linear) evidence — abduction — then reads Y's row in the intervened model.
/// </summary>
public sealed class LinearGaussianEngine
{
    readonly LinearGaussianScm _model;
    readonly ImmutableArray<string> _noise;
    readonly Vector<double> _mu;
    readonly Matrix<double> _sigma;

    public LinearGaussianEngine(LinearGaussianScm model)
    {
        _model = model;
        _noise = [.. model.Noise.Select(n => n.Name)];
        _mu = Vector<double>.Build.DenseOfEnumerable(model.Noise.Select(n => n.Mean));
        _sigma = Matrix<double>.Build.DenseOfDiagonalVector(Vector<double>.Build.DenseOfEnumerable(model.Noise.Select(n => n.StdDev * n.StdDev)));
    }

    /// <summary>Each endogenous variable as (constant, coefficients on the noise vector), under do(interventions).</summary>
    public ImmutableDictionary<string, (double Constant, Vector<double> Loadings)> Reduced(IReadOnlyDictionary<string, double>? interventions = null)
    {
        var result = new Dictionary<string, (double, Vector<double>)>(StringComparer.Ordinal);
        foreach (var m in _model.Mechanisms)
        {
            if (interventions is not null && interventions.TryGetValue(m.Variable, out var x))
            {
                result[m.Variable] = (x, Vector<double>.Build.Dense(_noise.Length));
                continue;
            }
            var constant = m.Intercept;
            var loadings = Vector<double>.Build.Dense(_noise.Length);
            foreach (var (term, coefficient) in m.Coefficients)
            {
                var n = _noise.IndexOf(term);
                if (n >= 0) loadings[n] += coefficient;
                else
                {
                    var (c, l) = result[term];
                    constant += coefficient * c;
                    loadings += coefficient * l;
                }
            }
            result[m.Variable] = (constant, loadings);
        }
        return result.ToImmutableDictionary(StringComparer.Ordinal);
    }

    public double Mean(string variable, IReadOnlyDictionary<string, double>? interventions = null)
    {
        var (c, l) = Reduced(interventions)[variable];
        return c + l.DotProduct(_mu);
    }

    public double Covariance(string a, string b, IReadOnlyDictionary<string, double>? interventions = null)
    {
        var reduced = Reduced(interventions);
        return reduced[a].Loadings.DotProduct(_sigma * reduced[b].Loadings);
    }

    /// <summary>E[variable under do(interventions) | factual evidence], by Gaussian abduction on the noise.</summary>
    public double CounterfactualMean(string variable, IReadOnlyDictionary<string, double> interventions, IReadOnlyDictionary<string, double> evidence)
    {
        var factual = Reduced();
        var posterior = _mu;
        if (evidence.Count > 0)
        {
            var names = evidence.Keys.ToList();
            var a = Matrix<double>.Build.DenseOfRowVectors(names.Select(n => factual[n].Loadings));
            var residual = Vector<double>.Build.DenseOfEnumerable(names.Select(n => evidence[n] - factual[n].Constant)) - a * _mu;
            var s = a * _sigma * a.Transpose();
            posterior = _mu + _sigma * a.Transpose() * SymmetricPseudoInverse(s) * residual;
        }
        var (c, l) = Reduced(interventions)[variable];
        return c + l.DotProduct(posterior);
    }

    /// <summary>
    /// A (possibly nested) counterfactual variable as an affine function of the noise: the world's
    /// settings replace their variables' rows, a nested setting (M = M[X = 0]) by that term's own
    /// affine form, since all worlds share the same noise.
    /// </summary>
    public (double Constant, Vector<double> Loadings) Affine(CfTerm term)
    {
        var settings = term.Settings.ToDictionary(s => s.Variable, s => s.Nested is { } nested ? Affine(nested) : (s.Value, Vector<double>.Build.Dense(_noise.Length)), StringComparer.Ordinal);
        var rows = new Dictionary<string, (double Constant, Vector<double> Loadings)>(StringComparer.Ordinal);
        foreach (var m in _model.Mechanisms)
        {
            if (settings.TryGetValue(m.Variable, out var held)) { rows[m.Variable] = held; continue; }
            var constant = m.Intercept;
            var loadings = Vector<double>.Build.Dense(_noise.Length);
            foreach (var (name, coefficient) in m.Coefficients)
            {
                var n = _noise.IndexOf(name);
                if (n >= 0) loadings[n] += coefficient;
                else
                {
                    var (c, l) = rows[name];
                    constant += coefficient * c;
                    loadings += coefficient * l;
                }
            }
            rows[m.Variable] = (constant, loadings);
        }
        return rows[term.Variable];
    }

    /// <summary>
    /// E[target | evidence], every part a counterfactual term in its own world: abduction conditions
    /// the Gaussian noise on the linear evidence (μ + Σ Aᵀ (A Σ Aᵀ)⁺ r), prediction reads the target's
    /// row. Evidence the model cannot produce (outside the support of a degenerate Gaussian) is an error.
    /// </summary>
    public CfOutcome<double> ConditionalMean(CfTerm target, IReadOnlyList<(CfTerm Term, double Value)> evidence)
    {
        var endogenous = _model.Endogenous.ToHashSet(StringComparer.Ordinal);
        foreach (var t in evidence.Select(e => e.Term).Append(target))
            foreach (var name in t.Variables)
                if (!endogenous.Contains(name)) return CfOutcome<double>.Failure($"'{name}' is not an endogenous variable of the SCM");
        var posterior = _mu;
        if (evidence.Count > 0)
        {
            var forms = evidence.Select(e => Affine(e.Term)).ToList();
            var a = Matrix<double>.Build.DenseOfRowVectors(forms.Select(f => f.Loadings));
            var observed = Vector<double>.Build.DenseOfEnumerable(evidence.Select((e, i) => e.Value - forms[i].Constant));
            var s = a * _sigma * a.Transpose();
            posterior = _mu + _sigma * a.Transpose() * SymmetricPseudoInverse(s) * (observed - a * _mu);
            // The conditioned noise must reproduce the evidence; otherwise the evidence lies outside the model's support.
            var scale = 1 + observed.AbsoluteMaximum();
            if ((a * posterior - observed).AbsoluteMaximum() > 1e-7 * scale)
                return CfOutcome<double>.Failure("the evidence has density 0 in this model (the mechanisms cannot produce these values together)");
        }
        var (constant, loadings) = Affine(target);
        return CfOutcome<double>.Success(constant + loadings.DotProduct(posterior));
    }

    /// <summary>
    /// The Moore–Penrose inverse of a symmetric positive semi-definite matrix by its eigen-decomposition;
    /// eigenvalues at rounding level count as zero (evidence that repeats itself or has no variance).
    /// </summary>
    static Matrix<double> SymmetricPseudoInverse(Matrix<double> s)
    {
        var evd = s.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Map(v => v.Real);
        var tolerance = 1e-12 * Math.Max(1, values.AbsoluteMaximum());
        var inverted = values.Map(v => v > tolerance ? 1 / v : 0);
        return evd.EigenVectors * Matrix<double>.Build.DenseOfDiagonalVector(inverted) * evd.EigenVectors.Transpose();
    }

    /// <summary>n seeded draws of every endogenous variable.</summary>
    public ImmutableDictionary<string, double[]> Sample(int n, int seed)
    {
        var rng = new Random(seed);
        var reduced = Reduced();
        var columns = _model.Endogenous.ToDictionary(v => v, _ => new double[n], StringComparer.Ordinal);
        var u = Vector<double>.Build.Dense(_noise.Length);
        for (var row = 0; row < n; row++)
        {
            for (var i = 0; i < _noise.Length; i++)
            {
                // Box–Muller: deterministic for a seed, no extra dependency.
                var z = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                u[i] = _model.Noise[i].Mean + _model.Noise[i].StdDev * z;
            }
            foreach (var (v, (c, l)) in reduced) columns[v][row] = c + l.DotProduct(u);
        }
        return columns.ToImmutableDictionary(StringComparer.Ordinal);
    }
}
