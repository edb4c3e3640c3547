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
        // Sizes and hashes are memoised per node: record hashing and sizing recurse over the whole
        // subtree, which made hoisting quadratic in the depth of a fitted linear predictor.
        var memo = new Memo();
        var found = new List<Expr>();
        var shared = new Dictionary<Expr, int>(memo);
        foreach (var t in terms) CountShared(t, shared, memo, top: true);
        var rewritten = terms.Select(t => Hoist(t, found, shared, memo)).ToList();
        heavy = found;
        return rewritten;
    }

    /// <summary>Structural equality with per-instance cached sizes and hash codes.</summary>
    internal sealed class Memo : IEqualityComparer<Expr>
    {
        readonly Dictionary<Expr, int> _sizes = new(ReferenceEqualityComparer.Instance);
        readonly Dictionary<Expr, int> _hashes = new(ReferenceEqualityComparer.Instance);

        public int Size(Expr e)
        {
            if (_sizes.TryGetValue(e, out var s)) return s;
            s = e switch
            {
                Binary b => 1 + Size(b.Left) + Size(b.Right),
                Power p => 1 + Size(p.Base),
                Call c => 1 + Size(c.Arg),
                Clamp c => 1 + Size(c.Arg),
                Compare c => 1 + Size(c.Left) + Size(c.Right),
                _ => 1,
            };
            _sizes[e] = s;
            return s;
        }

        public bool Equals(Expr? x, Expr? y) => ReferenceEquals(x, y) || (x is not null && y is not null && GetHashCode(x) == GetHashCode(y) && x.Equals(y));

        public int GetHashCode(Expr e)
        {
            if (_hashes.TryGetValue(e, out var h)) return h;
            h = e switch
            {
                Binary b => HashCode.Combine(1, b.Op, GetHashCode(b.Left), GetHashCode(b.Right)),
                Power p => HashCode.Combine(2, p.Exponent, GetHashCode(p.Base)),
                Call c => HashCode.Combine(3, c.Fn, GetHashCode(c.Arg)),
                Clamp c => HashCode.Combine(4, c.Lo, c.Hi, GetHashCode(c.Arg)),
                Compare c => HashCode.Combine(5, c.Op, GetHashCode(c.Left), GetHashCode(c.Right)),
                Conjunction c => HashCode.Combine(6, GetHashCode(c.Left), GetHashCode(c.Right)),
                _ => e.GetHashCode(),
            };
            _hashes[e] = h;
            return h;
        }

        public int IndexOf(List<Expr> list, Expr e)
        {
            for (var i = 0; i < list.Count; i++) if (Equals(list[i], e)) return i;
            return -1;
        }
    }

    /// <summary>Counts the large sub-expressions below each term's root (a large one used twice is worth computing once).</summary>
    static void CountShared(Expr e, Dictionary<Expr, int> counts, Memo memo, bool top)
    {
        if (e is Binary b)
        {
            if (!top && memo.Size(e) > 12) { counts[e] = counts.GetValueOrDefault(e) + 1; if (counts[e] > 1) return; }
            CountShared(b.Left, counts, memo, false);
            CountShared(b.Right, counts, memo, false);
        }
    }

    static Expr Hoist(Expr e, List<Expr> heavy, Dictionary<Expr, int> shared, Memo memo)
    {
        switch (e)
        {
            case Call or Clamp:
            case Binary when shared.GetValueOrDefault(e) > 1:
                var i = memo.IndexOf(heavy, e);
                if (i < 0) { heavy.Add(e); i = heavy.Count - 1; }
                return new ColumnRef(Name(i));
            case Binary b:
                return new Binary(b.Op, Hoist(b.Left, heavy, shared, memo), Hoist(b.Right, heavy, shared, memo));
            // A large base is computed once, not once per factor of the product SQL writes for a square.
            case Power p when memo.Size(p.Base) > 3 && p.Base is not (Call or Clamp):
                var k = memo.IndexOf(heavy, p.Base);
                if (k < 0) { heavy.Add(p.Base); k = heavy.Count - 1; }
                return new Power(new ColumnRef(Name(k)), p.Exponent);
            case Power p:
                return new Power(Hoist(p.Base, heavy, shared, memo), p.Exponent);
            case Compare c:
                return new Compare(c.Op, Hoist(c.Left, heavy, shared, memo), Hoist(c.Right, heavy, shared, memo));
            default:
                return e;
        }
    }



}
