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
        if (r.Options.Bootstrap <= 0)
        {
            var occupied = table.Cells.Count(c => c > 0);
            if (occupied > MaxDeltaMethodCells)
                return result with { IntervalMethod = $"none: {occupied} occupied cells are too many for the delta method (ask for bootstrap = N)" };
            // The effect and the treated mean from the same evaluations: a single mean (P(Y = 1 | do(X = 1))) gets its interval too.
            var se = DeltaMethodSe(table, t => Evaluate(t) is { IsOk: true } e ? [e.Value.Mu1 - e.Value.Mu0, e.Value.Mu1] : [double.NaN, double.NaN], r, ct);
            return se is [var effectSe, var meanSe]
                ? result with
                {
                    StandardError = effectSe, Interval = Wald(result.Value, effectSe, r),
                    MeanTreatedInterval = Wald(mu1, meanSe, r),
                    IntervalMethod = "normal, delta method over the multinomial cell proportions",
                }
                : result;
        }
        var rng = new Random(r.Options.Seed);
        var values = new List<double>();
        var failures = 0;
        for (var b = 0; b < r.Options.Bootstrap; b++)
        {
            ct.ThrowIfCancellationRequested();
            Progress(r, "bootstrap", b, r.Options.Bootstrap);
            var replicate = Evaluate(table.Resample(rng));
            if (replicate.IsOk && double.IsFinite(replicate.Value.Mu1 - replicate.Value.Mu0)) values.Add(replicate.Value.Mu1 - replicate.Value.Mu0);
            else failures++;
        }
        Done(r, "bootstrap");
        return AttachBootstrap(result, values, failures, r);
    }

    /// <summary>
    /// Occupied cells beyond which the delta method's two evaluations of the estimand per cell cost more than a
    /// bootstrap of a few hundred replicates would (each evaluation re-projects the table's marginals).
    /// </summary>
    const int MaxDeltaMethodCells = 512;

    /// <summary>
    /// Delta-method standard errors of functionals ψ_k of the cell proportions p̂ of a multinomial table:
    /// Var ψ(p̂) ≈ ∇ψ' Σ ∇ψ with Σ = (diag p − p p')/n, i.e. (Σ p_i g_i² − (Σ p_i g_i)²)/n. The gradient is taken
    /// numerically (central differences) on the counts: f(c) = ψ(c/Σc) has ∂f/∂c_i = (g_i − Σ_j p_j g_j)/n, a shift of g
    /// the variance does not see, so no renormalisation is needed. Empty cells have no variance and are skipped.
    /// Null when ψ is not finite nearby.
    /// </summary>
    static double[]? DeltaMethodSe(ContingencyTable table, Func<ContingencyTable, double[]> psi, EstimationRequest r, CancellationToken ct)
    {
        var cells = table.Cells;
        var n = table.Total;
        var occupied = Enumerable.Range(0, cells.Length).Where(i => cells[i] > 0).ToArray();
        if (n <= 1) return null;
        var work = (double[])cells.Clone();
        double[]? sum = null, sumSquares = null;
        for (var k = 0; k < occupied.Length; k++)
        {
            ct.ThrowIfCancellationRequested();
            if ((k & 63) == 0) Progress(r, "delta method", k, occupied.Length);
            var i = occupied[k];
            var h = 1e-4 * cells[i];
            work[i] = cells[i] + h;
            var up = psi(table.WithCells(work));
            work[i] = cells[i] - h;
            var down = psi(table.WithCells(work));
            work[i] = cells[i];
            sum ??= new double[up.Length];
            sumSquares ??= new double[up.Length];
            var p = cells[i] / n;
            for (var f = 0; f < up.Length; f++)
            {
                if (!double.IsFinite(up[f]) || !double.IsFinite(down[f])) return null;
                var g = n * (up[f] - down[f]) / (2 * h);
                sum[f] += p * g;
                sumSquares[f] += p * g * g;
            }
        }
        Done(r, "delta method");
        if (sum is null || sumSquares is null) return null;
        var se = new double[sum.Length];
        for (var f = 0; f < se.Length; f++)
        {
            var variance = (sumSquares[f] - sum[f] * sum[f]) / n;
            if (!double.IsFinite(variance)) return null;
            se[f] = Math.Sqrt(Math.Max(0, variance));
        }
        return se;
    }
}
