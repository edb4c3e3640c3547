using System.Collections.Immutable;

namespace CausalQL.Graphs;

/// <summary>Constraints and limits for adjustment-set searches.</summary>
public sealed record AdjustmentOptions
{
    public static AdjustmentOptions Default { get; } = new();
    /// <summary>Covariates every set must contain (minimality is then relative to them, as in DAGitty).</summary>
    public VarSet Forced { get; init; } = VarSet.Empty;
    /// <summary>Covariates no set may contain (e.g. unmeasured in the data at hand).</summary>
    public VarSet Forbidden { get; init; } = VarSet.Empty;
    /// <summary>Stop after this many sets (the result then says the cap was reached).</summary>
    public int MaxSets { get; init; } = 10_000;
    /// <summary>Give up after this long (the result then says the budget was exceeded).</summary>
    public TimeSpan? TimeBudget { get; init; }
    public CancellationToken Cancellation { get; init; }
}

/// <summary>How a search ended.</summary>
public enum SearchStatus
{
    /// <summary>Every answer was listed (possibly none).</summary>
    Complete,
    /// <summary>The cap on the number of answers was reached; there may be more.</summary>
    CapReached,
    /// <summary>The time budget ran out or the search was cancelled; the answers so far are listed.</summary>
    BudgetExceeded,
    /// <summary>The question itself was not well posed (see the note).</summary>
    Invalid,
}

/// <summary>
/// The minimal adjustment sets for the total effect of <see cref="Exposures"/> on <see cref="Outcomes"/>.
/// No sets with status Complete means no adjustment set exists; <see cref="Note"/> says why.
/// </summary>
public sealed record AdjustmentResult(VarSet Exposures, VarSet Outcomes, ImmutableArray<VarSet> Sets, SearchStatus Status, string? Note)
{
    public bool Exhausted => Status == SearchStatus.Complete;
    public bool BudgetExceeded => Status == SearchStatus.BudgetExceeded;
    public bool CapReached => Status == SearchStatus.CapReached;
    public bool NoneExists => Status == SearchStatus.Complete && Sets.IsEmpty;
}

/// <summary>Whether a set is a valid adjustment set, and if not, why.</summary>
public sealed record AdjustmentCheck(bool IsValid, string? Reason);

/// <summary>A single set answer (canonical or optimal); <see cref="Set"/> is null when there is none, with <see cref="Note"/> saying why.</summary>
public sealed record AdjustmentSetAnswer(VarSet? Set, string? Note)
{
    public bool Exists => Set is not null;
}

/// <summary>
/// Covariate adjustment for the total effect of X on Y in DAGs with latent nodes and in ADMGs,
/// by the generalised adjustment criterion (Shpitser et al. 2010; Perković et al. 2018):
/// Z is valid iff it contains no descendant of a node on a proper causal path from X to Y
/// (other than X) and m-separates X and Y in the proper back-door graph (G without the first
/// edge of every proper causal path). Latent nodes, exposures and outcomes are never in a set.
/// Latent nodes are kept as unobserved nodes rather than projected, so both representations give
/// the same answers.
/// </summary>
public static class Adjustment
{
    /// <summary>Tests the generalised adjustment criterion for <paramref name="zs"/>.</summary>
    public static AdjustmentCheck Check(CausalGraph g, IEnumerable<string> xs, IEnumerable<string> ys, IEnumerable<string> zs)
    {
        var x = VarSet.From(xs); var y = VarSet.From(ys); var z = VarSet.From(zs);
        foreach (var v in z)
            if (!g.Contains(v)) return new(false, $"'{v}' is not a node of the graph");
        if (Problem(g, x, y, VarSet.Empty, VarSet.Empty) is { } problem) return new(false, problem);
        var ctx = new Context(g, x, y);
        foreach (var v in z)
        {
            if (x.Contains(v) || y.Contains(v)) return new(false, $"{v} is an exposure or outcome");
            if (g.IsLatent(v)) return new(false, $"{v} is latent (unobserved)");
            if (ctx.Forb[g.IndexOf(v)])
                return new(false, $"{v} is a descendant of {ctx.CausalWitness(g.IndexOf(v))}, which lies on a causal path from {Show(x)} to {Show(y)}");
        }
        var path = Separation.OpenPath(g, ctx.X, ctx.Y, GraphCore.Mask(g, z), ctx.Cut);
        return path is null ? new(true, null) : new(false, $"the non-causal path {path} is open given {z}");
    }

