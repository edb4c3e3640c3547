using System.Numerics;

namespace CausalQL.Identification;

/// <summary>
/// A set of node indices as a bitset. Indices below 64 live in one word, so graphs of up to 64
/// nodes never allocate; larger graphs keep the remaining words in an array (treated as
/// immutable, shared between values). Missing high words read as zero.
/// </summary>
internal readonly struct NodeSet : IEquatable<NodeSet>
{
    readonly ulong _lo;
    readonly ulong[]? _hi; // word k of the array holds indices 64(k+1) .. 64(k+1)+63

    NodeSet(ulong lo, ulong[]? hi)
    {
        _lo = lo;
        _hi = hi is not null && Array.TrueForAll(hi, w => w == 0) ? null : hi;
    }

    public static readonly NodeSet Empty = default;

    public static NodeSet Single(int i) => Empty.Add(i);

    public static NodeSet Range(int count)
    {
        var s = Empty;
        for (var i = 0; i < count; i++) s = s.Add(i);
        return s;
    }

    public static NodeSet Of(IEnumerable<int> items)
    {
        ulong lo = 0;
        List<ulong>? hi = null;
        foreach (var i in items)
        {
            if (i < 64) { lo |= 1UL << i; continue; }
            hi ??= [];
            var w = (i >> 6) - 1;
            while (hi.Count <= w) hi.Add(0);
            hi[w] |= 1UL << (i & 63);
        }
        return new NodeSet(lo, hi?.ToArray());
    }

    public bool IsEmpty => _lo == 0 && _hi is null;

    public int Count
    {
        get
        {
            var c = BitOperations.PopCount(_lo);
            if (_hi is not null) foreach (var w in _hi) c += BitOperations.PopCount(w);
            return c;
        }
    }

    public bool Contains(int i)
    {
        if (i < 64) return (_lo & (1UL << i)) != 0;
        var w = (i >> 6) - 1;
        return _hi is not null && w < _hi.Length && (_hi[w] & (1UL << (i & 63))) != 0;
    }

    public NodeSet Add(int i)
    {
        if (i < 64) return new NodeSet(_lo | (1UL << i), _hi);
        var w = (i >> 6) - 1;
        var hi = new ulong[Math.Max(w + 1, _hi?.Length ?? 0)];
        _hi?.CopyTo(hi, 0);
        hi[w] |= 1UL << (i & 63);
        return new NodeSet(_lo, hi);
    }

    public NodeSet Remove(int i) => Except(Single(i));

    public NodeSet Union(NodeSet o) => new(_lo | o._lo, Combine(_hi, o._hi, static (a, b) => a | b));
    public NodeSet Intersect(NodeSet o) => new(_lo & o._lo, Combine(_hi, o._hi, static (a, b) => a & b));
    public NodeSet Except(NodeSet o) => new(_lo & ~o._lo, Combine(_hi, o._hi, static (a, b) => a & ~b));

    public bool Overlaps(NodeSet o) => !Intersect(o).IsEmpty;
    public bool IsSubsetOf(NodeSet o) => Except(o).IsEmpty;

    static ulong[]? Combine(ulong[]? a, ulong[]? b, Func<ulong, ulong, ulong> op)
    {
        if (a is null && b is null) return null;
        var n = Math.Max(a?.Length ?? 0, b?.Length ?? 0);
        var r = new ulong[n];
        for (var k = 0; k < n; k++)
            r[k] = op(a is not null && k < a.Length ? a[k] : 0, b is not null && k < b.Length ? b[k] : 0);
        return r;
    }

    /// <summary>The smallest index, or -1 when empty.</summary>
    public int First()
    {
        if (_lo != 0) return BitOperations.TrailingZeroCount(_lo);
        if (_hi is not null)
            for (var k = 0; k < _hi.Length; k++)
                if (_hi[k] != 0) return 64 * (k + 1) + BitOperations.TrailingZeroCount(_hi[k]);
        return -1;
    }

    public Enumerator GetEnumerator() => new(this);

    public struct Enumerator(NodeSet set)
    {
        int _word = -1;
        ulong _bits;
        public int Current { get; private set; }

        public bool MoveNext()
        {
            while (_bits == 0)
            {
                _word++;
                if (_word == 0) _bits = set._lo;
                else if (set._hi is not null && _word - 1 < set._hi.Length) _bits = set._hi[_word - 1];
                else return false;
            }
            var t = BitOperations.TrailingZeroCount(_bits);
            _bits &= _bits - 1;
            Current = 64 * _word + t;
            return true;
        }
    }

    public List<int> ToList()
    {
        var list = new List<int>();
        foreach (var i in this) list.Add(i);
        return list;
    }

    public bool Equals(NodeSet o)
    {
        if (_lo != o._lo) return false;
        var n = Math.Max(_hi?.Length ?? 0, o._hi?.Length ?? 0);
        for (var k = 0; k < n; k++)
        {
            var a = _hi is not null && k < _hi.Length ? _hi[k] : 0;
            var b = o._hi is not null && k < o._hi.Length ? o._hi[k] : 0;
            if (a != b) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is NodeSet o && Equals(o);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(_lo);
        if (_hi is not null)
            for (var k = 0; k < _hi.Length; k++)
                if (_hi[k] != 0) { h.Add(k); h.Add(_hi[k]); }
        return h.ToHashCode();
    }

    public static bool operator ==(NodeSet a, NodeSet b) => a.Equals(b);
    public static bool operator !=(NodeSet a, NodeSet b) => !a.Equals(b);
}
