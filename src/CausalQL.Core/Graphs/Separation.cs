namespace CausalQL.Graphs;

/// <summary>
/// d-separation in DAGs and m-separation in ADMGs (directed and bidirected edges, explicit
/// latent nodes treated as ordinary unobserved nodes), by a linear-time Bayes-ball walk.
/// Node sets are checked by the caller (the binder); names not in the graph are ignored.
/// </summary>
public static class Separation
{
    /// <summary>
    /// True when every path between <paramref name="xs"/> and <paramref name="ys"/> is blocked by
    /// <paramref name="zs"/>. Nodes of X or Y that are also in Z are fixed by the conditioning and
    /// so are separated from everything; X and Y sharing a node are never separated.
    /// </summary>
    public static bool AreSeparated(CausalGraph g, IEnumerable<string> xs, IEnumerable<string> ys, IEnumerable<string> zs)
    {
        var x = Known(g, xs);
        var y = Known(g, ys);
        var z = Known(g, zs);
        for (var i = 0; i < g.Count; i++)
        {
            if (z[i]) { x[i] = false; y[i] = false; }
            if (x[i] && y[i]) return false;
        }
        GraphCore.Reach(g, x, z, EdgeCut.None, y, out var hit);
        return !hit;
    }

    /// <summary>The nodes m-connected to some node of <paramref name="xs"/> given <paramref name="zs"/> (X itself included, Z excluded).</summary>
    public static VarSet ReachableFrom(CausalGraph g, IEnumerable<string> xs, IEnumerable<string> zs)
    {
        var z = Known(g, zs);
        var x = Known(g, xs);
        return GraphCore.ToSet(g, GraphCore.Reach(g, x, z, EdgeCut.None, null, out _));
    }

    /// <summary>
    /// An open path between X and Y given Z as a readable string such as "X <- W -> Y", or null
    /// when X and Y are separated. Useful to explain why a set does not separate.
    /// </summary>
    public static string? OpenPath(CausalGraph g, IEnumerable<string> xs, IEnumerable<string> ys, IEnumerable<string> zs) =>
        OpenPath(g, Known(g, xs), Known(g, ys), Known(g, zs), EdgeCut.None);

    internal static string? OpenPath(CausalGraph g, bool[] x, bool[] y, bool[] z, EdgeCut cut) =>
        OpenPathNodes(g, x, y, z, cut)?.Text;

    /// <summary>An open path as its node indices and its text, or null when X and Y are separated.</summary>
    internal static (List<int> Nodes, string Text)? OpenPathNodes(CausalGraph g, bool[] x, bool[] y, bool[] z, EdgeCut cut)
    {
        var pred = new int[2 * g.Count];
        Array.Fill(pred, -2); // -2 unvisited, -1 a start state
        GraphCore.Reach(g, x, z, cut, y, out var hit, pred);
        if (!hit) return null;
        var state = -1;
        for (var s = 0; s < pred.Length && state < 0; s++)
            if (pred[s] != -2 && y[s >> 1] && !z[s >> 1]) state = s;
        if (state < 0) return null;
        var states = new List<int>();
        for (var s = state; s >= 0; s = pred[s]) states.Add(s);
        states.Reverse();
        var text = new System.Text.StringBuilder(g.Nodes[states[0] >> 1]);
        for (var k = 1; k < states.Count; k++)
        {
            int a = states[k - 1] >> 1, b = states[k] >> 1;
            // Arriving through a tail means we walked from a child up to its parent.
            var arrow = (states[k] & 1) == 0 ? " <- "
                : HasUncutEdge(g, a, b, cut) ? " -> " : " <-> ";
            text.Append(arrow).Append(g.Nodes[b]);
        }
        return (states.Select(st => st >> 1).ToList(), text.ToString());
    }

    static bool HasUncutEdge(CausalGraph g, int a, int b, EdgeCut cut)
    {
        foreach (var c in g.ChildIndices(a)) if (c == b && !cut.IsCut(a, b)) return true;
        return false;
    }

    internal static bool[] Known(CausalGraph g, IEnumerable<string> names)
    {
        var mask = new bool[g.Count];
        foreach (var n in names)
        {
            var i = g.IndexOf(n);
            if (i >= 0) mask[i] = true;
        }
        return mask;
    }
}
