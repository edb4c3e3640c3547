using System.Collections.Immutable;
using CausalQL.Estimands;
using CausalQL.Graphs;

namespace CausalQL.Identification;

/// <summary>
/// The identification facade: validates the query, and answers P(y | do(x), z) with an estimand, a
/// hedge, or an input or budget message — always a result, never an exception. For unconditional
/// queries it prefers, in order: no causal path (rule 3), back-door adjustment (the optimal set,
/// else the first minimal one), the front-door criterion, then ID; conditional queries use IDC.
/// ID and IDC run on the latent projection of the graph.
/// </summary>
public static class Identifier
{
    /// <summary>How many other minimal adjustment sets are listed as alternatives.</summary>
    const int MaxAlternativeSets = 8;
    /// <summary>Above this many nodes, alternatives to an optimal adjustment set are not listed.</summary>
    const int MaxNodesForAlternatives = 500;

    public static IdResult Identify(CausalGraph g, VarSet y, VarSet x, VarSet z, IdentifyOptions? options = null, CancellationToken ct = default)
    {
        options ??= IdentifyOptions.Default;
        if (Validate(g, y, x, z) is { } error) return IdResult.Invalid(error);
        var notes = ImmutableArray.CreateBuilder<string>();
        var queryText = QueryText(y, x, z);

        if (x.IsEmpty)
        {
            // No intervention: the query is an observational (conditional) probability.
            var plain = Est.P(y, z);
            var steps = options.Explain
                ? ImmutableArray.Create(new DerivationStep("no intervention", $"{queryText} has no do(): it is the observational probability itself", plain))
                : [];
            return new IdResult(IdStatus.Identifiable, plain, new Strategy.Trivial("no intervention"), null, [], steps, notes.ToImmutable(), null);
        }

        try
        {
            var graph = g.ProjectLatents();
            var conditionedDescendants = z.Intersect(graph.Descendants(x));
            if (!conditionedDescendants.IsEmpty)
                notes.Add($"the conditioning set contains {Show(conditionedDescendants)}, affected by the treatment; the answer is P(y | do(x), z) as asked, an effect within strata of a post-treatment variable, not the total effect of {Show(x)}");
            var idGraph = new IdGraph(graph);
            if (z.IsEmpty && options.PreferCriteria)
            {
                ct.ThrowIfCancellationRequested();
                if (ByCriteria(g, idGraph, y, x, options, ct) is { } byCriteria)
                    return byCriteria with { Notes = notes.ToImmutable() };
            }
            var (status, estimand, strategy, hedge, derivation, work) = ByIdAlgorithm(idGraph, graph, y, x, z, options, ct);
            return new IdResult(status, estimand, strategy, hedge, [], derivation, notes.ToImmutable(), null) { WorkUsed = work };
        }
        catch (BudgetExhaustedException ex)
        {
            return new IdResult(IdStatus.BudgetExhausted, null, null, null, [], [], notes.ToImmutable(), ex.Message);
        }
        catch (InsufficientExecutionStackException)
        {
            return new IdResult(IdStatus.BudgetExhausted, null, null, null, [], [], notes.ToImmutable(),
                "the identification recursion grew too deep for this graph");
        }
        catch (OperationCanceledException)
        {
            return new IdResult(IdStatus.BudgetExhausted, null, null, null, [], [], notes.ToImmutable(), "identification was cancelled");
        }
    }

