using System.Text;
using CausalQL.Graphs;

namespace CausalQL.Estimands;

/// <summary>
/// Printers for estimands. In the Unicode and LaTeX forms a sum extends to the end of the product
/// it heads (as written by hand: Σ_t P(t | x) Σ_x' P(y | x', t) P(x')), so a product prints its plain
/// factors first and brackets every sum but the last. The CausalQL form is fully bracketed and
/// uses <c>*</c> and <c>/</c>, so it reads back without precedence questions.
/// </summary>
public static class EstimandPrinter
{
    /// <summary>CausalQL text: <c>sum_{Z}(P(Y | X, Z) * P(Z))</c>.</summary>
    public static string ToCausalQL(Estimand e) => e switch
    {
        OneEstimand => "1",
        ZeroEstimand => "0",
        Prob p => Term(p, "P", " | ", "do", n => n),
        Sum s => $"sum_{{{string.Join(", ", s.Over)}}}({ToCausalQL(s.Body)})",
        Product p => string.Join(" * ", p.Factors.Select(f => f is Fraction ? $"({ToCausalQL(f)})" : ToCausalQL(f))),
        Fraction f => $"{Operand(f.Numerator)} / {Operand(f.Denominator)}",
        _ => e.ToString()!,
    };

    static string Operand(Estimand e) => e is Product or Fraction ? $"({ToCausalQL(e)})" : ToCausalQL(e);

    /// <summary>Plain Unicode: <c>Σ_{z} P(y | x, z) P(z)</c>.</summary>
    public static string ToUnicode(Estimand e) => e switch
    {
        OneEstimand => "1",
        ZeroEstimand => "0",
        Prob p => Term(p, "P", " | ", "do", n => n),
        Sum s => $"Σ_{{{string.Join(", ", s.Over)}}} {ToUnicode(s.Body)}",
        Product p => ProductText(p, ToUnicode, "[", "]", " "),
        Fraction f => $"[{ToUnicode(f.Numerator)}] / [{ToUnicode(f.Denominator)}]",
        _ => e.ToString()!,
    };

    /// <summary>LaTeX: <c>\sum_{z} P(y \mid x, z) P(z)</c>, quotients as <c>\frac</c>.</summary>
    public static string ToLatex(Estimand e) => e switch
    {
        OneEstimand => "1",
        ZeroEstimand => "0",
        Prob p => Term(p, "P", " \\mid ", "\\mathrm{do}", LatexName),
        Sum s => $"\\sum_{{{string.Join(", ", s.Over.Select(LatexName))}}} {ToLatex(s.Body)}",
        Product p => ProductText(p, ToLatex, "\\left(", "\\right)", " "),
        Fraction f => $"\\frac{{{ToLatex(f.Numerator)}}}{{{ToLatex(f.Denominator)}}}",
        _ => e.ToString()!,
    };

    static string LatexName(string name)
    {
        var sb = new StringBuilder();
        foreach (var ch in name)
            sb.Append(ch switch { '_' => "\\_", '&' => "\\&", '%' => "\\%", '#' => "\\#", '$' => "\\$", _ => ch.ToString() });
        return sb.ToString();
    }

    static string Term(Prob p, string symbol, string bar, string doWord, Func<string, string> name)
    {
        var head = string.Join(", ", p.Vars.Select(name));
        var tail = new List<string>();
        if (!p.Intervened.IsEmpty) tail.Add($"{doWord}({string.Join(", ", p.Intervened.Select(name))})");
        tail.AddRange(p.Given.Select(name));
        return tail.Count == 0 ? $"{symbol}({head})" : $"{symbol}({head}{bar}{string.Join(", ", tail)})";
    }

    static string ProductText(Product p, Func<Estimand, string> print, string open, string close, string sep)
    {
        var plain = p.Factors.Where(f => f is not Sum).ToList();
        var sums = p.Factors.Where(f => f is Sum).ToList();
        // \frac delimits itself; a Unicode quotient inside a product is bracketed.
        var parts = plain.Select(f => f is Fraction && open == "[" ? $"({print(f)})" : print(f)).ToList();
        for (var i = 0; i < sums.Count; i++)
            parts.Add(i == sums.Count - 1 ? print(sums[i]) : $"{open}{print(sums[i])}{close}");
        return string.Join(sep, parts);
    }
}

/// <summary>
/// A canonical form for comparing estimands: nested sums over disjoint names merged, product factors
/// flattened and sorted, One factors dropped. Bound names are not renamed, so Σ_a P(a) and Σ_b P(b)
/// stay different.
/// </summary>
public static class Canonicalizer
{
    public static Estimand Canonical(Estimand e) => e switch
    {
        Sum s => Est.Sum(Canonical(s.Body), s.Over),
        Product p => SortedProduct(p.Factors.Select(Canonical)),
        Fraction f => Est.Fraction(Canonical(f.Numerator), Canonical(f.Denominator)),
        _ => e,
    };

    static Estimand SortedProduct(IEnumerable<Estimand> factors)
    {
        var flat = Est.Product(factors);
        if (flat is not Product p) return flat;
        return new Product([.. p.Factors.OrderBy(EstimandPrinter.ToCausalQL, StringComparer.Ordinal)]);
    }

    public static bool AreEquivalentForms(Estimand a, Estimand b) => Canonical(a).Equals(Canonical(b));

    /// <summary>The names an estimand mentions anywhere (free or bound).</summary>
    public static VarSet AllNames(Estimand e) => e switch
    {
        Prob p => p.Vars.Union(p.Given).Union(p.Intervened),
        Sum s => AllNames(s.Body).Union(s.Over),
        Product p => p.Factors.Aggregate(VarSet.Empty, (acc, f) => acc.Union(AllNames(f))),
        Fraction f => AllNames(f.Numerator).Union(AllNames(f.Denominator)),
        _ => VarSet.Empty,
    };
}
