using CausalQL.Estimands;

namespace CausalQL.Execution;

public static partial class Estimation
{
    /// <summary>
    /// E-value (VanderWeele &amp; Ding 2017): the minimum strength of association, on the risk-ratio
    /// scale, that an unmeasured confounder would need with both treatment and outcome to explain
    /// the estimate away. Binary outcomes use the risk ratio of the two means; other outcomes the
    /// standardised difference d = effect / sd(Y), converted with RR ≈ exp(0.91·d).
    /// </summary>
    public static EValue? ComputeEValue(EstimateResult estimate, bool binaryOutcome)
    {
        double Rr(double effect) => binaryOutcome && estimate.MeanControl is { } m0 && m0 > 0
            ? (m0 + effect) / m0
            : estimate.OutcomeSd is { } sd && sd > 0 ? Math.Exp(0.91 * effect / sd) : double.NaN;
        var point = Rr(estimate.Value);
        if (!double.IsFinite(point)) return null;
        double? ci = null;
        if (estimate.Interval is { } iv)
        {
            if (iv.Contains(0)) ci = 1;
            else ci = EValueOf(Rr(Math.Abs(iv.Lo) < Math.Abs(iv.Hi) ? iv.Lo : iv.Hi));
        }
        return new EValue(EValueOf(point), ci, binaryOutcome && estimate.MeanControl is > 0 ? "risk ratio" : "standardised mean difference (RR ≈ exp(0.91·d))");
    }

    static double EValueOf(double rr)
    {
        if (rr < 1) rr = 1 / rr;
        return rr + Math.Sqrt(rr * (rr - 1));
    }

    static Diagnostics? WithEValue(EstimateResult result, EstimationRequest r, IDataSource source, Expr? filter, CancellationToken ct)
    {
        var binary = result.MeanTreated is >= 0 and <= 1 && result.MeanControl is >= 0 and <= 1 && result.OutcomeSd is { } sd
            && Math.Abs(sd * sd - result.MeanControl.Value * (1 - result.MeanControl.Value)) < 0.5;
        var e = ComputeEValue(result, binary);
        var d = result.Diagnostics ?? new Diagnostics([], [], null);
        return d with { EValue = e };
    }

    /// <summary>The variables (columns) an estimand reads: its free names and summed names, primes stripped.</summary>
    static IEnumerable<string> EstimandVariables(Estimand e) => e switch
    {
        Prob p => p.Vars.Concat(p.Given).Concat(p.Intervened).Select(v => v.TrimEnd('\'')),
        Sum s => s.Over.Select(v => v.TrimEnd('\'')).Concat(EstimandVariables(s.Body)),
        Product p => p.Factors.SelectMany(EstimandVariables),
        Fraction f => EstimandVariables(f.Numerator).Concat(EstimandVariables(f.Denominator)),
        _ => [],
    };
}
