using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CausalQL.Execution;

/// <summary>
/// Terms of a block-sums scan that share all factors but the last: Σ u·l_k for several l_k, u = ((f1·f2)·f3)
/// (the prefix, up to three factors, none meaning 1). Per vector of rows the prefix is multiplied once, in
/// registers, then by each member's last factor into that member's own accumulator, so a product costs one
/// load where each term on its own loaded all of its factors. Per row the product is the tree's,
/// ((f1·f2)·f3)·l, bit for bit; only the order in which the rows are added differs from one sum per term.
/// A member whose term is the prefix itself has the constant 1 as its last factor (u·1 = u exactly).
/// </summary>
sealed class ProductGroup
{
    readonly VectorFn[] _prefix;
    readonly int[] _terms;
    readonly VectorFn[] _lasts;
    // The first member is the prefix's own term (its last factor the constant 1): summed as u, not u·1.
    readonly bool _selfFirst;

    ProductGroup(VectorFn[] prefix, int[] terms, VectorFn[] lasts, bool selfFirst) =>
        (_prefix, _terms, _lasts, _selfFirst) = (prefix, terms, lasts, selfFirst);

    /// <summary>The groups for terms given by their product spines (each 1–4 factors, in multiplication order).</summary>
    public static ProductGroup[] Build(IReadOnlyList<List<Expr>> spines, Func<Expr, VectorFn> compile)
    {
        // Factors by identity of expression, so a group key is a short list of numbers.
        var ids = new Dictionary<Expr, int>(new Hoisting.Memo());
        var factors = new List<Expr>();
        int Id(Expr e)
        {
            if (!ids.TryGetValue(e, out var i)) { i = factors.Count; ids[e] = i; factors.Add(e); }
            return i;
        }
        var keyed = spines.Select(s => s.Select(Id).ToArray()).ToList();
        static string Key(IEnumerable<int> f) => string.Join(",", f);
        // The prefixes other terms extend: a term equal to one joins that group (times 1) instead of starting its own.
        var prefixes = keyed.Where(f => f.Length > 1).Select(f => Key(f[..^1])).ToHashSet();
        var one = Id(Expr.One);
        var groups = new Dictionary<string, (int[] Prefix, List<(int Term, int Last)> Members)>();
        for (var t = 0; t < keyed.Count; t++)
        {
            var f = keyed[t];
            var self = f.Length <= 3 && prefixes.Contains(Key(f));
            var (prefix, last) = self ? (f, one) : (f[..^1], f[^1]);
            var key = Key(prefix);
            if (!groups.TryGetValue(key, out var g)) groups[key] = g = (prefix, []);
            // The prefix's own term first (there is at most one: terms are distinct), so the kernels can add u itself.
            if (self) g.Members.Insert(0, (t, last));
            else g.Members.Add((t, last));
        }
        return groups.Values.Select(g => new ProductGroup(
            g.Prefix.Select(i => compile(factors[i])).ToArray(),
            g.Members.Select(m => m.Term).ToArray(),
            g.Members.Select(m => compile(factors[m.Last])).ToArray(),
            selfFirst: g.Members[0].Last == one && keyed[g.Members[0].Term].Length == g.Prefix.Length)).ToArray();
    }

    /// <summary>Adds the group's sums over rows [start, start + length) to <paramref name="sums"/> (indexed by term).</summary>
    public void AddTo(double[] sums, int start, int length)
    {
        var p = _prefix;
        switch (p.Length)
        {
            case 0: Run(new RowProducts.Prefix0(length), sums, start, length); break;
            case 1: Run(new RowProducts.Prefix1(p[0](start, length)), sums, start, length); break;
            case 2: Run(new RowProducts.Prefix2(p[0](start, length), p[1](start, length)), sums, start, length); break;
            case 3: Run(new RowProducts.Prefix3(p[0](start, length), p[1](start, length), p[2](start, length)), sums, start, length); break;
            default: throw new InvalidOperationException($"a product prefix of {p.Length} factors (at most three)");
        }
    }

