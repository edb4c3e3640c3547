using System.Globalization;
using MathNet.Numerics.Distributions;

namespace CausalQL.Execution;

/// <summary>
/// The executor's entry point: checks the columns against what the method needs, applies the
/// missing-value policy, runs the estimator on pushed-down aggregates and attaches an interval
/// and diagnostics. Every failure is an <see cref="ExecError"/> naming the column to blame.
/// </summary>
public static partial class Estimation
{
    public static Result<EstimateResult> Estimate(EstimationRequest request, IDataSource source, CancellationToken cancellationToken = default)
    {
        var overall = EstimateIn(request, source, null, cancellationToken);
        if (!overall.IsOk || request.Options.By.Count == 0) return overall;
        var strata = EstimateByStrata(request, source, cancellationToken);
        if (!strata.IsOk) return strata.Error;
        return overall.Value with { Strata = strata.Value };
    }

    static Result<List<StratumEstimate>> EstimateByStrata(EstimationRequest request, IDataSource source, CancellationToken ct)
    {
        var by = request.Options.By;
        foreach (var b in by)
            if (source.Column(b) is null) return Result<List<StratumEstimate>>.Fail($"stratum column '{b}' does not exist in {source.Description}", b);
        var counts = source.Counts(by, null, ct);
        if (!counts.IsOk) return counts.Error;
        var table = counts.Value;
        var list = new List<StratumEstimate>();
        for (var cell = 0; cell < table.Cells.Length; cell++)
        {
            if (table.Cells[cell] <= 0) continue;
            var labels = new Dictionary<string, string>();
            var rest = cell;
            for (var i = by.Count - 1; i >= 0; i--)
            {
                var k = table.Levels[i].Count;
                labels[by[i]] = table.Levels[i][rest % k];
                rest /= k;
            }
            var filter = Expr.And(by.Select(b => Expr.Level(b, labels[b])).ToArray());
            var inner = EstimateIn(request with { Options = request.Options with { By = [] } }, source, filter, ct);
            if (!inner.IsOk)
                return Result<List<StratumEstimate>>.Fail($"in stratum {string.Join(", ", labels.Select(kv => $"{kv.Key} = {kv.Value}"))}: {inner.Error.Message}", inner.Error.Column);
            list.Add(new StratumEstimate(labels, inner.Value));
        }
        return list;
    }

    static Result<EstimateResult> EstimateIn(EstimationRequest request, IDataSource source, Expr? filter, CancellationToken ct)
    {
        foreach (var c in RequestColumns(request))
            if (source.Column(c) is null)
                return Result<EstimateResult>.Fail($"column '{c}' does not exist in {source.Description} (columns: {string.Join(", ", source.Schema.Select(s => s.Name).Take(40))})", c);
        if (request.Options.ConfidenceLevel is <= 0 or >= 1) return Result<EstimateResult>.Fail("the confidence level must be between 0 and 1");
        if (request.Options.Trim is { } trim && trim is < 0 or >= 0.5) return Result<EstimateResult>.Fail("trim must be in [0, 0.5)");

        var method = request.Method;
        if (method == EstimationMethod.Auto)
        {
            var chosen = ChooseMethod(request, source, filter, ct);
            if (!chosen.IsOk) return chosen.Error;
            method = chosen.Value;
        }
        if (IsAtt(request) && method != EstimationMethod.Ipw)
            return Result<EstimateResult>.Fail($"the effect on the treated (ATT) is available with method ipw only, not {method.ToString().ToLowerInvariant()}");
        var result = method switch
        {
            EstimationMethod.Plugin => Plugin(request, source, filter, ct),
            EstimationMethod.Regression => WithRowBootstrap(request, source, filter, ct, Regression),
            EstimationMethod.Ipw => WithRowBootstrap(request, source, filter, ct, Ipw),
            EstimationMethod.Aipw => WithRowBootstrap(request, source, filter, ct, Aipw),
            EstimationMethod.Iv => WithRowBootstrap(request, source, filter, ct, InstrumentalVariables),
            EstimationMethod.FrontDoor => WithRowBootstrap(request, source, filter, ct, LinearFrontDoor),
            _ => Result<EstimateResult>.Fail("unknown method"),
        };
        if (!result.IsOk) return result;
        return result.Value with { Diagnostics = WithEValue(result.Value, request, source, filter, ct) };
    }

    static bool IsAtt(EstimationRequest r) => r.Options.Target == EffectTarget.Att;

