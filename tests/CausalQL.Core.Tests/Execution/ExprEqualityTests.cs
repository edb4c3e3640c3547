using CausalQL.Execution;
using Xunit;

namespace CausalQL.Tests.Execution;

/// <summary>
/// Expressions are values: two built apart are equal, with equal hashes (the compound nodes keep theirs),
/// and a difference anywhere in the tree, however deep, makes them unequal.
/// </summary>
public class ExprEqualityTests
{
    static Expr Propensity(double b1) =>
        Expr.Expit(Expr.Linear([Expr.One, Expr.Col("W1"), Expr.Col("W2")], [0.2, b1, -0.6]));

    static Expr Term(double b1, string column, double lo = 0.01) =>
        Expr.Pow(Expr.Level("T", "1") - Expr.Clip(Propensity(b1), lo, 1 - lo), 2) * Expr.Col(column) / (1 - Propensity(b1))
        * Expr.Greater(Propensity(b1), 0.5) * Expr.Exp(Expr.Col(column));

    [Fact]
    public void Trees_built_apart_are_equal_and_hash_alike()
    {
        var a = Term(0.8, "W1");
        var b = Term(0.8, "W1");
        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Single(new HashSet<Expr> { a, b, Term(0.8, "W1") });
        Assert.Equal(Expr.And(Expr.NotNull("W1"), Expr.Level("T", "1")), Expr.And(Expr.NotNull("W1"), Expr.Level("T", "1")));
    }

    [Fact]
    public void A_difference_deep_in_the_tree_makes_them_unequal()
    {
        var a = Term(0.8, "W1");
        Assert.NotEqual(a, Term(0.8000000001, "W1"));   // a coefficient inside the linear predictor
        Assert.NotEqual(a, Term(0.8, "W2"));             // a column
        Assert.NotEqual(a, Term(0.8, "W1", lo: 0.02));   // a clipping bound
        Assert.NotEqual<Expr>(Expr.Less(Expr.Col("x"), 1), Expr.Greater(Expr.Col("x"), 1));
        Assert.NotEqual<Expr>(Expr.Col("x") - Expr.Col("y"), Expr.Col("y") - Expr.Col("x"));
        Assert.NotEqual<Expr>(Expr.Pow(Expr.Col("x"), 2), Expr.Pow(Expr.Col("x"), 3));
        Assert.NotEqual<Expr>(Expr.Exp(Expr.Col("x")), Expr.Log(Expr.Col("x")));
        Assert.Equal(3, new HashSet<Expr> { a, Term(0.8, "W2"), Term(0.9, "W1"), Term(0.8, "W2") }.Count);
    }
}
