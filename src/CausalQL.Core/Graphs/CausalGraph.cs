using System.Collections.Immutable;
using QuikGraph;
using QuikGraph.Algorithms;

namespace CausalQL.Graphs;

/// <summary>Roles a node can carry, as in DAGitty's attributes.</summary>
[Flags]
public enum NodeRole { None = 0, Latent = 1, Exposure = 2, Outcome = 4, Adjusted = 8 }

/// <summary>
/// An immutable acyclic directed mixed graph (ADMG): directed edges a -> b and bidirected edges
/// a <-> b (a latent common cause). Explicit latent nodes may be kept (role Latent) and folded
/// into bidirected edges with <see cref="ProjectLatents"/>. Nodes keep their declaration order.
/// Internally nodes are indices and adjacency lists are arrays, so graph walks allocate little.
/// </summary>
public sealed class CausalGraph
{
    readonly Dictionary<string, int> _index;
    readonly int[][] _parents, _children, _siblings;

    public ImmutableArray<string> Nodes { get; }
    public ImmutableArray<(string From, string To)> Directed { get; }
    /// <summary>Bidirected edges, each once, with the endpoints in node order.</summary>
    public ImmutableArray<(string A, string B)> Bidirected { get; }
    public ImmutableDictionary<string, NodeRole> Roles { get; }

    CausalGraph(ImmutableArray<string> nodes, ImmutableArray<(string, string)> directed,
        ImmutableArray<(string, string)> bidirected, ImmutableDictionary<string, NodeRole> roles)
    {
        Nodes = nodes;
        Roles = roles;
        _index = new Dictionary<string, int>(nodes.Length, StringComparer.Ordinal);
        for (var i = 0; i < nodes.Length; i++) _index[nodes[i]] = i;
        var parents = new List<int>[nodes.Length];
        var children = new List<int>[nodes.Length];
        var siblings = new List<int>[nodes.Length];
        for (var i = 0; i < nodes.Length; i++) { parents[i] = []; children[i] = []; siblings[i] = []; }
        var seenDirected = new HashSet<(int, int)>();
        var directedBuilder = ImmutableArray.CreateBuilder<(string, string)>();
        foreach (var (from, to) in directed)
        {
            int f = _index[from], t = _index[to];
            if (!seenDirected.Add((f, t))) continue;
            directedBuilder.Add((from, to));
            children[f].Add(t);
            parents[t].Add(f);
        }
        var seenBidirected = new HashSet<(int, int)>();
        var bidirectedBuilder = ImmutableArray.CreateBuilder<(string, string)>();
        foreach (var (a, b) in bidirected)
        {
            int i = _index[a], j = _index[b];
            if (i == j) continue;
            var key = i < j ? (i, j) : (j, i);
            if (!seenBidirected.Add(key)) continue;
            bidirectedBuilder.Add((nodes[key.Item1], nodes[key.Item2]));
            siblings[i].Add(j);
            siblings[j].Add(i);
        }
        Directed = directedBuilder.ToImmutable();
        Bidirected = bidirectedBuilder.ToImmutable();
        _parents = [.. parents.Select(l => l.ToArray())];
        _children = [.. children.Select(l => l.ToArray())];
        _siblings = [.. siblings.Select(l => l.ToArray())];
    }

    /// <summary>
    /// Builds a graph. Nodes named only in edges are added in order of first mention. Duplicate
    /// edges are merged. Cycles are allowed here so that callers can report them with
    /// <see cref="FindCycle"/>; the algorithms assume an acyclic directed part.
    /// </summary>
    public static CausalGraph Create(
        IEnumerable<string> nodes,
        IEnumerable<(string From, string To)> directed,
        IEnumerable<(string A, string B)>? bidirected = null,
        IReadOnlyDictionary<string, NodeRole>? roles = null)
    {
        var directedList = directed.ToList();
        var bidirectedList = (bidirected ?? []).ToList();
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Note(string n) { if (seen.Add(n)) order.Add(n); }
        foreach (var n in nodes) Note(n);
        foreach (var (a, b) in directedList) { Note(a); Note(b); }
        foreach (var (a, b) in bidirectedList) { Note(a); Note(b); }
        if (roles is not null) foreach (var n in roles.Keys) Note(n);
        var roleMap = (roles ?? new Dictionary<string, NodeRole>())
            .Where(kv => kv.Value != NodeRole.None)
            .ToImmutableDictionary(StringComparer.Ordinal);
        return new CausalGraph([.. order], [.. directedList], [.. bidirectedList], roleMap);
    }

