using System.Collections.Immutable;
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
            posterior = _mu + _sigma * a.Transpose() * s.PseudoInverse() * residual;
        }
        var (c, l) = Reduced(interventions)[variable];
        return c + l.DotProduct(posterior);
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
