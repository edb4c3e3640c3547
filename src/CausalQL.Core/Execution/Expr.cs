using System.Globalization;

namespace CausalQL.Execution;

/// <summary>
/// A row-level numeric expression that a data source can push down as SQL (through a dialect) or
/// evaluate itself (the in-memory table). Aggregates are always sums of such expressions, so
/// every estimator's heavy work is one scan per pass. Indicators (levels, comparisons, not-null)
/// are 1 or 0; a filter is an expression that is non-zero on the rows kept.
/// </summary>
public abstract record Expr
{
    public static Expr Col(string name) => new ColumnRef(name);
    public static Expr Num(double value) => new Constant(value);
    public static readonly Expr One = new Constant(1);
    public static readonly Expr ZeroConst = new Constant(0);

    /// <summary>1 where <paramref name="column"/> holds the level labelled <paramref name="label"/>, else 0.</summary>
    public static Expr Level(string column, string label) => new LevelIs(column, label);
    public static Expr NotNull(string column) => new IsNotNull(column);
    public static Expr Exp(Expr e) => new Call(Function.Exp, e);
    public static Expr Log(Expr e) => new Call(Function.Log, e);
    /// <summary>1 / (1 + exp(-e)), written so that it never overflows.</summary>
    public static Expr Expit(Expr e) => new Call(Function.Expit, e);
    public static Expr Pow(Expr e, double exponent) => new Power(e, exponent);
    public static Expr Clip(Expr e, double lo, double hi) => new Clamp(e, lo, hi);
    public static Expr Less(Expr a, Expr b) => new Compare(CompareOp.Less, a, b);
    public static Expr Greater(Expr a, Expr b) => new Compare(CompareOp.Greater, a, b);
    public static Expr Equal(Expr a, Expr b) => new Compare(CompareOp.Equal, a, b);

    /// <summary>The conjunction of filters (null means "all rows").</summary>
    public static Expr? And(params Expr?[] filters)
    {
        Expr? acc = null;
        foreach (var f in filters)
            if (f is not null) acc = acc is null ? f : new Conjunction(acc, f);
        return acc;
    }

    public static Expr operator +(Expr a, Expr b) => Simplify(new Binary(BinaryOp.Add, a, b));
    public static Expr operator -(Expr a, Expr b) => Simplify(new Binary(BinaryOp.Sub, a, b));
    public static Expr operator *(Expr a, Expr b) => Simplify(new Binary(BinaryOp.Mul, a, b));
    public static Expr operator /(Expr a, Expr b) => Simplify(new Binary(BinaryOp.Div, a, b));
    public static Expr operator -(Expr a) => Simplify(new Binary(BinaryOp.Sub, ZeroConst, a));
    public static implicit operator Expr(double value) => new Constant(value);

    /// <summary>Linear combination Σ coef_i · terms_i (with constant folding so the pushed SQL stays short).</summary>
    public static Expr Linear(IReadOnlyList<Expr> terms, IReadOnlyList<double> coefficients)
    {
        Expr? acc = null;
        for (var i = 0; i < terms.Count; i++)
        {
            var term = terms[i] is Constant { Value: 1 } ? new Constant(coefficients[i]) : coefficients[i] * terms[i];
            acc = acc is null ? term : acc + term;
        }
        return acc ?? ZeroConst;
    }

    static Expr Simplify(Binary b) => (b.Op, b.Left, b.Right) switch
    {
        (_, Constant l, Constant r) => new Constant(b.Op switch
        {
            BinaryOp.Add => l.Value + r.Value,
            BinaryOp.Sub => l.Value - r.Value,
            BinaryOp.Mul => l.Value * r.Value,
            _ => l.Value / r.Value,
        }),
        (BinaryOp.Mul, Constant { Value: 1 }, var r) => r,
        (BinaryOp.Mul or BinaryOp.Div, var l, Constant { Value: 1 }) => l,
        (BinaryOp.Mul, Constant { Value: 0 }, _) or (BinaryOp.Mul, _, Constant { Value: 0 }) => ZeroConst,
        (BinaryOp.Add, Constant { Value: 0 }, var r) => r,
        (BinaryOp.Add or BinaryOp.Sub, var l, Constant { Value: 0 }) => l,
        _ => b,
    };

    /// <summary>The columns the expression reads.</summary>
    public IEnumerable<string> Columns() => this switch
    {
        ColumnRef c => [c.Name],
        LevelIs l => [l.Column],
        IsNotNull n => [n.Column],
        Binary b => b.Left.Columns().Concat(b.Right.Columns()),
        Power p => p.Base.Columns(),
        Call c => c.Arg.Columns(),
        Clamp c => c.Arg.Columns(),
        Compare c => c.Left.Columns().Concat(c.Right.Columns()),
        Conjunction c => c.Left.Columns().Concat(c.Right.Columns()),
        _ => [],
    };

