using CausalQL.Estimands;
using CausalQL.Graphs;

namespace CausalQL.Tests.Estimands;

public class PrinterTests
{
    static VarSet S(params string[] names) => VarSet.From(names);

    // Σ_m P(m | x) Σ_x' P(y | m, x') P(x')
    static readonly Estimand FrontDoor = Est.Sum(Est.Product(Est.P(S("M"), S("X")),
        Est.Sum(Est.Product(Est.P(S("Y"), S("M", "X'")), Est.P("X'")), S("X'"))), S("M"));

    [Fact]
    public void Unicode_sums_extend_to_the_end_of_their_product()
    {
        Assert.Equal("Σ_{M} P(M | X) Σ_{X'} P(Y | M, X') P(X')", EstimandPrinter.ToUnicode(FrontDoor));
        var quotient = Est.Fraction(Est.P("A", "B"), Est.P("B"));
        Assert.Equal("[P(A, B)] / [P(B)]", EstimandPrinter.ToUnicode(quotient));
        Assert.Equal("P(C) ([P(A, B)] / [P(B)])", EstimandPrinter.ToUnicode(Est.Product(Est.P("C"), quotient)));
    }

    [Fact]
    public void LaTeX_uses_sum_mid_and_frac()
    {
        Assert.Equal(@"\sum_{M} P(M \mid X) \sum_{X'} P(Y \mid M, X') P(X')", EstimandPrinter.ToLatex(FrontDoor));
        Assert.Equal(@"\frac{P(z\_1)}{P(B)}", EstimandPrinter.ToLatex(Est.Fraction(Est.P("z_1"), Est.P("B"))));
        Assert.Equal(@"P(Y \mid \mathrm{do}(X), Z)", EstimandPrinter.ToLatex(Est.P(S("Y"), S("Z"), S("X"))));
    }

    [Fact]
    public void CausalQL_text_is_fully_bracketed()
    {
        Assert.Equal("sum_{M}(P(M | X) * sum_{X'}(P(Y | M, X') * P(X')))", EstimandPrinter.ToCausalQL(FrontDoor));
        Assert.Equal("(P(A) * P(B)) / P(C)", EstimandPrinter.ToCausalQL(Est.Fraction(Est.Product(Est.P("A"), Est.P("B")), Est.P("C"))));
    }

    [Fact]
    public void Json_tree_has_the_conformance_shape_and_reads_back()
    {
        Assert.Equal("""{"prod":[{"p":["M"],"given":["X"]},{"prod":[{"p":["Y"],"given":["M","X'"]},{"p":["X'"],"given":[]}],"sum":["X'"]}],"sum":["M"]}""",
            EstimandJson.ToJsonText(FrontDoor));
        Assert.True(EstimandJson.TryParse(EstimandJson.ToJsonText(FrontDoor), out var back, out _));
        Assert.Equal(FrontDoor, back);
        Assert.False(EstimandJson.TryParse("""{"q": 1}""", out _, out var error));
        Assert.Contains("expected one of", error);
        Assert.False(EstimandJson.TryParse("not json", out _, out _));
    }

    [Fact]
    public void Canonical_form_ignores_factor_order()
    {
        var a = Est.Product(Est.P("A"), Est.P(S("B"), S("A")));
        var b = Est.Product(Est.P(S("B"), S("A")), Est.P("A"));
        Assert.NotEqual(a, b);
        Assert.True(Canonicalizer.AreEquivalentForms(a, b));
    }

    [Fact]
    public void Shadowed_bound_names_are_primed()
    {
        var shadowing = Est.Sum(Est.Product(Est.P(S("M"), S("X")), Est.Sum(Est.Product(Est.P(S("Y"), S("M", "X")), Est.P("X")), S("X"))), S("M"));
        Assert.Equal(FrontDoor, BoundNames.PrimeShadowed(shadowing));
    }
}
