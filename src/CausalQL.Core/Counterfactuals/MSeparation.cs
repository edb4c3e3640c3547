using CausalQL.Graphs;

namespace CausalQL.Counterfactuals;

/// <summary>
/// m-separation in an ADMG (d-separation extended to bidirected edges): is every path between
/// X and Y blocked by Z? A path is open when each collider on it is an ancestor of Z and no
/// non-collider is in Z. Implemented as reachability over (node, arrived-with-arrowhead) states.
/// </summary>
public static class MSeparation
{
    public static bool Separated(CausalGraph g, IEnumerable<string> x, IEnumerable<string> y, IEnumerable<string> z)
    {
        var zs = VarSet.From(z);
        var ys = VarSet.From(y);
        var anZ = g.Ancestors(zs);
        var seen = new HashSet<(string, bool)>();
        var stack = new Stack<(string Node, bool Head)>();
        foreach (var s in x)
        {
            foreach (var c in g.Children(s)) stack.Push((c, true));
            foreach (var p in g.Parents(s)) stack.Push((p, false));
            foreach (var b in g.Siblings(s)) stack.Push((b, true));
        }
        while (stack.Count > 0)
        {
            var state = stack.Pop();
            if (!seen.Add(state)) continue;
            var (v, head) = state;
            if (ys.Contains(v) && !zs.Contains(v)) return false;
            if (head)
            {
                // Continuing through an arrowhead into another arrowhead makes v a collider.
                if (anZ.Contains(v))
                {
                    foreach (var p in g.Parents(v)) stack.Push((p, false));
                    foreach (var b in g.Siblings(v)) stack.Push((b, true));
                }
                if (!zs.Contains(v)) foreach (var c in g.Children(v)) stack.Push((c, true));
            }
            else if (!zs.Contains(v))
            {
                foreach (var c in g.Children(v)) stack.Push((c, true));
                foreach (var p in g.Parents(v)) stack.Push((p, false));
                foreach (var b in g.Siblings(v)) stack.Push((b, true));
            }
        }
        return true;
    }

    /// <summary>
    /// Pearl's back-door criterion: no member of Z descends from X, and Z blocks every path
    /// from X to Y that starts with an arrow into X (checked in G with X's outgoing edges removed).
    /// </summary>
    public static bool IsBackdoorSet(CausalGraph g, IEnumerable<string> x, IEnumerable<string> y, IEnumerable<string> z)
    {
        var xs = VarSet.From(x);
        var zs = VarSet.From(z);
        if (zs.Overlaps(g.Descendants(xs)) || zs.Overlaps(xs) || zs.Overlaps(y)) return false;
        return Separated(g.RemoveOutgoing(xs), xs, y, zs);
    }
}
