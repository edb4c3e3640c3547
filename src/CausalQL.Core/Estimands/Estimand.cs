using System.Collections.Immutable;
using CausalQL.Graphs;

namespace CausalQL.Estimands;

/// <summary>
/// A sum-product expression over probability terms: what identification produces and what the
/// executor evaluates. Variables are free names bound by the evaluation context; a <see cref="Sum"/>
/// binds its variables afresh inside its body (shadowing any outer binding). A name ending in
/// a prime (X') is a separately bound copy of variable X; it reads X's column.
/// Build with the smart constructors on <see cref="Est"/>, never with <c>new</c>.
/// </summary>
public abstract record Estimand;

/// <summary>Smart constructors: they normalise (drop One, collapse on Zero, flatten, unwrap) as y0's <c>safe</c> constructors do.</summary>
public static class Est
{
    public static readonly Estimand One = new OneEstimand();
    public static readonly Estimand Zero = new ZeroEstimand();

    /// <summary>P(vars | given), or P_do(vars | given) — an interventional term — when <paramref name="intervened"/> is not empty.</summary>
    public static Estimand P(VarSet vars, VarSet? given = null, VarSet? intervened = null)
    {
        given ??= VarSet.Empty;
        intervened ??= VarSet.Empty;
        if (vars.IsEmpty) return One;
        return new Prob(vars, given.Except(vars), intervened);
    }

    public static Estimand P(params string[] vars) => P(VarSet.From(vars));

    /// <summary>Σ_over body; drops the sum when nothing is summed.</summary>
    public static Estimand Sum(Estimand body, VarSet over)
    {
        if (over.IsEmpty || body is ZeroEstimand) return body;
        // Σ_a Σ_b f = Σ_{a,b} f only when a and b are disjoint (Σ_x Σ_x f counts f |X| times).
        if (body is Sum inner && !inner.Over.Overlaps(over)) return new Sum(inner.Body, inner.Over.Union(over));
        return new Sum(body, over);
    }

    /// <summary>A product that drops One, collapses on Zero, flattens nested products and unwraps one factor.</summary>
    public static Estimand Product(IEnumerable<Estimand> factors)
    {
        var flat = new List<Estimand>();
        foreach (var f in factors)
        {
            switch (f)
            {
                case ZeroEstimand: return Zero;
                case OneEstimand: break;
                case Product p: flat.AddRange(p.Factors); break;
                default: flat.Add(f); break;
            }
        }
        return flat.Count switch
        {
            0 => One,
            1 => flat[0],
            _ => new Product([.. flat]),
        };
    }

    public static Estimand Product(params Estimand[] factors) => Product((IEnumerable<Estimand>)factors);

    public static Estimand Fraction(Estimand numerator, Estimand denominator)
    {
        if (denominator is OneEstimand) return numerator;
        if (numerator is ZeroEstimand) return Zero;
        return new Fraction(numerator, denominator);
    }
}

public sealed record OneEstimand : Estimand
{
    public override string ToString() => "1";
}

public sealed record ZeroEstimand : Estimand
{
    public override string ToString() => "0";
}

/// <summary>P(Vars | Given) in the observational distribution, or, with Intervened non-empty, in the one under do(Intervened).</summary>
public sealed record Prob(VarSet Vars, VarSet Given, VarSet Intervened) : Estimand
{
    public override string ToString()
    {
        var head = string.Join(", ", Vars);
        var tail = new List<string>();
        if (!Intervened.IsEmpty) tail.Add($"do({string.Join(", ", Intervened)})");
        tail.AddRange(Given);
        return tail.Count == 0 ? $"P({head})" : $"P({head} | {string.Join(", ", tail)})";
    }
}

public sealed record Sum(Estimand Body, VarSet Over) : Estimand
{
    public override string ToString() => $"Σ_{{{string.Join(",", Over)}}} {Body}";
}

public sealed record Product(ImmutableArray<Estimand> Factors) : Estimand
{
    public bool Equals(Product? other) => other is not null && Factors.SequenceEqual(other.Factors);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var f in Factors) h.Add(f);
        return h.ToHashCode();
    }
    public override string ToString() => string.Join(" ", Factors.Select(f => f is Sum or Fraction ? $"[{f}]" : f.ToString()));
}

public sealed record Fraction(Estimand Numerator, Estimand Denominator) : Estimand
{
    public override string ToString() => $"({Numerator}) / ({Denominator})";
}
