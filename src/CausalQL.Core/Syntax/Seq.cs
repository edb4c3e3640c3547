using System.Collections;
using System.Collections.Immutable;

namespace CausalQL.Syntax;

/// <summary>An immutable list with value equality, so syntax records compare structurally.</summary>
public readonly struct Seq<T> : IReadOnlyList<T>, IEquatable<Seq<T>>
{
    readonly ImmutableArray<T> _items;

    public Seq(ImmutableArray<T> items) => _items = items.IsDefault ? [] : items;
    public Seq(IEnumerable<T> items) => _items = [.. items];

    public static readonly Seq<T> Empty = new(ImmutableArray<T>.Empty);

    public ImmutableArray<T> Items => _items.IsDefault ? [] : _items;
    public int Count => Items.Length;
    public T this[int index] => Items[index];
    public bool IsEmpty => Count == 0;

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(Seq<T> other) => Items.SequenceEqual(other.Items);
    public override bool Equals(object? obj) => obj is Seq<T> other && Equals(other);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var item in Items) h.Add(item);
        return h.ToHashCode();
    }
    public static bool operator ==(Seq<T> a, Seq<T> b) => a.Equals(b);
    public static bool operator !=(Seq<T> a, Seq<T> b) => !a.Equals(b);

    public static implicit operator Seq<T>(ImmutableArray<T> items) => new(items);
    public static implicit operator Seq<T>(T[] items) => new(items);
    public override string ToString() => "[" + string.Join(", ", Items) + "]";
}

public static class Seq
{
    public static Seq<T> Of<T>(params T[] items) => new(items);
    public static Seq<T> ToSeq<T>(this IEnumerable<T> items) => new(items);
}

/// <summary>
/// A node's place in the source. It takes no part in equality, so a tree re-parsed from its
/// printed form equals the original (the round-trip property) although positions differ.
/// </summary>
public readonly struct NodeSpan(CausalQL.Text.TextSpan value) : IEquatable<NodeSpan>
{
    public CausalQL.Text.TextSpan Value { get; } = value;
    public bool Equals(NodeSpan other) => true;
    public override bool Equals(object? obj) => obj is NodeSpan;
    public override int GetHashCode() => 0;
    public static implicit operator NodeSpan(CausalQL.Text.TextSpan span) => new(span);
    public static implicit operator CausalQL.Text.TextSpan(NodeSpan span) => span.Value;
    public override string ToString() => $"@{Value.Start}+{Value.Length}";
}
