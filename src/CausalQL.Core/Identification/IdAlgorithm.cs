using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using CausalQL.Estimands;
using CausalQL.Graphs;

namespace CausalQL.Identification;

/// <summary>Raised inside the algorithms when the work budget runs out; the facade turns it into a result.</summary>
internal sealed class BudgetExhaustedException(string message) : Exception(message);

/// <summary>Shared state of one identification run: the graph, the budget, the derivation being written.</summary>
internal sealed class IdContext(IdGraph g, long maxSteps, bool explain, CancellationToken ct)
{
    public IdGraph G { get; } = g;
    public bool Explain { get; } = explain;
    public List<DerivationStep> Steps { get; } = [];
    public long Used { get; private set; }
    readonly Dictionary<NodeSet, VarSet> _names = [];

    public void Spend(long units)
    {
        Used += units;
        if (Used > maxSteps) throw new BudgetExhaustedException($"the identification budget of {maxSteps:N0} steps ran out");
        if ((Used & 0xFF) < units || units > 0xFF) ct.ThrowIfCancellationRequested();
    }

    public VarSet Names(NodeSet s)
    {
        if (s.IsEmpty) return VarSet.Empty;
        if (_names.TryGetValue(s, out var known)) return known;
        return _names[s] = G.ToVarSet(s);
    }

    public string Show(NodeSet s) => "{" + string.Join(", ", G.InOrder(s).Select(i => G.Names[i])) + "}";

    /// <summary>Opens a derivation step; its result is filled in when the step's line finishes.</summary>
    public int Open(string rule, string justification, int depth)
    {
        if (!Explain) return -1;
        Steps.Add(new DerivationStep(rule, justification, null, depth));
        return Steps.Count - 1;
    }

    public void Close(int step, Estimand? result)
    {
        if (step >= 0) Steps[step] = Steps[step] with { Result = result };
    }
}

/// <summary>A call ID(y, x, P, G[V]).</summary>
internal sealed record IdCall(NodeSet Y, NodeSet X, Dist P, NodeSet V);

/// <summary>What one line of ID decides.</summary>
internal abstract record IdMove(string Rule, string Justification)
{
    /// <summary>The line returns this expression.</summary>
    public sealed record Done(Estimand Result, string Rule, string Justification) : IdMove(Rule, Justification);
    /// <summary>The line fails with a hedge (line 5).</summary>
    public sealed record Fail(Hedge Hedge, string Rule, string Justification) : IdMove(Rule, Justification);
    /// <summary>The line returns the result of one recursive call (lines 2, 3, 7).</summary>
    public sealed record Recurse(IdCall Next, string Rule, string Justification) : IdMove(Rule, Justification);
    /// <summary>The line returns Σ_{SumOver} Π of the results of several calls (line 4).</summary>
    public sealed record Factorise(ImmutableArray<IdCall> Calls, NodeSet SumOver, string Rule, string Justification) : IdMove(Rule, Justification);
}

/// <summary>The outcome of ID: an estimand or a hedge.</summary>
internal readonly record struct IdOutcome(Estimand? Estimand, Hedge? Hedge);

