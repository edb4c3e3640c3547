using System.Collections;

namespace CausalQL.Graphs;

/// <summary>
/// An immutable set of variable names with value equality, ordered ordinally so that printing
/// and hashing are deterministic. Used by the graph layer and the estimand algebra alike.
/// Stored as a sorted array: sets are small or built once from sorted input (graph algorithms
/// produce thousands of them), so linear merges beat a balanced tree.
/// </summary>
public sealed class VarSet : IReadOnlyCollection<string>, IEquatable<VarSet>
{
    public static readonly VarSet Empty = new([]);

    readonly string[] _items; // sorted ordinally, no duplicates
    readonly int _hash;

    VarSet(string[] items)
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
        var items = names.ToArray();
        if (items.Length == 0) return Empty;
        Array.Sort(items, StringComparer.Ordinal);
        var unique = 1;
        for (var i = 1; i < items.Length; i++)
            if (!string.Equals(items[i], items[unique - 1], StringComparison.Ordinal)) items[unique++] = items[i];
        if (unique < items.Length) Array.Resize(ref items, unique);
        return new VarSet(items);
    }

    /// <summary>Wraps names the caller guarantees are sorted ordinally and distinct (no copy is made).</summary>
    internal static VarSet FromSortedUnique(string[] sorted) => sorted.Length == 0 ? Empty : new VarSet(sorted);

    public int Count => _items.Length;
    public bool IsEmpty => _items.Length == 0;
    public bool Contains(string name) => Array.BinarySearch(_items, name, StringComparer.Ordinal) >= 0;

    public VarSet Union(IEnumerable<string> other)
    {
        var b = From(other);
        if (b.IsEmpty) return this;
        if (IsEmpty) return b;
        var result = new List<string>(Count + b.Count);
        int i = 0, j = 0;
        while (i < _items.Length && j < b._items.Length)
        {
            var c = string.CompareOrdinal(_items[i], b._items[j]);
            if (c < 0) result.Add(_items[i++]);
            else if (c > 0) result.Add(b._items[j++]);
            else { result.Add(_items[i++]); j++; }
        }
        while (i < _items.Length) result.Add(_items[i++]);
        while (j < b._items.Length) result.Add(b._items[j++]);
        return result.Count == Count ? this : new VarSet([.. result]);
    }

    public VarSet Intersect(IEnumerable<string> other)
    {
        var b = From(other);
        var result = new List<string>();
        foreach (var item in _items) if (b.Contains(item)) result.Add(item);
        return result.Count == Count ? this : FromSortedUnique([.. result]);
    }

    public VarSet Except(IEnumerable<string> other)
    {
        var b = From(other);
        if (b.IsEmpty) return this;
        var result = new List<string>();
        foreach (var item in _items) if (!b.Contains(item)) result.Add(item);
        return result.Count == Count ? this : FromSortedUnique([.. result]);
    }

    public VarSet Add(string name) => Contains(name) ? this : Union([name]);
    public VarSet Remove(string name) => Contains(name) ? Except([name]) : this;

    public bool IsSubsetOf(IEnumerable<string> other)
    {
        var b = From(other);
        foreach (var item in _items) if (!b.Contains(item)) return false;
        return true;
    }

    public bool IsSupersetOf(IEnumerable<string> other)
    {
        foreach (var item in other) if (!Contains(item)) return false;
        return true;
    }

    public bool Overlaps(IEnumerable<string> other)
    {
        foreach (var item in other) if (Contains(item)) return true;
        return false;
    }

    public bool SetEquals(IEnumerable<string> other) => Equals(From(other));

    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(VarSet? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (_hash != other._hash || _items.Length != other._items.Length) return false;
        for (var i = 0; i < _items.Length; i++)
            if (!string.Equals(_items[i], other._items[i], StringComparison.Ordinal)) return false;
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as VarSet);
    public override int GetHashCode() => _hash;
    public static bool operator ==(VarSet? a, VarSet? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(VarSet? a, VarSet? b) => !(a == b);

    public override string ToString() => "{" + string.Join(", ", _items) + "}";
}
