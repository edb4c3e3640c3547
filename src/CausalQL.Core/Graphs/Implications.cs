using System.Collections.Immutable;

namespace CausalQL.Graphs;

/// <summary><see cref="X"/> is independent of the nodes in <see cref="Y"/> (jointly) given <see cref="Given"/>.</summary>
public sealed record ConditionalIndependence(string X, VarSet Y, VarSet Given)
{
    public override string ToString() =>
        $"{X} ⟂ {string.Join(", ", Y)}" + (Given.IsEmpty ? "" : $" | {string.Join(", ", Given)}");
}

/// <summary>Testable implications of a causal graph.</summary>
public static class Implications
{
    /// <summary>
    /// A basis of the conditional independences the graph implies.
    /// For a graph without bidirected edges this is DAGitty's listBasisImplications, the local
    /// Markov property: one entry per node x whose non-descendants are not all parents of x,
    /// x ⟂ (non-descendants \ parents) | parents. Like DAGitty it ignores latent marks (project
    /// latents first with <see cref="CausalGraph.ProjectLatents"/> for observable statements only).
    /// With bidirected edges it uses the ordered local Markov property for ADMGs (Richardson 2003)
    /// along a topological order: x ⟂ (predecessors \ Markov blanket) | Markov blanket, where the
    /// blanket is x's district among x and its predecessors, with the parents of that district.
    /// Entries are in node order. An empty list for a cyclic graph (the caller reports the cycle).
    /// </summary>
    /// <remarks>The basis grows with the square of the node count: <paramref name="ct"/> is checked per node.</remarks>
    public static ImmutableArray<ConditionalIndependence> Basis(CausalGraph g, CancellationToken ct = default)
    {
        if (TopoIndices(g) is not { } order) return [];
        return g.Bidirected.IsEmpty ? LocalMarkov(g, order, ct) : OrderedLocalMarkov(g, order, ct);
    }

    static ImmutableArray<ConditionalIndependence> LocalMarkov(CausalGraph g, int[] order, CancellationToken ct)
    {
        var n = g.Count;
        var result = ImmutableArray.CreateBuilder<ConditionalIndependence>();
        // Descendant sets as bit rows, filled in reverse topological order (linear in edges × n/64).
        var words = (n + 63) >> 6;
        var de = new ulong[n * words];
        for (var k = n - 1; k >= 0; k--)
        {
            var v = order[k];
            var row = de.AsSpan(v * words, words);
            row[v >> 6] |= 1UL << (v & 63);
            foreach (var c in g.ChildIndices(v))
            {
                var childRow = de.AsSpan(c * words, words);
                for (var w = 0; w < words; w++) row[w] |= childRow[w];
            }
        }
        var isParent = new bool[n];
        var byName = g.IndicesByName; // walking nodes in name order yields sorted sets directly
        var rest = new List<string>();
        for (var v = 0; v < n; v++)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var p in g.ParentIndices(v)) isParent[p] = true;
            rest.Clear();
            var row = de.AsSpan(v * words, words);
            foreach (var u in byName)
                if ((row[u >> 6] & (1UL << (u & 63))) == 0 && !isParent[u]) rest.Add(g.Nodes[u]);
            if (rest.Count > 0)
                result.Add(new ConditionalIndependence(g.Nodes[v], VarSet.FromSortedUnique([.. rest]), GraphCore.ToSet(g, g.ParentIndices(v).ToArray())));
            foreach (var p in g.ParentIndices(v)) isParent[p] = false;
        }
        return result.ToImmutable();
    }

    static ImmutableArray<ConditionalIndependence> OrderedLocalMarkov(CausalGraph g, int[] order, CancellationToken ct)
    {
        var n = g.Count;
        var position = new int[n];
        for (var k = 0; k < n; k++) position[order[k]] = k;
        var found = ImmutableArray.CreateBuilder<(int, ConditionalIndependence)>();
        var inBlanket = new bool[n];
        var inDistrict = new bool[n];
        var stack = new Stack<int>();
        for (var v = 0; v < n; v++)
        {
            ct.ThrowIfCancellationRequested();
            // v's district within {v} ∪ pre(v), then its parents.
            var district = new List<int> { v };
            inDistrict[v] = true;
            stack.Push(v);
            while (stack.Count > 0)
                foreach (var s in g.SiblingIndices(stack.Pop()))
                    if (!inDistrict[s] && position[s] < position[v]) { inDistrict[s] = true; district.Add(s); stack.Push(s); }
            foreach (var d in district)
            {
                if (d != v) inBlanket[d] = true;
                foreach (var p in g.ParentIndices(d)) inBlanket[p] = true;
            }
            var rest = new List<string>();
            var blanket = new List<string>();
            for (var u = 0; u < n; u++)
            {
                if (position[u] >= position[v]) continue;
                if (inBlanket[u]) blanket.Add(g.Nodes[u]); else rest.Add(g.Nodes[u]);
            }
            if (rest.Count > 0) found.Add((v, new ConditionalIndependence(g.Nodes[v], VarSet.From(rest), VarSet.From(blanket))));
            foreach (var d in district) inDistrict[d] = false;
            Array.Clear(inBlanket);
        }
        return [.. found.Select(f => f.Item2)];
    }

    /// <summary>A topological order of node indices, or null when the directed part has a cycle.</summary>
    internal static int[]? TopoIndices(CausalGraph g)
    {
        var n = g.Count;
        var indegree = new int[n];
        for (var i = 0; i < n; i++) indegree[i] = g.ParentIndices(i).Length;
        var queue = new Queue<int>();
        for (var i = 0; i < n; i++) if (indegree[i] == 0) queue.Enqueue(i);
        var order = new int[n];
        var k = 0;
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            order[k++] = v;
            foreach (var c in g.ChildIndices(v)) if (--indegree[c] == 0) queue.Enqueue(c);
        }
        return k == n ? order : null;
    }
}
