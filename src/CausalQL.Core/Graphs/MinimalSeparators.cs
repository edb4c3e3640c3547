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
        // Only kept nodes get neighbour lists; the rest stay isolated.
        var lists = new List<int>?[n];
        for (var i = 0; i < n; i++) if (keep[i]) lists[i] = [];
        void Link(int a, int b) { if (a != b) { lists[a]!.Add(b); lists[b]!.Add(a); } }
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
            if (lists[v] is not { } list) { adj[v] = []; continue; }
            buffer.Clear();
            foreach (var w in list) if (stamp[w] != v) { stamp[w] = v; buffer.Add(w); }
            adj[v] = [.. buffer];
        }
        return new UndirectedGraph(adj);
    }
}

/// <summary>
/// Minimal vertex separators in an undirected graph under constraints, after Takata (2010) as
/// adapted by van der Zander, Liśkiewicz &amp; Textor (2014/2019). A search node fixes S (nodes on
/// the X side, closed under neighbours that may not separate) and I (nodes forced into the
/// separator). The separator closest to S is Z = N(C), C the component of Y once N(S) is removed;
/// a minimal separator with S on the X side and I inside exists iff I ⊆ Z, and then Z is one.
/// Each node outputs its Z; with z_1..z_k the nodes of Z not in I, child j puts z_j on the X side
/// and forces z_1..z_(j-1) into the separator, so the children and the node split the remaining
/// separators without overlap and every live node outputs: polynomial delay. The walk keeps its
/// state in arrays with an undo trail and an explicit stack (no recursion), and keeps for each
/// node the number of its neighbours in S, so a node costs one walk over C.
/// </summary>
internal sealed class MinimalSeparatorSearch
{
    readonly UndirectedGraph _h;
    readonly bool[] _allowed;   // may be in a separator
    readonly bool[] _removed;   // deleted from the graph (forced nodes, nodes outside the ancestral set)
    readonly bool[] _x;
    readonly int[] _yList;
    // Search state.
    readonly bool[] _inS;       // on the X side
    readonly int[] _sNeighbours; // number of neighbours in S: > 0 means in N(S) (when not in S)
    readonly bool[] _inI;       // forced into the separator by the branching
    int _forcedCount;
    readonly List<(int Node, bool IsS)> _trail = [];
    // Scratch.
    readonly int[] _stamp;
    int _epoch;
    readonly Stack<int> _work = new();
    readonly List<int> _z = [];

    public MinimalSeparatorSearch(UndirectedGraph h, bool[] allowed, bool[] removed, bool[] x, bool[] y)
    {
        _h = h; _allowed = allowed; _removed = removed; _x = x;
        var n = h.Count;
        _yList = [.. Enumerable.Range(0, n).Where(i => y[i] && !removed[i])];
        _inS = new bool[n];
        _sNeighbours = new int[n];
        _inI = new bool[n];
        _stamp = new int[n];
    }

    /// <summary>Lists minimal separators (as index arrays) until done, the cap is reached or the token fires.</summary>
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
            output([.. _z]);
            count++;
            var free = new List<int>(_z.Count);
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
            if (next > 0) Force(free[next - 1]);
            if (next == free.Length) { Undo(mark); continue; }
            frames.Push((mark, free, next + 1));
            var childMark = _trail.Count;
            AddToS(free[next]);
            Enter(childMark);
        }
        return SearchOutcome.Done;
    }

    /// <summary>
    /// The minimal separator closest to the X side (X and the nodes joined to it through nodes
    /// that may not separate), or null when X and Y cannot be separated.
    /// </summary>
    public int[]? CloseToX()
    {
        for (var i = 0; i < _h.Count; i++) if (_x[i] && !_removed[i]) AddToS(i);
        int[]? result = Process() ? [.. _z] : null;
        Undo(0);
        return result;
    }

    void Force(int v)
    {
        _inI[v] = true;
        _forcedCount++;
        _trail.Add((v, false));
    }

    void Join(int v)
    {
        _inS[v] = true;
        _trail.Add((v, true));
        foreach (var w in _h.Adj[v]) _sNeighbours[w]++;
    }

    void AddToS(int v)
    {
        if (_inS[v]) return;
        Join(v);
        // Nodes that may not separate and touch the X side are on the X side too.
        _work.Clear();
        _work.Push(v);
        while (_work.Count > 0)
        {
            var u = _work.Pop();
            foreach (var w in _h.Adj[u])
                if (!_inS[w] && !_removed[w] && !_allowed[w])
                {
                    Join(w);
                    _work.Push(w);
                }
        }
    }

    void Undo(int mark)
    {
        for (var k = _trail.Count - 1; k >= mark; k--)
        {
            var (node, isS) = _trail[k];
            if (isS)
            {
                _inS[node] = false;
                foreach (var w in _h.Adj[node]) _sNeighbours[w]--;
            }
            else
            {
                _inI[node] = false;
                _forcedCount--;
            }
        }
        _trail.RemoveRange(mark, _trail.Count - mark);
    }

    /// <summary>
    /// False when no minimal separator has S on the X side and contains I; otherwise true with
    /// the separator closest to S in <c>_z</c>.
    /// </summary>
    bool Process()
    {
        foreach (var y in _yList) if (_inS[y]) return false;
        _epoch++;
        _z.Clear();
        _work.Clear();
        // Walk the component of Y in the graph without N(S); its boundary is Z (all in N(S)).
        foreach (var y in _yList)
            if (_stamp[y] != _epoch) { _stamp[y] = _epoch; _work.Push(y); }
        var forcedInZ = 0;
        while (_work.Count > 0)
        {
            var u = _work.Pop();
            foreach (var w in _h.Adj[u])
            {
                if (_removed[w] || _stamp[w] == _epoch) continue;
                _stamp[w] = _epoch;
                if (_sNeighbours[w] > 0)
                {
                    _z.Add(w);
                    if (_inI[w]) forcedInZ++;
                }
                else _work.Push(w);
            }
        }
        // A forced node outside Z touches no part of the Y side, so no minimal separator holds it.
        return forcedInZ == _forcedCount;
    }
}

internal enum SearchOutcome { Done, Capped, Cancelled }
