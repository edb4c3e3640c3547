namespace CausalQL.Execution;

/// <summary>
/// Common-subexpression hoisting for sums: heavy nodes (exp, log, expit, clipping) and large
/// sub-expressions shared by several terms are replaced by named slots, computed once per row.
/// </summary>
public static class Hoisting
{
    public const string Prefix = "causalql_h";

    public static string Name(int i) => Prefix + i;

    public static List<Expr> Rewrite(IReadOnlyList<Expr> terms, out List<Expr> heavy)
    {
        var found = new List<Expr>();
        var shared = new Dictionary<Expr, int>();
        foreach (var t in terms) CountShared(t, shared, top: true);
        var rewritten = terms.Select(t => Hoist(t, found, shared)).ToList();
        heavy = found;
        return rewritten;
    }

    /// <summary>Counts the large sub-expressions below each term's root (a large one used twice is worth computing once).</summary>
    static void CountShared(Expr e, Dictionary<Expr, int> counts, bool top)
    {
        if (e is Binary b)
        {
            if (!top && Size(e) > 12) { counts[e] = counts.GetValueOrDefault(e) + 1; if (counts[e] > 1) return; }
            CountShared(b.Left, counts, false);
            CountShared(b.Right, counts, false);
        }
    }

    static Expr Hoist(Expr e, List<Expr> heavy, Dictionary<Expr, int> shared)
    {
        switch (e)
        {
            case Call or Clamp:
            case Binary when shared.GetValueOrDefault(e) > 1:
                var i = heavy.IndexOf(e);
                if (i < 0) { heavy.Add(e); i = heavy.Count - 1; }
                return new ColumnRef(Name(i));
            case Binary b:
                return new Binary(b.Op, Hoist(b.Left, heavy, shared), Hoist(b.Right, heavy, shared));
            // A large base is computed once, not once per factor of the product SQL writes for a square.
            case Power p when Size(p.Base) > 3 && p.Base is not (Call or Clamp):
                var k = heavy.IndexOf(p.Base);
                if (k < 0) { heavy.Add(p.Base); k = heavy.Count - 1; }
                return new Power(new ColumnRef(Name(k)), p.Exponent);
            case Power p:
                return new Power(Hoist(p.Base, heavy, shared), p.Exponent);
            case Compare c:
                return new Compare(c.Op, Hoist(c.Left, heavy, shared), Hoist(c.Right, heavy, shared));
            default:
                return e;
        }
    }

    static int Size(Expr e) => e switch
    {
        Binary b => 1 + Size(b.Left) + Size(b.Right),
        Power p => 1 + Size(p.Base),
        Call c => 1 + Size(c.Arg),
        Clamp c => 1 + Size(c.Arg),
        Compare c => 1 + Size(c.Left) + Size(c.Right),
        _ => 1,
    };

}
