using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CausalQL.Execution;

/// <summary>Evaluates a compiled expression over rows [start, start + length) of a table, returning one value per row.</summary>
delegate ReadOnlySpan<double> VectorFn(int start, int length);

/// <summary>
/// Column-at-a-time evaluation for the in-memory table: an expression is compiled once into a tree
/// of block operations, each node filling its own buffer for a block of rows, so a sum costs a few
/// tight loops per block instead of a delegate tree walk per row. Every element is computed with the
/// same double operations as the row-at-a-time path, so sums stay bit-for-bit equal.
/// <paramref name="vectorExp"/>: exp (and expit) with SIMD, within 2 ulp of Math.Exp rather than equal to it
/// (for the engine's block sums, which add rows in another order than the row path anyway; ~5x faster).
/// </summary>
/// <paramref name="inputs"/>: columns given as functions of the rows (an engine's block of inputs), before <paramref name="columns"/>.
sealed class ColumnEvaluator(IReadOnlyDictionary<string, InMemoryColumn> columns, IndicatorCache indicators, bool vectorExp = false,
    IReadOnlyDictionary<string, VectorFn>? inputs = null)
{
    // DuckDB's vector: the engine's block sums take a whole vector per pass. Each block costs a call per
    // node and per product group, which at 1024 rows was ~10% of a many-term scan; smaller blocks that
    // stay in L1 measured slower still (the buffers stream from L2 at the rate the sums need).
    public const int Block = 2048;

    // Common sub-expressions: each distinct node is compiled once and computed once per block
    // (the terms of a Newton step share the predictor, its expit, and products like h·W1).
    readonly Dictionary<Expr, VectorFn> _compiled = new(new Hoisting.Memo());

    // Bumped when the columns' contents change under the same row positions (an engine's
    // buffers refilled with the next chunk), so no block cached from the old contents is reused.
    int _generation;

    /// <summary>Forgets every computed block: the column arrays now hold other rows.</summary>
    public void ContentsChanged() => _generation++;

    // The output buffer of the node CompileNode just built (allocated after its children's).
    double[]? _output;

    double[] Output() => _output = new double[Block];

    /// <summary>Compiles <paramref name="e"/>; reads of hoisted names resolve to <paramref name="slots"/> (blocks filled beforehand).</summary>
    public VectorFn Compile(Expr e, double[][]? slots)
    {
        if (_compiled.TryGetValue(e, out var done)) return done;
        _output = null;
        var f = CompileNode(e, slots);
        if (e is Binary or Power or Call or Clamp or Compare or Conjunction)
        {
            // Computed once per block: a repeated request for the same block returns the node's own
            // output buffer as last filled (only this wrapper ever runs the node, so it is still intact).
            var inner = f;
            var own = _output ?? throw new InvalidOperationException($"no output buffer for {e}");
            var last = -1;
            var lastLength = 0;
            var lastGeneration = -1;
            f = (s, n) =>
            {
                if (s == last && n == lastLength && lastGeneration == _generation) return own.AsSpan(0, n);
                inner(s, n);
                last = s;
                lastLength = n;
                lastGeneration = _generation;
                return own.AsSpan(0, n);
            };
        }
        _compiled[e] = f;
        return f;
    }

    VectorFn CompileNode(Expr e, double[][]? slots)
    {
        switch (e)
        {
            case Constant c:
                {
                    var buffer = new double[Block];
                    Array.Fill(buffer, c.Value);
                    return (_, n) => buffer.AsSpan(0, n);
                }
            case ColumnRef c when inputs is not null && inputs.TryGetValue(c.Name, out var input):
                return input;
            case ColumnRef c when slots is not null && c.Name.StartsWith(Hoisting.Prefix, StringComparison.Ordinal) && !columns.ContainsKey(c.Name):
                {
                    var slot = slots[int.Parse(c.Name.AsSpan(Hoisting.Prefix.Length), provider: System.Globalization.CultureInfo.InvariantCulture)];
                    return (_, n) => slot.AsSpan(0, n);
                }
            case ColumnRef c:
                {
                    var values = columns[c.Name] is NumberColumn number ? number.Values : NaNs(columns[c.Name].Length);
                    return (s, n) => values.AsSpan(s, n);
                }
            case LevelIs l:
                {
                    var values = indicators.Level(columns[l.Column], l.Label);
                    return (s, n) => values.AsSpan(s, n);
                }
            case IsNotNull nn:
                {
                    var values = indicators.NotNull(columns[nn.Column]);
                    return (s, n) => values.AsSpan(s, n);
                }
            case Binary { Op: BinaryOp.Add } sum when SumOfScaledTerms(sum) is { Count: >= 3 } parts:
                {
                    // A linear predictor c0 + c1·x1 + c2·x2 + ...: one running sum instead of a buffer per node.
                    var compiled = parts.Select(p => (p.Coefficient, Term: p.Term is null ? null : Compile(p.Term, slots))).ToArray();
                    var o = Output();
                    // Runs of scaled terms are added in one pass of up to four at a time (the running sum stays in a
                    // register instead of being stored and reloaded per term), in the same order, with the same roundings.
                    var runs = new List<(int From, int Count)>();
                    for (var k = 0; k < compiled.Length;)
                    {
                        var count = 0;
                        while (k + count < compiled.Length && compiled[k + count].Term is not null && count < 4) count++;
                        runs.Add((k, Math.Max(count, 1)));
                        k += Math.Max(count, 1);
                    }
                    var factors = compiled.Select(p => p.Coefficient ?? 1).ToArray();
                    return (s, n) =>
                    {
                        var span = o.AsSpan(0, n);
                        foreach (var (k, count) in runs)
                        {
                            var (c, term) = compiled[k];
                            if (term is null) ElementWise.AddConstant(span, c!.Value, first: k == 0);
                            else if (count == 1) ElementWise.AddScaled(span, term(s, n), c, first: k == 0);
                            else ElementWise.AddScaled4(span, k == 0, count,
                                term(s, n), factors[k], compiled[k + 1].Term!(s, n), factors[k + 1],
                                count > 2 ? compiled[k + 2].Term!(s, n) : default, count > 2 ? factors[k + 2] : 0,
                                count > 3 ? compiled[k + 3].Term!(s, n) : default, count > 3 ? factors[k + 3] : 0);
                        }
                        return span;
                    };
                }
            case Binary b:
                {
                    var l = Compile(b.Left, slots);
                    var r = Compile(b.Right, slots);
                    var o = Output();
                    return b.Op switch
                    {
                        BinaryOp.Add => (s, n) => { ElementWise.Add(l(s, n), r(s, n), o); return o.AsSpan(0, n); },
                        BinaryOp.Sub => (s, n) => { ElementWise.Subtract(l(s, n), r(s, n), o); return o.AsSpan(0, n); },
                        BinaryOp.Mul => (s, n) => { ElementWise.Multiply(l(s, n), r(s, n), o); return o.AsSpan(0, n); },
                        _ => (s, n) => { ElementWise.Divide(l(s, n), r(s, n), o); return o.AsSpan(0, n); },
                    };
                }
            case Power p:
                {
                    var b = Compile(p.Base, slots);
                    var k = p.Exponent;
                    var o = Output();
                    return k == 2
                        ? (s, n) => { var x = b(s, n); ElementWise.Multiply(x, x, o); return o.AsSpan(0, n); }
                        : (s, n) => { ElementWise.Pow(b(s, n), k, o); return o.AsSpan(0, n); };
                }
            case Call c:
                {
                    var a = Compile(c.Arg, slots);
                    var o = Output();
                    return (c.Fn, vectorExp) switch
                    {
                        (Function.Exp, false) => (s, n) => { ElementWise.Exp(a(s, n), o); return o.AsSpan(0, n); },
                        (Function.Exp, true) => (s, n) => { ElementWise.VectorExp(a(s, n), o); return o.AsSpan(0, n); },
                        (Function.Log, _) => (s, n) => { ElementWise.Log(a(s, n), o); return o.AsSpan(0, n); },
                        (_, false) => (s, n) => { ElementWise.Expit(a(s, n), o); return o.AsSpan(0, n); },
                        (_, true) => (s, n) => { ElementWise.VectorExpit(a(s, n), o); return o.AsSpan(0, n); },
                    };
                }
            case Clamp c:
                {
                    var a = Compile(c.Arg, slots);
                    var lo = c.Lo;
                    var hi = c.Hi;
                    var o = Output();
                    return (s, n) => { ElementWise.Clamp(a(s, n), lo, hi, o); return o.AsSpan(0, n); };
                }
            case Compare c:
                {
                    var l = Compile(c.Left, slots);
                    var r = Compile(c.Right, slots);
                    var o = Output();
                    return c.Op switch
                    {
                        CompareOp.Less => (s, n) => { ElementWise.Less(l(s, n), r(s, n), o); return o.AsSpan(0, n); },
                        CompareOp.Greater => (s, n) => { ElementWise.Less(r(s, n), l(s, n), o); return o.AsSpan(0, n); },
                        _ => (s, n) => { ElementWise.Equal(l(s, n), r(s, n), o); return o.AsSpan(0, n); },
                    };
                }
            case Conjunction c:
                {
                    // A chain of "and"s is one pass per two operands, not a pass per operand and per "and"; an
                    // operand x == x (a number column's not-null test) is read as that test of x, not made a column.
                    var operands = new List<Expr>();
                    Flatten(c, operands);
                    var parts = operands.Select(x => x is Compare { Op: CompareOp.Equal } q && q.Left.Equals(q.Right)
                        ? (Fn: Compile(q.Left, slots), NotNull: true) : (Fn: Compile(x, slots), NotNull: false)).ToArray();
                    var o = Output();
                    return (s, n) =>
                    {
                        var span = o.AsSpan(0, n);
                        for (var k = 0; k < parts.Length; k += 2)
                        {
                            var (a, aNotNull) = parts[k];
                            var (b, bNotNull) = k + 1 < parts.Length ? parts[k + 1] : parts[k];
                            ElementWise.AndOf(span, k > 0, a(s, n), aNotNull, b(s, n), bNotNull);
                        }
                        return span;
                    };

                    static void Flatten(Expr e, List<Expr> into)
                    {
                        if (e is Conjunction j) { Flatten(j.Left, into); Flatten(j.Right, into); }
                        else into.Add(e);
                    }
                }
            default: throw new ArgumentOutOfRangeException(nameof(e), e, "expression not evaluable column-wise");
        }
    }

    /// <summary>
    /// The terms of a left-deep sum ((t0 + t1) + t2) + ..., each a constant (coefficient only), c·e (a
    /// constant times an expression) or e (no coefficient), in the order they are added.
    /// </summary>
    static List<(double? Coefficient, Expr? Term)> SumOfScaledTerms(Binary sum)
    {
        var parts = new List<(double?, Expr?)>();
        Expr node = sum;
        while (node is Binary { Op: BinaryOp.Add } add)
        {
            parts.Add(Scaled(add.Right));
            node = add.Left;
        }
        parts.Add(Scaled(node));
        parts.Reverse();
        return parts;

        static (double?, Expr?) Scaled(Expr e) => e switch
        {
            Constant c => (c.Value, null),
            Binary { Op: BinaryOp.Mul, Left: Constant c } m => (c.Value, m.Right),
            _ => (null, e),
        };
    }

    /// <summary>Whether every node can be evaluated column-wise (per-row random draws keep the row path so their order is unchanged).</summary>
    public static bool Supports(Expr e) => e switch
    {
        RandomUniform => false,
        Binary b => Supports(b.Left) && Supports(b.Right),
        Power p => Supports(p.Base),
        Call c => Supports(c.Arg),
        Clamp c => Supports(c.Arg),
        Compare c => Supports(c.Left) && Supports(c.Right),
        Conjunction c => Supports(c.Left) && Supports(c.Right),
        Constant or ColumnRef or LevelIs or IsNotNull => true,
        _ => false,
    };

    static double[] NaNs(int length)
    {
        var a = new double[length];
        Array.Fill(a, double.NaN);
        return a;
    }
}