    /// <summary>Every column the request reads.</summary>
    static IEnumerable<string> RequestColumns(EstimationRequest r)
    {
        var cols = new List<string> { r.Treatment, r.Outcome };
        cols.AddRange(r.Adjustment);
        cols.AddRange(r.Instruments);
        cols.AddRange(r.Mediators);
        cols.AddRange(r.Options.By);
        if (r.Estimand is not null) cols.AddRange(EstimandVariables(r.Estimand));
        return cols.Distinct();
    }

    static Result<EstimationMethod> ChooseMethod(EstimationRequest r, IDataSource source, Expr? filter, CancellationToken ct)
    {
        if (r.Estimand is not null) return EstimationMethod.Plugin;
        if (r.Instruments.Count > 0) return EstimationMethod.Iv;
        if (r.Mediators.Count > 0) return EstimationMethod.FrontDoor;
        if (r.Options.OutcomeModel is not null) return EstimationMethod.Regression;
        if (SampleShowsANumericColumn(source, [r.Treatment, r.Outcome, .. r.Adjustment], filter, ct)) return EstimationMethod.Regression;
        var profile = source.Profile([r.Treatment, r.Outcome, .. r.Adjustment], filter, ct);
        if (!profile.IsOk) return profile.Error;
        // Discrete data (0/1 or text everywhere): the exact plug-in; otherwise a model.
        return profile.Value.Columns.All(c => c.Kind != ColumnKind.Numeric) ? EstimationMethod.Plugin : EstimationMethod.Regression;
    }

    /// <summary>
    /// On large data a block sample settles the usual case without a profiling scan: one value other
    /// than 0/1 in a number column makes it numeric in the whole table, so a model is needed. (When
    /// the sample shows only 0/1, the full profile decides.)
    /// </summary>
    static bool SampleShowsANumericColumn(IDataSource source, IReadOnlyList<string> columns, Expr? filter, CancellationToken ct)
    {
        if (!source.SamplesCheaply) return false;
        var numbers = columns.Distinct().Where(c => source.Column(c)?.Storage == StorageType.Number).ToList();
        if (numbers.Count == 0) return false;
        var found = false;
        var sampled = source.SampleRows(numbers.Select(Expr.Col).ToList(), filter, 15_000, 200_000, batch =>
        {
            foreach (var column in batch.Columns)
                for (var i = 0; i < batch.Count && !found; i++)
                    if (!double.IsNaN(column[i]) && column[i] != 0 && column[i] != 1) found = true;
        }, ct);
        return sampled.IsOk && found;
    }

    // ---------------------------------------------------------------- shared preparation

    /// <summary>The rows an estimator will use and what it learnt about them on the way.</summary>
    sealed record Frame(Expr? Filter, TableProfile Profile, long Dropped, List<string> Warnings, Expr Treated, double N);