    /// <summary>ID (no conditioning) or IDC on the projected graph.</summary>
    static (IdStatus, Estimand?, Strategy?, Hedge?, ImmutableArray<DerivationStep>, long) ByIdAlgorithm(
        IdGraph idGraph, CausalGraph graph, VarSet y, VarSet x, VarSet z, IdentifyOptions options, CancellationToken ct)
    {
        var ctx = new IdContext(idGraph, options.MaxSteps, options.Explain, ct);
        var v = idGraph.All;
        var p = Dist.Joint(v, VarSet.Empty, VarSet.Empty, ctx);
        var yn = idGraph.ToSet(y);
        var xn = idGraph.ToSet(x);
        IdOutcome outcome;
        Strategy strategy;
        if (z.IsEmpty)
        {
            outcome = IdAlgorithm.Run(ctx, new IdCall(yn, xn, p, v));
            strategy = new Strategy.Id();
        }
        else
        {
            outcome = IdcAlgorithm.Run(ctx, yn, xn, idGraph.ToSet(z), p, v);
            strategy = new Strategy.Idc();
        }
        var reserved = y.Union(x).Union(z);
        var derivation = ctx.Steps.Select(step => step.Result is null ? step : step with { Result = BoundNames.PrimeShadowed(step.Result, reserved) }).ToImmutableArray();
        if (outcome.Hedge is { } hedge)
            return (IdStatus.NotIdentifiable, null, null, hedge, derivation, ctx.Used);
        var estimand = outcome.Estimand!;
        if (options.Simplify)
        {
            var simplified = Simplifier.Simplify(estimand);
            if (options.Explain && !simplified.Equals(estimand))
                derivation = derivation.Add(new DerivationStep("simplify",
                    "value-preserving rewrites: chain rule, Σ_v P(v | …) = 1, cancelling common factors", BoundNames.PrimeShadowed(simplified, reserved)));
            estimand = simplified;
        }
        // Readability: a summed name that is also free outside, or a query variable, becomes a primed copy (x').
        estimand = BoundNames.PrimeShadowed(estimand, reserved);
        return (IdStatus.Identifiable, estimand, strategy, null, derivation, ctx.Used);
    }

    /// <summary>No causal path, back-door, front-door — in that order; null when none applies.</summary>
    static IdResult? ByCriteria(CausalGraph original, IdGraph g, VarSet y, VarSet x, IdentifyOptions options, CancellationToken ct)
    {
        var ys = g.ToSet(y);
        var xs = g.ToSet(x);
        var steps = ImmutableArray.CreateBuilder<DerivationStep>();

        // Y is not a descendant of X: do(x) has no effect on y (rule 3, (Y ⊥ X) in G_bar(X)).
        if (!g.Descendants(xs, g.All).Overlaps(ys))
        {
            var marginal = Est.P(y);
            if (options.Explain)
                steps.Add(new DerivationStep("do-calculus rule 3", $"{Fact(y, x, VarSet.Empty, $"G_bar({Names(x)})")}: no directed path from {Names(x)} to {Names(y)}", marginal));
            return new IdResult(IdStatus.Identifiable, marginal, new Strategy.Trivial($"{Names(y)} is not a descendant of {Names(x)}"),
                null, [], steps.ToImmutable(), [], null);
        }

        var alternatives = ImmutableArray.CreateBuilder<IdAlternative>();
        var sets = AdjustmentSets(original, y, x, ct);
        FrontDoorResult? frontDoor = null;
        try { frontDoor = FrontDoor.Find(original, x, y); }
        catch (ArgumentException) { }
        var frontSet = frontDoor is { Exists: true } ? frontDoor.MinimalSet ?? frontDoor.Set : null;

        if (sets.Count > 0)
        {
            var set = sets[0];
            var estimand = BackDoorEstimand(y, x, set);
            if (options.Explain) steps.AddRange(BackDoorDerivation(g, y, x, set, estimand));
            foreach (var other in sets.Skip(1))
                alternatives.Add(new IdAlternative(new Strategy.BackDoor(other), BackDoorEstimand(y, x, other)));
            if (frontSet is not null)
                alternatives.Add(new IdAlternative(new Strategy.FrontDoor(frontSet), FrontDoorEstimand(y, x, frontSet)));
            return new IdResult(IdStatus.Identifiable, estimand, new Strategy.BackDoor(set), null, alternatives.ToImmutable(), steps.ToImmutable(), [], null);
        }
        if (frontSet is not null)
        {
            var estimand = FrontDoorEstimand(y, x, frontSet);
            if (options.Explain) steps.AddRange(FrontDoorDerivation(g, y, x, frontSet, estimand));
            return new IdResult(IdStatus.Identifiable, estimand, new Strategy.FrontDoor(frontSet), null, [], steps.ToImmutable(), [], null);
        }
        return null;
    }

