using CausalQL.Estimands;

namespace CausalQL.Execution;

public static partial class Estimation
{
    /// <summary>
    /// Exact plug-in of an identified estimand of P(Y | do(T)) on discrete data: one contingency
    /// table over every variable it mentions (a single GROUP BY), then the estimand evaluator on
    /// the empirical distribution; E[Y | do(t)] = Σ_y y·P̂(y | do(t)). Bootstrap replicates resample
    /// the table (multinomial), never the rows.
    /// </summary>
    static Result<EstimateResult> PluginEstimand(EstimationRequest r, IDataSource source, Expr? filter, CancellationToken ct)
    {
        var estimand = r.Estimand!;
        var variables = new List<string> { r.Treatment, r.Outcome };
        variables.AddRange(EstimandVariables(estimand).Distinct().Where(v => !variables.Contains(v)));
        var counted = CountsChecked(r, source, filter, variables, ct);
        if (!counted.IsOk) return counted.Error;
        var (table, warnings, yValues) = counted.Value;
        var t1 = table.Code(r.Treatment, r.TreatedValue);
        var t0 = table.Code(r.Treatment, r.ControlValue);
        // Free names other than T and Y (the peer leaves some): bind them to their first level; the value must not depend on them.
        var free = EstimandEvaluator.FreeVariables(estimand).Where(v => v != r.Treatment && v != r.Outcome).ToList();

        Result<(double Mu1, double Mu0)> Evaluate(ContingencyTable t)
        {
            var mus = new double[2];
            var codes = new[] { t1, t0 };
            for (var a = 0; a < 2; a++)
            {
                double mu = 0;
                for (var y = 0; y < yValues.Length; y++)
                {
                    var bindings = new Dictionary<string, int> { [r.Treatment] = codes[a], [r.Outcome] = y };
                    foreach (var v in free) bindings[v] = 0;
                    if (!EstimandEvaluator.TryEvaluate(estimand, bindings, t, out var p, out var error))
                        return Result<(double, double)>.Fail($"the estimand cannot be evaluated on these data: {error}");
                    mu += yValues[y] * p;
                }
                mus[a] = mu;
            }
            return (mus[0], mus[1]);
        }

        var point = Evaluate(table);
        if (!point.IsOk) return point.Error;
        var (mu1, mu0) = point.Value;
        var result = new EstimateResult
        {
            Value = mu1 - mu0,
            Method = "plugin",
            N = table.Total,
            DroppedRows = (long)Math.Round(table.Missing),
            EstimandText = $"E[{r.Outcome} | do({r.Treatment}={r.TreatedValue})] − E[{r.Outcome} | do({r.Treatment}={r.ControlValue})] with P({r.Outcome} | do({r.Treatment})) = {estimand}",
            Warnings = warnings,
            MeanTreated = mu1,
            MeanControl = mu0,
            IntervalMethod = "none (ask for bootstrap = N)",
        };
        if (r.Options.Bootstrap <= 0) return result;
        var rng = new Random(r.Options.Seed);
        var values = new List<double>();
        var failures = 0;
        for (var b = 0; b < r.Options.Bootstrap; b++)
        {
            ct.ThrowIfCancellationRequested();
            var replicate = Evaluate(table.Resample(rng));
            if (replicate.IsOk && double.IsFinite(replicate.Value.Mu1 - replicate.Value.Mu0)) values.Add(replicate.Value.Mu1 - replicate.Value.Mu0);
            else failures++;
        }
        return AttachBootstrap(result, values, failures, r);
    }
}
