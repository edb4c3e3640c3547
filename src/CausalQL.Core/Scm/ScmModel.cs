using System.Collections.Immutable;
using CausalQL.Graphs;

namespace CausalQL.Scm;

/// <summary>Operators of mechanism expressions. Booleans are the numbers 0 and 1, as in the data.</summary>
public enum ScmOp { Add, Subtract, Multiply, Divide, Power, And, Or, Xor, Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, Negate, Not }

/// <summary>A mechanism's right-hand side: an expression tree over parents and noise terms.</summary>
public abstract record ScmExpr;
public sealed record ConstExpr(double Value) : ScmExpr;
/// <summary>A reference to an endogenous variable or a noise term.</summary>
public sealed record RefExpr(string Name) : ScmExpr;
public sealed record UnaryExpr(ScmOp Op, ScmExpr Operand) : ScmExpr;
public sealed record BinaryExpr(ScmOp Op, ScmExpr Left, ScmExpr Right) : ScmExpr;
/// <summary><c>if(c, a, b)</c>: a when c is non-zero, else b.</summary>
public sealed record IfExpr(ScmExpr Condition, ScmExpr Then, ScmExpr Else) : ScmExpr;
/// <summary>A lookup table over the values of its inputs (keys are the input values joined by ','); rows not listed give Default.</summary>
public sealed record TableExpr(ImmutableArray<string> Inputs, ImmutableDictionary<string, double> Rows, double Default) : ScmExpr;

/// <summary>An exogenous noise term with a finite distribution over the codes 0..k-1 (bernoulli(p) is [1-p, p]).</summary>
public sealed record NoiseTerm(string Name, ImmutableArray<double> Probabilities)
{
    public static NoiseTerm Bernoulli(string name, double p) => new(name, [1 - p, p]);
}

/// <summary>V := expression.</summary>
public sealed record Mechanism(string Variable, ScmExpr Value);

/// <summary>
/// A discrete structural causal model: independent finite noise terms and deterministic
/// mechanisms, listed in a topological order of the endogenous variables.
/// </summary>
public sealed record DiscreteScm(ImmutableArray<NoiseTerm> Noise, ImmutableArray<Mechanism> Mechanisms)
{
    public ImmutableArray<string> Endogenous => [.. Mechanisms.Select(m => m.Variable)];

    /// <summary>The number of joint exogenous states that exact enumeration visits.</summary>
    public double StateCount => Noise.Aggregate(1.0, (acc, n) => acc * n.Probabilities.Length);

    /// <summary>
    /// The causal diagram the model induces: V -> W when W's mechanism reads V; V <-> W when their
    /// mechanisms share a noise term (a latent common cause).
    /// </summary>
    public CausalGraph Graph()
    {
        var endo = Endogenous.ToHashSet(StringComparer.Ordinal);
        var directed = new List<(string, string)>();
        var noiseUsers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var m in Mechanisms)
            foreach (var r in ScmExprs.References(m.Value))
            {
                if (endo.Contains(r)) directed.Add((r, m.Variable));
                else (noiseUsers.TryGetValue(r, out var l) ? l : noiseUsers[r] = []).Add(m.Variable);
            }
        var bidirected = new List<(string, string)>();
        foreach (var users in noiseUsers.Values)
        {
            var distinct = users.Distinct().ToList();
            for (var i = 0; i < distinct.Count; i++)
                for (var j = i + 1; j < distinct.Count; j++) bidirected.Add((distinct[i], distinct[j]));
        }
        return CausalGraph.Create(Endogenous, directed, bidirected);
    }
}

/// <summary>Gaussian noise N(mean, sd²).</summary>
public sealed record GaussianNoise(string Name, double Mean, double StdDev);

/// <summary>V := intercept + Σ coefficient · term, where terms are endogenous variables or noise terms.</summary>
public sealed record LinearMechanism(string Variable, double Intercept, ImmutableDictionary<string, double> Coefficients);

/// <summary>A linear structural model with independent Gaussian noise (mechanisms in topological order).</summary>
public sealed record LinearGaussianScm(ImmutableArray<GaussianNoise> Noise, ImmutableArray<LinearMechanism> Mechanisms)
{
    public ImmutableArray<string> Endogenous => [.. Mechanisms.Select(m => m.Variable)];
}

public static class ScmExprs
{
    public static IEnumerable<string> References(ScmExpr e) => e switch
    {
        RefExpr r => [r.Name],
        UnaryExpr u => References(u.Operand),
        BinaryExpr b => References(b.Left).Concat(References(b.Right)),
        IfExpr i => References(i.Condition).Concat(References(i.Then)).Concat(References(i.Else)),
        TableExpr t => t.Inputs,
        _ => [],
    };

    /// <summary>Evaluates with variable values looked up by name.</summary>
    public static double Evaluate(ScmExpr e, Func<string, double> value) => e switch
    {
        ConstExpr c => c.Value,
        RefExpr r => value(r.Name),
        UnaryExpr { Op: ScmOp.Negate } u => -Evaluate(u.Operand, value),
        UnaryExpr u => Truth(Evaluate(u.Operand, value)) ? 0 : 1,
        IfExpr i => Truth(Evaluate(i.Condition, value)) ? Evaluate(i.Then, value) : Evaluate(i.Else, value),
        TableExpr t => t.Rows.TryGetValue(string.Join(",", t.Inputs.Select(n => Format(value(n)))), out var v) ? v : t.Default,
        BinaryExpr b => Apply(b.Op, Evaluate(b.Left, value), Evaluate(b.Right, value)),
        _ => throw new InvalidOperationException("unknown expression " + e.GetType().Name),
    };

    static string Format(double v) => Math.Round(v).ToString(System.Globalization.CultureInfo.InvariantCulture);
    static bool Truth(double v) => Math.Abs(v) > 1e-12;
    static double B(bool b) => b ? 1 : 0;

    static double Apply(ScmOp op, double a, double b) => op switch
    {
        ScmOp.Add => a + b,
        ScmOp.Subtract => a - b,
        ScmOp.Multiply => a * b,
        ScmOp.Divide => b == 0 ? 0 : a / b,
        ScmOp.Power => Math.Pow(a, b),
        ScmOp.And => B(Truth(a) && Truth(b)),
        ScmOp.Or => B(Truth(a) || Truth(b)),
        ScmOp.Xor => B(Truth(a) ^ Truth(b)),
        ScmOp.Equal => B(Math.Abs(a - b) < 1e-9),
        ScmOp.NotEqual => B(Math.Abs(a - b) >= 1e-9),
        ScmOp.Less => B(a < b),
        ScmOp.LessOrEqual => B(a <= b),
        ScmOp.Greater => B(a > b),
        ScmOp.GreaterOrEqual => B(a >= b),
        _ => throw new InvalidOperationException("not a binary operator: " + op),
    };
}
