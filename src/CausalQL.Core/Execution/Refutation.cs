namespace CausalQL.Execution;

public enum RefutationKind { Placebo, RandomCommonCause, Subset }

public static partial class Estimation
{
    /// <summary>
    /// DoWhy's refuters as checks on an estimate: replace the treatment by a permuted copy (the
    /// effect should vanish), add an independent random common cause (the effect should not move),
    /// or re-estimate on a random 80% subset (it should stay within sampling error). The columns
    /// the request reads are brought into memory once (bounded by MaxRowsInMemory).
    /// </summary>
    public static Result<RefutationResult> Refute(EstimationRequest request, IDataSource source, RefutationKind kind, int seed = 0, CancellationToken cancellationToken = default)
    {
        var plain = request with { Options = request.Options with { Bootstrap = 0, By = [] } };
        var original = Estimate(plain, source, cancellationToken);
        if (!original.IsOk) return original.Error;
        var columns = RequestColumns(plain).Concat(FormulaColumns(plain)).Distinct().ToList();
        var table = Materialize(source, columns, null, request.Options.MaxRowsInMemory, cancellationToken);
        if (!table.IsOk) return table.Error;
        var t = table.Value;
        var rng = new Random(seed);
        var orig = original.Value;
        var se = orig.StandardError ?? double.NaN;
        switch (kind)
        {
            case RefutationKind.Placebo:
                {
                    var column = t[request.Treatment];
                    var order = Enumerable.Range(0, t.RowCount).ToArray();
                    rng.Shuffle(order);
                    InMemoryColumn placebo = column switch
                    {
                        NumberColumn n => new NumberColumn("placebo_treatment", order.Select(i => n.Values[i]).ToArray()),
                        TextColumn s => new TextColumn("placebo_treatment", order.Select(i => s.Values[i]).ToArray()),
                        _ => throw new InvalidOperationException(),
                    };
                    var r = Estimate(ReplaceTreatment(plain, "placebo_treatment"), t.With(placebo), cancellationToken);
                    if (!r.IsOk) return r.Error;
                    var passed = r.Value.Interval is { } iv ? iv.Contains(0) : Math.Abs(r.Value.Value) <= 2 * se;
                    return new RefutationResult("placebo", orig.Value, r.Value.Value, r.Value.Interval, passed,
                        passed ? "with a permuted treatment the effect is indistinguishable from 0, as it should be"
                               : "a permuted (placebo) treatment still shows an effect: the estimate may come from the model or the data, not the treatment");
                }
            case RefutationKind.RandomCommonCause:
                {
                    var discrete = original.Value.Method == "plugin";
                    var values = Enumerable.Range(0, t.RowCount).Select(_ => discrete ? (rng.NextDouble() < 0.5 ? 1.0 : 0.0) : NextNormal(rng)).ToArray();
                    var withCause = plain with
                    {
                        Adjustment = [.. plain.Adjustment, "random_common_cause"],
                        Method = MethodOf(orig, plain),
                        Options = plain.Options with
                        {
                            OutcomeModel = plain.Options.OutcomeModel is { } o ? o + " + random_common_cause" : null,
                            TreatmentModel = plain.Options.TreatmentModel is { } m ? m + " + random_common_cause" : null,
                        },
                    };
                    var r = Estimate(withCause, t.With(new NumberColumn("random_common_cause", values)), cancellationToken);
                    if (!r.IsOk) return r.Error;
                    var shift = Math.Abs(r.Value.Value - orig.Value);
                    var passed = double.IsNaN(se) ? shift <= 0.05 * Math.Abs(orig.Value) : shift <= se;
                    return new RefutationResult("random_common_cause", orig.Value, r.Value.Value, r.Value.Interval, passed,
                        passed ? "adding an independent random common cause leaves the estimate where it was"
                               : "an independent random covariate moved the estimate by more than one standard error: the estimate is fragile");
                }
            default:
                {
                    var weights = Enumerable.Range(0, t.RowCount).Select(i => rng.NextDouble() < 0.8 ? t.Weight(i) : 0).ToArray();
                    var r = Estimate(plain with { Method = MethodOf(orig, plain) }, t.WithWeights(weights), cancellationToken);
                    if (!r.IsOk) return r.Error;
                    // A random 80% subset: the estimate's sd grows by √(1/0.8); the difference from the full-data one has sd ≈ SE·√(0.25).
                    var passed = double.IsNaN(se) ? Math.Abs(r.Value.Value - orig.Value) <= 0.1 * Math.Abs(orig.Value) : Math.Abs(r.Value.Value - orig.Value) <= 3 * se * 0.5;
                    return new RefutationResult("subset", orig.Value, r.Value.Value, r.Value.Interval, passed,
                        passed ? "on a random 80% subset the estimate stays within sampling error"
                               : "on a random 80% subset the estimate moves more than sampling error allows");
                }
        }
    }

    static EstimationMethod MethodOf(EstimateResult result, EstimationRequest request) =>
        request.Method != EstimationMethod.Auto ? request.Method
        : result.Method.StartsWith("plugin", StringComparison.Ordinal) ? EstimationMethod.Plugin
        : result.Method.StartsWith("regression", StringComparison.Ordinal) ? EstimationMethod.Regression
        : result.Method.StartsWith("ipw", StringComparison.Ordinal) ? EstimationMethod.Ipw
        : result.Method.StartsWith("aipw", StringComparison.Ordinal) ? EstimationMethod.Aipw
        : result.Method.StartsWith("iv", StringComparison.Ordinal) ? EstimationMethod.Iv
        : EstimationMethod.FrontDoor;

    static EstimationRequest ReplaceTreatment(EstimationRequest r, string placebo)
    {
        string? Swap(string? formula) => formula is null ? null : System.Text.RegularExpressions.Regex.Replace(formula, $@"\b{System.Text.RegularExpressions.Regex.Escape(r.Treatment)}\b", placebo);
        return r with
        {
            Treatment = placebo,
            Estimand = null,
            Method = r.Estimand is not null ? EstimationMethod.Plugin : r.Method,
            Options = r.Options with { OutcomeModel = Swap(r.Options.OutcomeModel) },
        };
    }

    static double NextNormal(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
