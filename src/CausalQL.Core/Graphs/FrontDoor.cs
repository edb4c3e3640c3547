namespace CausalQL.Graphs;

/// <summary>The outcome of a front-door check or search.</summary>
/// <param name="Set">A front-door set (for a search: the largest one), or null.</param>
/// <param name="MinimalSet">For a search: a front-door set inside <see cref="Set"/> from which no single node can be dropped.</param>
/// <param name="Note">Why the set fails or why none exists.</param>
public sealed record FrontDoorResult(VarSet? Set, VarSet? MinimalSet, string? Note)
{
    public bool Exists => Set is not null;
}

/// <summary>
/// Pearl's front-door criterion for sets: M satisfies it relative to (X, Y) when
/// (i) M intercepts every directed path from X to Y, (ii) there is no open back-door path from X
/// to M (X ⟂ M in G with the edges out of X removed) and (iii) every back-door path from M to Y
/// is blocked by X (M ⟂ Y | X in G with the edges out of M removed). Then
/// P(y | do(x)) = Σ_m P(m | x) Σ_x' P(y | m, x') P(x').
/// The search is a simpler, documented alternative to Jeong, Tian &amp; Bareinboim (2022) for the
/// criterion without extra covariates: start from every observed node that satisfies (ii), drop
/// nodes with an open back-door path to Y given X until none is left to drop, then test (i). Each
/// condition is monotone in the way this needs (a node of any front-door set is never dropped),
/// so the result is the largest front-door set and exists exactly when some front-door set does.
/// </summary>
public static class FrontDoor
{
    public static FrontDoorResult Check(CausalGraph g, IEnumerable<string> xs, IEnumerable<string> ys, IEnumerable<string> ms)
    {
        var x = VarSet.From(xs); var y = VarSet.From(ys); var m = VarSet.From(ms);
        if (Adjustment.Problem(g, x, y, m, VarSet.Empty) is { } problem) return new(null, null, problem);
        foreach (var v in m) if (g.IsLatent(v)) return new(null, null, $"{v} is latent (unobserved)");
        var reason = Violation(g, GraphCore.Mask(g, x), GraphCore.Mask(g, y), GraphCore.Mask(g, m));
        return reason is null ? new(m, m, null) : new(null, null, reason);
    }

    public static bool IsFrontDoorSet(CausalGraph g, IEnumerable<string> xs, IEnumerable<string> ys, IEnumerable<string> ms) =>
        Check(g, xs, ys, ms).Exists;

    /// <summary>Finds the largest front-door set and a small one inside it (greedy: no single node can be dropped).</summary>
    public static FrontDoorResult Find(CausalGraph g, IEnumerable<string> xs, IEnumerable<string> ys, VarSet? forbidden = null)
    {
        var xv = VarSet.From(xs); var yv = VarSet.From(ys);
        if (Adjustment.Problem(g, xv, yv, VarSet.Empty, forbidden ?? VarSet.Empty) is { } problem) return new(null, null, problem);
        var n = g.Count;
        var x = GraphCore.Mask(g, xv);
        var y = GraphCore.Mask(g, yv);
        var latent = GraphCore.LatentMask(g);
        var banned = GraphCore.Mask(g, forbidden ?? VarSet.Empty);
        // (ii): nodes reachable from X by a path that starts with an edge into X are out.
        var backdoorFromX = GraphCore.Reach(g, x, new bool[n], new EdgeCut(x, null), null, out _);
        var m = new bool[n];
        for (var i = 0; i < n; i++) m[i] = !x[i] && !y[i] && !latent[i] && !banned[i] && !backdoorFromX[i];
        // (iii): drop nodes m-connected to Y given X once edges out of the current M are removed.
        while (true)
        {
            var reach = GraphCore.Reach(g, y, x, new EdgeCut(m, null), null, out _);
            var changed = false;
            for (var i = 0; i < n; i++) if (m[i] && reach[i]) { m[i] = false; changed = true; }
            if (!changed) break;
        }
        if (!Intercepts(g, x, y, m))
            return new(null, null, "no front-door set exists: every set of observed nodes that meets the other two conditions leaves a directed path from exposure to outcome unblocked");
        // A small set: start from the nodes of M met first on directed paths out of X (they intercept
        // every such path by construction) when that is a front-door set, then drop nodes greedily.
        // The criterion is not monotone under removal, so the result is "no single node droppable".
        var first = FirstHits(g, x, m);
        var minimal = Violation(g, x, y, first) is null ? first : (bool[])m.Clone();
        for (var i = 0; i < n; i++)
        {
            if (!minimal[i]) continue;
            minimal[i] = false;
            if (Violation(g, x, y, minimal) is not null) minimal[i] = true;
        }
        return new(GraphCore.ToSet(g, m), GraphCore.ToSet(g, minimal), null);
    }

    static string? Violation(CausalGraph g, bool[] x, bool[] y, bool[] m)
    {
        var n = g.Count;
        if (!Intercepts(g, x, y, m)) return "a directed path from the exposure to the outcome avoids the set";
        var none = new bool[n];
        var path = Separation.OpenPath(g, x, m, none, new EdgeCut(x, null));
        if (path is not null) return $"the back-door path {path} from the exposure to the set is open";
        path = Separation.OpenPath(g, m, y, x, new EdgeCut(m, null));
        if (path is not null) return $"the back-door path {path} from the set to the outcome is not blocked by the exposure";
        return null;
    }

    /// <summary>The nodes of M reachable from X by a directed path with no other node of M on it.</summary>
    static bool[] FirstHits(CausalGraph g, bool[] x, bool[] m)
    {
        var hits = new bool[g.Count];
        var seen = new bool[g.Count];
        var stack = new Stack<int>();
        for (var i = 0; i < g.Count; i++) if (x[i]) { seen[i] = true; stack.Push(i); }
        while (stack.Count > 0)
            foreach (var c in g.ChildIndices(stack.Pop()))
            {
                if (seen[c]) continue;
                seen[c] = true;
                if (m[c]) hits[c] = true; else stack.Push(c);
            }
        return hits;
    }

    /// <summary>True when no directed path from X reaches Y without passing through M.</summary>
    static bool Intercepts(CausalGraph g, bool[] x, bool[] y, bool[] m)
    {
        var seen = new bool[g.Count];
        var stack = new Stack<int>();
        for (var i = 0; i < g.Count; i++) if (x[i]) { seen[i] = true; stack.Push(i); }
        while (stack.Count > 0)
        {
            var v = stack.Pop();
            if (y[v]) return false;
            foreach (var c in g.ChildIndices(v))
                if (!seen[c] && !m[c]) { seen[c] = true; stack.Push(c); }
        }
        return true;
    }
}
