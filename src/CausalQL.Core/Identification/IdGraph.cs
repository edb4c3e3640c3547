using CausalQL.Graphs;

namespace CausalQL.Identification;

/// <summary>
/// An ADMG over node indices with bitset adjacency, for the identification algorithms. The
/// algorithms work on induced subgraphs, which are passed as a node set <c>v</c> rather than
/// built, so a recursion step costs a few word operations. Walks are iterative (no deep recursion
/// on large graphs).
/// </summary>
internal sealed class IdGraph
{
    public int Count { get; }
    public string[] Names { get; }
    public NodeSet[] Parents { get; }
    public NodeSet[] Children { get; }
    public NodeSet[] Siblings { get; }
    /// <summary>A topological order of all nodes and each node's position in it.</summary>
    public int[] Order { get; }
    public int[] Position { get; }
    public NodeSet All { get; }
    readonly Dictionary<string, int> _index;
    // Adjacency lists and a generation-stamped mark array: walks cost O(edges) and allocate only the
    // result. An IdGraph belongs to one identification run (not shared between threads).
    readonly int[][] _parentList, _childList, _siblingList;
    readonly int[] _mark;
    int _generation;
    readonly Stack<int> _stack = new();

    public IdGraph(CausalGraph g)
    {
        Count = g.Count;
        Names = [.. g.Nodes];
        _index = new Dictionary<string, int>(Count, StringComparer.Ordinal);
        for (var i = 0; i < Count; i++) _index[Names[i]] = i;
        Parents = new NodeSet[Count];
        Children = new NodeSet[Count];
        Siblings = new NodeSet[Count];
        for (var i = 0; i < Count; i++)
        {
            Parents[i] = NodeSet.Of(g.ParentIndices(i).ToArray());
            Children[i] = NodeSet.Of(g.ChildIndices(i).ToArray());
            Siblings[i] = NodeSet.Of(g.SiblingIndices(i).ToArray());
        }
        _parentList = new int[Count][];
        _childList = new int[Count][];
        _siblingList = new int[Count][];
        for (var i = 0; i < Count; i++)
        {
            _parentList[i] = g.ParentIndices(i).ToArray();
            _childList[i] = g.ChildIndices(i).ToArray();
            _siblingList[i] = g.SiblingIndices(i).ToArray();
        }
        _mark = new int[Count];
        var topo = g.TopologicalOrder() ?? throw new ArgumentException("the graph has a directed cycle", nameof(g));
        Order = [.. topo.Select(n => _index[n])];
        Position = new int[Count];
        for (var k = 0; k < Count; k++) Position[Order[k]] = k;
        All = NodeSet.Range(Count);
    }

    public int IndexOf(string name) => _index.TryGetValue(name, out var i) ? i : -1;

    public NodeSet ToSet(IEnumerable<string> names) => NodeSet.Of(names.Select(n => _index[n]));

    public VarSet ToVarSet(NodeSet s)
    {
        var names = new List<string>(s.Count);
        foreach (var i in s) names.Add(Names[i]);
        return VarSet.From(names);
    }

    /// <summary>Ancestors of <paramref name="of"/> (inclusive) in G[v] with the edges into <paramref name="cutIncoming"/> removed.</summary>
    public NodeSet Ancestors(NodeSet of, NodeSet v, NodeSet cutIncoming = default) =>
        Walk(of.Intersect(v), v, _parentList, cutIncoming);

    /// <summary>Descendants of <paramref name="of"/> (inclusive) in G[v].</summary>
    public NodeSet Descendants(NodeSet of, NodeSet v) => Walk(of.Intersect(v), v, _childList, default);

    /// <summary>The district (c-component) of <paramref name="start"/> in G[v].</summary>
    public NodeSet District(int start, NodeSet v) => Walk(NodeSet.Single(start), v, _siblingList, default);

    /// <summary>Closure of <paramref name="start"/> under <paramref name="step"/> inside <paramref name="v"/>, not stepping on from nodes in <paramref name="stop"/>.</summary>
    NodeSet Walk(NodeSet start, NodeSet v, int[][] step, NodeSet stop)
    {
        var generation = ++_generation;
        var found = new List<int>();
        foreach (var s in start) { _mark[s] = generation; _stack.Push(s); found.Add(s); }
        while (_stack.Count > 0)
        {
            var n = _stack.Pop();
            if (stop.Contains(n)) continue;
            foreach (var next in step[n])
            {
                if (_mark[next] == generation || !v.Contains(next)) continue;
                _mark[next] = generation;
                _stack.Push(next);
                found.Add(next);
            }
        }
        return NodeSet.Of(found);
    }

