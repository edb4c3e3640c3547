namespace CausalQL.Graphs;

/// <summary>
/// An undirected graph on node indices: the augmented (moral) graph of an ancestral set, in which
/// m-separation by sets inside that ancestral set becomes plain vertex separation
/// (Lauritzen; Richardson 2003 for ADMGs).
/// </summary>
internal sealed class UndirectedGraph
{
    public readonly int[][] Adj;
    public UndirectedGraph(int[][] adj) => Adj = adj;
    public int Count => Adj.Length;

    /// <summary>
    /// The augmented graph of G restricted to <paramref name="keep"/> (an ancestral set, edges in
    /// <paramref name="cut"/> left out): the skeleton plus an edge between any two nodes joined by a
    /// collider path, i.e. every district D of the subgraph together with its parents forms a clique.
    /// For a DAG this is moralisation.
    /// </summary>
    public static UndirectedGraph Augmented(CausalGraph g, bool[] keep, EdgeCut cut)
    {
        var n = g.Count;
        var lists = new List<int>[n];
        for (var i = 0; i < n; i++) lists[i] = [];
        void Link(int a, int b) { if (a != b) { lists[a].Add(b); lists[b].Add(a); } }
        // Districts of the kept subgraph.
        var district = new int[n];
        Array.Fill(district, -1);
        var members = new List<List<int>>();
        var stack = new Stack<int>();
        for (var i = 0; i < n; i++)
        {
            if (!keep[i] || district[i] >= 0) continue;
            var d = members.Count;
            var list = new List<int>();
            members.Add(list);
            district[i] = d;
            stack.Push(i);
            while (stack.Count > 0)
            {
                var v = stack.Pop();
                list.Add(v);
                foreach (var s in g.SiblingIndices(v))
                    if (keep[s] && district[s] < 0) { district[s] = d; stack.Push(s); }
            }
        }
        var mark = new int[n];
        Array.Fill(mark, -1);
        for (var d = 0; d < members.Count; d++)
        {
            // The district and its (kept, uncut) parents, each once.
            var clique = new List<int>();
            foreach (var v in members[d]) if (mark[v] != d) { mark[v] = d; clique.Add(v); }
            foreach (var v in members[d])
                foreach (var p in g.ParentIndices(v))
                    if (keep[p] && !cut.IsCut(p, v) && mark[p] != d) { mark[p] = d; clique.Add(p); }
            for (var a = 0; a < clique.Count; a++)
                for (var b = a + 1; b < clique.Count; b++)
                    Link(clique[a], clique[b]);
        }
        // Lists may hold duplicates; keep each neighbour once.
        var adj = new int[n][];
        var stamp = new int[n];
        Array.Fill(stamp, -1);
        var buffer = new List<int>();
        for (var v = 0; v < n; v++)
        {
            buffer.Clear();
            foreach (var w in lists[v]) if (stamp[w] != v) { stamp[w] = v; buffer.Add(w); }
            adj[v] = [.. buffer];
        }
        return new UndirectedGraph(adj);
    }
}

/// <summary>
/// Minimal vertex separators in an undirected graph under constraints, after Takata (2010) as
/// adapted by van der Zander, Liśkiewicz &amp; Textor (2014/2019): enumeration with polynomial delay
/// by binary branching on "this node joins the X side" / "this node is in the separator", each
/// branch kept only when a separator with those constraints exists (a linear-time test), so every
/// leaf is an output. The walk keeps its state in arrays with an undo trail and an explicit stack,
/// so deep searches cannot overflow the call stack.
/// </summary>
public sealed class MinimalSeparatorSearch
{
    readonly UndirectedGraph _h;
    readonly bool[] _allowed;   // may be in a separator
    readonly bool[] _removed;   // deleted from the graph (forced nodes, nodes outside the ancestral set)
    readonly bool[] _x, _y;
    readonly int[] _yList;
    // Search state.
    readonly bool[] _inS;       // on the X side
    readonly bool[] _inI;       // forced into the separator by the branching
    readonly List<(int Node, bool IsS)> _trail = [];
    // Scratch.
    readonly int[] _stampNs, _stampCt;
    int _epoch;
    readonly Stack<int> _work = new();
    readonly List<int> _ns = [];
    readonly List<int> _z = [];

    internal MinimalSeparatorSearch(UndirectedGraph h, bool[] allowed, bool[] removed, bool[] x, bool[] y)
    {
        _h = h; _allowed = allowed; _removed = removed; _x = x; _y = y;
        var n = h.Count;
        _yList = [.. Enumerable.Range(0, n).Where(i => y[i])];
        _inS = new bool[n];
        _inI = new bool[n];
        _stampNs = new int[n];
        _stampCt = new int[n];
    }

