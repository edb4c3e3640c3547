using CausalQL.Estimands;
using CausalQL.Identification;
using static CausalQL.Tests.Identification.TestGraphs;

namespace CausalQL.Tests.Identification;

/// <summary>Each line of ID (Shpitser &amp; Pearl 2006, Fig. 3) alone: when it applies and what it returns.</summary>
public class IdLineTests
{
    [Fact]
    public void Line1_without_intervention_returns_the_margin()
    {
        var (ctx, g) = Context(FrontDoorGraph);
        var move = IdAlgorithm.Line1_NoIntervention(ctx, Call(ctx, g, ["Y"], []));
        var done = Assert.IsType<IdMove.Done>(move);
        Assert.Equal(Est.P("Y"), done.Result);
        Assert.Null(IdAlgorithm.Line1_NoIntervention(ctx, Call(ctx, g, ["Y"], ["X"])));
    }

    [Fact]
    public void Line2_restricts_to_the_ancestors_of_the_outcome()
    {
        // P(M | do(X)) in the front-door graph: Y is not an ancestor of M.
        var (ctx, g) = Context(FrontDoorGraph);
        var recurse = Assert.IsType<IdMove.Recurse>(IdAlgorithm.Line2_RestrictToAncestors(ctx, Call(ctx, g, ["M"], ["X"])));
        Assert.Equal(S("M", "X"), ctx.Names(recurse.Next.V));
        Assert.Equal(S("X"), ctx.Names(recurse.Next.X));
        Assert.Equal(Est.P("M", "X"), recurse.Next.P.Expr);
        Assert.Null(IdAlgorithm.Line2_RestrictToAncestors(ctx, Call(ctx, g, ["Y"], ["X"])));
    }

    [Fact]
    public void Line3_adds_interventions_that_cannot_reach_the_outcome_once_X_is_cut()
    {
        // Napkin: with X's incoming edges cut, W1 and W2 are not ancestors of Y.
        var (ctx, g) = Context(Napkin);
        var recurse = Assert.IsType<IdMove.Recurse>(IdAlgorithm.Line3_AddIrrelevantInterventions(ctx, Call(ctx, g, ["Y"], ["X"])));
        Assert.Equal(S("W1", "W2", "X"), ctx.Names(recurse.Next.X));
        Assert.Null(IdAlgorithm.Line3_AddIrrelevantInterventions(ctx, Call(ctx, g, ["Y"], ["X", "W1", "W2"])));
    }

    [Fact]
    public void Line4_factorises_over_the_districts_of_G_without_X()
    {
        var (ctx, g) = Context(FrontDoorGraph);
        var split = Assert.IsType<IdMove.Factorise>(IdAlgorithm.Line4_FactoriseOverDistricts(ctx, Call(ctx, g, ["Y"], ["X"])));
        Assert.Equal(2, split.Calls.Length);
        Assert.Equal(S("M"), ctx.Names(split.Calls[0].Y));
        Assert.Equal(S("X", "Y"), ctx.Names(split.Calls[0].X));
        Assert.Equal(S("Y"), ctx.Names(split.Calls[1].Y));
        Assert.Equal(S("M"), ctx.Names(split.SumOver));
        // The bow graph without X is one district.
        var (bowCtx, bow) = Context(Bow);
        Assert.Null(IdAlgorithm.Line4_FactoriseOverDistricts(bowCtx, Call(bowCtx, bow, ["Y"], ["X"])));
    }

    [Fact]
    public void Line5_fails_with_the_hedge_when_G_is_one_district()
    {
        var (ctx, g) = Context(Bow);
        var fail = Assert.IsType<IdMove.Fail>(IdAlgorithm.Line5_Hedge(ctx, Call(ctx, g, ["Y"], ["X"])));
        Assert.Equal(S("X", "Y"), fail.Hedge.F);
        Assert.Equal(S("Y"), fail.Hedge.FPrime);
        var (fdCtx, fd) = Context(FrontDoorGraph);
        Assert.Null(IdAlgorithm.Line5_Hedge(fdCtx, Call(fdCtx, fd, ["Y"], ["X", "M"])));
    }

    [Fact]
    public void Line6_returns_the_chain_product_when_S_is_a_district_of_G()
    {
        // S = {Y} is a district of G; its factor P(Y | X, M, M2) reduces to the Markov blanket of Y
        // among its predecessors (its parents M and M2). In the front-door graph S = {Y} is not a district.
        var (ctx, g) = Context(G("X -> M", "M -> Y", "X <-> M2", "M2 -> Y"));
        var done = Assert.IsType<IdMove.Done>(IdAlgorithm.Line6_DistrictOfG(ctx, Call(ctx, g, ["Y"], ["X", "M", "M2"])));
        Assert.Equal(Est.P(S("Y"), S("M", "M2")), done.Result);
        var (fdCtx, fd) = Context(FrontDoorGraph);
        Assert.Null(IdAlgorithm.Line6_DistrictOfG(fdCtx, Call(fdCtx, fd, ["Y"], ["X", "M"])));
    }

    [Fact]
    public void Line7_recurses_into_the_district_that_contains_S()
    {
        var (ctx, g) = Context(Napkin);
        var recurse = Assert.IsType<IdMove.Recurse>(IdAlgorithm.Line7_SubDistrict(ctx, Call(ctx, g, ["Y"], ["X", "W1", "W2"])));
        Assert.Equal(S("W1", "X", "Y"), ctx.Names(recurse.Next.V));
        Assert.Equal(S("W1", "X"), ctx.Names(recurse.Next.X));
        // P' = P(W1) P(X | W1, W2) P(Y | W1, W2, X), W2 held at its value.
        Assert.Equal(Est.Product(Est.P("W1"), Est.P(S("X"), S("W1", "W2")), Est.P(S("Y"), S("W1", "W2", "X"))), recurse.Next.P.Expr);
        Assert.Null(IdAlgorithm.Line7_SubDistrict(ctx, Call(ctx, g, ["Y"], ["X"])));
    }

    [Fact]
    public void The_lines_together_give_the_front_door_formula()
    {
        var (ctx, g) = Context(FrontDoorGraph);
        var outcome = IdAlgorithm.Run(ctx, Call(ctx, g, ["Y"], ["X"]));
        Assert.Null(outcome.Hedge);
        // Σ_M P(M | X) Σ_X' ... evaluated numerically below; structurally it has two factors under Σ_M.
        Assert.Equal(S("X", "Y"), EstimandEvaluator.FreeVariables(outcome.Estimand!));
    }
}
