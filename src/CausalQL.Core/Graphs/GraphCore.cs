namespace CausalQL.Graphs;

/// <summary>
/// Directed edges left out of a walk without building a new graph: a -> b is cut when
/// <c>From[a]</c> holds and (<c>To</c> is null or <c>To[b]</c> holds). This expresses the derived
/// graphs the criteria need: G with edges out of a set removed (To = null) and the proper
/// back-door graph (From = exposures, To = nodes on proper causal paths).
/// </summary>
internal readonly record struct EdgeCut(bool[]? From, bool[]? To)
{
    public static readonly EdgeCut None = new(null, null);
    public bool IsCut(int from, int to) => From is not null && From[from] && (To is null || To[to]);
}

/// <summary>Index-level helpers shared by the graph algorithms (iterative walks only).</summary>
internal static class GraphCore
{
    public static bool[] Mask(CausalGraph g, IEnumerable<string> names)
    {
        var mask = new bool[g.Count];
        foreach (var n in names) mask[g.IndexOf(n)] = true;
        return mask;
    }

    public static bool[] LatentMask(CausalGraph g)
    {
        var mask = new bool[g.Count];
        foreach (var (name, role) in g.Roles)
            if (role.HasFlag(NodeRole.Latent)) mask[g.IndexOf(name)] = true;
        return mask;
    }

    public static VarSet ToSet(CausalGraph g, bool[] mask)
    {
        var count = 0;
        foreach (var b in mask) if (b) count++;
        if (count == 0) return VarSet.Empty;
        var names = new string[count];
        var k = 0;
        foreach (var i in g.IndicesByName) if (mask[i]) names[k++] = g.Nodes[i];
        return VarSet.FromSortedUnique(names);
    }

    /// <summary>The set of the given distinct node indices.</summary>
    public static VarSet ToSet(CausalGraph g, IReadOnlyList<int> indices)
    {
        if (indices.Count == 0) return VarSet.Empty;
        // Sort the name ranks (plain ints) and map them back to names.
        var rank = g.NameRank;
        var byName = g.IndicesByName;
        Span<int> ranks = indices.Count <= 256 ? stackalloc int[indices.Count] : new int[indices.Count];
        for (var k = 0; k < ranks.Length; k++) ranks[k] = rank[indices[k]];
        ranks.Sort();
        var names = new string[ranks.Length];
        for (var k = 0; k < ranks.Length; k++) names[k] = g.Nodes[byName[ranks[k]]];
        return VarSet.FromSortedUnique(names);
    }

    public static bool Any(bool[] mask)
    {
        foreach (var b in mask) if (b) return true;
        return false;
    }

    /// <summary>The nodes of <paramref name="start"/> and their ancestors, walking parents over uncut edges.</summary>
    public static bool[] Ancestors(CausalGraph g, bool[] start, EdgeCut cut = default)
    {
        var seen = (bool[])start.Clone();
        var stack = new Stack<int>();
        for (var i = 0; i < seen.Length; i++) if (seen[i]) stack.Push(i);
        while (stack.Count > 0)
        {
            var v = stack.Pop();
            foreach (var p in g.ParentIndices(v))
                if (!seen[p] && !cut.IsCut(p, v)) { seen[p] = true; stack.Push(p); }
        }
        return seen;
    }

    /// <summary>The nodes of <paramref name="start"/> and their descendants, walking children over uncut edges.</summary>
    public static bool[] Descendants(CausalGraph g, bool[] start, EdgeCut cut = default)
    {
        var seen = (bool[])start.Clone();
        var stack = new Stack<int>();
        for (var i = 0; i < seen.Length; i++) if (seen[i]) stack.Push(i);
        while (stack.Count > 0)
        {
            var v = stack.Pop();
            foreach (var c in g.ChildIndices(v))
                if (!seen[c] && !cut.IsCut(v, c)) { seen[c] = true; stack.Push(c); }
        }
        return seen;
    }

    /// <summary>
    /// Nodes on proper causal paths from X to Y other than X: (De of X in G with edges into X
    /// removed, minus X) intersected with (An of Y in G with edges out of X removed).
    /// Y itself belongs to the set when it is a descendant of X.
    /// </summary>
    public static bool[] ProperCausalNodes(CausalGraph g, bool[] x, bool[] y)
    {
        var n = g.Count;
        var fromX = new bool[n];
        var stack = new Stack<int>();
        for (var i = 0; i < n; i++) if (x[i]) stack.Push(i);
        while (stack.Count > 0)
        {
            var v = stack.Pop();
            foreach (var c in g.ChildIndices(v))
                if (!x[c] && !fromX[c]) { fromX[c] = true; stack.Push(c); }
        }
        var toY = new bool[n];
        for (var i = 0; i < n; i++) if (y[i] && !x[i]) { toY[i] = true; stack.Push(i); }
        while (stack.Count > 0)
        {
            var v = stack.Pop();
            foreach (var p in g.ParentIndices(v))
                if (!x[p] && !toY[p]) { toY[p] = true; stack.Push(p); }
        }
        for (var i = 0; i < n; i++) fromX[i] &= toY[i];
        return fromX;
    }

    /// <summary>
    /// m-connection by a Bayes-ball walk over (node, mark) states, linear in the graph size.
    /// Returns the nodes m-connected to <paramref name="start"/> given <paramref name="given"/>
    /// (start nodes included, given nodes excluded). When <paramref name="stopAt"/> is set the walk
    /// stops as soon as one of those nodes is reached (then <paramref name="hit"/> is true).
    /// </summary>
    public static bool[] Reach(CausalGraph g, bool[] start, bool[] given, EdgeCut cut, bool[]? stopAt, out bool hit,
        int[]? predecessor = null)
    {
        var n = g.Count;
        var anGiven = Ancestors(g, given, cut);
        // state = node * 2 + (1 when we arrived through an arrowhead at the node, 0 through a tail)
        var seen = new bool[2 * n];
        var reached = new bool[n];
        var queue = new Queue<int>();
        hit = false;
        for (var i = 0; i < n; i++)
            if (start[i] && !given[i]) { seen[2 * i] = true; queue.Enqueue(2 * i); if (predecessor is not null) predecessor[2 * i] = -1; }
        void Visit(int state, int from)
        {
            if (seen[state]) return;
            seen[state] = true;
            if (predecessor is not null) predecessor[state] = from;
            queue.Enqueue(state);
        }
        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            int v = state >> 1;
            var head = (state & 1) == 1;
            if (!given[v])
            {
                reached[v] = true;
                if (stopAt is not null && stopAt[v]) { hit = true; return reached; }
            }
            // Leaving through a tail at v (to a child) makes v a non-collider: allowed when v is not given.
            var passNonCollider = !given[v];
            // Leaving through an arrowhead at v (to a parent or sibling): v is a collider if we came in
            // through an arrowhead (open iff v is an ancestor of the given set), else a non-collider.
            var passArrowhead = head ? anGiven[v] : !given[v];
            if (passNonCollider)
                foreach (var c in g.ChildIndices(v))
                    if (!cut.IsCut(v, c)) Visit(2 * c + 1, state);
            if (passArrowhead)
            {
                foreach (var p in g.ParentIndices(v))
                    if (!cut.IsCut(p, v)) Visit(2 * p, state);
                foreach (var s in g.SiblingIndices(v)) Visit(2 * s + 1, state);
            }
        }
        return reached;
    }
}