    /// <summary>Lists minimal separators (as sorted index arrays) until done, the cap is reached or the token fires.</summary>
    /// <remarks>
    /// Each search node (S, I) first closes S and computes Z, the separator closest to S; Z is a
    /// minimal separator containing I, so it is output at once. With z_1..z_k the nodes of Z not in
    /// I, child j puts z_j on the X side and forces z_1..z_(j-1) into the separator: the children
    /// and the node itself split the remaining separators without overlap, and a child that admits
    /// none is found dead by one linear-time pass.
    /// </remarks>
    internal SearchOutcome Enumerate(Action<int[]> output, int cap, CancellationToken token)
    {
        var count = 0;
        var frames = new Stack<(int Mark, int[] Free, int Next)>();
        for (var i = 0; i < _h.Count; i++) if (_x[i] && !_removed[i]) AddToS(i);
        void Enter(int mark)
        {
            if (!Process())
            {
                Undo(mark);
                return;
            }
            output([.. _z.Order()]);
            count++;
            var free = new List<int>();
            foreach (var v in _z) if (!_inI[v]) free.Add(v);
            if (free.Count == 0) { Undo(mark); return; }
            frames.Push((mark, [.. free], 0));
        }
        Enter(0);
        var steps = 0;
        while (frames.Count > 0)
        {
            if (count >= cap) return SearchOutcome.Capped;
            if ((++steps & 31) == 0 && token.IsCancellationRequested) return SearchOutcome.Cancelled;
            var (mark, free, next) = frames.Pop();
            // The previous child's subtree is finished (and undone): from now on its branch node
            // stays in the separator.
            if (next > 0)
            {
                _inI[free[next - 1]] = true;
                _trail.Add((free[next - 1], false));
            }
            if (next == free.Length) { Undo(mark); continue; }
            frames.Push((mark, free, next + 1));
            var childMark = _trail.Count;
            AddToS(free[next]);
            Enter(childMark);
        }
        return SearchOutcome.Done;
    }

    /// <summary>
    /// The separator closest to the X side S: N(S) cut down to the nodes adjacent to the component
    /// of Y in the graph without N(S). Returns null when X and Y cannot be separated.
    /// </summary>
    internal int[]? CloseToX()
    {
        for (var i = 0; i < _h.Count; i++) if (_x[i] && !_removed[i]) AddToS(i);
        if (!Process()) { Undo(0); return null; }
        // Process absorbs every neighbour that cannot be in a minimal separator, so N(S) is the answer.
        int[] result = [.. _z.Order()];
        Undo(0);
        return result;
    }

    void AddToS(int v)
    {
        if (_inS[v]) return;
        _inS[v] = true;
        _trail.Add((v, true));
        // Nodes that may not separate and touch the X side are on the X side too.
        _work.Clear();
        _work.Push(v);
        while (_work.Count > 0)
        {
            var u = _work.Pop();
            foreach (var w in _h.Adj[u])
                if (!_inS[w] && !_removed[w] && !_allowed[w])
                {
                    _inS[w] = true;
                    _trail.Add((w, true));
                    _work.Push(w);
                }
        }
    }

    void Undo(int mark)
    {
        for (var k = _trail.Count - 1; k >= mark; k--)
        {
            var (node, isS) = _trail[k];
            if (isS) _inS[node] = false; else _inI[node] = false;
        }
        _trail.RemoveRange(mark, _trail.Count - mark);
    }

    /// <summary>
    /// Brings the state to a fixed point: false when no minimal separator has S on the X side and
    /// contains I; otherwise true with the separator closest to S (which contains I) in <c>_z</c>.
    /// </summary>
    public static long ProcessCalls, Iterations;
    bool Process()
    {
        ProcessCalls++;
        while (true)
        {
            Iterations++;
            foreach (var yi in _yList) if (_inS[yi]) return false;
            _epoch++;
            // N(S): all allowed, since S is closed under non-allowed neighbours.
            _ns.Clear();
            for (var u = 0; u < _h.Count; u++)
            {
                if (!_inS[u]) continue;
                foreach (var w in _h.Adj[u])
                    if (!_inS[w] && !_removed[w] && _stampNs[w] != _epoch) { _stampNs[w] = _epoch; _ns.Add(w); }
            }
            // The component of Y in H - N(S).
            _work.Clear();
            foreach (var yi in _yList)
                if (!_removed[yi] && _stampNs[yi] != _epoch) { _stampCt[yi] = _epoch; _work.Push(yi); }
            while (_work.Count > 0)
            {
                var u = _work.Pop();
                foreach (var w in _h.Adj[u])
                    if (!_removed[w] && _stampNs[w] != _epoch && _stampCt[w] != _epoch) { _stampCt[w] = _epoch; _work.Push(w); }
            }
            // Z: the part of N(S) that touches that component. Nodes of N(S) that do not touch it
            // cannot be in any minimal separator with S on the X side, so they join S.
            _z.Clear();
            var absorbed = false;
            foreach (var s in _ns)
            {
                var touches = false;
                foreach (var w in _h.Adj[s]) if (_stampCt[w] == _epoch) { touches = true; break; }
                if (touches) _z.Add(s);
                else
                {
                    if (_inI[s]) return false; // a forced node that cannot be in a minimal separator
                    AddToS(s);
                    absorbed = true;
                }
            }
            if (!absorbed) return true;
        }
    }
}

internal enum SearchOutcome { Done, Capped, Cancelled }