/// <summary>
/// The ID algorithm of Shpitser &amp; Pearl (2006, Fig. 3), one function per line. Each line returns
/// null when its condition does not hold, else the move it makes; <see cref="Run"/> tries them in
/// order. Tail recursions (lines 2, 3, 7) run as a loop, so only line 4 nests.
/// </summary>
internal static class IdAlgorithm
{
    public static IdOutcome Run(IdContext ctx, IdCall call, int depth = 0)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var opened = new List<int>();
        while (true)
        {
            // Each line costs about one pass over the current graph.
            ctx.Spend(1 + call.V.Count);
            var move = Line1_NoIntervention(ctx, call)
                ?? Line2_RestrictToAncestors(ctx, call)
                ?? Line3_AddIrrelevantInterventions(ctx, call)
                ?? Line4_FactoriseOverDistricts(ctx, call)
                ?? Line5_Hedge(ctx, call)
                ?? Line6_DistrictOfG(ctx, call)
                ?? Line7_SubDistrict(ctx, call)
                ?? throw new InvalidOperationException("no line of ID applies (C(G \\ X) must be one district by now)");
            opened.Add(ctx.Open(move.Rule, move.Justification, depth));
            switch (move)
            {
                case IdMove.Done done:
                    // A chain of tail calls yields one expression: show it once, at the line that built it.
                    ctx.Close(opened[^1], done.Result);
                    return new IdOutcome(done.Result, null);
                case IdMove.Fail fail:
                    return new IdOutcome(null, fail.Hedge);
                case IdMove.Recurse recurse:
                    call = recurse.Next;
                    continue;
                case IdMove.Factorise split:
                {
                    var results = new List<Estimand>(split.Calls.Length);
                    foreach (var sub in split.Calls)
                    {
                        var outcome = Run(ctx, sub, depth + 1);
                        if (outcome.Hedge is not null) return outcome;
                        results.Add(outcome.Estimand!);
                    }
                    var combined = Simplifier.SumOf(Simplifier.ProductOf(results), ctx.Names(split.SumOver));
                    ctx.Close(opened[^1], combined);
                    return new IdOutcome(combined, null);
                }
            }
        }
    }

    /// <summary>Line 1: if x = ∅, return Σ_{v \ y} P(v).</summary>
    public static IdMove? Line1_NoIntervention(IdContext ctx, IdCall c)
    {
        if (!c.X.IsEmpty) return null;
        var result = c.P.Marginal(c.Y, ctx).Value;
        return new IdMove.Done(result, "ID line 1",
            $"no intervention left: the margin of P over {ctx.Show(c.Y)}");
    }

    /// <summary>Line 2: if V ≠ An(Y), return ID(y, x ∩ An(Y), Σ_{V \ An(Y)} P, G[An(Y)]).</summary>
    public static IdMove? Line2_RestrictToAncestors(IdContext ctx, IdCall c)
    {
        var an = ctx.G.Ancestors(c.Y, c.V);
        if (an == c.V) return null;
        var dropped = c.V.Except(an);
        return new IdMove.Recurse(new IdCall(c.Y, c.X.Intersect(an), c.P.Marginal(an, ctx), an), "ID line 2",
            $"{ctx.Show(dropped)} are not ancestors of {ctx.Show(c.Y)}: sum them out and drop interventions on them (do-calculus rule 3)");
    }

    /// <summary>Line 3: W = (V \ X) \ An(Y) in G_{\bar X}; if W ≠ ∅, return ID(y, x ∪ w, P, G).</summary>
    public static IdMove? Line3_AddIrrelevantInterventions(IdContext ctx, IdCall c)
    {
        var anCut = ctx.G.Ancestors(c.Y, c.V, cutIncoming: c.X);
        var w = c.V.Except(c.X).Except(anCut);
        if (w.IsEmpty) return null;
        return new IdMove.Recurse(new IdCall(c.Y, c.X.Union(w), c.P, c.V), "ID line 3",
            $"(Y ⊥ W | X) in G_bar(X,W) for W = {ctx.Show(w)} (not ancestors of Y once X is cut): add do(W) (do-calculus rule 3)");
    }

    /// <summary>Line 4: if C(G \ X) = {S_1, …, S_k} with k > 1, return Σ_{v \ (y ∪ x)} Π_i ID(s_i, v \ s_i, P, G).</summary>
    public static IdMove? Line4_FactoriseOverDistricts(IdContext ctx, IdCall c)
    {
        var districts = ctx.G.Districts(c.V.Except(c.X));
        if (districts.Count <= 1) return null;
        var calls = districts.Select(s => new IdCall(s, c.V.Except(s), c.P, c.V)).ToImmutableArray();
        return new IdMove.Factorise(calls, c.V.Except(c.Y.Union(c.X)), "ID line 4",
            $"C(G \\ X) = {string.Join(", ", districts.Select(ctx.Show))}: the effect factorises over these districts (c-component factorisation)");
    }

    /// <summary>Line 5: if C(G \ X) = {S} and C(G) = {G}, fail with the hedge (G, S).</summary>
    public static IdMove? Line5_Hedge(IdContext ctx, IdCall c)
    {
        var s = c.V.Except(c.X);
        if (!IsOneDistrict(ctx, s) || ctx.G.District(c.V.First(), c.V) != c.V) return null;
        var hedge = new Hedge(ctx.Names(c.V), ctx.Names(s), ctx.Names(c.Y), ctx.Names(c.X));
        return new IdMove.Fail(hedge, "ID line 5",
            $"G = {ctx.Show(c.V)} is a single district and so is S = {ctx.Show(s)}: the pair (F, F') = (G, S) forms a hedge for the effect of {ctx.Show(c.X)} on {ctx.Show(c.Y)}");
    }

    /// <summary>Line 6: if S ∈ C(G), return Σ_{s \ y} Π_{V_i ∈ S} P(v_i | v_π^(i-1)).</summary>
    public static IdMove? Line6_DistrictOfG(IdContext ctx, IdCall c)
    {
        var s = c.V.Except(c.X);
        if (!IsOneDistrict(ctx, s) || ctx.G.District(s.First(), c.V) != s) return null;
        var chain = ChainOver(ctx, c, s);
        var result = Dist.FromChain(chain, s).Marginal(c.Y, ctx).Value;
        return new IdMove.Done(result, "ID line 6",
            $"S = {ctx.Show(s)} is a district of G: P_(v\\s)(s) = Π_(V_i in S) P(v_i | v_π^(i-1)) (Tian & Pearl c-component identification)");
    }

    /// <summary>Line 7: if S ⊂ S' ∈ C(G), return ID(y, x ∩ S', Π_{V_i ∈ S'} P(V_i | V_π^(i-1) ∩ S', v_π^(i-1) \ S'), G[S']).</summary>
    public static IdMove? Line7_SubDistrict(IdContext ctx, IdCall c)
    {
        var s = c.V.Except(c.X);
        if (!IsOneDistrict(ctx, s)) return null;
        var sPrime = ctx.G.District(s.First(), c.V);
        if (sPrime == s || !s.IsSubsetOf(sPrime)) return null;
        var chain = ChainOver(ctx, c, sPrime);
        return new IdMove.Recurse(new IdCall(c.Y, c.X.Intersect(sPrime), Dist.FromChain(chain, sPrime), sPrime), "ID line 7",
            $"S = {ctx.Show(s)} lies inside the district S' = {ctx.Show(sPrime)} of G: recurse in G[S'] with P' = Π_(V_i in S') P(V_i | V_π^(i-1)), the rest held at its values");
    }

    /// <summary>C(G[s]) = {s}: lines 5 to 7 apply only then.</summary>
    static bool IsOneDistrict(IdContext ctx, NodeSet s) => !s.IsEmpty && ctx.G.District(s.First(), s) == s;

    /// <summary>The factors P(v_i | v_π^(i-1)) of P for the members of <paramref name="members"/>, in topological order.</summary>
    static ImmutableArray<ChainFactor> ChainOver(IdContext ctx, IdCall c, NodeSet members)
    {
        var factors = ImmutableArray.CreateBuilder<ChainFactor>(members.Count);
        var before = NodeSet.Empty;
        foreach (var v in ctx.G.InOrder(c.V))
        {
            if (members.Contains(v))
            {
                var expr = c.P.Conditional(v, before, ctx);
                factors.Add(new ChainFactor(v, expr, EstimandEvaluator.FreeVariables(expr)));
            }
            before = before.Add(v);
        }
        return factors.MoveToImmutable();
    }
}
