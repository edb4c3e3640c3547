using CausalQL.Graphs;

namespace CausalQL.Estimands;

/// <summary>
/// Renaming of bound names. ID re-uses a treatment's name inside Σ (Σ_x P(x) P(y | m, x) with x also
/// free outside), which is correct under shadowing but hard to read; <see cref="PrimeShadowed"/>
/// renames such bound names to primed copies (x'), which read the same column.
/// </summary>
public static class BoundNames
{
    /// <summary>Renames every summed name that is already in scope (free in the whole estimand, or bound by an enclosing sum).</summary>
    public static Estimand PrimeShadowed(Estimand e, VarSet? reserved = null) =>
        Prime(e, EstimandEvaluator.FreeVariables(e).Union(reserved ?? VarSet.Empty));

    static Estimand Prime(Estimand e, VarSet inScope)
    {
        switch (e)
        {
            case Sum s:
            {
                var body = s.Body;
                var over = new List<string>();
                var taken = inScope.Union(Canonicalizer.AllNames(s.Body)).Union(s.Over);
                foreach (var v in s.Over)
                {
                    if (!inScope.Contains(v)) { over.Add(v); continue; }
                    var fresh = v + "'";
                    while (taken.Contains(fresh)) fresh += "'";
                    taken = taken.Add(fresh);
                    body = Rename(body, v, fresh);
                    over.Add(fresh);
                }
                var overSet = VarSet.From(over);
                return Est.Sum(Prime(body, inScope.Union(overSet)), overSet);
            }
            case Product p: return Est.Product(p.Factors.Select(f => Prime(f, inScope)).ToList());
            case Fraction f: return Est.Fraction(Prime(f.Numerator, inScope), Prime(f.Denominator, inScope));
            default: return e;
        }
    }

    /// <summary>Replaces the free occurrences of <paramref name="from"/> by <paramref name="to"/> (a name not used in <paramref name="e"/>).</summary>
    public static Estimand Rename(Estimand e, string from, string to)
    {
        switch (e)
        {
            case Prob p:
                return new Prob(Swap(p.Vars), Swap(p.Given), Swap(p.Intervened));
            case Sum s:
                return s.Over.Contains(from) ? s : new Sum(Rename(s.Body, from, to), s.Over);
            case Product p:
                return new Product([.. p.Factors.Select(f => Rename(f, from, to))]);
            case Fraction f:
                return new Fraction(Rename(f.Numerator, from, to), Rename(f.Denominator, from, to));
            default:
                return e;
        }

        VarSet Swap(VarSet s) => s.Contains(from) ? s.Remove(from).Add(to) : s;
    }
}
