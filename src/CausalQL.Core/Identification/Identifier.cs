using System.Collections.Immutable;
using CausalQL.Estimands;
using CausalQL.Graphs;

namespace CausalQL.Identification;

/// <summary>
/// The identification facade: validates the query, projects explicit latents, and answers
/// P(y | do(x), z) with an estimand (or a hedge, or a budget or input message — always a result).
/// </summary>
public static class Identifier
{
    public static IdResult Identify(CausalGraph g, VarSet y, VarSet x, VarSet z, IdentifyOptions? options = null, CancellationToken ct = default)
    {
        options ??= IdentifyOptions.Default;
        if (Validate(g, y, x, z) is { } error) return IdResult.Invalid(error);
        var graph = g.ProjectLatents();
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

        var descendants = graph.Descendants(x);
        var conditionedDescendants = z.Intersect(descendants);
        if (!conditionedDescendants.IsEmpty)
            notes.Add($"the conditioning set contains {Show(conditionedDescendants)}, affected by the treatment; the answer is P(y | do(x), z) as asked, an effect within strata of a post-treatment variable, not the total effect of {Show(x)}");

        try
        {
            var idGraph = new IdGraph(graph);
            var ctx = new IdContext(idGraph, options.MaxSteps, options.Explain, ct);
            var v = idGraph.All;
            var p = Dist.Joint((Prob)Est.P(graph.AllNodes), v);
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
            var derivation = ctx.Steps.ToImmutableArray();
            if (outcome.Hedge is { } hedge)
                return new IdResult(IdStatus.NotIdentifiable, null, null, hedge, [], derivation, notes.ToImmutable(), null);
            var estimand = outcome.Estimand!;
            if (options.Simplify)
            {
                var simplified = Simplifier.Simplify(estimand);
                if (options.Explain && !simplified.Equals(estimand))
                    derivation = derivation.Add(new DerivationStep("simplify",
                        "value-preserving rewrites: chain rule, Σ_v P(v | …) = 1, cancelling common factors", simplified));
                estimand = simplified;
            }
            // Readability: a summed name that is also free outside becomes a primed copy (x').
            estimand = BoundNames.PrimeShadowed(estimand, y.Union(x).Union(z));
            return new IdResult(IdStatus.Identifiable, estimand, strategy, null, [], derivation, notes.ToImmutable(), null);
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
