namespace CausalQL.Identification;

using CausalQL.Estimands;

/// <summary>
/// IDC (Shpitser &amp; Pearl 2006, conditional effects): move every conditioning variable that rule 2
/// allows into the intervention, then P(y | do(x), z) = P'(y, z) / Σ_y P'(y, z) with P' = ID(y ∪ z, x).
/// </summary>
internal static class IdcAlgorithm
{
    public static IdOutcome Run(IdContext ctx, NodeSet y, NodeSet x, NodeSet z, Dist p, NodeSet v)
    {
        var moved = true;
        while (moved)
        {
            moved = false;
            foreach (var zi in ctx.G.InOrder(z))
            {
                ctx.Spend(1);
                if (!RuleTwoApplies(ctx, y, x, z, zi, v)) continue;
                var rest = z.Remove(zi);
                ctx.Close(ctx.Open("IDC line 1 (do-calculus rule 2)",
                    $"(Y ⊥ {ctx.G.Names[zi]} | {ShowUnion(ctx, x, rest)}) in G_bar(X)_underline({ctx.G.Names[zi]}): conditioning on {ctx.G.Names[zi]} equals intervening on it", 0), null);
                x = x.Add(zi);
                z = rest;
                moved = true;
                break;
            }
        }
        var inner = IdAlgorithm.Run(ctx, new IdCall(y.Union(z), x, p, v));
        if (inner.Hedge is not null || z.IsEmpty) return inner;
        var joint = inner.Estimand!;
        var result = Simplifier.QuotientOf(joint, Simplifier.SumOf(joint, ctx.Names(y)));
        ctx.Close(ctx.Open("IDC line 2",
            $"no conditioning variable can be moved: P(y | do(x), z) = P_x(y, z) / Σ_y P_x(y, z) with z = {ctx.Show(z)}", 0), result);
        return new IdOutcome(result, null);
    }

    /// <summary>(Y ⊥ Z_i | X, Z \ {Z_i}) in G_{\bar X \underline{Z_i}}.</summary>
    internal static bool RuleTwoApplies(IdContext ctx, NodeSet y, NodeSet x, NodeSet z, int zi, NodeSet v) =>
        ctx.G.Separated(y, NodeSet.Single(zi), x.Union(z.Remove(zi)), v, cutIncoming: x, cutOutgoing: NodeSet.Single(zi));

    static string ShowUnion(IdContext ctx, NodeSet a, NodeSet b)
    {
        var u = a.Union(b);
        return u.IsEmpty ? "∅" : string.Join(", ", ctx.G.InOrder(u).Select(i => ctx.G.Names[i]));
    }
}