    public int Count => Nodes.Length;
    public bool Contains(string node) => _index.ContainsKey(node);
    public int IndexOf(string node) => _index.TryGetValue(node, out var i) ? i : -1;
    public NodeRole RoleOf(string node) => Roles.TryGetValue(node, out var r) ? r : NodeRole.None;
    public bool IsLatent(string node) => RoleOf(node).HasFlag(NodeRole.Latent);
    public VarSet Latents => VarSet.From(Nodes.Where(IsLatent));
    public VarSet Observed => VarSet.From(Nodes.Where(n => !IsLatent(n)));
    public VarSet NodesWithRole(NodeRole role) => VarSet.From(Nodes.Where(n => RoleOf(n).HasFlag(role)));
    public VarSet AllNodes => VarSet.From(Nodes);

    int[]? _byName, _nameRank;

    /// <summary>Node indices in ordinal order of their names (computed once; lets algorithms build sorted VarSets directly).</summary>
    internal int[] IndicesByName => _byName ??= [.. Enumerable.Range(0, Count).OrderBy(i => Nodes[i], StringComparer.Ordinal)];

    /// <summary>For each node index, its position in <see cref="IndicesByName"/>.</summary>
    internal int[] NameRank
    {
        get
        {
            if (_nameRank is not null) return _nameRank;
            var rank = new int[Count];
            var byName = IndicesByName;
            for (var k = 0; k < byName.Length; k++) rank[byName[k]] = k;
            return _nameRank = rank;
        }
    }

    // Index-level adjacency for algorithms that want to avoid string hashing.
    public ReadOnlySpan<int> ParentIndices(int node) => _parents[node];
    public ReadOnlySpan<int> ChildIndices(int node) => _children[node];
    public ReadOnlySpan<int> SiblingIndices(int node) => _siblings[node];

    public IEnumerable<string> Parents(string node) => _parents[Require(node)].Select(i => Nodes[i]);
    public IEnumerable<string> Children(string node) => _children[Require(node)].Select(i => Nodes[i]);
    /// <summary>Nodes joined to <paramref name="node"/> by a bidirected edge.</summary>
    public IEnumerable<string> Siblings(string node) => _siblings[Require(node)].Select(i => Nodes[i]);

    public bool HasEdge(string from, string to) => _children[Require(from)].Contains(Require(to));
    public bool HasBidirected(string a, string b) => _siblings[Require(a)].Contains(Require(b));

    int Require(string node) =>
        _index.TryGetValue(node, out var i) ? i : throw new ArgumentException($"'{node}' is not a node of this graph", nameof(node));

    /// <summary>The nodes together with all their ancestors.</summary>
    public VarSet Ancestors(IEnumerable<string> nodes) => Closure(nodes, _parents);

    /// <summary>The nodes together with all their descendants.</summary>
    public VarSet Descendants(IEnumerable<string> nodes) => Closure(nodes, _children);

    VarSet Closure(IEnumerable<string> start, int[][] step)
    {
        var seen = new bool[Count];
        var stack = new Stack<int>();
        foreach (var n in start)
        {
            var i = Require(n);
            if (!seen[i]) { seen[i] = true; stack.Push(i); }
        }
        while (stack.Count > 0)
            foreach (var next in step[stack.Pop()])
                if (!seen[next]) { seen[next] = true; stack.Push(next); }
        return VarSet.From(Nodes.Where((_, i) => seen[i]));
    }