    /// <summary>
    /// One profiling scan: row counts, missing values (policy applied), outcome and treatment checks.
    /// <paramref name="numeric"/> are columns the method needs as numbers.
    /// </summary>
    static Result<Frame> Prepare(EstimationRequest r, IDataSource source, Expr? filter, IReadOnlyList<string> columns,
        IReadOnlyList<string> numeric, bool binaryTreatment, string methodName, CancellationToken ct)
    {
        var distinct = columns.Distinct().ToList();
        var profiled = source.Profile(distinct, filter, ct);
        if (!profiled.IsOk) return profiled.Error;
        var p = profiled.Value;
        if (p.Rows == 0)
            return Result<Frame>.Fail(filter is null ? $"{source.Description} has no rows" : $"no rows in {source.Description} satisfy {filter}");
        var outcome = p.Column(r.Outcome);
        if (outcome.NonNull == 0) return Result<Frame>.Fail($"all values of outcome '{r.Outcome}' are missing", r.Outcome);
        var treatment = p.Column(r.Treatment);
        if (treatment.NonNull == 0) return Result<Frame>.Fail($"all values of treatment '{r.Treatment}' are missing", r.Treatment);
        foreach (var c in numeric.Distinct())
            if (p.Column(c).Storage == StorageType.Text)
                return Result<Frame>.Fail($"column '{c}' holds text, but {methodName} needs numbers there", c);

        var warnings = new List<string>();
        var missing = p.Columns.Where(c => c.NonNull < p.Rows).ToList();
        var dropped = p.Rows - p.CompleteRows;
        if (dropped > 0)
        {
            var detail = string.Join(", ", missing.Select(c => $"{c.Name}: {p.Rows - c.NonNull}"));
            if (r.Options.Missing == MissingPolicy.Error)
                return Result<Frame>.Fail($"missing values ({detail}) and the missing-value policy is 'error'", missing[0].Name);
            warnings.Add($"dropped {dropped} of {p.Rows} rows with missing values ({detail})");
        }
        var keep = Expr.And([filter, .. missing.Select(c => Expr.NotNull(c.Name))]);
        var treated = Expr.Level(r.Treatment, r.TreatedValue);
        var n = p.CompleteWeight;
        var tp = p.Column(r.Treatment);
        var plainBinary = tp.Kind == ColumnKind.Binary && tp.Storage == StorageType.Number && tp.Min == 0 && tp.Max == 1
            && ContingencyTable.SameLabel(r.TreatedValue, "1") && ContingencyTable.SameLabel(r.ControlValue, "0");
        // A 0/1 column compared as 1 vs 0 (the common case) needs no extra scan for its levels.
        if (binaryTreatment && !plainBinary)
        {
            var levels = source.Counts([r.Treatment], keep, ct);
            if (!levels.IsOk) return levels.Error;
            var t = levels.Value;
            var labels = t.Levels[0];
            if (labels.Count < 2)
                return Result<Frame>.Fail($"treatment '{r.Treatment}' has only one level ({string.Join(", ", labels)}) in the rows used: no contrast can be estimated", r.Treatment);
            foreach (var v in new[] { r.TreatedValue, r.ControlValue })
                if (t.Code(r.Treatment, v) < 0)
                    return Result<Frame>.Fail($"treatment '{r.Treatment}' never takes the value {v} in the rows used (levels: {string.Join(", ", labels)})", r.Treatment);
            if (labels.Count > 2)
            {
                var other = t.Total - t.Cells[t.Code(r.Treatment, r.TreatedValue)] - t.Cells[t.Code(r.Treatment, r.ControlValue)];
                warnings.Add($"treatment '{r.Treatment}' has {labels.Count} levels; only rows with {r.TreatedValue} or {r.ControlValue} are compared ({other} rows left out)");
                keep = Expr.And(keep, Expr.Greater(Expr.Level(r.Treatment, r.TreatedValue) + Expr.Level(r.Treatment, r.ControlValue), 0.5));
                n -= other;
            }
        }
        return new Frame(keep, p, dropped, warnings, treated, n);
    }

    // ---------------------------------------------------------------- the checks of Prepare riding on the estimator's own scan

    /// <summary>
    /// The common case (unweighted rows, a numeric 0/1 treatment compared as 1 vs 0, a numeric outcome)
    /// can skip the profiling scan: its checks become four sums in the estimator's first scan
    /// (<see cref="FusedChecks"/>). Anything unusual they reveal (missing values, one level, no rows)
    /// sends the estimator back to <see cref="Prepare"/>, whose messages stay the only ones users see.
    /// </summary>
    static bool CanFuseChecks(EstimationRequest r, IDataSource source) =>
        source.WeightColumn is null
        && source.Column(r.Treatment)?.Storage == StorageType.Number && source.Column(r.Outcome)?.Storage == StorageType.Number
        && ContingencyTable.SameLabel(r.TreatedValue, "1") && ContingencyTable.SameLabel(r.ControlValue, "0");

    /// <summary>
    /// Complete rows, rows with treatment 0 and 1, rows with outcome 0 and 1: the rows with a missing value
    /// or another value are the row count less these (whole numbers, exact in a double), so each check is a
    /// plain sum of indicators, with no per-row "1 −" or "+" to compute.
    /// </summary>
    static List<Expr> FusedChecks(EstimationRequest r, IReadOnlyList<string> columns) =>
    [
        Expr.And([.. columns.Distinct().Select(Expr.NotNull)])!,
        Expr.Level(r.Treatment, "0"),
        Expr.Level(r.Treatment, "1"),
        Expr.Level(r.Outcome, "0"),
        Expr.Level(r.Outcome, "1"),
    ];