    /// <summary>Replaces every read of <paramref name="column"/> (as a number) by <paramref name="value"/>; used for "set T = t for everyone".</summary>
    public Expr Substitute(string column, double value, string label) => this switch
    {
        ColumnRef c when c.Name == column => new Constant(value),
        LevelIs l when l.Column == column => new Constant(l.Label == label ? 1 : 0),
        Binary b => Simplify(new Binary(b.Op, b.Left.Substitute(column, value, label), b.Right.Substitute(column, value, label))),
        Power p => new Power(p.Base.Substitute(column, value, label), p.Exponent),
        Call c => new Call(c.Fn, c.Arg.Substitute(column, value, label)),
        Clamp c => new Clamp(c.Arg.Substitute(column, value, label), c.Lo, c.Hi),
        Compare c => new Compare(c.Op, c.Left.Substitute(column, value, label), c.Right.Substitute(column, value, label)),
        _ => this,
    };

    protected static string Show(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

public enum BinaryOp { Add, Sub, Mul, Div }
public enum Function { Exp, Log, Expit }
public enum CompareOp { Less, Greater, Equal }

public sealed record ColumnRef(string Name) : Expr { public override string ToString() => Name; }
/// <summary>A uniform random number in [0, 1) per row (the engine's random()); used only to draw warm-start samples.</summary>
public sealed record RandomUniform : Expr { public override string ToString() => "random()"; }
public sealed record Constant(double Value) : Expr { public override string ToString() => Show(Value); }
public sealed record LevelIs(string Column, string Label) : Expr { public override string ToString() => $"[{Column} == {Label}]"; }
public sealed record IsNotNull(string Column) : Expr { public override string ToString() => $"[{Column} not null]"; }
// The compound nodes keep their hash, computed once from their children's: sums are keyed by their
// expressions (duplicate terms, sums reused between scans, shared sub-expressions), and hashing a
// deep tree again at every lookup cost milliseconds per estimate. (So no 'with' on them: it would copy the hash.)
public sealed record Binary(BinaryOp Op, Expr Left, Expr Right) : Expr
{
    readonly int _hash = HashCode.Combine(1, Op, Left, Right);
    public override int GetHashCode() => _hash;
    public bool Equals(Binary? other) => ReferenceEquals(this, other)
        || (other is not null && _hash == other._hash && Op == other.Op && Left.Equals(other.Left) && Right.Equals(other.Right));
    public override string ToString() => $"({Left} {Op switch { BinaryOp.Add => "+", BinaryOp.Sub => "-", BinaryOp.Mul => "*", _ => "/" }} {Right})";
}
public sealed record Power(Expr Base, double Exponent) : Expr
{
    readonly int _hash = HashCode.Combine(2, Base, Exponent);
    public override int GetHashCode() => _hash;
    public bool Equals(Power? other) => ReferenceEquals(this, other)
        || (other is not null && _hash == other._hash && Exponent.Equals(other.Exponent) && Base.Equals(other.Base));
    public override string ToString() => $"{Base}^{Show(Exponent)}";
}
public sealed record Call(Function Fn, Expr Arg) : Expr
{
    readonly int _hash = HashCode.Combine(3, Fn, Arg);
    public override int GetHashCode() => _hash;
    public bool Equals(Call? other) => ReferenceEquals(this, other)
        || (other is not null && _hash == other._hash && Fn == other.Fn && Arg.Equals(other.Arg));
    public override string ToString() => $"{Fn.ToString().ToLowerInvariant()}({Arg})";
}
public sealed record Clamp(Expr Arg, double Lo, double Hi) : Expr
{
    readonly int _hash = HashCode.Combine(4, Arg, Lo, Hi);
    public override int GetHashCode() => _hash;
    public bool Equals(Clamp? other) => ReferenceEquals(this, other)
        || (other is not null && _hash == other._hash && Lo.Equals(other.Lo) && Hi.Equals(other.Hi) && Arg.Equals(other.Arg));
    public override string ToString() => $"clip({Arg}, {Show(Lo)}, {Show(Hi)})";
}
public sealed record Compare(CompareOp Op, Expr Left, Expr Right) : Expr
{
    readonly int _hash = HashCode.Combine(5, Op, Left, Right);
    public override int GetHashCode() => _hash;
    public bool Equals(Compare? other) => ReferenceEquals(this, other)
        || (other is not null && _hash == other._hash && Op == other.Op && Left.Equals(other.Left) && Right.Equals(other.Right));
    public override string ToString() => $"[{Left} {(Op switch { CompareOp.Less => "<", CompareOp.Greater => ">", _ => "==" })} {Right}]";
}
public sealed record Conjunction(Expr Left, Expr Right) : Expr
{
    readonly int _hash = HashCode.Combine(6, Left, Right);
    public override int GetHashCode() => _hash;
    public bool Equals(Conjunction? other) => ReferenceEquals(this, other)
        || (other is not null && _hash == other._hash && Left.Equals(other.Left) && Right.Equals(other.Right));
    public override string ToString() => $"{Left} and {Right}";
}