    /// <summary>The subgraph induced by <paramref name="keep"/> (edges with both ends kept).</summary>
    public CausalGraph Subgraph(IEnumerable<string> keep)
    {
        var set = keep as VarSet ?? VarSet.From(keep);
        return new CausalGraph(
            [.. Nodes.Where(set.Contains)],
            [.. Directed.Where(e => set.Contains(e.From) && set.Contains(e.To))],
            [.. Bidirected.Where(e => set.Contains(e.A) && set.Contains(e.B))],
            Roles.Where(kv => set.Contains(kv.Key)).ToImmutableDictionary(StringComparer.Ordinal));
    }

    /// <summary>G with the edges into <paramref name="nodes"/> removed (directed and bidirected): Pearl's G_{\bar X}.</summary>
    public CausalGraph RemoveIncoming(IEnumerable<string> nodes)
    {
        var set = VarSet.From(nodes);
        return new CausalGraph(Nodes,
            [.. Directed.Where(e => !set.Contains(e.To))],
            [.. Bidirected.Where(e => !set.Contains(e.A) && !set.Contains(e.B))],
            Roles);
    }

    /// <summary>G with the directed edges out of <paramref name="nodes"/> removed: Pearl's G_{\underline X}.</summary>
    public CausalGraph RemoveOutgoing(IEnumerable<string> nodes)
    {
        var set = VarSet.From(nodes);
        return new CausalGraph(Nodes, [.. Directed.Where(e => !set.Contains(e.From))], Bidirected, Roles);
    }

    /// <summary>The same graph with other roles.</summary>
    public CausalGraph WithRoles(IReadOnlyDictionary<string, NodeRole> roles) =>
        new(Nodes, Directed, Bidirected, roles.Where(kv => kv.Value != NodeRole.None).ToImmutableDictionary(StringComparer.Ordinal));

    /// <summary>The c-components (districts): connected components of the bidirected part, in node order.</summary>
    public ImmutableArray<VarSet> Districts()
    {
        var component = new int[Count];
        Array.Fill(component, -1);
        var result = ImmutableArray.CreateBuilder<VarSet>();
        for (var i = 0; i < Count; i++)
        {
            if (component[i] >= 0) continue;
            var members = new List<string>();
            var stack = new Stack<int>();
            component[i] = result.Count;
            stack.Push(i);
            while (stack.Count > 0)
            {
                var n = stack.Pop();
                members.Add(Nodes[n]);
                foreach (var s in _siblings[n])
                    if (component[s] < 0) { component[s] = result.Count; stack.Push(s); }
            }
            result.Add(VarSet.From(members));
        }
        return result.ToImmutable();
    }

    /// <summary>The district that contains <paramref name="node"/>.</summary>
    public VarSet DistrictOf(string node)
    {
        var seen = new HashSet<int> { Require(node) };
        var stack = new Stack<int>(seen);
        while (stack.Count > 0)
            foreach (var s in _siblings[stack.Pop()])
                if (seen.Add(s)) stack.Push(s);
        return VarSet.From(seen.Select(i => Nodes[i]));
    }

