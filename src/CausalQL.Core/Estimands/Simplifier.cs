using CausalQL.Graphs;

namespace CausalQL.Estimands;

/// <summary>
/// Value-preserving rewrites of estimands (tests check the value on random positive models).
/// Each rule is a small function; <see cref="Simplify"/> applies them bottom-up until nothing changes.
/// <list type="bullet">
/// <item><b>Marginalise a term</b>: Σ_S P(V | C) = P(V \ S | C) for the summed names in V.</item>
/// <item><b>Sum out a normalised factor</b>: Σ_y A·P(y, W | C) = A·Σ... with y in no other factor and not in C
/// (Σ_y P(y | …) = 1).</item>
/// <item><b>Pull out constants</b>: Σ_S A·B = A·Σ_S B when A mentions no name of S.</item>
/// <item><b>Chain rule</b>: P(A | B, C)·P(B | C) = P(A, B | C).</item>
/// <item><b>Quotient of terms</b>: P(A, B | C) / P(B | C) = P(A | B, C); common factors of a quotient cancel.</item>
/// </list>
/// A sum over a name its body does not mention is kept: its value is the body times the domain size.
/// The rules that cancel or sum out a factor assume the conditioning events have positive probability
/// (true of every table the conformance cases use); the chain rule and term quotients are exact
/// also on null events under the evaluator's x/0 = 0 convention.
/// </summary>
public static class Simplifier
{
    /// <summary>Estimands with more name occurrences than this are left as they are (simplifying them costs more than it saves).</summary>
    public const int MaxSimplifiedSize = 20_000;

    /// <summary>The number of name occurrences in an estimand, a measure of its size.</summary>
    public static int Size(Estimand e) => e switch
    {
        Prob p => p.Vars.Count + p.Given.Count + p.Intervened.Count,
        Sum s => s.Over.Count + Size(s.Body),
        Product p => p.Factors.Sum(Size),
        Fraction f => Size(f.Numerator) + Size(f.Denominator),
        _ => 1,
    };

    public static Estimand Simplify(Estimand e)
    {
        if (Size(e) > MaxSimplifiedSize) return e;
        for (var i = 0; i < 32; i++)
        {
            var next = Pass(e);
            if (next.Equals(e)) return next;
            e = next;
        }
        return e;
    }

    static Estimand Pass(Estimand e) => e switch
    {
        Sum s => SumOf(Pass(s.Body), s.Over),
        Product p => ProductOf(p.Factors.Select(Pass)),
        Fraction f => QuotientOf(Pass(f.Numerator), Pass(f.Denominator)),
        _ => e,
    };

    /// <summary>Σ_over body, simplified at the top level.</summary>
    public static Estimand SumOf(Estimand body, VarSet over)
    {
        if (over.IsEmpty) return body;
        switch (body)
        {
            case Prob p: return MarginaliseTerm(p, over);
            case Product product: return SumOfProduct([.. product.Factors], over);
            case ZeroEstimand: return Est.Zero;
            default: return Est.Sum(body, over);
        }
    }

    /// <summary>Σ_S P(V | C) = Σ_{S \ V} P(V \ S | C).</summary>
    public static Estimand MarginaliseTerm(Prob p, VarSet over)
    {
        var removable = over.Intersect(p.Vars).Except(p.Given).Except(p.Intervened);
        if (removable.IsEmpty) return Est.Sum(p, over);
        var rest = p.Vars.Except(removable);
        var term = rest.IsEmpty ? Est.One : Est.P(rest, p.Given, p.Intervened);
        return Est.Sum(term, over.Except(removable));
    }

