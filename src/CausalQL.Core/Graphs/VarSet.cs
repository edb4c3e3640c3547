using System.Collections;
using System.Collections.Immutable;

namespace CausalQL.Graphs;

/// <summary>
/// An immutable set of variable names with value equality, ordered ordinally so that printing
/// and hashing are deterministic. Used by the graph layer and the estimand algebra alike.
/// </summary>
public sealed class VarSet : IReadOnlyCollection<string>, IEquatable<VarSet>
{
    public static readonly VarSet Empty = new(ImmutableSortedSet.Create<string>(StringComparer.Ordinal));

    readonly ImmutableSortedSet<string> _items;
    readonly int _hash;

    VarSet(ImmutableSortedSet<string> items)
    {
        _items = items;
        var hash = new HashCode();
        foreach (var item in items) hash.Add(item, StringComparer.Ordinal);
        _hash = hash.ToHashCode();
    }

    public static VarSet Of(params string[] names) => From(names);

    public static VarSet From(IEnumerable<string> names)
    {
        if (names is VarSet set) return set;
        var items = ImmutableSortedSet.CreateRange(StringComparer.Ordinal, names);
        return items.Count == 0 ? Empty : new VarSet(items);
    }

    public int Count => _items.Count;
    public bool IsEmpty => _items.Count == 0;
    public bool Contains(string name) => _items.Contains(name);

    public VarSet Union(IEnumerable<string> other) => Wrap(_items.Union(other));
    public VarSet Intersect(IEnumerable<string> other) => Wrap(_items.Intersect(other));
    public VarSet Except(IEnumerable<string> other) => Wrap(_items.Except(other));
    public VarSet Add(string name) => Wrap(_items.Add(name));
    public VarSet Remove(string name) => Wrap(_items.Remove(name));
    public bool IsSubsetOf(IEnumerable<string> other) => _items.IsSubsetOf(other);
    public bool IsSupersetOf(IEnumerable<string> other) => _items.IsSupersetOf(other);
    public bool Overlaps(IEnumerable<string> other) => _items.Overlaps(other);
    public bool SetEquals(IEnumerable<string> other) => _items.SetEquals(other);

    VarSet Wrap(ImmutableSortedSet<string> items) =>
        ReferenceEquals(items, _items) ? this : items.Count == 0 ? Empty : new VarSet(items);

    public IEnumerator<string> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(VarSet? other) =>
        other is not null && (ReferenceEquals(this, other) || (_hash == other._hash && _items.SetEquals(other._items)));
    public override bool Equals(object? obj) => Equals(obj as VarSet);
    public override int GetHashCode() => _hash;
    public static bool operator ==(VarSet? a, VarSet? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(VarSet? a, VarSet? b) => !(a == b);

    public override string ToString() => "{" + string.Join(", ", _items) + "}";
}