    public static bool IsValid(CausalGraph g, IEnumerable<string> xs, IEnumerable<string> ys, IEnumerable<string> zs) =>
        Check(g, xs, ys, zs).IsValid;

    /// <summary>
    /// The forbidden nodes: X and the descendants of nodes (other than X) on proper causal paths from X to Y.
    /// </summary>
    public static VarSet Forbidden(CausalGraph g, IEnumerable<string> xs, IEnumerable<string> ys)
    {
        var ctx = new Context(g, VarSet.From(xs), VarSet.From(ys));
        return GraphCore.ToSet(g, ctx.Forb);
    }

    /// <summary>Nodes on proper causal paths from X to Y, X excluded (Y included when it is a descendant of X).</summary>
    public static VarSet ProperCausalNodes(CausalGraph g, IEnumerable<string> xs, IEnumerable<string> ys)
    {
        var ctx = new Context(g, VarSet.From(xs), VarSet.From(ys));
        return GraphCore.ToSet(g, ctx.Pcp);
    }

    /// <summary>
    /// The canonical adjustment set (as DAGitty's canonicalAdjustmentSet): the observed ancestors of
    /// X, Y (and the forced covariates), minus X, Y and the forbidden nodes. It is valid exactly when
    /// some adjustment set (within the constraints) exists.
    /// </summary>
    public static AdjustmentSetAnswer Canonical(CausalGraph g, IEnumerable<string> xs, IEnumerable<string> ys, AdjustmentOptions? options = null)
    {
        options ??= AdjustmentOptions.Default;
        var x = VarSet.From(xs); var y = VarSet.From(ys);
        if (Problem(g, x, y, options.Forced, options.Forbidden) is { } problem) return new(null, problem);
        var ctx = new Context(g, x, y);
        if (ForcedProblem(g, ctx, options) is { } forced) return new(null, forced);
        var candidate = ctx.CanonicalMask(options);
        var path = Separation.OpenPathNodes(g, ctx.X, ctx.Y, candidate, ctx.Cut);
        return path is null
            ? new(GraphCore.ToSet(g, candidate), null)
            : new(null, NoneReason(g, ctx, path.Value));
    }

    /// <summary>
    /// All minimal adjustment sets (van der Zander, Liśkiewicz &amp; Textor 2014/2019): minimal
    /// separators of X and Y in the moral graph of the ancestors of X, Y (and the forced
    /// covariates) in the proper back-door graph, listed with polynomial delay.
    /// </summary>
    public static AdjustmentResult Minimal(CausalGraph g, IEnumerable<string> xs, IEnumerable<string> ys, AdjustmentOptions? options = null)
    {
        options ??= AdjustmentOptions.Default;
        var x = VarSet.From(xs); var y = VarSet.From(ys);
        if (Problem(g, x, y, options.Forced, options.Forbidden) is { } problem)
            return new(x, y, [], SearchStatus.Invalid, problem);
        if (options.MaxSets < 1) return new(x, y, [], SearchStatus.Invalid, "the cap on the number of sets must be at least 1");
        var ctx = new Context(g, x, y);
        if (ForcedProblem(g, ctx, options) is { } forced) return new(x, y, [], SearchStatus.Complete, forced);
        // The canonical set decides existence in linear time and lets us say why there is none.
        var path = Separation.OpenPathNodes(g, ctx.X, ctx.Y, ctx.CanonicalMask(options), ctx.Cut);
        if (path is not null) return new(x, y, [], SearchStatus.Complete, NoneReason(g, ctx, path.Value));

        var n = g.Count;
        var forcedMask = GraphCore.Mask(g, options.Forced);
        var keepStart = (bool[])forcedMask.Clone();
        for (var i = 0; i < n; i++) keepStart[i] |= ctx.X[i] || ctx.Y[i];
        var keep = GraphCore.Ancestors(g, keepStart, ctx.Cut);
        var h = UndirectedGraph.Augmented(g, keep, ctx.Cut);
        var allowed = ctx.AllowedMask(options);
        var removed = new bool[n];
        for (var i = 0; i < n; i++)
        {
            allowed[i] &= keep[i] && !forcedMask[i];
            removed[i] = !keep[i] || forcedMask[i];
        }
        var search = new MinimalSeparatorSearch(h, allowed, removed, ctx.X, ctx.Y);
        var sets = ImmutableArray.CreateBuilder<VarSet>();
        var forcedIdx = Enumerable.Range(0, n).Where(i => forcedMask[i]).ToArray();
        using var budget = Budget(options);
        var outcome = search.Enumerate(
            sep => sets.Add(GraphCore.ToSet(g, forcedIdx.Length == 0 ? sep : [.. sep, .. forcedIdx])),
            options.MaxSets, budget.Token);
        return outcome switch
        {
            SearchOutcome.Done => new(x, y, sets.ToImmutable(), SearchStatus.Complete,
                sets.Count == 0 ? "no adjustment set exists within the constraints" : null),
            SearchOutcome.Capped => new(x, y, sets.ToImmutable(), SearchStatus.CapReached,
                $"stopped after {sets.Count} sets (the cap); there may be more"),
            _ => new(x, y, sets.ToImmutable(), SearchStatus.BudgetExceeded,
                $"budget exceeded after {sets.Count} sets; the list is incomplete"),
        };
    }