    /// <summary>Valid adjustment sets, the optimal one first when it exists.</summary>
    static List<VarSet> AdjustmentSets(CausalGraph g, VarSet y, VarSet x, CancellationToken ct)
    {
        var sets = new List<VarSet>();
        try
        {
            if (x.Count == 1 && y.Count == 1 && Adjustment.Optimal(g, x.First(), y.First()) is { Set: { } optimal })
                sets.Add(optimal);
            // On large graphs listing the minimal sets as alternatives costs more than the answer is worth.
            if (sets.Count > 0 && g.Count > MaxNodesForAlternatives) return sets;
            var minimal = Adjustment.Minimal(g, x, y, new AdjustmentOptions { MaxSets = MaxAlternativeSets + 1, Cancellation = ct });
            foreach (var s in minimal.Sets.OrderBy(s => s.Count))
                if (!sets.Contains(s)) sets.Add(s);
        }
        catch (ArgumentException)
        {
            // A query the adjustment search does not handle falls through to ID.
        }
        return sets;
    }

    /// <summary>Σ_z P(y | x, z) P(z), or P(y | x) for the empty set.</summary>
    public static Estimand BackDoorEstimand(VarSet y, VarSet x, VarSet z) =>
        z.IsEmpty ? Est.P(y, x) : Est.Sum(Est.Product(Est.P(y, x.Union(z)), Est.P(z)), z);

    /// <summary>Σ_m P(m | x) Σ_x' P(y | m, x') P(x').</summary>
    public static Estimand FrontDoorEstimand(VarSet y, VarSet x, VarSet m)
    {
        var inner = Est.Sum(Est.Product(Est.P(y, m.Union(x)), Est.P(x)), x);
        return BoundNames.PrimeShadowed(Est.Sum(Est.Product(Est.P(m, x), inner), m), y.Union(x));
    }

    static IEnumerable<DerivationStep> BackDoorDerivation(IdGraph g, VarSet y, VarSet x, VarSet z, Estimand result)
    {
        var ys = g.ToSet(y); var xs = g.ToSet(x); var zs = g.ToSet(z);
        var rule2 = g.Separated(ys, xs, zs, g.All, cutOutgoing: xs);
        var rule3 = g.Separated(zs, xs, NodeSet.Empty, g.All, cutIncoming: xs);
        var setText = z.IsEmpty ? "the empty set" : Names(z);
        if (!rule2 || !rule3)
        {
            yield return new DerivationStep("generalised adjustment criterion (Perković et al. 2018)",
                $"{setText} contains no descendant of a node on a causal path from {Names(x)} to {Names(y)} and blocks every non-causal path", result);
            yield break;
        }
        yield return new DerivationStep("back-door criterion",
            $"{setText} contains no descendant of {Names(x)} and blocks every back-door path from {Names(x)} to {Names(y)}", null);
        if (!z.IsEmpty)
            yield return new DerivationStep("law of total probability", $"condition on {Names(z)}",
                Est.Sum(Est.Product(Est.P(y, z, x), Est.P(z, null, x)), z));
        yield return new DerivationStep("do-calculus rule 2", $"{Fact(y, x, z, $"G_underline({Names(x)})")}: observing {Names(x)} equals doing it", null);
        if (!z.IsEmpty)
            yield return new DerivationStep("do-calculus rule 3", $"{Fact(z, x, VarSet.Empty, $"G_bar({Names(x)})")}: do({Names(x)}) does not change {Names(z)}", null);
        yield return new DerivationStep("result", z.IsEmpty ? "no adjustment needed" : $"adjust for {Names(z)}", result);
    }

