using System.Collections.Immutable;
using CausalQL.Estimands;
using CausalQL.Graphs;

namespace CausalQL.Identification;

/// <summary>A factor of a chain-rule product: a conditional distribution of <see cref="Var"/> (it sums to 1 over Var).</summary>
internal readonly record struct ChainFactor(int Var, Estimand Expr, VarSet Free);

/// <summary>
/// The distribution P that ID threads through its recursion, over the nodes <see cref="Domain"/>
/// (other names in it are fixed values). Three shapes, so that margins and conditionals stay small:
/// a plain observational term P(V | C) (<see cref="IsJoint"/>); a chain-rule product whose factors each
/// sum to one over their own variable (<see cref="Chain"/>), from which trailing factors drop out when
/// summed; and any other expression.
/// </summary>
internal sealed class Dist
{
    public Estimand Expr { get; }
    public NodeSet Domain { get; }
    public bool IsJoint { get; }
    public ImmutableArray<ChainFactor> Chain { get; }
    public bool IsChain => !Chain.IsDefault;

    Dist(Estimand expr, NodeSet domain, bool isJoint, ImmutableArray<ChainFactor> chain)
    {
        Expr = expr;
        Domain = domain;
        IsJoint = isJoint;
        Chain = chain;
    }

    public static Dist Joint(Prob p, NodeSet domain) => new(p, domain, true, default);

    public static Dist Other(Estimand e, NodeSet domain) => new(e, domain, false, default);

    public static Dist FromChain(ImmutableArray<ChainFactor> factors, NodeSet domain) =>
        new(Est.Product(factors.Select(f => f.Expr)), domain, false, factors);

    /// <summary>Σ_{Domain \ keep} P.</summary>
    public Dist Marginal(NodeSet keep, IdContext ctx)
    {
        keep = keep.Intersect(Domain);
        if (keep == Domain) return this;
        if (IsJoint)
        {
            var p = (Prob)Expr;
            var vars = ctx.Names(keep);
            return Joint(vars.IsEmpty ? JointOne : (Prob)Est.P(vars, p.Given, p.Intervened), keep);
        }
        var over = Domain.Except(keep);
        if (IsChain)
        {
            // Drop factors of summed variables that no other remaining factor mentions (Σ_v P(v | …) = 1).
            var factors = Chain.ToList();
            var removed = true;
            while (removed)
            {
                removed = false;
                for (var i = factors.Count - 1; i >= 0; i--)
                {
                    var f = factors[i];
                    if (!over.Contains(f.Var)) continue;
                    var name = ctx.G.Names[f.Var];
                    var usedElsewhere = false;
                    for (var k = 0; k < factors.Count && !usedElsewhere; k++)
                        if (k != i && factors[k].Free.Contains(name)) usedElsewhere = true;
                    if (usedElsewhere) continue;
                    factors.RemoveAt(i);
                    over = over.Remove(f.Var);
                    removed = true;
                }
            }
            ctx.Spend(factors.Count);
            if (over.IsEmpty) return FromChain([.. factors], keep);
            return Other(Simplifier.SumOf(Est.Product(factors.Select(f => f.Expr)), ctx.Names(over)), keep);
        }
        return Other(Simplifier.SumOf(Expr, ctx.Names(over)), keep);
    }

    // P() over no variables: a joint over the empty set is the constant 1; kept as a Prob-free marker.
    static readonly Prob JointOne = new(VarSet.Empty, VarSet.Empty, VarSet.Empty);

    /// <summary>P(v | pre) computed from this distribution; it sums to one over v.</summary>
    public Estimand Conditional(int v, NodeSet pre, IdContext ctx)
    {
        ctx.Spend(1 + pre.Count);
        if (IsJoint)
        {
            // A margin of the observational joint over an ancestral set is Markov to the induced
            // subgraph, and pre ∪ {v} is ancestral with v childless in it, so by the ordered local
            // Markov property (Richardson 2003) P(v | pre) = P(v | mb(v)), mb(v) = the district of v
            // in G[pre ∪ {v}] with its parents. This keeps terms short on large graphs.
            var p = (Prob)Expr;
            var blanket = ctx.G.MarkovBlanket(v, pre.Add(v));
            return Est.P(VarSet.Of(ctx.G.Names[v]), ctx.Names(blanket).Union(p.Given), p.Intervened);
        }
        var numerator = Marginal(pre.Add(v), ctx);
        var denominator = numerator.Marginal(pre, ctx);
        if (numerator.IsChain && denominator.IsChain)
        {
            var kept = new HashSet<int>(denominator.Chain.Select(f => f.Var));
            return Est.Product(numerator.Chain.Where(f => !kept.Contains(f.Var)).Select(f => f.Expr));
        }
        return Simplifier.QuotientOf(numerator.Expr, denominator.Expr);
    }

    /// <summary>The expression, with the empty joint read as 1.</summary>
    public Estimand Value => Expr is Prob { Vars.IsEmpty: true } ? Est.One : Expr;
}