    void Run<TP>(TP p, double[] sums, int s, int n) where TP : RowProducts.IRowProduct, allows ref struct
    {
        Span<double> r = stackalloc double[8];
        for (var k = 0; k < _lasts.Length; k += 8)
        {
            var m = Math.Min(8, _lasts.Length - k);
            if (k == 0 && _selfFirst) Chunk<TP, MultiDot.Yes>(p, k, m, s, n, r);
            else Chunk<TP, MultiDot.No>(p, k, m, s, n, r);
            for (var j = 0; j < m; j++) sums[_terms[k + j]] += r[j];
        }
    }

    /// <summary>Members [k, k + m) into r; <typeparamref name="TS"/>: the first of them is the prefix's own term.</summary>
    void Chunk<TP, TS>(TP p, int k, int m, int s, int n, Span<double> r)
        where TP : RowProducts.IRowProduct, allows ref struct where TS : struct, MultiDot.IFlag
    {
        var l = _lasts;
        ReadOnlySpan<double> Last(int j) => j < m ? l[k + j](s, n) : default;
        switch (m)
        {
            case 1: r[0] = TS.Value ? RowProducts.Sum(p) : RowProducts.Sum(new RowProducts.Times<TP>(p, Last(0))); break;
            case 2: MultiDot.Run<TP, MultiDot.M2, TS>(p, Last(0), Last(1), default, default, default, default, default, default, r); break;
            case 3: MultiDot.Run<TP, MultiDot.M3, TS>(p, Last(0), Last(1), Last(2), default, default, default, default, default, r); break;
            case 4: MultiDot.Run<TP, MultiDot.M4, TS>(p, Last(0), Last(1), Last(2), Last(3), default, default, default, default, r); break;
            case 5: MultiDot.Run<TP, MultiDot.M5, TS>(p, Last(0), Last(1), Last(2), Last(3), Last(4), default, default, default, r); break;
            case 6: MultiDot.Run<TP, MultiDot.M6, TS>(p, Last(0), Last(1), Last(2), Last(3), Last(4), Last(5), default, default, r); break;
            case 7: MultiDot.Run<TP, MultiDot.M7, TS>(p, Last(0), Last(1), Last(2), Last(3), Last(4), Last(5), Last(6), default, r); break;
            default: MultiDot.Run<TP, MultiDot.M8, TS>(p, Last(0), Last(1), Last(2), Last(3), Last(4), Last(5), Last(6), Last(7), r); break;
        }
    }
}

/// <summary>
/// Σ u·l_k for 2–8 last factors at once (u the prefix product per row), one accumulator per member; the member
/// count is a type, so the JIT compiles each count's loop with only its own loads and accumulators in registers.
/// A NaN result (a missing value in the block) is redone row by row without the rows whose product is NaN.
/// </summary>
static class MultiDot
{
    public interface ICount { static abstract int Value { get; } }
    public struct M2 : ICount { public static int Value => 2; }
    public struct M3 : ICount { public static int Value => 3; }
    public struct M4 : ICount { public static int Value => 4; }
    public struct M5 : ICount { public static int Value => 5; }
    public struct M6 : ICount { public static int Value => 6; }
    public struct M7 : ICount { public static int Value => 7; }
    public struct M8 : ICount { public static int Value => 8; }