    /// <summary>
    /// The optimal adjustment set O(X,Y) = Pa(cn) \ forb of Henckel, Perković &amp; Maathuis (2022),
    /// which gives the smallest asymptotic variance among valid sets. Defined here for one exposure
    /// and one outcome that is a descendant of it, when every parent of the causal nodes is
    /// observed (no latent parent or bidirected edge there) and some adjustment set exists.
    /// </summary>
    public static AdjustmentSetAnswer Optimal(CausalGraph g, string exposure, string outcome)
    {
        var x = VarSet.Of(exposure); var y = VarSet.Of(outcome);
        if (Problem(g, x, y, VarSet.Empty, VarSet.Empty) is { } problem) return new(null, problem);
        var ctx = new Context(g, x, y);
        var yi = g.IndexOf(outcome);
        if (!ctx.Pcp[yi]) return new(null, $"{outcome} is not a descendant of {exposure}, so the optimal set is not defined (the effect is nil)");
        var canonical = Separation.OpenPathNodes(g, ctx.X, ctx.Y, ctx.CanonicalMask(AdjustmentOptions.Default), ctx.Cut);
        if (canonical is not null) return new(null, NoneReason(g, ctx, canonical.Value));
        var o = new bool[g.Count];
        for (var c = 0; c < g.Count; c++)
        {
            if (!ctx.Pcp[c]) continue;
            if (g.SiblingIndices(c).Length > 0)
                return new(null, $"{g.Nodes[c]} lies on a causal path and has a latent confounder (<->); the optimal set of Henckel et al. needs all parents of causal nodes observed");
            foreach (var p in g.ParentIndices(c)) if (!ctx.Forb[p]) o[p] = true;
        }
        for (var i = 0; i < g.Count; i++)
            if (o[i] && ctx.Latent[i])
                return new(null, $"{g.Nodes[i]} is a latent parent of a causal node; the optimal set of Henckel et al. needs all parents of causal nodes observed");
        var set = GraphCore.ToSet(g, o);
        // O is valid whenever any valid set exists (Henckel et al., Theorem 1); check anyway.
        var check = Check(g, x, y, set);
        return check.IsValid ? new(set, null) : new(null, check.Reason);
    }