    /// <summary>
    /// The frame <see cref="Prepare"/> would build, read from the sums of <see cref="FusedChecks"/> at
    /// <paramref name="offset"/>; null when the rows need its full treatment (then call it).
    /// </summary>
    static Frame? FusedFrame(EstimationRequest r, IDataSource source, IReadOnlyList<string> columns, Expr? filter, SumsResult s, int offset)
    {
        var rows = s.Rows;
        double treated = s.Sums[offset + 2];
        double incomplete = rows - s.Sums[offset], otherT = rows - (s.Sums[offset + 1] + treated), otherY = rows - (s.Sums[offset + 3] + s.Sums[offset + 4]);
        // Written so that NaN (a missing value inside an indicator) also falls back.
        if (!(rows > 0 && incomplete == 0 && otherT == 0 && treated > 0 && treated < rows)) return null;
        var profiles = columns.Distinct().Select(c =>
            c == r.Treatment ? new ColumnProfile(c, StorageType.Number, rows, 0, 1, true)
            : c == r.Outcome ? new ColumnProfile(c, StorageType.Number, rows, double.NaN, double.NaN, otherY == 0)
            // Other columns: only their completeness is known (their kind is not read by these estimators).
            : new ColumnProfile(c, source.Column(c)!.Storage, rows, double.NaN, double.NaN, false)).ToList();
        var profile = new TableProfile(rows, rows, s.N, s.N, profiles);
        return new Frame(filter, profile, 0, [], Expr.Level(r.Treatment, r.TreatedValue), s.N);
    }

    static double Z(EstimationRequest r) => Normal.InvCDF(0, 1, 0.5 + r.Options.ConfidenceLevel / 2);

    static Interval Wald(double value, double se, EstimationRequest r) => new(value - Z(r) * se, value + Z(r) * se);