    /// <summary>The Markov blanket of <paramref name="node"/> in the ancestral set <paramref name="ancestral"/>: its district in G[ancestral] and that district's parents, without the node.</summary>
    public NodeSet MarkovBlanket(int node, NodeSet ancestral)
    {
        var district = District(node, ancestral);
        var blanket = district;
        foreach (var d in district) blanket = blanket.Union(Parents[d]);
        return blanket.Intersect(ancestral).Remove(node);
    }

    /// <summary>The districts of G[v], ordered by their earliest node in the topological order.</summary>
    public List<NodeSet> Districts(NodeSet v)
    {
        var result = new List<NodeSet>();
        var left = v;
        foreach (var n in Order)
        {
            if (!left.Contains(n)) continue;
            var d = District(n, v);
            result.Add(d);
            left = left.Except(d);
            if (left.IsEmpty) break;
        }
        return result;
    }

    /// <summary>The members of <paramref name="s"/> in topological order.</summary>
    public List<int> InOrder(NodeSet s)
    {
        var list = s.ToList();
        list.Sort((a, b) => Position[a].CompareTo(Position[b]));
        return list;
    }

    /// <summary>The members of <paramref name="v"/> that come before <paramref name="node"/> in the topological order.</summary>
    public NodeSet Predecessors(int node, NodeSet v)
    {
        var result = NodeSet.Empty;
        foreach (var n in v) if (Position[n] < Position[node]) result = result.Add(n);
        return result;
    }

    /// <summary>
    /// m-separation of <paramref name="a"/> and <paramref name="b"/> given <paramref name="given"/> in G[v] with
    /// the edges into <paramref name="cutIncoming"/> (directed and bidirected) and the directed edges out
    /// of <paramref name="cutOutgoing"/> removed: Pearl's G_{\bar X \underline Z}. Reachability over
    /// (node, arrived-with-arrowhead) states, so it runs in time linear in the edges.
    /// </summary>
    public bool Separated(NodeSet a, NodeSet b, NodeSet given, NodeSet v, NodeSet cutIncoming = default, NodeSet cutOutgoing = default)
    {
        a = a.Intersect(v);
        b = b.Intersect(v);
        if (a.Overlaps(b)) return false;
        // Ancestors of the conditioning set in the modified graph: a collider passes when it is one.
        var ancestorsOfGiven = AncestorsModified(given.Intersect(v), v, cutIncoming, cutOutgoing);
        var visitedArrow = NodeSet.Empty;   // reached with an arrowhead at the node
        var visitedTail = NodeSet.Empty;    // reached with a tail at the node (or as a start)
        var stack = new Stack<(int Node, bool Arrow)>();
        foreach (var s in a) { stack.Push((s, false)); visitedTail = visitedTail.Add(s); }
        while (stack.Count > 0)
        {
            var (m, arrow) = stack.Pop();
            if (b.Contains(m)) return false;
            var inGiven = given.Contains(m);
            // Leave through an edge with a tail at m (m -> c): m is a non-collider.
            if (!inGiven && !cutOutgoing.Contains(m))
                foreach (var c in Children[m].Intersect(v).Except(cutIncoming))
                    if (!visitedArrow.Contains(c)) { visitedArrow = visitedArrow.Add(c); stack.Push((c, true)); }
            // Leave through an edge with an arrowhead at m (m <- p, m <-> s): a collider when we arrived with an arrowhead.
            var passes = arrow ? ancestorsOfGiven.Contains(m) : !inGiven;
            if (!passes || cutIncoming.Contains(m)) continue;
            foreach (var p in Parents[m].Intersect(v).Except(cutOutgoing))
                if (!visitedTail.Contains(p)) { visitedTail = visitedTail.Add(p); stack.Push((p, false)); }
            foreach (var s in Siblings[m].Intersect(v).Except(cutIncoming))
                if (!visitedArrow.Contains(s)) { visitedArrow = visitedArrow.Add(s); stack.Push((s, true)); }
        }
        return true;
    }

    NodeSet AncestorsModified(NodeSet of, NodeSet v, NodeSet cutIncoming, NodeSet cutOutgoing)
    {
        var seen = of;
        var frontier = of;
        while (!frontier.IsEmpty)
        {
            var next = NodeSet.Empty;
            foreach (var n in frontier)
                if (!cutIncoming.Contains(n)) next = next.Union(Parents[n].Except(cutOutgoing));
            next = next.Intersect(v).Except(seen);
            seen = seen.Union(next);
            frontier = next;
        }
        return seen;
    }
}
