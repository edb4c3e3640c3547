using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;

namespace CausalQL.Execution;

/// <summary>Evaluates a compiled expression over rows [start, start + length) of a table, returning one value per row.</summary>
delegate ReadOnlySpan<double> VectorFn(int start, int length);

/// <summary>
/// Column-at-a-time evaluation for the in-memory table: an expression is compiled once into a tree
/// of block operations, each node filling its own buffer for a block of rows, so a sum costs a few
/// tight loops per block instead of a delegate tree walk per row. Every element is computed with the
/// same double operations as the row-at-a-time path, so sums stay bit-for-bit equal.
/// </summary>
sealed class ColumnEvaluator(IReadOnlyDictionary<string, InMemoryColumn> columns, IndicatorCache indicators)
{
    public const int Block = 1024;

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
                    return (s, n) =>
                    {
                        var span = o.AsSpan(0, n);
                        for (var k = 0; k < compiled.Length; k++)
                        {
                            var (c, term) = compiled[k];
                            if (term is null) ElementWise.AddConstant(span, c!.Value, first: k == 0);
                            else ElementWise.AddScaled(span, term(s, n), c, first: k == 0);
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
                    return c.Fn switch
                    {
                        Function.Exp => (s, n) => { ElementWise.Exp(a(s, n), o); return o.AsSpan(0, n); },
                        Function.Log => (s, n) => { ElementWise.Log(a(s, n), o); return o.AsSpan(0, n); },
                        _ => (s, n) => { ElementWise.Expit(a(s, n), o); return o.AsSpan(0, n); },
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
                    var l = Compile(c.Left, slots);
                    var r = Compile(c.Right, slots);
                    var o = Output();
                    return (s, n) => { ElementWise.And(l(s, n), r(s, n), o); return o.AsSpan(0, n); };
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
/// </summary>
static class ElementWise
{
    const MethodImplOptions Hot = MethodImplOptions.AggressiveOptimization;

    [MethodImpl(Hot)]
    public static void Pow(ReadOnlySpan<double> x, double k, Span<double> o) { for (var i = 0; i < x.Length; i++) o[i] = Math.Pow(x[i], k); }

    [MethodImpl(Hot)]
    public static void Exp(ReadOnlySpan<double> x, Span<double> o) { for (var i = 0; i < x.Length; i++) o[i] = Math.Exp(x[i]); }

    [MethodImpl(Hot)]
    public static void Log(ReadOnlySpan<double> x, Span<double> o) { for (var i = 0; i < x.Length; i++) o[i] = Math.Log(x[i]); }


    [MethodImpl(Hot)]
    public static void Clamp(ReadOnlySpan<double> x, double lo, double hi, Span<double> o) { for (var i = 0; i < x.Length; i++) o[i] = Math.Clamp(x[i], lo, hi); }

    // Comparisons give exactly 1 or 0 per element (IEEE compares: NaN is unequal and unordered), as the scalar loops do.

    [MethodImpl(Hot)]
    public static void Less(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o)
    {
        var i = 0;
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            Vector.ConditionalSelect(Vector.LessThan(new Vector<double>(x[i..]), new Vector<double>(y[i..])), Vector<double>.One, Vector<double>.Zero).CopyTo(o[i..]);
        for (; i < x.Length; i++) o[i] = x[i] < y[i] ? 1 : 0;
    }

    [MethodImpl(Hot)]
    public static void Equal(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o)
    {
        var i = 0;
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            Vector.ConditionalSelect(Vector.Equals(new Vector<double>(x[i..]), new Vector<double>(y[i..])), Vector<double>.One, Vector<double>.Zero).CopyTo(o[i..]);
        for (; i < x.Length; i++) o[i] = x[i] == y[i] ? 1 : 0;
    }

    /// <summary>1 where both are true (non-zero, not missing), else 0.</summary>
    [MethodImpl(Hot)]
    public static void And(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o)
    {
        var i = 0;
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            var a = new Vector<double>(x[i..]);
            var b = new Vector<double>(y[i..]);
            // True: equal to itself (not NaN) and not equal to zero.
            var both = Vector.AndNot(Vector.Equals(a, a), Vector.Equals(a, Vector<double>.Zero)) & Vector.AndNot(Vector.Equals(b, b), Vector.Equals(b, Vector<double>.Zero));
            Vector.ConditionalSelect(both, Vector<double>.One, Vector<double>.Zero).CopyTo(o[i..]);
        }
        for (; i < x.Length; i++) o[i] = x[i] != 0 && !double.IsNaN(x[i]) && y[i] != 0 && !double.IsNaN(y[i]) ? 1 : 0;
    }

    /// <summary>
    /// The logistic function, the argument clamped to ±700 so exp never overflows (as the SQL dialects do):
    /// the clamp and the division with SIMD, exp element by element (Math.Exp, as the row path).
    /// </summary>
    [MethodImpl(Hot)]
    public static void Expit(ReadOnlySpan<double> x, Span<double> o)
    {
        var lo = new Vector<double>(-700);
        var hi = new Vector<double>(700);
        var i = 0;
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            var v = new Vector<double>(x[i..]);
            // Min/Max may drop a NaN for the bound; a missing value stays missing, as Math.Clamp keeps it.
            (-Vector.ConditionalSelect(Vector.Equals(v, v), Vector.Min(Vector.Max(v, lo), hi), v)).CopyTo(o[i..]);
        }
        for (; i < x.Length; i++) o[i] = -Math.Clamp(x[i], -700, 700);
        for (i = 0; i < x.Length; i++) o[i] = Math.Exp(o[i]);
        i = 0;
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            (Vector<double>.One / (Vector<double>.One + new Vector<double>(o[i..]))).CopyTo(o[i..]);
        for (; i < x.Length; i++) o[i] = 1 / (1 + o[i]);
    }

    /// <summary>o = c (first), else o = o + c.</summary>
    [MethodImpl(Hot)]
    public static void AddConstant(Span<double> o, double c, bool first)
    {
        if (first) { o.Fill(c); return; }
        var vc = new Vector<double>(c);
        var i = 0;
        for (; i <= o.Length - Vector<double>.Count; i += Vector<double>.Count)
            (new Vector<double>(o[i..]) + vc).CopyTo(o[i..]);
        for (; i < o.Length; i++) o[i] = o[i] + c;
    }

    /// <summary>o = c·x (first), else o = o + c·x, the product rounded before the sum as in the tree (no fused multiply–add); c null: 1, no product.</summary>
    [MethodImpl(Hot)]
    public static void AddScaled(Span<double> o, ReadOnlySpan<double> x, double? c, bool first)
    {
        var i = 0;
        if (c is not { } k)
        {
            if (first) x.CopyTo(o);
            else Add(o, x, o);
            return;
        }
        var vk = new Vector<double>(k);
        if (first)
        {
            for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
                (vk * new Vector<double>(x[i..])).CopyTo(o[i..]);
            for (; i < x.Length; i++) o[i] = k * x[i];
            return;
        }
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            (new Vector<double>(o[i..]) + vk * new Vector<double>(x[i..])).CopyTo(o[i..]);
        for (; i < x.Length; i++) o[i] = o[i] + k * x[i];
    }

    [MethodImpl(Hot)]
    public static void Add(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= x.Length - Vector512<double>.Count; i += Vector512<double>.Count)
                (Vector512.Create(x[i..]) + Vector512.Create(y[i..])).CopyTo(o[i..]);
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            (new Vector<double>(x[i..]) + new Vector<double>(y[i..])).CopyTo(o[i..]);
        for (; i < x.Length; i++) o[i] = x[i] + y[i];
    }

    [MethodImpl(Hot)]
    public static void Subtract(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= x.Length - Vector512<double>.Count; i += Vector512<double>.Count)
                (Vector512.Create(x[i..]) - Vector512.Create(y[i..])).CopyTo(o[i..]);
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            (new Vector<double>(x[i..]) - new Vector<double>(y[i..])).CopyTo(o[i..]);
        for (; i < x.Length; i++) o[i] = x[i] - y[i];
    }

    [MethodImpl(Hot)]
    public static void Multiply(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= x.Length - Vector512<double>.Count; i += Vector512<double>.Count)
                (Vector512.Create(x[i..]) * Vector512.Create(y[i..])).CopyTo(o[i..]);
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            (new Vector<double>(x[i..]) * new Vector<double>(y[i..])).CopyTo(o[i..]);
        for (; i < x.Length; i++) o[i] = x[i] * y[i];
    }

    [MethodImpl(Hot)]
    public static void Divide(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= x.Length - Vector512<double>.Count; i += Vector512<double>.Count)
                (Vector512.Create(x[i..]) / Vector512.Create(y[i..])).CopyTo(o[i..]);
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            (new Vector<double>(x[i..]) / new Vector<double>(y[i..])).CopyTo(o[i..]);
        for (; i < x.Length; i++) o[i] = x[i] / y[i];
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