    /// <summary>A topological order of all nodes (declaration order breaks ties), or null when the directed part has a cycle.</summary>
    public ImmutableArray<string>? TopologicalOrder()
    {
        var indegree = new int[Count];
        for (var i = 0; i < Count; i++) indegree[i] = _parents[i].Length;
        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < Count; i++) if (indegree[i] == 0) ready.Enqueue(i, i);
        var order = ImmutableArray.CreateBuilder<string>(Count);
        while (ready.TryDequeue(out var n, out _))
        {
            order.Add(Nodes[n]);
            foreach (var c in _children[n])
                if (--indegree[c] == 0) ready.Enqueue(c, c);
        }
        return order.Count == Count ? order.MoveToImmutable() : null;
    }

    public bool IsAcyclic => TopologicalOrder() is not null;

    /// <summary>A directed cycle as a node list (first node repeated at the end), or null if there is none.</summary>
    public ImmutableArray<string>? FindCycle()
    {
        var state = new byte[Count]; // 0 new, 1 on stack, 2 done
        var parentOf = new int[Count];
        for (var root = 0; root < Count; root++)
        {
            if (state[root] != 0) continue;
            // Iterative DFS so deep graphs cannot overflow the stack.
            var stack = new Stack<(int Node, int Next)>();
            stack.Push((root, 0));
            state[root] = 1;
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                if (next < _children[node].Length)
                {
                    stack.Push((node, next + 1));
                    var child = _children[node][next];
                    if (state[child] == 1)
                    {
                        var cycle = new List<string> { Nodes[child] };
                        for (var n = node; n != child; n = parentOf[n]) cycle.Add(Nodes[n]);
                        cycle.Add(Nodes[child]);
                        cycle.Reverse();
                        return [.. cycle];
                    }
                    if (state[child] == 0)
                    {
                        state[child] = 1;
                        parentOf[child] = node;
                        stack.Push((child, 0));
                    }
                }
                else state[node] = 2;
            }
        }
        return null;
    }

    /// <summary>
    /// Folds explicit latent nodes into bidirected edges (the latent projection of Verma &amp; Pearl):
    /// observed a -> b when a directed path a -> L... -> b runs through latents only, and a <-> b when
    /// a and b have a common latent ancestor reached through latents only (or were already siblings).
    /// </summary>
    public CausalGraph ProjectLatents()
    {
        var latents = Latents;
        if (latents.IsEmpty) return this;
        var observed = Nodes.Where(n => !latents.Contains(n)).ToList();
        var directed = new List<(string, string)>();
        var bidirected = new List<(string, string)>(Bidirected);
        // For each node, the observed nodes reachable by directed paths whose inner nodes are latent.
        Dictionary<string, HashSet<string>> reach = [];
        HashSet<string> ObservedReach(string start)
        {
            if (reach.TryGetValue(start, out var known)) return known;
            var found = new HashSet<string>(StringComparer.Ordinal);
            var stack = new Stack<string>(Children(start));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (stack.Count > 0)
            {
                var n = stack.Pop();
                if (!seen.Add(n)) continue;
                if (latents.Contains(n)) foreach (var c in Children(n)) stack.Push(c);
                else found.Add(n);
            }
            return reach[start] = found;
        }
        foreach (var a in observed)
            foreach (var b in ObservedReach(a))
                directed.Add((a, b));
        foreach (var l in latents)
        {
            var targets = ObservedReach(l).ToList();
            for (var i = 0; i < targets.Count; i++)
                for (var j = i + 1; j < targets.Count; j++)
                    bidirected.Add((targets[i], targets[j]));
        }
        // Bidirected edges that touched a latent carry over to the observed nodes that latent reaches.
        foreach (var (a, b) in Bidirected)
        {
            var ends = new[] { a, b }.Select(e => latents.Contains(e) ? ObservedReach(e).AsEnumerable() : [e]).ToArray();
            foreach (var x in ends[0]) foreach (var y in ends[1]) if (x != y) bidirected.Add((x, y));
        }
        bidirected.RemoveAll(e => latents.Contains(e.Item1) || latents.Contains(e.Item2));
        var roles = Roles.Where(kv => !latents.Contains(kv.Key)).ToImmutableDictionary(StringComparer.Ordinal);
        return Create(observed, directed, bidirected, roles);
    }

    /// <summary>The directed part as a QuikGraph graph, for callers that want its algorithms.</summary>
    public AdjacencyGraph<string, Edge<string>> ToQuikGraph()
    {
        var g = new AdjacencyGraph<string, Edge<string>>(allowParallelEdges: false);
        g.AddVertexRange(Nodes);
        g.AddEdgeRange(Directed.Select(e => new Edge<string>(e.From, e.To)));
        return g;
    }

    /// <summary>True when QuikGraph also finds the directed part acyclic (used as a cross-check in tests).</summary>
    internal bool IsDirectedAcyclicByQuikGraph() => ToQuikGraph().IsDirectedAcyclicGraph();

    public override string ToString() =>
        string.Join("; ", Directed.Select(e => $"{e.From} -> {e.To}").Concat(Bidirected.Select(e => $"{e.A} <-> {e.B}")));
}
