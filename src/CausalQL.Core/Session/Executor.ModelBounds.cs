using CausalQL.Binding;
using CausalQL.Counterfactuals;
using CausalQL.Syntax;

namespace CausalQL.Sessions;

// A model block's term that its given probabilities do not determine, but bracket: P(a | c) missing while
// P(a | c, w) is given for each level of some W, so P(a | c) is a mixture with unknown weights P(w | c) and
// lies between the w-specific values (TotalProbabilityBounds). Arithmetic carries such bounds only where
// they stay sharp: a sum or difference with at most one bounded operand (the unknown weights then enter once).
public static partial class Executor
{
    /// <summary>P(a | c) on a given model: exact, or sharp total-probability bounds, or the missing-term error.</summary>
    static Answer BracketOnGivenModel(ProbabilityQuery p, GivenModel model)
    {
        var result = TotalProbabilityBounds.Bracket(model, Assign(p.Outcomes), Assign(p.Conditions));
        return result switch
        {
            { Value: { } v } => Answer.Point(v, "from the given probabilities"),
            { Lower: { } lo, Upper: { } hi } => new Answer(null, lo, hi, $"{result.Strategy}: {result.Explanation}"),
            _ => throw new ModelError(result.Explanation),
        };
    }

    /// <summary>Sums, differences and negations whose operands may be bounded; everything else as <see cref="Combine"/>.</summary>
    static Answer CombineBounded(Query query, Func<Query, Answer> evaluate)
    {
        switch (query)
        {
            case NegateQuery n:
                {
                    var a = evaluate(n.Operand);
                    return a.Value is not null ? Answer.Point(-a.Value.Value, "arithmetic") : new Answer(null, -a.Upper, -a.Lower, a.How);
                }
            case ArithmeticQuery { Operator: ArithmeticOperator.Add or ArithmeticOperator.Subtract } s:
                {
                    var (left, right) = (evaluate(s.Left), evaluate(s.Right));
                    var subtract = s.Operator == ArithmeticOperator.Subtract;
                    if (left.Value is { } l && right.Value is { } r) return Answer.Point(subtract ? l - r : l + r, "arithmetic over exact values");
                    if (left.Value is null && right.Value is null)
                        throw new ModelError($"{s.Left} and {s.Right} are both only bounded, so their {(subtract ? "difference" : "sum")} has no sharp bounds from interval arithmetic");
                    var (llo, lhi) = (left.Value ?? left.Lower!.Value, left.Value ?? left.Upper!.Value);
                    var (rlo, rhi) = (right.Value ?? right.Lower!.Value, right.Value ?? right.Upper!.Value);
                    var how = left.Value is null ? left.How : right.How;
                    return subtract ? new Answer(null, llo - rhi, lhi - rlo, how) : new Answer(null, llo + rlo, lhi + rhi, how);
                }
            default:
                return Combine(query, evaluate);
        }
    }
}