    static CancellationTokenSource Budget(AdjustmentOptions options)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(options.Cancellation);
        if (options.TimeBudget is { } t) { if (t <= TimeSpan.Zero) cts.Cancel(); else cts.CancelAfter(t); }
        return cts;
    }

    internal static string Show(VarSet s) => s.Count == 1 ? s.First() : s.ToString();

    /// <summary>Input errors every search reports the same way.</summary>
    internal static string? Problem(CausalGraph g, VarSet x, VarSet y, VarSet forced, VarSet forbidden)
    {
        if (x.IsEmpty) return "no exposure given";
        if (y.IsEmpty) return "no outcome given";
        foreach (var v in x.Union(y).Union(forced).Union(forbidden))
            if (!g.Contains(v)) return $"'{v}' is not a node of the graph";
        if (x.Overlaps(y)) return $"{x.Intersect(y)} is both exposure and outcome";
        foreach (var v in x.Union(y))
            if (g.IsLatent(v)) return $"{v} is latent (unobserved), so it cannot be an exposure or outcome here";
        if (forced.Overlaps(forbidden)) return $"{forced.Intersect(forbidden)} is both forced and forbidden";
        if (forced.Overlaps(x.Union(y))) return $"{forced.Intersect(x.Union(y))} is an exposure or outcome and cannot be a covariate";
        if (Implications.TopoIndices(g) is null && g.FindCycle() is { } cycle) return "the graph has a directed cycle: " + string.Join(" -> ", cycle);
        return null;
    }

    static string? ForcedProblem(CausalGraph g, Context ctx, AdjustmentOptions options)
    {
        foreach (var v in options.Forced)
        {
            var i = g.IndexOf(v);
            if (ctx.Latent[i]) return $"no adjustment set exists: the forced covariate {v} is latent";
            if (ctx.Forb[i])
                return $"no adjustment set exists: the forced covariate {v} is a descendant of {ctx.CausalWitness(i)}, which lies on a causal path";
        }
        return null;
    }

    static string NoneReason(CausalGraph g, Context ctx, (List<int> Nodes, string Text) path)
    {
        for (var yi = 0; yi < g.Count; yi++)
        {
            if (!ctx.Y[yi]) continue;
            foreach (var c in g.ChildIndices(yi))
                if (ctx.X[c]) return $"no adjustment set exists: the outcome {g.Nodes[yi]} is a parent of the exposure {g.Nodes[c]}";
            foreach (var s in g.SiblingIndices(yi))
                if (ctx.X[s]) return $"no adjustment set exists: {g.Nodes[s]} <-> {g.Nodes[yi]} (a latent confounder of exposure and outcome)";
        }
        var latent = path.Nodes.Where(i => ctx.Latent[i]).Select(i => g.Nodes[i]).Distinct().ToList();
        var forbidden = path.Nodes.Where(i => ctx.Forb[i] && !ctx.X[i] && !ctx.Y[i]).Select(i => g.Nodes[i]).Distinct().ToList();
        var why = latent.Count > 0 ? $" (it runs through the latent {(latent.Count == 1 ? "node" : "nodes")} {string.Join(", ", latent)})"
            : forbidden.Count > 0 ? $" (blocking it would need {string.Join(", ", forbidden)}, which descend from the exposure on a causal path)"
            : "";
        return $"no adjustment set exists: the path {path.Text} stays open given every set of observed, allowed covariates{why}";
    }

    /// <summary>What every adjustment question needs about X and Y, computed once.</summary>
    internal sealed class Context
    {
        public readonly CausalGraph G;
        public readonly bool[] X, Y, Pcp, Forb, Latent;
        public readonly EdgeCut Cut;

        public Context(CausalGraph g, VarSet x, VarSet y)
        {
            G = g;
            // Unknown names are ignored here; the searches report them before building a context.
            X = Separation.Known(g, x);
            Y = Separation.Known(g, y);
            Pcp = GraphCore.ProperCausalNodes(g, X, Y);
            Forb = GraphCore.Descendants(g, Pcp);
            for (var i = 0; i < g.Count; i++) Forb[i] |= X[i];
            Latent = GraphCore.LatentMask(g);
            Cut = new EdgeCut(X, Pcp);
        }

        /// <summary>Nodes that may be in a set: observed, not X or Y, not forbidden by the criterion or by the user.</summary>
        public bool[] AllowedMask(AdjustmentOptions options)
        {
            var allowed = new bool[G.Count];
            for (var i = 0; i < G.Count; i++) allowed[i] = !X[i] && !Y[i] && !Forb[i] && !Latent[i];
            foreach (var v in options.Forbidden) allowed[G.IndexOf(v)] = false;
            return allowed;
        }

        public bool[] CanonicalMask(AdjustmentOptions options)
        {
            var start = GraphCore.Mask(G, options.Forced);
            for (var i = 0; i < G.Count; i++) start[i] |= X[i] || Y[i];
            var an = GraphCore.Ancestors(G, start);
            var allowed = AllowedMask(options);
            for (var i = 0; i < G.Count; i++) an[i] &= allowed[i];
            foreach (var v in options.Forced) an[G.IndexOf(v)] = true;
            return an;
        }

        /// <summary>A causal node that <paramref name="node"/> descends from, for messages.</summary>
        public string CausalWitness(int node)
        {
            if (Pcp[node]) return G.Nodes[node];
            var an = GraphCore.Ancestors(G, Single(node));
            for (var i = 0; i < G.Count; i++) if (an[i] && Pcp[i]) return G.Nodes[i];
            return G.Nodes[node];
        }

        bool[] Single(int i) { var m = new bool[G.Count]; m[i] = true; return m; }
    }
}