    /// <summary>Whether the first member is the prefix's own term (u, not u·l0; l0 then holds ones, used only to redo a NaN sum).</summary>
    public interface IFlag { static abstract bool Value { get; } }
    public struct Yes : IFlag { public static bool Value => true; }
    public struct No : IFlag { public static bool Value => false; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TP, TM, TS>(TP p, ReadOnlySpan<double> l0, ReadOnlySpan<double> l1, ReadOnlySpan<double> l2, ReadOnlySpan<double> l3,
        ReadOnlySpan<double> l4, ReadOnlySpan<double> l5, ReadOnlySpan<double> l6, ReadOnlySpan<double> l7, Span<double> result)
        where TP : RowProducts.IRowProduct, allows ref struct where TM : struct, ICount where TS : struct, IFlag
    {
        var n = p.Length;
        var m = TM.Value;
        // Every last factor covers the block (the unchecked loads below rely on it).
        l0 = l0[..n]; l1 = l1[..n];
        if (m > 2) l2 = l2[..n];
        if (m > 3) l3 = l3[..n];
        if (m > 4) l4 = l4[..n];
        if (m > 5) l5 = l5[..n];
        if (m > 6) l6 = l6[..n];
        if (m > 7) l7 = l7[..n];
        var i = 0;
        double s0, s1, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            const int w = 8;
            Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (; i <= n - w; i += w)
            {
                var u = p.Vector512At(i);
                a0 += TS.Value ? u : u * V512(l0, i);
                a1 += u * V512(l1, i);
                if (m > 2) a2 += u * V512(l2, i);
                if (m > 3) a3 += u * V512(l3, i);
                if (m > 4) a4 += u * V512(l4, i);
                if (m > 5) a5 += u * V512(l5, i);
                if (m > 6) a6 += u * V512(l6, i);
                if (m > 7) a7 += u * V512(l7, i);
            }
            s0 = Vector512.Sum(a0); s1 = Vector512.Sum(a1);
            if (m > 2) s2 = Vector512.Sum(a2);
            if (m > 3) s3 = Vector512.Sum(a3);
            if (m > 4) s4 = Vector512.Sum(a4);
            if (m > 5) s5 = Vector512.Sum(a5);
            if (m > 6) s6 = Vector512.Sum(a6);
            if (m > 7) s7 = Vector512.Sum(a7);
        }
        else
        {
            var w = Vector<double>.Count;
            Vector<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (; i <= n - w; i += w)
            {
                var u = p.VectorAt(i);
                a0 += TS.Value ? u : u * V(l0, i);
                a1 += u * V(l1, i);
                if (m > 2) a2 += u * V(l2, i);
                if (m > 3) a3 += u * V(l3, i);
                if (m > 4) a4 += u * V(l4, i);
                if (m > 5) a5 += u * V(l5, i);
                if (m > 6) a6 += u * V(l6, i);
                if (m > 7) a7 += u * V(l7, i);
            }
            s0 = Vector.Sum(a0); s1 = Vector.Sum(a1);
            if (m > 2) s2 = Vector.Sum(a2);
            if (m > 3) s3 = Vector.Sum(a3);
            if (m > 4) s4 = Vector.Sum(a4);
            if (m > 5) s5 = Vector.Sum(a5);
            if (m > 6) s6 = Vector.Sum(a6);
            if (m > 7) s7 = Vector.Sum(a7);
        }
        for (; i < n; i++)
        {
            var u = p.At(i);
            s0 += TS.Value ? u : u * l0[i];
            s1 += u * l1[i];
            if (m > 2) s2 += u * l2[i];
            if (m > 3) s3 += u * l3[i];
            if (m > 4) s4 += u * l4[i];
            if (m > 5) s5 += u * l5[i];
            if (m > 6) s6 += u * l6[i];
            if (m > 7) s7 += u * l7[i];
        }
        result[0] = Checked(s0, p, l0);
        result[1] = Checked(s1, p, l1);
        if (m > 2) result[2] = Checked(s2, p, l2);
        if (m > 3) result[3] = Checked(s3, p, l3);
        if (m > 4) result[4] = Checked(s4, p, l4);
        if (m > 5) result[5] = Checked(s5, p, l5);
        if (m > 6) result[6] = Checked(s6, p, l6);
        if (m > 7) result[7] = Checked(s7, p, l7);
    }

    static double Checked<TP>(double s, TP p, ReadOnlySpan<double> l) where TP : RowProducts.IRowProduct, allows ref struct
    {
        if (!double.IsNaN(s)) return s;
        s = 0;
        for (var i = 0; i < p.Length; i++) { var x = p.At(i) * l[i]; if (!double.IsNaN(x)) s += x; }
        return s;
    }

    static Vector<double> V(ReadOnlySpan<double> x, int i) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(x), (nuint)i);
    static Vector512<double> V512(ReadOnlySpan<double> x, int i) => Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(x), (nuint)i);
}

/// <summary>Products of a few columns per row, as one row, a portable vector or a 512-bit vector of rows, and their SIMD sum.</summary>
static class RowProducts
{
    public interface IRowProduct
    {
        int Length { get; }
        double At(int i);
        Vector<double> VectorAt(int i);
        Vector512<double> Vector512At(int i);
    }