/// <summary>
/// Element-wise operations; arithmetic with SIMD, where each element gets the same single IEEE
/// operation as the scalar loop would give it, so results are bit-for-bit those of the row-at-a-time path.
/// Hot loops are compiled optimised at once (no tier-0 phase): a single estimate runs them
/// millions of times before tiered compilation would get round to them.
/// The SIMD loops check the lengths once and then load and store without bounds checks, 512 bits at a
/// time where the processor has them (a pass over a block was ~1 cycle per element with a slice,
/// a length check and a copy per vector).
/// </summary>
static class ElementWise
{
    const MethodImplOptions Hot = MethodImplOptions.AggressiveOptimization;

    /// <summary>One operation on two values, for a row, a portable vector and a 512-bit vector alike.</summary>
    interface IBinaryOp
    {
        static abstract double Apply(double x, double y);
        static abstract Vector<double> Apply(Vector<double> x, Vector<double> y);
        static abstract Vector512<double> Apply(Vector512<double> x, Vector512<double> y);
    }

    /// <summary>o[i] = op(x[i], y[i]); o may be x or y.</summary>
    [MethodImpl(Hot)]
    static void Binary<TOp>(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o) where TOp : struct, IBinaryOp
    {
        var n = x.Length;
        y = y[..n];
        o = o[..n];
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        ref var or = ref MemoryMarshal.GetReference(o);
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<double>.Count; i += Vector512<double>.Count)
                TOp.Apply(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref or, (nuint)i);
        for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
            TOp.Apply(Vector.LoadUnsafe(ref xr, (nuint)i), Vector.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref or, (nuint)i);
        for (; i < n; i++) o[i] = TOp.Apply(x[i], y[i]);
    }

    struct AddOp : IBinaryOp
    {
        public static double Apply(double x, double y) => x + y;
        public static Vector<double> Apply(Vector<double> x, Vector<double> y) => x + y;
        public static Vector512<double> Apply(Vector512<double> x, Vector512<double> y) => x + y;
    }

    struct SubtractOp : IBinaryOp
    {
        public static double Apply(double x, double y) => x - y;
        public static Vector<double> Apply(Vector<double> x, Vector<double> y) => x - y;
        public static Vector512<double> Apply(Vector512<double> x, Vector512<double> y) => x - y;
    }

    struct MultiplyOp : IBinaryOp
    {
        public static double Apply(double x, double y) => x * y;
        public static Vector<double> Apply(Vector<double> x, Vector<double> y) => x * y;
        public static Vector512<double> Apply(Vector512<double> x, Vector512<double> y) => x * y;
    }

    struct DivideOp : IBinaryOp
    {
        public static double Apply(double x, double y) => x / y;
        public static Vector<double> Apply(Vector<double> x, Vector<double> y) => x / y;
        public static Vector512<double> Apply(Vector512<double> x, Vector512<double> y) => x / y;
    }

    // Comparisons give exactly 1 or 0 per element (IEEE compares: NaN is unequal and unordered), as the scalar loops do.

    struct LessOp : IBinaryOp
    {
        public static double Apply(double x, double y) => x < y ? 1 : 0;
        public static Vector<double> Apply(Vector<double> x, Vector<double> y) => Vector.ConditionalSelect(Vector.LessThan(x, y), Vector<double>.One, Vector<double>.Zero);
        public static Vector512<double> Apply(Vector512<double> x, Vector512<double> y) => Vector512.ConditionalSelect(Vector512.LessThan(x, y), Vector512<double>.One, Vector512<double>.Zero);
    }

    struct EqualOp : IBinaryOp
    {
        public static double Apply(double x, double y) => x == y ? 1 : 0;
        public static Vector<double> Apply(Vector<double> x, Vector<double> y) => Vector.ConditionalSelect(Vector.Equals(x, y), Vector<double>.One, Vector<double>.Zero);
        public static Vector512<double> Apply(Vector512<double> x, Vector512<double> y) => Vector512.ConditionalSelect(Vector512.Equals(x, y), Vector512<double>.One, Vector512<double>.Zero);
    }

    /// <summary>1 where both are true (non-zero, not missing), else 0.</summary>
    struct AndOp : IBinaryOp
    {
        public static double Apply(double x, double y) => x != 0 && !double.IsNaN(x) && y != 0 && !double.IsNaN(y) ? 1 : 0;
        // True: equal to itself (not NaN) and not equal to zero.
        public static Vector<double> Apply(Vector<double> x, Vector<double> y) => Vector.ConditionalSelect(
            Vector.AndNot(Vector.Equals(x, x), Vector.Equals(x, Vector<double>.Zero)) & Vector.AndNot(Vector.Equals(y, y), Vector.Equals(y, Vector<double>.Zero)),
            Vector<double>.One, Vector<double>.Zero);
        public static Vector512<double> Apply(Vector512<double> x, Vector512<double> y) => Vector512.ConditionalSelect(
            Vector512.AndNot(Vector512.Equals(x, x), Vector512.Equals(x, Vector512<double>.Zero)) & Vector512.AndNot(Vector512.Equals(y, y), Vector512.Equals(y, Vector512<double>.Zero)),
            Vector512<double>.One, Vector512<double>.Zero);
    }

    public static void Add(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o) => Binary<AddOp>(x, y, o);
    public static void Subtract(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o) => Binary<SubtractOp>(x, y, o);
    public static void Multiply(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o) => Binary<MultiplyOp>(x, y, o);
    public static void Divide(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o) => Binary<DivideOp>(x, y, o);
    public static void Less(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o) => Binary<LessOp>(x, y, o);
    public static void Equal(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o) => Binary<EqualOp>(x, y, o);
    public static void And(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o) => Binary<AndOp>(x, y, o);

    /// <summary>
    /// o = [o true, when <paramref name="withO"/>] and a true and b true, as 1 or 0: "true" is non-zero and
    /// not missing, or only not missing for an operand marked NotNull (its value is the column tested).
    /// </summary>
    [MethodImpl(Hot)]
    public static void AndOf(Span<double> o, bool withO, ReadOnlySpan<double> a, bool aNotNull, ReadOnlySpan<double> b, bool bNotNull)
    {
        var n = o.Length;
        a = a[..n];
        b = b[..n];
        ref var ar = ref MemoryMarshal.GetReference(a);
        ref var br = ref MemoryMarshal.GetReference(b);
        ref var or = ref MemoryMarshal.GetReference(o);
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // A zero counts as false unless the operand is a not-null test: all bits or none of the "is zero" mask.
            var za = aNotNull ? Vector512<double>.Zero : Vector512<double>.AllBitsSet;
            var zb = bNotNull ? Vector512<double>.Zero : Vector512<double>.AllBitsSet;
            for (; i <= n - Vector512<double>.Count; i += Vector512<double>.Count)
            {
                var x = Vector512.LoadUnsafe(ref ar, (nuint)i);
                var y = Vector512.LoadUnsafe(ref br, (nuint)i);
                var both = Vector512.AndNot(Vector512.Equals(x, x), Vector512.Equals(x, Vector512<double>.Zero) & za)
                    & Vector512.AndNot(Vector512.Equals(y, y), Vector512.Equals(y, Vector512<double>.Zero) & zb);
                if (withO)
                {
                    var v = Vector512.LoadUnsafe(ref or, (nuint)i);
                    both &= Vector512.AndNot(Vector512.Equals(v, v), Vector512.Equals(v, Vector512<double>.Zero));
                }
                Vector512.ConditionalSelect(both, Vector512<double>.One, Vector512<double>.Zero).StoreUnsafe(ref or, (nuint)i);
            }
        }
        {
            var za = aNotNull ? Vector<double>.Zero : Vector<double>.AllBitsSet;
            var zb = bNotNull ? Vector<double>.Zero : Vector<double>.AllBitsSet;
            for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
            {
                var x = Vector.LoadUnsafe(ref ar, (nuint)i);
                var y = Vector.LoadUnsafe(ref br, (nuint)i);
                var both = Vector.AndNot(Vector.Equals(x, x).As<long, double>(), Vector.Equals(x, Vector<double>.Zero).As<long, double>() & za)
                    & Vector.AndNot(Vector.Equals(y, y).As<long, double>(), Vector.Equals(y, Vector<double>.Zero).As<long, double>() & zb);
                if (withO)
                {
                    var v = Vector.LoadUnsafe(ref or, (nuint)i);
                    both &= Vector.AndNot(Vector.Equals(v, v), Vector.Equals(v, Vector<double>.Zero)).As<long, double>();
                }
                Vector.ConditionalSelect(both, Vector<double>.One, Vector<double>.Zero).StoreUnsafe(ref or, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            bool True(double v, bool notNull) => !double.IsNaN(v) && (notNull || v != 0);
            o[i] = (!withO || True(o[i], false)) && True(a[i], aNotNull) && True(b[i], bNotNull) ? 1 : 0;
        }
    }

    [MethodImpl(Hot)]
    public static void Pow(ReadOnlySpan<double> x, double k, Span<double> o) { for (var i = 0; i < x.Length; i++) o[i] = Math.Pow(x[i], k); }

    [MethodImpl(Hot)]
    public static void Exp(ReadOnlySpan<double> x, Span<double> o) { for (var i = 0; i < x.Length; i++) o[i] = Math.Exp(x[i]); }

    [MethodImpl(Hot)]
    public static void Log(ReadOnlySpan<double> x, Span<double> o) { for (var i = 0; i < x.Length; i++) o[i] = Math.Log(x[i]); }

    [MethodImpl(Hot)]
    public static void Clamp(ReadOnlySpan<double> x, double lo, double hi, Span<double> o) { for (var i = 0; i < x.Length; i++) o[i] = Math.Clamp(x[i], lo, hi); }

    /// <summary>One operation on one value, for a row, a portable vector and a 512-bit vector alike.</summary>
    interface IUnaryOp
    {
        static abstract double Apply(double x);
        static abstract Vector<double> Apply(Vector<double> x);
        static abstract Vector512<double> Apply(Vector512<double> x);
    }

    /// <summary>o[i] = op(x[i]); o may be x.</summary>
    [MethodImpl(Hot)]
    static void Unary<TOp>(ReadOnlySpan<double> x, Span<double> o) where TOp : struct, IUnaryOp
    {
        var n = x.Length;
        o = o[..n];
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var or = ref MemoryMarshal.GetReference(o);
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<double>.Count; i += Vector512<double>.Count)
                TOp.Apply(Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref or, (nuint)i);
        for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
            TOp.Apply(Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref or, (nuint)i);
        for (; i < n; i++) o[i] = TOp.Apply(x[i]);
    }

    /// <summary>−x clamped to ±700 (exp never overflows, as the SQL dialects clamp). Min/Max may drop a NaN for the bound: a missing value stays missing, as Math.Clamp keeps it.</summary>
    struct NegatedClampOp : IUnaryOp
    {
        public static double Apply(double x) => -Math.Clamp(x, -700, 700);
        public static Vector<double> Apply(Vector<double> v) =>
            -Vector.ConditionalSelect(Vector.Equals(v, v), Vector.Min(Vector.Max(v, new Vector<double>(-700)), new Vector<double>(700)), v);
        public static Vector512<double> Apply(Vector512<double> v) =>
            -Vector512.ConditionalSelect(Vector512.Equals(v, v), Vector512.Min(Vector512.Max(v, Vector512.Create(-700.0)), Vector512.Create(700.0)), v);
    }

    /// <summary>1 / (1 + x).</summary>
    struct OnePlusReciprocalOp : IUnaryOp
    {
        public static double Apply(double x) => 1 / (1 + x);
        public static Vector<double> Apply(Vector<double> x) => Vector<double>.One / (Vector<double>.One + x);
        public static Vector512<double> Apply(Vector512<double> x) => Vector512<double>.One / (Vector512<double>.One + x);
    }

    /// <summary>exp with SIMD: within 2 ulp of Math.Exp, the same infinities, zeros and NaN.</summary>
    struct VectorExpOp : IUnaryOp
    {
        public static double Apply(double x) => Math.Exp(x);
        public static Vector<double> Apply(Vector<double> x) => SimdExp.Of(x);
        public static Vector512<double> Apply(Vector512<double> x) => SimdExp.Of(x);
    }

    /// <summary>The logistic function in one pass, with the SIMD exp.</summary>
    struct VectorExpitOp : IUnaryOp
    {
        public static double Apply(double x) => OnePlusReciprocalOp.Apply(Math.Exp(NegatedClampOp.Apply(x)));
        public static Vector<double> Apply(Vector<double> x) => OnePlusReciprocalOp.Apply(SimdExp.Of(NegatedClampOp.Apply(x)));
        public static Vector512<double> Apply(Vector512<double> x) => OnePlusReciprocalOp.Apply(SimdExp.Of(NegatedClampOp.Apply(x)));
    }

    /// <summary>
    /// exp on a vector, inlined into the passes that use it. The runtime's Vector512.Exp is a generic method
    /// jitted apart from its callers, and under tiered compilation it stayed in its unoptimised tiers for
    /// the life of a process that runs a few estimates (measured: ~6 ms of CPU per estimate). x = k·ln 2 + r
    /// with |r| ≤ ln 2 / 2 (ln 2 in two parts, so k·ln2Hi is exact), e^r by its Taylor polynomial to the
    /// 13th power (the remainder is below 1e-17 relative), and 2^k applied in two halves so that a
    /// subnormal result is rounded once.
    /// </summary>
    internal static class SimdExp
    {
        const double Log2E = 1.4426950408889634;
        const double Ln2Hi = 6.93147180369123816490e-01;
        const double Ln2Lo = 1.90821492927058770002e-10;
        // Beyond these exp is +∞ or 0 in double precision; the reduction runs on the clamped value.
        const double Overflow = 709.8;
        const double Underflow = -745.2;
        // 1/n!, n = 0..13, correctly rounded.
        const double C2 = 0.5, C3 = 0.16666666666666666, C4 = 0.041666666666666664, C5 = 0.008333333333333333, C6 = 0.001388888888888889, C7 = 0.0001984126984126984,
            C8 = 2.48015873015873e-05, C9 = 2.7557319223985893e-06, C10 = 2.755731922398589e-07, C11 = 2.505210838544172e-08, C12 = 2.08767569878681e-09, C13 = 1.6059043836821613e-10;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Of(Vector512<double> x)
        {
            var clamped = Vector512.Min(Vector512.Max(x, Vector512.Create(Underflow)), Vector512.Create(Overflow));
            var k = Vector512.Round(clamped * Vector512.Create(Log2E));
            var r = Vector512.FusedMultiplyAdd(-k, Vector512.Create(Ln2Hi), clamped);
            r = Vector512.FusedMultiplyAdd(-k, Vector512.Create(Ln2Lo), r);
            var p = Vector512.Create(C13);
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C12));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C11));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C10));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C9));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C8));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C7));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C6));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C5));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C4));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C3));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C2));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0));
            var kl = Vector512.ConvertToInt64(k);
            var k1 = Vector512.ShiftRightArithmetic(kl, 1);
            var bias = Vector512.Create(1023L);
            var s1 = Vector512.ShiftLeft(k1 + bias, 52).AsDouble();
            var s2 = Vector512.ShiftLeft(kl - k1 + bias, 52).AsDouble();
            var result = p * s1 * s2;
            result = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(Overflow)), Vector512.Create(double.PositiveInfinity), result);
            result = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(Underflow)), Vector512<double>.Zero, result);
            return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<double> Of(Vector<double> x)
        {
            var clamped = Vector.Min(Vector.Max(x, new Vector<double>(Underflow)), new Vector<double>(Overflow));
            var k = Vector.Round(clamped * new Vector<double>(Log2E));
            var r = Vector.FusedMultiplyAdd(-k, new Vector<double>(Ln2Hi), clamped);
            r = Vector.FusedMultiplyAdd(-k, new Vector<double>(Ln2Lo), r);
            var p = new Vector<double>(C13);
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(C12));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(C11));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(C10));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(C9));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(C8));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(C7));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(C6));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(C5));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(C4));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(C3));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(C2));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0));
            var kl = Vector.ConvertToInt64(k);
            var k1 = Vector.ShiftRightArithmetic(kl, 1);
            var bias = new Vector<long>(1023L);
            var s1 = Vector.AsVectorDouble(Vector.ShiftLeft(k1 + bias, 52));
            var s2 = Vector.AsVectorDouble(Vector.ShiftLeft(kl - k1 + bias, 52));
            var result = p * s1 * s2;
            result = Vector.ConditionalSelect(Vector.GreaterThan(x, new Vector<double>(Overflow)), new Vector<double>(double.PositiveInfinity), result);
            result = Vector.ConditionalSelect(Vector.LessThan(x, new Vector<double>(Underflow)), Vector<double>.Zero, result);
            return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
        }
    }

    /// <summary>
    /// The logistic function, the argument clamped to ±700 so exp never overflows (as the SQL dialects do):
    /// the clamp and the division with SIMD, exp element by element (Math.Exp, as the row path).
    /// </summary>
    [MethodImpl(Hot)]
    public static void Expit(ReadOnlySpan<double> x, Span<double> o)
    {
        Unary<NegatedClampOp>(x, o);
        o = o[..x.Length];
        for (var i = 0; i < o.Length; i++) o[i] = Math.Exp(o[i]);
        Unary<OnePlusReciprocalOp>(o, o);
    }

    /// <summary>exp with SIMD (within 2 ulp of Math.Exp; the same infinities, zeros and NaN).</summary>
    public static void VectorExp(ReadOnlySpan<double> x, Span<double> o) => Unary<VectorExpOp>(x, o);

    /// <summary><see cref="Expit"/> in one pass with a SIMD exp (within 2 ulp of Math.Exp): the same clamp, negation and division.</summary>
    public static void VectorExpit(ReadOnlySpan<double> x, Span<double> o) => Unary<VectorExpitOp>(x, o);

    /// <summary>o = c (first), else o = o + c.</summary>
    [MethodImpl(Hot)]
    public static void AddConstant(Span<double> o, double c, bool first)
    {
        if (first) { o.Fill(c); return; }
        var n = o.Length;
        ref var or = ref MemoryMarshal.GetReference(o);
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vc = Vector512.Create(c);
            for (; i <= n - Vector512<double>.Count; i += Vector512<double>.Count)
                (Vector512.LoadUnsafe(ref or, (nuint)i) + vc).StoreUnsafe(ref or, (nuint)i);
        }
        {
            var vc = new Vector<double>(c);
            for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
                (Vector.LoadUnsafe(ref or, (nuint)i) + vc).StoreUnsafe(ref or, (nuint)i);
        }
        for (; i < n; i++) o[i] = o[i] + c;
    }

    /// <summary>
    /// o = ((((o + c0·x0) + c1·x1) + c2·x2) + c3·x3) for the first <paramref name="count"/> (2–4) terms, or from c0·x0 when
    /// <paramref name="first"/>: per element exactly the sums and products of <see cref="AddScaled"/> term by term (a
    /// factor of 1 is exact), in one pass. Each product is rounded before its sum, as in the tree.
    /// </summary>
    [MethodImpl(Hot)]
    public static void AddScaled4(Span<double> o, bool first, int count, ReadOnlySpan<double> x0, double c0, ReadOnlySpan<double> x1, double c1,
        ReadOnlySpan<double> x2, double c2, ReadOnlySpan<double> x3, double c3)
    {
        var n = x0.Length;
        o = o[..n];
        x1 = x1[..n];
        if (count > 2) x2 = x2[..n];
        if (count > 3) x3 = x3[..n];
        ref var or = ref MemoryMarshal.GetReference(o);
        ref var r0 = ref MemoryMarshal.GetReference(x0);
        ref var r1 = ref MemoryMarshal.GetReference(x1);
        ref var r2 = ref MemoryMarshal.GetReference(x2);
        ref var r3 = ref MemoryMarshal.GetReference(x3);
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<double> k0 = Vector512.Create(c0), k1 = Vector512.Create(c1), k2 = Vector512.Create(c2), k3 = Vector512.Create(c3);
            for (; i <= n - Vector512<double>.Count; i += Vector512<double>.Count)
            {
                var p0 = k0 * Vector512.LoadUnsafe(ref r0, (nuint)i);
                var acc = first ? p0 : Vector512.LoadUnsafe(ref or, (nuint)i) + p0;
                acc += k1 * Vector512.LoadUnsafe(ref r1, (nuint)i);
                if (count > 2) acc += k2 * Vector512.LoadUnsafe(ref r2, (nuint)i);
                if (count > 3) acc += k3 * Vector512.LoadUnsafe(ref r3, (nuint)i);
                acc.StoreUnsafe(ref or, (nuint)i);
            }
        }
        {
            Vector<double> k0 = new(c0), k1 = new(c1), k2 = new(c2), k3 = new(c3);
            for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
            {
                var p0 = k0 * Vector.LoadUnsafe(ref r0, (nuint)i);
                var acc = first ? p0 : Vector.LoadUnsafe(ref or, (nuint)i) + p0;
                acc += k1 * Vector.LoadUnsafe(ref r1, (nuint)i);
                if (count > 2) acc += k2 * Vector.LoadUnsafe(ref r2, (nuint)i);
                if (count > 3) acc += k3 * Vector.LoadUnsafe(ref r3, (nuint)i);
                acc.StoreUnsafe(ref or, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            var acc = first ? c0 * x0[i] : o[i] + c0 * x0[i];
            acc += c1 * x1[i];
            if (count > 2) acc += c2 * x2[i];
            if (count > 3) acc += c3 * x3[i];
            o[i] = acc;
        }
    }

    /// <summary>o = c·x (first), else o = o + c·x, the product rounded before the sum as in the tree (no fused multiply–add); c null: 1, no product.</summary>
    [MethodImpl(Hot)]
    public static void AddScaled(Span<double> o, ReadOnlySpan<double> x, double? c, bool first)
    {
        if (c is not { } k)
        {
            if (first) x.CopyTo(o);
            else Add(o, x, o);
            return;
        }
        var n = x.Length;
        o = o[..n];
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var or = ref MemoryMarshal.GetReference(o);
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vk = Vector512.Create(k);
            if (first)
                for (; i <= n - Vector512<double>.Count; i += Vector512<double>.Count)
                    (vk * Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref or, (nuint)i);
            else
                for (; i <= n - Vector512<double>.Count; i += Vector512<double>.Count)
                    (Vector512.LoadUnsafe(ref or, (nuint)i) + vk * Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref or, (nuint)i);
        }
        {
            var vk = new Vector<double>(k);
            if (first)
                for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
                    (vk * Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref or, (nuint)i);
            else
                for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
                    (Vector.LoadUnsafe(ref or, (nuint)i) + vk * Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref or, (nuint)i);
        }
        if (first) for (; i < n; i++) o[i] = k * x[i];
        else for (; i < n; i++) o[i] = o[i] + k * x[i];
    }
}

/// <summary>
/// Level and not-null indicator columns, computed once per column and shared by the table's
/// reweighted copies (a bootstrap replicate must not re-parse every label).
/// Keyed by column identity, so a replaced column never sees a stale indicator.
/// </summary>
sealed class IndicatorCache
{
    readonly ConditionalWeakTable<InMemoryColumn, ConcurrentDictionary<string, double[]>> _levels = new();
    readonly ConditionalWeakTable<InMemoryColumn, double[]> _notNull = new();

    public double[] Level(InMemoryColumn column, string label) =>
        _levels.GetValue(column, _ => new ConcurrentDictionary<string, double[]>(StringComparer.Ordinal))
            .GetOrAdd(label, l =>
            {
                var values = new double[column.Length];
                for (var r = 0; r < values.Length; r++)
                    values[r] = column.IsMissing(r) ? double.NaN : ContingencyTable.SameLabel(column.Label(r), l) ? 1 : 0;
                return values;
            });

    public double[] NotNull(InMemoryColumn column) =>
        _notNull.GetValue(column, c =>
        {
            var values = new double[c.Length];
            for (var r = 0; r < values.Length; r++) values[r] = c.IsMissing(r) ? 0 : 1;
            return values;
        });
}