    static IEnumerable<DerivationStep> FrontDoorDerivation(IdGraph g, VarSet y, VarSet x, VarSet m, Estimand result)
    {
        var ys = g.ToSet(y); var xs = g.ToSet(x); var ms = g.ToSet(m);
        var facts = new[]
        {
            g.Separated(ms, xs, NodeSet.Empty, g.All, cutOutgoing: xs),
            g.Separated(ys, ms, xs, g.All, cutIncoming: xs, cutOutgoing: ms),
            g.Separated(ys, xs, ms, g.All, cutIncoming: xs.Union(ms)),
            g.Separated(ys, ms, xs, g.All, cutOutgoing: ms),
        };
        var xPrime = BoundNames.PrimeShadowed(Est.Sum(Est.P(x), x), x) is Sum s ? s.Over : x;
        if (facts.Any(f => !f))
        {
            yield return new DerivationStep("front-door criterion (Pearl 2009, Thm. 3.3.4)",
                $"{Names(m)} intercepts every directed path from {Names(x)} to {Names(y)}, has no unblocked back-door path from {Names(x)}, and {Names(x)} blocks every back-door path from {Names(m)} to {Names(y)}", result);
            yield break;
        }
        yield return new DerivationStep("front-door criterion",
            $"{Names(m)} intercepts every directed path from {Names(x)} to {Names(y)}, and the back-door conditions hold", null);
        yield return new DerivationStep("law of total probability", $"condition on {Names(m)}",
            Est.Sum(Est.Product(Est.P(y, m, x), Est.P(m, null, x)), m));
        yield return new DerivationStep("do-calculus rule 2", $"{Fact(m, x, VarSet.Empty, $"G_underline({Names(x)})")}: P({Names(m)} | do({Names(x)})) = P({Names(m)} | {Names(x)})", null);
        yield return new DerivationStep("do-calculus rule 2", $"{Fact(y, m, x, $"G_bar({Names(x)})_underline({Names(m)})")}: P({Names(y)} | do({Names(x)}), {Names(m)}) = P({Names(y)} | do({Names(x)}, {Names(m)}))", null);
        yield return new DerivationStep("do-calculus rule 3", $"{Fact(y, x, m, $"G_bar({Names(x)}, {Names(m)})")}: P({Names(y)} | do({Names(x)}, {Names(m)})) = P({Names(y)} | do({Names(m)}))", null);
        yield return new DerivationStep("back-door adjustment for do(" + Names(m) + ")",
            $"{Fact(y, m, x, $"G_underline({Names(m)})")}: P({Names(y)} | do({Names(m)})) = Σ_{{{string.Join(", ", xPrime)}}} P({Names(y)} | {Names(m)}, {string.Join(", ", xPrime)}) P({string.Join(", ", xPrime)})", null);
        yield return new DerivationStep("result", "combine", result);
    }

    static string Fact(VarSet a, VarSet b, VarSet given, string graph) =>
        given.IsEmpty ? $"({Names(a)} ⊥ {Names(b)}) in {graph}" : $"({Names(a)} ⊥ {Names(b)} | {Names(given)}) in {graph}";

    static string Names(VarSet s) => string.Join(", ", s);

    /// <summary>Input problems as a message, or null when the query can be asked of the graph.</summary>
    static string? Validate(CausalGraph g, VarSet y, VarSet x, VarSet z)
    {
        if (g.FindCycle() is { } cycle) return $"the graph has a directed cycle: {string.Join(" -> ", cycle)}";
        if (y.IsEmpty) return "the query has no outcome variable";
        foreach (var n in y.Union(x).Union(z))
        {
            if (!g.Contains(n)) return $"'{n}' is not a variable of the graph";
            if (g.IsLatent(n)) return $"'{n}' is latent (unobserved); a query can only name observed variables";
        }
        if (x.Overlaps(y)) return $"the treatment and the outcome overlap in {Show(x.Intersect(y))}";
        if (z.Overlaps(y)) return $"the outcome and the conditioning set overlap in {Show(z.Intersect(y))}";
        if (z.Overlaps(x)) return $"the treatment and the conditioning set overlap in {Show(z.Intersect(x))}";
        return null;
    }

    public static string QueryText(VarSet y, VarSet x, VarSet z)
    {
        var parts = new List<string>();
        if (!x.IsEmpty) parts.Add($"do({string.Join(", ", x)})");
        parts.AddRange(z);
        var head = string.Join(", ", y);
        return parts.Count == 0 ? $"P({head})" : $"P({head} | {string.Join(", ", parts)})";
    }

    static string Show(VarSet s) => "{" + string.Join(", ", s) + "}";
}