    static Estimand SumOfProduct(List<Estimand> factors, VarSet over)
    {
        var free = factors.Select(EstimandEvaluator.FreeVariables).ToList();
        var remaining = over;
        // Sum out normalised factors: a summed name that occurs in one factor only, in its head.
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var s in remaining)
            {
                var holder = -1;
                var count = 0;
                for (var i = 0; i < factors.Count; i++)
                    if (free[i].Contains(s)) { holder = i; count++; }
                if (count != 1 || factors[holder] is not Prob p || !p.Vars.Contains(s) || p.Given.Contains(s) || p.Intervened.Contains(s))
                    continue;
                var rest = p.Vars.Remove(s);
                factors[holder] = rest.IsEmpty ? Est.One : Est.P(rest, p.Given, p.Intervened);
                free[holder] = EstimandEvaluator.FreeVariables(factors[holder]);
                remaining = remaining.Remove(s);
                changed = true;
                break;
            }
        }
        // Pull out the factors that mention no summed name.
        var outside = new List<Estimand>();
        var inside = new List<Estimand>();
        for (var i = 0; i < factors.Count; i++)
            (free[i].Overlaps(remaining) ? inside : outside).Add(factors[i]);
        var summed = remaining.IsEmpty ? Est.Product(inside) : SumBody(Est.Product(inside), remaining);
        outside.Add(summed);
        return Est.Product(outside);
    }

    static Estimand SumBody(Estimand body, VarSet over) => body switch
    {
        Prob p => MarginaliseTerm(p, over),
        _ => Est.Sum(body, over),
    };

    /// <summary>A product with chain-rule merges applied.</summary>
    public static Estimand ProductOf(IEnumerable<Estimand> factorsIn)
    {
        var flat = Est.Product(factorsIn);
        if (flat is not Product product) return flat;
        var factors = product.Factors.ToList();
        var merged = true;
        while (merged)
        {
            merged = false;
            for (var i = 0; i < factors.Count && !merged; i++)
                for (var j = 0; j < factors.Count && !merged; j++)
                {
                    if (i == j || factors[i] is not Prob a || factors[j] is not Prob b) continue;
                    if (TryChainRule(a, b, out var ab))
                    {
                        var first = Math.Min(i, j);
                        factors[first] = ab;
                        factors.RemoveAt(Math.Max(i, j));
                        merged = true;
                    }
                }
        }
        return Est.Product(factors);
    }

    /// <summary>P(A | B, C)·P(B | C) = P(A, B | C).</summary>
    public static bool TryChainRule(Prob a, Prob b, out Estimand merged)
    {
        merged = Est.One;
        if (a.Given.Count != b.Vars.Count + b.Given.Count || !a.Intervened.Equals(b.Intervened)) return false;
        var bAll = b.Vars.Union(b.Given);
        if (!a.Given.SetEquals(bAll) || a.Vars.Overlaps(bAll)) return false;
        merged = Est.P(a.Vars.Union(b.Vars), b.Given, a.Intervened);
        return true;
    }

    /// <summary>num / den with common factors cancelled and term quotients turned into conditionals.</summary>
    public static Estimand QuotientOf(Estimand numerator, Estimand denominator)
    {
        if (denominator is OneEstimand) return numerator;
        if (numerator is ZeroEstimand) return Est.Zero;
        var num = Factors(numerator);
        var den = Factors(denominator);
        for (var i = den.Count - 1; i >= 0; i--)
        {
            var k = num.IndexOf(den[i]);
            if (k >= 0) { num.RemoveAt(k); den.RemoveAt(i); }
        }
        // P(A, B | C) / P(B | C) = P(A | B, C)
        for (var i = den.Count - 1; i >= 0; i--)
        {
            if (den[i] is not Prob d) continue;
            for (var k = 0; k < num.Count; k++)
            {
                if (num[k] is not Prob n || !n.Given.Equals(d.Given) || !n.Intervened.Equals(d.Intervened)) continue;
                if (!d.Vars.IsSubsetOf(n.Vars) || d.Vars.SetEquals(n.Vars)) continue;
                num[k] = Est.P(n.Vars.Except(d.Vars), n.Given.Union(d.Vars), n.Intervened);
                den.RemoveAt(i);
                break;
            }
        }
        var top = ProductOf(num);
        var bottom = Est.Product(den);
        return bottom is OneEstimand ? top : Est.Fraction(top, bottom);
    }

    static List<Estimand> Factors(Estimand e) => e switch
    {
        Product p => [.. p.Factors],
        OneEstimand => [],
        _ => [e],
    };
}
