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
    readonly Func<Estimand>? _build;
    Estimand? _expr;
    /// <summary>For the joint shape: the conditioning and intervention context of P(Domain | Given).</summary>
    readonly VarSet _given = VarSet.Empty, _intervened = VarSet.Empty;

    public Estimand Expr => _expr ??= _build!();
    public NodeSet Domain { get; }
    public bool IsJoint { get; }
    public ImmutableArray<ChainFactor> Chain { get; }
    public bool IsChain => !Chain.IsDefault;

    Dist(Estimand? expr, Func<Estimand>? build, NodeSet domain, bool isJoint, ImmutableArray<ChainFactor> chain, VarSet? given = null, VarSet? intervened = null)
    {
        _expr = expr;
        _build = build;
        Domain = domain;
        IsJoint = isJoint;
        Chain = chain;
        _given = given ?? VarSet.Empty;
        _intervened = intervened ?? VarSet.Empty;
    }

    /// <summary>P(domain | given); the term is built only when asked for (large graphs pass it around unread).</summary>
    public static Dist Joint(NodeSet domain, VarSet given, VarSet intervened, IdContext ctx) =>
        new(null, () => domain.IsEmpty ? Est.One : Est.P(ctx.Names(domain), given, intervened), domain, true, default, given, intervened);

    public static Dist Other(Estimand e, NodeSet domain) => new(e, null, domain, false, default);

    public static Dist FromChain(ImmutableArray<ChainFactor> factors, NodeSet domain) =>
        new(Est.Product(factors.Select(f => f.Expr)), null, domain, false, factors);

    /// <summary>Σ_{Domain \ keep} P.</summary>
    public Dist Marginal(NodeSet keep, IdContext ctx)
    {
        keep = keep.Intersect(Domain);
        if (keep == Domain) return this;
        if (IsJoint) return Joint(keep, _given, _intervened, ctx);
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
            var blanket = ctx.G.MarkovBlanket(v, pre.Add(v));
            return Est.P(VarSet.Of(ctx.G.Names[v]), ctx.Names(blanket).Union(_given), _intervened);
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

    /// <summary>The expression (the joint over no variables is 1).</summary>
    public Estimand Value => Expr;
}