    static string Fmt(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    static double NumericLabel(string label, string column, out ExecError? error)
    {
        error = null;
        if (double.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return v;
        error = new ExecError($"the value '{label}' of '{column}' is not a number, but this method needs a numeric treatment", column);
        return double.NaN;
    }

    // ---------------------------------------------------------------- bootstrap for row-level methods

    /// <summary>
    /// Runs a row-level estimator; with `bootstrap = N` brings the needed columns into memory once
    /// (bounded by MaxRowsInMemory) and re-runs it on multinomially reweighted copies.
    /// </summary>
    static Result<EstimateResult> WithRowBootstrap(EstimationRequest r, IDataSource source, Expr? filter, CancellationToken ct,
        Func<EstimationRequest, IDataSource, Expr?, CancellationToken, Result<EstimateResult>> estimator)
    {
        var columns = RequestColumns(r).Concat(FormulaColumns(r)).Distinct().ToList();
        Result<EstimateResult> point;
        // The kept rows go back before the bootstrap brings its own copy into memory.
        using (var kept = Keep(source, columns, filter, r.Options.MaxBytesKept, ct))
            point = estimator(r, (IDataSource?)kept ?? source, filter, ct);
        if (!point.IsOk || r.Options.Bootstrap <= 0) return point;
        var table = Materialize(source, columns, filter, r.Options.MaxRowsInMemory, ct);
        if (!table.IsOk) return table.Error;
        var rng = new Random(r.Options.Seed);
        // Replicates read only the value; the propensity methods start Newton at the full-data fit.
        var inner = r with { Options = r.Options with { Bootstrap = 0, By = [], ValueOnly = true, PropensityStart = point.Value.PropensityFit } };
        var values = new List<double>();
        var failures = 0;
        var baseWeights = Enumerable.Range(0, table.Value.RowCount).Select(i => table.Value.Weight(i)).ToArray();
        for (var b = 0; b < r.Options.Bootstrap; b++)
        {
            ct.ThrowIfCancellationRequested();
            Progress(r, "bootstrap", b, r.Options.Bootstrap);
            var weights = MultinomialWeights(rng, baseWeights);
            var replicate = estimator(inner, table.Value.WithWeights(weights), null, ct);
            if (replicate.IsOk && double.IsFinite(replicate.Value.Value)) values.Add(replicate.Value.Value);
            else failures++;
        }
        Done(r, "bootstrap");
        return AttachBootstrap(point.Value, values, failures, r);
    }

    /// <summary>
    /// The columns held in memory for the estimator's scans, or null to read the source each time. A failure
    /// here is left for the estimator's own first scan to meet and report in its words.
    /// </summary>
    static KeptColumns? Keep(IDataSource source, IReadOnlyList<string> columns, Expr? filter, long maxBytes, CancellationToken ct)
    {
        if (maxBytes <= 0 || source is InMemoryTable) return null;
        var kept = source.Keep(columns, filter, maxBytes, ct);
        return kept.IsOk ? kept.Value : null;
    }

    static IEnumerable<string> FormulaColumns(EstimationRequest r)
    {
        foreach (var text in new[] { r.Options.OutcomeModel, r.Options.TreatmentModel })
            if (text is not null && Formula.Parse(text) is { IsOk: true } f)
                foreach (var c in f.Value.Columns()) yield return c;
    }

    /// <summary>Resample rows with replacement: n draws over rows with probability proportional to their weight.</summary>
    static double[] MultinomialWeights(Random rng, double[] baseWeights)
    {
        // Unit weights (plain rows, the usual case): n uniform draws of a row, one random number each
        // (the conditional-binomial chain costs O(log n) beta draws per row).
        if (baseWeights.All(w => w == 1))
        {
            var counts = new double[baseWeights.Length];
            for (var i = 0; i < baseWeights.Length; i++) counts[rng.Next(baseWeights.Length)]++;
            return counts;
        }
        return Sampling.Multinomial(rng, (long)Math.Round(baseWeights.Sum()), baseWeights);
    }

    static Result<EstimateResult> AttachBootstrap(EstimateResult point, List<double> values, int failures, EstimationRequest r)
    {
        var warnings = point.Warnings.ToList();
        if (values.Count < 2) return Result<EstimateResult>.Fail($"the bootstrap failed: only {values.Count} of {r.Options.Bootstrap} replicates could be estimated");
        if (failures > 0) warnings.Add($"{failures} of {r.Options.Bootstrap} bootstrap replicates could not be estimated and were left out");
        values.Sort();
        var alpha = (1 - r.Options.ConfidenceLevel) / 2;
        var lo = Quantile(values, alpha);
        var hi = Quantile(values, 1 - alpha);
        var mean = values.Average();
        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return point with
        {
            Interval = new Interval(lo, hi),
            StandardError = sd,
            IntervalMethod = $"bootstrap percentile, {values.Count} replicates, seed {r.Options.Seed}",
            BootstrapReplicates = values,
            Warnings = warnings,
        };
    }

    static double Quantile(List<double> sorted, double q)
    {
        var pos = q * (sorted.Count - 1);
        var i = (int)Math.Floor(pos);
        var frac = pos - i;
        return i + 1 < sorted.Count ? sorted[i] * (1 - frac) + sorted[i + 1] * frac : sorted[i];
    }

    /// <summary>Streams the named columns into an in-memory table (text columns through their level codes), bounded in size.</summary>
    internal static Result<InMemoryTable> Materialize(IDataSource source, IReadOnlyList<string> columns, Expr? filter, long maxRows, CancellationToken ct)
    {
        var profile = source.Profile(columns, filter, ct);
        if (!profile.IsOk) return profile.Error;
        if (profile.Value.Rows > maxRows)
            return Result<InMemoryTable>.Fail($"this needs the rows in memory, and {profile.Value.Rows} rows exceed the limit of {maxRows}; use an analytic interval or a sample");
        var exprs = new List<Expr>();
        var textLevels = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var c in columns)
        {
            if (source.Column(c)!.Storage == StorageType.Text)
            {
                var counts = source.Counts([c], filter, ct);
                if (!counts.IsOk) return counts.Error;
                var levels = counts.Value.Levels[0];
                textLevels[c] = levels;
                // code + 1 so that 0 marks missing
                Expr code = Expr.ZeroConst;
                for (var k = 0; k < levels.Count; k++) code += (k + 1) * Expr.Level(c, levels[k]);
                exprs.Add(code);
            }
            else exprs.Add(Expr.Col(c));
        }
        var data = exprs.Select(_ => new List<double>()).ToArray();
        var weights = new List<double>();
        var streamed = source.Rows(exprs, filter, 65536, batch =>
        {
            for (var i = 0; i < exprs.Count; i++) data[i].AddRange(batch.Columns[i].AsSpan(0, batch.Count));
            weights.AddRange(batch.Weights.AsSpan(0, batch.Count));
        }, ct);
        if (!streamed.IsOk) return streamed.Error;
        var cols = columns.Select((c, i) => textLevels.TryGetValue(c, out var levels)
            ? (InMemoryColumn)new TextColumn(c, data[i].Select(v => v is >= 1 ? levels[(int)v - 1] : null).ToArray())
            : new NumberColumn(c, data[i].ToArray())).ToList();
        return new InMemoryTable(cols, source.WeightColumn is null && weights.All(w => w == 1) ? null : weights.ToArray(), source.Description);
    }
}