    // SIMD sums (512-bit vectors where the processor has them) with four independent accumulators: one
    // accumulator makes every addition wait for the previous one (3–4 cycles), four keep the adders busy.
    // A NaN result (a missing value somewhere in the block) is redone row by row without it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Sum<T>(T p) where T : IRowProduct, allows ref struct
    {
        var n = p.Length;
        var i = 0;
        double s;
        if (Vector512.IsHardwareAccelerated)
        {
            const int w = 8;
            Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= n - 4 * w; i += 4 * w)
            {
                a0 += p.Vector512At(i);
                a1 += p.Vector512At(i + w);
                a2 += p.Vector512At(i + 2 * w);
                a3 += p.Vector512At(i + 3 * w);
            }
            for (; i <= n - w; i += w) a0 += p.Vector512At(i);
            s = Vector512.Sum((a0 + a1) + (a2 + a3));
        }
        else
        {
            var w = Vector<double>.Count;
            Vector<double> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= n - 4 * w; i += 4 * w)
            {
                a0 += p.VectorAt(i);
                a1 += p.VectorAt(i + w);
                a2 += p.VectorAt(i + 2 * w);
                a3 += p.VectorAt(i + 3 * w);
            }
            for (; i <= n - w; i += w) a0 += p.VectorAt(i);
            s = Vector.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++) s += p.At(i);
        if (!double.IsNaN(s)) return s;
        s = 0;
        for (i = 0; i < n; i++) { var x = p.At(i); if (!double.IsNaN(x)) s += x; }
        return s;
    }

    static Vector<double> V(ReadOnlySpan<double> x, int i) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(x), (nuint)i);
    static Vector512<double> V512(ReadOnlySpan<double> x, int i) => Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(x), (nuint)i);

    /// <summary>The empty product: 1 on each of <paramref name="length"/> rows.</summary>
    public readonly ref struct Prefix0(int length) : IRowProduct
    {
        public int Length => length;
        public double At(int i) => 1;
        public Vector<double> VectorAt(int i) => Vector<double>.One;
        public Vector512<double> Vector512At(int i) => Vector512<double>.One;
    }

    public readonly ref struct Prefix1(ReadOnlySpan<double> a) : IRowProduct
    {
        readonly ReadOnlySpan<double> _a = a;
        public int Length => _a.Length;
        public double At(int i) => _a[i];
        public Vector<double> VectorAt(int i) => V(_a, i);
        public Vector512<double> Vector512At(int i) => V512(_a, i);
    }

    /// <summary>a·b.</summary>
    public readonly ref struct Prefix2(ReadOnlySpan<double> a, ReadOnlySpan<double> b) : IRowProduct
    {
        readonly ReadOnlySpan<double> _a = a, _b = b[..a.Length];
        public int Length => _a.Length;
        public double At(int i) => _a[i] * _b[i];
        public Vector<double> VectorAt(int i) => V(_a, i) * V(_b, i);
        public Vector512<double> Vector512At(int i) => V512(_a, i) * V512(_b, i);
    }

    /// <summary>(a·b)·c.</summary>
    public readonly ref struct Prefix3(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c) : IRowProduct
    {
        readonly ReadOnlySpan<double> _a = a, _b = b[..a.Length], _c = c[..a.Length];
        public int Length => _a.Length;
        public double At(int i) => _a[i] * _b[i] * _c[i];
        public Vector<double> VectorAt(int i) => V(_a, i) * V(_b, i) * V(_c, i);
        public Vector512<double> Vector512At(int i) => V512(_a, i) * V512(_b, i) * V512(_c, i);
    }

    /// <summary>u·l: a prefix times one last factor.</summary>
    public readonly ref struct Times<TP>(TP p, ReadOnlySpan<double> l) : IRowProduct where TP : IRowProduct, allows ref struct
    {
        readonly TP _p = p;
        readonly ReadOnlySpan<double> _l = l[..p.Length];
        public int Length => _l.Length;
        public double At(int i) => _p.At(i) * _l[i];
        public Vector<double> VectorAt(int i) => _p.VectorAt(i) * V(_l, i);
        public Vector512<double> Vector512At(int i) => _p.Vector512At(i) * V512(_l, i);
    }
}
