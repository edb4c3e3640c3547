using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace CausalQL.Execution;

public static partial class Estimation
{
    // ---------------------------------------------------------------- plug-in (discrete back-door g-formula)

    static Result<EstimateResult> Plugin(EstimationRequest r, IDataSource source, Expr? filter, CancellationToken ct)
    {
        if (r.Estimand is not null) return PluginEstimand(r, source, filter, ct);
        var variables = new List<string> { r.Treatment, r.Outcome };
        variables.AddRange(r.Adjustment.Where(a => !variables.Contains(a)));
        var counted = CountsChecked(r, source, filter, variables, ct);
        if (!counted.IsOk) return counted.Error;
        var (table, warnings, yValues) = counted.Value;
        var t1 = table.Code(r.Treatment, r.TreatedValue);
        var t0 = table.Code(r.Treatment, r.ControlValue);

        var point = BackDoorOnTable(table, t1, t0, yValues, r.Adjustment, out var positivity, out var error);
        if (error is not null) return error;
        var adjustment = r.Adjustment.Count == 0 ? "" : $"Σ_{{{string.Join(",", r.Adjustment)}}} ";
        var result = new EstimateResult
        {
            Value = point.Ate,
            StandardError = point.Se,
            Interval = Wald(point.Ate, point.Se, r),
            IntervalMethod = "normal, influence-function variance of the saturated g-formula",
            Method = "plugin",
            N = table.Total,
            DroppedRows = (long)Math.Round(table.Missing),
            EstimandText = r.Adjustment.Count == 0
                ? $"E[{r.Outcome} | {r.Treatment}={r.TreatedValue}] − E[{r.Outcome} | {r.Treatment}={r.ControlValue}]"
                : $"{adjustment}E[{r.Outcome} | {r.Treatment}, {string.Join(", ", r.Adjustment)}] P({string.Join(", ", r.Adjustment)}), {r.Treatment} = {r.TreatedValue} vs {r.ControlValue}",
            AdjustmentSet = r.Adjustment,
            Warnings = warnings.Concat(positivity.Count > 0 ? [$"{positivity.Count} near-empty cells (fewer than 5 rows): estimates there are unstable"] : []).ToList(),
            MeanTreated = point.Mu1,
            MeanControl = point.Mu0,
            // Analytic only: with a bootstrap the interval line names the bootstrap, which resamples the effect alone.
            MeanTreatedInterval = r.Options.Bootstrap <= 0 ? Wald(point.Mu1, point.SeTreated, r) : null,
            OutcomeSd = point.SdY,
            Diagnostics = new Diagnostics(positivity, [], null),
        };
        if (r.Options.Bootstrap <= 0) return result;
        var rng = new Random(r.Options.Seed);
        var values = new List<double>();
        var failures = 0;
        for (var b = 0; b < r.Options.Bootstrap; b++)
        {
            Progress(r, "bootstrap", b, r.Options.Bootstrap);
            var replicate = table.Resample(rng);
            var est = BackDoorOnTable(replicate, t1, t0, yValues, r.Adjustment, out _, out var err);
            if (err is null && double.IsFinite(est.Ate)) values.Add(est.Ate); else failures++;
        }
        Done(r, "bootstrap");
        return AttachBootstrap(result, values, failures, r);
    }

    /// <summary>Counts over the variables, with the missing-value policy, row, treatment and outcome checks.</summary>
    static Result<(ContingencyTable Table, List<string> Warnings, double[] YValues)> CountsChecked(
        EstimationRequest r, IDataSource source, Expr? filter, IReadOnlyList<string> variables, CancellationToken ct)
    {
        var counts = source.Counts(variables, filter, ct);
        if (!counts.IsOk) return counts.Error;
        var table = counts.Value;
        var warnings = new List<string>();
        if (table.Total + table.Missing <= 0)
            return Result<(ContingencyTable, List<string>, double[])>.Fail(filter is null ? $"{source.Description} has no rows" : $"no rows in {source.Description} satisfy {filter}");
        if (table.Missing > 0)
        {
            // Which columns are missing: a profile scan, only on this (rare) path.
            var profile = source.Profile(variables, filter, ct);
            var detail = profile.IsOk ? string.Join(", ", profile.Value.Columns.Where(c => c.NonNull < profile.Value.Rows).Select(c => $"{c.Name}: {profile.Value.Rows - c.NonNull}")) : "";
            if (profile.IsOk && profile.Value.Column(r.Outcome).NonNull == 0)
                return Result<(ContingencyTable, List<string>, double[])>.Fail($"all values of outcome '{r.Outcome}' are missing", r.Outcome);
            if (r.Options.Missing == MissingPolicy.Error)
                return Result<(ContingencyTable, List<string>, double[])>.Fail($"missing values ({detail}) and the missing-value policy is 'error'");
            warnings.Add($"dropped {table.Missing} rows with missing values ({detail})");
        }
        if (table.Total <= 0)
            return Result<(ContingencyTable, List<string>, double[])>.Fail($"every row has a missing value in {string.Join(", ", variables)}");
        var tLevels = table.Levels[table.Variables.ToList().IndexOf(r.Treatment)];
        if (tLevels.Count < 2)
            return Result<(ContingencyTable, List<string>, double[])>.Fail($"treatment '{r.Treatment}' has only one level ({string.Join(", ", tLevels)}) in the rows used: no contrast can be estimated", r.Treatment);
        foreach (var v in new[] { r.TreatedValue, r.ControlValue })
            if (table.Code(r.Treatment, v) < 0)
                return Result<(ContingencyTable, List<string>, double[])>.Fail($"treatment '{r.Treatment}' never takes the value {v} in the rows used (levels: {string.Join(", ", tLevels)})", r.Treatment);
        var yLevels = table.Levels[table.Variables.ToList().IndexOf(r.Outcome)];
        var yValues = new double[yLevels.Count];
        for (var i = 0; i < yLevels.Count; i++)
            if (!double.TryParse(yLevels[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out yValues[i]))
                return Result<(ContingencyTable, List<string>, double[])>.Fail($"column '{r.Outcome}' holds text ('{yLevels[i]}'), but the outcome must be numeric or 0/1", r.Outcome);
        return (table, warnings, yValues);
    }

    readonly record struct PluginPoint(double Ate, double Se, double Mu1, double Mu0, double SdY, double SeTreated = 0);

    /// <summary>
    /// The g-formula Σ_z P(z)·(E[Y|t1,z] − E[Y|t0,z]) on a table ordered (T, Y, Z...), with the
    /// exact influence-function variance of this saturated estimator (computed cell by cell).
    /// </summary>
    static PluginPoint BackDoorOnTable(ContingencyTable table, int t1, int t0, double[] y, IReadOnlyList<string> adjustment,
        out List<PositivityIssue> nearEmpty, out ExecError? error)
    {
        nearEmpty = [];
        error = null;
        var kt = table.Levels[0].Count;
        var ky = table.Levels[1].Count;
        var kz = table.Cells.Length / (kt * ky);
        var n = table.Total;
        var nz = new double[kz];
        var ntz = new double[kt, kz];
        var sy = new double[kt, kz];
        double sumY = 0, sumY2 = 0;
        for (var t = 0; t < kt; t++)
            for (var yi = 0; yi < ky; yi++)
                for (var z = 0; z < kz; z++)
                {
                    var c = table.Cells[(t * ky + yi) * kz + z];
                    if (c == 0) continue;
                    nz[z] += c;
                    ntz[t, z] += c;
                    sy[t, z] += c * y[yi];
                    sumY += c * y[yi];
                    sumY2 += c * y[yi] * y[yi];
                }
        double mu1 = 0, mu0 = 0;
        var empty = new List<string>();
        var m1 = new double[kz];
        var m0 = new double[kz];
        for (var z = 0; z < kz; z++)
        {
            if (nz[z] == 0) continue;
            foreach (var (t, label) in new[] { (t1, table.Levels[0][t1]), (t0, table.Levels[0][t0]) })
            {
                if (ntz[t, z] == 0) empty.Add($"{table.Variables[0]} = {label}{StratumText(table, z, kz)}");
                else if (ntz[t, z] < 5) nearEmpty.Add(new PositivityIssue($"{table.Variables[0]} = {label}{StratumText(table, z, kz)}", ntz[t, z]));
            }
            if (ntz[t1, z] == 0 || ntz[t0, z] == 0) continue;
            m1[z] = sy[t1, z] / ntz[t1, z];
            m0[z] = sy[t0, z] / ntz[t0, z];
            mu1 += nz[z] / n * m1[z];
            mu0 += nz[z] / n * m0[z];
        }
        var meanY = sumY / n;
        var sdY = Math.Sqrt(Math.Max(0, sumY2 / n - meanY * meanY));
        if (empty.Count > 0)
        {
            error = new ExecError($"positivity fails: no rows with {string.Join("; ", empty.Take(5))}{(empty.Count > 5 ? $" (and {empty.Count - 5} more)" : "")}; the effect is not estimable from these data without a model", table.Variables[0]);
            return default;
        }
        var ate = mu1 - mu0;
        double psi2 = 0, psiTreated2 = 0;
        for (var t = 0; t < kt; t++)
            for (var yi = 0; yi < ky; yi++)
                for (var z = 0; z < kz; z++)
                {
                    var c = table.Cells[(t * ky + yi) * kz + z];
                    if (c == 0) continue;
                    var psi = m1[z] - m0[z] - ate;
                    var psiTreated = m1[z] - mu1;   // the treated mean's own influence function
                    if (t == t1) { psi += nz[z] / ntz[t1, z] * (y[yi] - m1[z]); psiTreated += nz[z] / ntz[t1, z] * (y[yi] - m1[z]); }
                    if (t == t0) psi -= nz[z] / ntz[t0, z] * (y[yi] - m0[z]);
                    psi2 += c * psi * psi;
                    psiTreated2 += c * psiTreated * psiTreated;
                }
        return new PluginPoint(ate, Math.Sqrt(psi2 / n / n), mu1, mu0, sdY, Math.Sqrt(psiTreated2 / n / n));
    }

    static string StratumText(ContingencyTable table, int z, int kz)
    {
        if (table.Variables.Count <= 2) return "";
        var parts = new List<string>();
        var rest = z;
        for (var i = table.Variables.Count - 1; i >= 2; i--)
        {
            var k = table.Levels[i].Count;
            parts.Insert(0, $"{table.Variables[i]} = {table.Levels[i][rest % k]}");
            rest /= k;
        }
        return " where " + string.Join(", ", parts);
    }

    // ---------------------------------------------------------------- regression adjustment / standardisation

    static Result<EstimateResult> Regression(EstimationRequest r, IDataSource source, Expr? filter, CancellationToken ct)
    {
        var formula = OutcomeFormula(r, includeTreatment: true);
        if (!formula.IsOk) return formula.Error;
        List<string> columns = [r.Treatment, r.Outcome, .. r.Adjustment, .. formula.Value.Columns()];
        var y = Expr.Col(r.Outcome);
        // The linear model's sums: moments of [X, Y] and the means of the design under T = t1 / t0.
        (List<Expr> Moments, List<Expr> Extra, List<int> Changed, List<Expr> D1, List<Expr> D0) LinearTerms(Design x)
        {
            var d1 = x.Columns.Select(c => c.Substitute(r.Treatment, 1, r.TreatedValue)).ToList();
            var d0 = x.Columns.Select(c => c.Substitute(r.Treatment, 0, r.ControlValue)).ToList();
            var changed = Enumerable.Range(0, x.Count).Where(i => !d1[i].Equals(d0[i])).ToList();
            var means = changed.SelectMany(i => new[] { d1[i], d0[i] }).Where(e => e is not Constant).Distinct().ToList();
            var cols = x.Columns.Append(y).ToList();
            var moments = new List<Expr>();
            for (var i = 0; i < cols.Count; i++) for (var j = i; j < cols.Count; j++) moments.Add(cols[i] * cols[j]);
            return (moments, means, changed, d1, d0);
        }

        // One scan in the common case: Prepare's checks ride on the moments scan.
        Frame? fused = null;
        Design? fusedDesign = null;
        SumsResult? fusedSums = null;
        if (CanFuseChecks(r, source) && Design.Build(formula.Value, source, filter, r.Treatment, r.TreatedValue, ct) is { IsOk: true } fd
            && fd.Value.Columns.Any(c => c.Columns().Contains(r.Treatment)))
        {
            var (moments, means, _, _, _) = LinearTerms(fd.Value);
            List<Expr> terms = [.. moments, .. means, .. FusedChecks(r, columns)];
            var scanned = source.Sums(terms, filter, ct);
            if (!scanned.IsOk) return scanned.Error;
            fused = FusedFrame(r, source, columns, filter, scanned.Value, moments.Count + means.Count);
            if (fused is not null) { fusedDesign = fd.Value; fusedSums = scanned.Value; }
        }
        Frame f;
        Design x;
        if (fused is not null) { f = fused; x = fusedDesign!; }
        else
        {
            var frame = Prepare(r, source, filter, columns, [r.Outcome], true, "regression adjustment", ct);
            if (!frame.IsOk) return frame.Error;
            f = frame.Value;
            var design = Design.Build(formula.Value, source, f.Filter, r.Treatment, r.TreatedValue, ct);
            if (!design.IsOk) return design.Error;
            x = design.Value;
        }
        if (!x.Columns.Any(c => c.Columns().Contains(r.Treatment)))
            return Result<EstimateResult>.Fail($"the outcome model must include the treatment '{r.Treatment}'", r.Treatment);
        var (momentTerms, extraTerms, changed, d1, d0) = LinearTerms(x);
        var binaryY = f.Profile.Column(r.Outcome).Kind == ColumnKind.Binary;
        var warnings = f.Warnings;
        var text = $"standardisation over the outcome model {r.Outcome} {formula.Value}";

        if (binaryY && r.Options.LogisticForBinaryOutcome)
        {
            // The standardised means and the sandwich's sums ride on the logistic fit's last scan, at β a
            // tiny step from the maximum: the means are corrected to first order in that step (their
            // gradients are among the sums), the sandwich is read at β.
            var k = x.Count;
            List<Expr> Standardised(double[] beta)
            {
                var p1 = Expr.Expit(Expr.Linear(d1, beta));
                var p0 = Expr.Expit(Expr.Linear(d0, beta));
                var terms = new List<Expr> { p1, p0 };
                terms.AddRange(d1.Select(d => p1 * (1 - p1) * d));
                terms.AddRange(d0.Select(d => p0 * (1 - p0) * d));
                var resid = y - Expr.Expit(Expr.Linear(x.Columns, beta));
                for (var i = 0; i < k; i++) for (var j = i; j < k; j++) terms.Add(resid * resid * x.Columns[i] * x.Columns[j]);
                return terms;
            }
            using var pilot = SamplePilot(source, f.Filter, x, y, ct);
            var fit = NewtonWithSums(source, f.Filter, x, y, r.Outcome, pilot?.Beta ?? new double[k], pilot, [], _ => true, Standardised, ct);
            if (!fit.IsOk) return fit.Error;
            var run = fit.Value!;
            warnings.AddRange(run.Warnings);
            var at = run.Final.Sums;
            var n = run.Final.N;
            var g1 = Enumerable.Range(0, k).Select(i => at[2 + i]).ToArray();
            var g0 = Enumerable.Range(0, k).Select(i => at[2 + k + i]).ToArray();
            var mu1 = (at[0] + g1.Zip(run.Step, (a, b) => a * b).Sum()) / n;
            var mu0 = (at[1] + g0.Zip(run.Step, (a, b) => a * b).Sum()) / n;
            var g = Vector<double>.Build.Dense(k, i => (g1[i] - g0[i]) / n);
            var meat = Symmetric(k, at, 2 + 2 * k);
            var hInverse = run.H.Inverse();
            var v = hInverse * meat * hInverse * (r.Options.Sandwich == SandwichType.HC1 ? n / Math.Max(1, n - k) : 1);
            var se = Math.Sqrt(Math.Max(0, g.DotProduct(v * g)));
            return new EstimateResult
            {
                Value = mu1 - mu0, StandardError = se, Interval = Wald(mu1 - mu0, se, r),
                IntervalMethod = $"normal, delta method with {r.Options.Sandwich} sandwich covariance",
                Method = "regression (logistic, standardised)", N = n, DroppedRows = f.Dropped,
                EstimandText = text, AdjustmentSet = r.Adjustment, Warnings = warnings,
                MeanTreated = mu1, MeanControl = mu0, OutcomeSd = Math.Sqrt(mu0 * (1 - mu0)),
            };
        }

        // Linear model: moments of [X, Y] and the means of the design under T = t1 / t0, in one scan
        // (already taken, with the checks, when the scan was fused).
        var extra = extraTerms;
        var cols = x.Columns.Append(y).ToList();
        var sums = fusedSums is not null ? Result<SumsResult>.Ok(fusedSums) : source.Sums([.. momentTerms, .. extra], f.Filter, ct);
        if (!sums.IsOk) return sums.Error;
        var nn = sums.Value.N;
        var mm = new MomentMatrix(cols, Symmetric(cols.Count, sums.Value.Sums, 0).ToArray(), nn, sums.Value.Rows);
        var ols = mm.Ols(Enumerable.Range(0, x.Count).ToList(), x.Count);
        if (!ols.IsOk) return ols.Error;
        double Mean(Expr e) => e is Constant c ? c.Value : sums.Value.Sums[momentTerms.Count + extra.IndexOf(e)] / nn;
        var cvec = Vector<double>.Build.Dense(x.Count, i => changed.Contains(i) ? Mean(d1[i]) - Mean(d0[i]) : 0);
        var beta = Vector<double>.Build.DenseOfArray(ols.Value.Beta);
        var ate = cvec.DotProduct(beta);
        double muT = 0, muC = 0;
        // Means under each arm: mean(d_t)'β, where unchanged columns have their sample means Σx/n (the intercept column gives them).
        var interceptIndex = x.Columns.ToList().FindIndex(c => c is Constant { Value: 1 });
        for (var i = 0; i < x.Count; i++)
        {
            double m1, m0;
            if (changed.Contains(i)) { m1 = Mean(d1[i]); m0 = Mean(d0[i]); }
            else if (interceptIndex >= 0) { m1 = m0 = mm.Cross[interceptIndex, i] / nn; }
            else { m1 = m0 = double.NaN; }
            muT += m1 * beta[i];
            muC += m0 * beta[i];
        }
        // Sandwich c'(B·M·B)c with M = Σ e²·x·x' equals Σ (e · (Bc)'x)²: one sum over a short scan,
        // since e needs the fitted β (the only second pass; the full meat would need fourth moments).
        // A bootstrap replicate reads only the value, so it skips that scan.
        var e = y - Expr.Linear(x.Columns, ols.Value.Beta);
        var bread = ols.Value.XtxInverse;
        var direction = bread * cvec;
        var meatAlongC = double.NaN;
        if (!r.Options.ValueOnly)
        {
            var meatSum = source.Sums([Expr.Pow(e * Expr.Linear(x.Columns, direction.ToArray()), 2)], f.Filter, ct);
            if (!meatSum.IsOk) return meatSum.Error;
            meatAlongC = meatSum.Value.Sums[0];
        }
        var seLin = Math.Sqrt(Math.Max(0, meatAlongC * (r.Options.Sandwich == SandwichType.HC1 ? nn / Math.Max(1, nn - x.Count) : 1)));
        var yIndex = x.Count;
        var meanY = interceptIndex >= 0 ? mm.Cross[interceptIndex, yIndex] / nn : double.NaN;
        return new EstimateResult
        {
            Value = ate, StandardError = seLin, Interval = Wald(ate, seLin, r),
            IntervalMethod = $"normal, {r.Options.Sandwich} sandwich standard error",
            Method = "regression (OLS)", N = nn, DroppedRows = f.Dropped,
            EstimandText = text, AdjustmentSet = r.Adjustment, Warnings = warnings,
            MeanTreated = interceptIndex >= 0 ? muT : null, MeanControl = interceptIndex >= 0 ? muC : null,
            OutcomeSd = Math.Sqrt(Math.Max(0, mm.Cross[yIndex, yIndex] / nn - meanY * meanY)),
        };
    }

    static Result<Formula> OutcomeFormula(EstimationRequest r, bool includeTreatment)
    {
        if (r.Options.OutcomeModel is { } text) return CheckResponse(Formula.Parse(text), r.Outcome);
        return includeTreatment ? Formula.MainEffects([r.Treatment, .. r.Adjustment]) : Formula.MainEffects(r.Adjustment);
    }

    static Result<Formula> TreatmentFormula(EstimationRequest r)
    {
        var f = r.Options.TreatmentModel is { } text ? CheckResponse(Formula.Parse(text), r.Treatment) : Formula.MainEffects(r.Adjustment);
        if (f.IsOk && f.Value.Columns().Contains(r.Treatment))
            return Result<Formula>.Fail($"the treatment model must not contain the treatment '{r.Treatment}' itself", r.Treatment);
        return f;
    }

    static Result<Formula> CheckResponse(Result<Formula> f, string expected) =>
        f.IsOk && f.Value.Response is { } resp && resp != expected
            ? Result<Formula>.Fail($"the model formula's response '{resp}' is not '{expected}'", resp)
            : f;

    /// <summary>Reads a packed upper triangle (i ≤ j) of a k×k symmetric matrix from sums starting at offset.</summary>
    static Matrix<double> Symmetric(int k, double[] sums, int offset)
    {
        var m = Matrix<double>.Build.Dense(k, k);
        var t = offset;
        for (var i = 0; i < k; i++) for (var j = i; j < k; j++) { m[i, j] = sums[t]; m[j, i] = sums[t]; t++; }
        return m;
    }

    // ---------------------------------------------------------------- logistic regression by IRLS on pushed-down sums

    /// <summary>
    /// A sample for Newton on large data (see <see cref="Pilot"/>): the logistic model fitted in memory
    /// on a block sample of up to 50,000 rows (fewer for wide designs, so the in-memory fit stays quick).
    /// That many rows let its correction of the first full step leave a second step of about 1e-6, so
    /// the second full scan is the last; more rows would cost more than they save.
    /// It only shortens the path: the final coefficients are the full-data maximum likelihood whatever the start.
    /// </summary>
    static Pilot? SamplePilot(IDataSource source, Expr? filter, Design x, Expr y, CancellationToken ct)
    {
        if (source is InMemoryTable) return null;
        var columns = x.Columns.Append(y).ToList();
        var pairs = x.Count * (x.Count + 1) / 2;
        var rows = Math.Clamp(1_050_000 / pairs, 15_000, 50_000);
        // The complete rows with a positive weight, copied once into arrays sized for the sample (a window
        // sample returns about as many rows as asked for), rented from the shared pool: fresh arrays every
        // query cost page faults and, being large, full collections (the pilot gives them back).
        var pool = System.Buffers.ArrayPool<double>.Shared;
        var capacity = rows + rows / 4;
        var data = new double[columns.Count + 1][];
        for (var c = 0; c < data.Length; c++) data[c] = pool.Rent(capacity);
        capacity = data.Min(a => a.Length);
        var m = 0;
        var streamed = source.SampleRows(columns, filter, rows, 200_000, batch =>
        {
            if (m + batch.Count > capacity)
            {
                capacity = Math.Max(2 * capacity, m + batch.Count);
                for (var c = 0; c < data.Length; c++)
                {
                    var larger = pool.Rent(capacity);
                    data[c].AsSpan(0, m).CopyTo(larger);
                    pool.Return(data[c]);
                    data[c] = larger;
                }
                capacity = data.Min(a => a.Length);
            }
            m = KeepComplete(batch, data, m);
        }, ct);
        if (!streamed.IsOk || streamed.Value < 1000 || m < 1000)
        {
            Pilot.GiveBack(data);
            return null;
        }
        return Pilot.Fit(data[..x.Count], data[x.Count], data[^1], m, rented: data);
    }

    /// <summary>
    /// Appends the rows of <paramref name="batch"/> that are complete and weighted at row <paramref name="m"/>
    /// (the columns, then the weight last); the new count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // runs a few times per estimate: too few calls to be tiered up in time
    static int KeepComplete(RowBatch batch, double[][] data, int m)
    {
        var width = data.Length - 1;
        var weights = data[width];
        for (var row = 0; row < batch.Count; row++)
        {
            var complete = batch.Weights[row] > 0;
            for (var c = 0; c < width && complete; c++) complete = double.IsFinite(batch.Columns[c][row]);
            if (!complete) continue;
            for (var c = 0; c < width; c++) data[c][m] = batch.Columns[c][row];
            weights[m++] = batch.Weights[row];
        }
        return m;
    }

    sealed record LogisticFit(double[] Beta, Matrix<double> HInverse, int Iterations, List<string> Warnings)
    {
        public Expr Predictor(IReadOnlyList<Expr> columns) => Expr.Linear(columns, Beta);
    }

    /// <summary>Newton–Raphson (IRLS) for a logistic model to full convergence (steps below 1e-10), no other sums on its scans.</summary>
    static Result<LogisticFit> Logistic(IDataSource source, Expr? filter, Design x, Expr y, string responseName, CancellationToken ct)
    {
        using var pilot = SamplePilot(source, filter, x, y, ct);
        var run = NewtonWithSums(source, filter, x, y, responseName, pilot?.Beta ?? new double[x.Count], pilot, [], _ => true, _ => [], ct, tolerance: 1e-10);
        if (!run.IsOk) return run.Error;
        var v = run.Value!;
        return new LogisticFit(v.Fitted, v.H.Inverse(), v.Iterations, v.Warnings);
    }

    /// <summary>The sums of one Newton scan for a logistic model at β: Σ p(1−p)·x_i·x_j (i ≤ j), then Σ (y − p)·x_i.</summary>
    static List<Expr> NewtonTerms(Design x, Expr y, double[] beta)
    {
        var k = x.Count;
        var p = Expr.Expit(Expr.Linear(x.Columns, beta));
        var terms = new List<Expr>();
        var w = p * (1 - p);
        for (var i = 0; i < k; i++) for (var j = i; j < k; j++) terms.Add(w * x.Columns[i] * x.Columns[j]);
        var resid = y - p;
        for (var i = 0; i < k; i++) terms.Add(resid * x.Columns[i]);
        return terms;
    }

    /// <summary>
    /// One Newton run. <see cref="Final"/> holds the caller's final sums at <see cref="Beta"/>; the
    /// maximum-likelihood estimate is <see cref="Fitted"/> = β + <see cref="Step"/>, and a quantity q
    /// read at β is q + (∂q/∂β)·Step at the MLE up to the square of the step.
    /// </summary>
    sealed record NewtonRun(double[] Beta, double[] Step, Matrix<double> H, double[] Gradient, SumsResult Final, int Iterations, List<string> Warnings)
    {
        public double[] Fitted => Beta.Zip(Step, (b, s) => b + s).ToArray();
    }

    /// <summary>A step this small (relative) predicts the next one near its square: the next scan is likely the last.</summary>
    const double FinalScanTrigger = 2e-3;
    /// <summary>Below this step (relative) the next non-final scan reuses the Hessian (a chord step).</summary>
    const double ChordStepLimit = 0.05;
    /// <summary>The step below which a final scan ends the run (the caller's first-order correction leaves an error of the order of its square, ~1e-10 relative).</summary>
    const double FinalScanTolerance = 2e-5;
    /// <summary>How far below the tolerance a sample's prediction of the next step must be for the next scan to carry the final sums (its error estimate is itself rough).</summary>
    const double PredictionMargin = 4;

    /// <summary>
    /// Newton–Raphson for a logistic model where each full scan also carries the estimator's own sums,
    /// so that fitting the propensity and using it share scans. <paramref name="first"/> (terms free of β:
    /// checks, fixed moments) rides on the first scan, and later scans reuse those sums; <paramref name="accept"/>
    /// reads their sums and may end the run (null: the caller falls back). A scan carries <paramref name="final"/>(β) when its own step is
    /// expected to be below the tolerance: after a small step (Newton's next is near its square), or when
    /// the <paramref name="pilot"/> sample corrected the step and predicts what is left to be that small.
    /// The run ends at the first such scan whose own step is below the tolerance: the caller reads its
    /// sums at β and corrects them to first order in the step. A scan's terms are taken once each
    /// (the estimator's sums often repeat the score's).
    /// </summary>
    static Result<NewtonRun?> NewtonWithSums(IDataSource source, Expr? filter, Design x, Expr y, string responseName, double[] start, Pilot? pilot,
        IReadOnlyList<Expr> first, Func<SumsResult, Result<bool>> accept, Func<double[], IReadOnlyList<Expr>> final, CancellationToken ct,
        double tolerance = FinalScanTolerance, int maxIterations = 40)
    {
        var k = x.Count;
        var beta = (double[])start.Clone();
        var warnings = new List<string>();
        var lastStep = double.PositiveInfinity;
        var predicted = double.PositiveInfinity;
        Matrix<double>? lastH = null;
        double[]? lastHAt = null;
        var fixedSums = new Dictionary<Expr, double>();
        for (var iter = 1; ; iter++)
        {
            var isFinal = lastStep <= FinalScanTrigger || predicted * PredictionMargin <= tolerance || iter >= maxIterations;
            // Near the optimum (but not yet at the last scan) a chord step reuses the previous
            // Hessian: the scan sums only the gradient, and the error still shrinks by a factor of
            // about the previous step. The last scan always takes the full Newton step.
            var chord = !isFinal && lastH is not null && lastStep <= ChordStepLimit;
            var newton = chord ? NewtonTerms(x, y, beta)[(k * (k + 1) / 2)..] : NewtonTerms(x, y, beta);
            var extra = iter == 1 ? first : [];
            var finalTerms = isFinal ? final(beta) : [];
            // Each distinct term once; the first scan's fixed terms (free of β) are not scanned again.
            var scan = new TermList();
            List<Expr> all = [.. newton, .. extra, .. finalTerms];
            var layout = all.Select(t => fixedSums.ContainsKey(t) ? -1 : scan.Add(t)).ToArray();
            var s = source.Sums(scan.Terms, filter, ct);
            if (!s.IsOk) return s.Error;
            var sums = layout.Select((at, i) => at >= 0 ? s.Value.Sums[at] : fixedSums[all[i]]).ToArray();
            if (iter == 1 && first.Count > 0)
            {
                var ok = accept(new SumsResult(sums[newton.Count..(newton.Count + first.Count)], s.Value.N, s.Value.Rows));
                if (!ok.IsOk) return ok.Error;
                if (!ok.Value) return Result<NewtonRun?>.Ok(null);
                for (var i = 0; i < first.Count; i++) fixedSums.TryAdd(first[i], sums[newton.Count + i]);
            }
            var h = chord ? lastH! : Symmetric(k, sums, 0);
            if (!chord) { lastH = h; lastHAt = (double[])beta.Clone(); }
            var gradientAt = chord ? 0 : k * (k + 1) / 2;
            var g = Vector<double>.Build.Dense(k, i => sums[gradientAt + i]);
            var solved = LinearAlgebraHelpers.SolveSymmetric(h, g, x.Names);
            if (!solved.IsOk)
                return Result<NewtonRun?>.Fail($"the logistic model for '{responseName}' cannot be fitted: {solved.Error.Message.Replace("the model cannot be fitted: ", "")}", solved.Error.Column);
            var step = solved.Value.ToArray();
            var maxStep = MaxRelative(step, beta);
            if (isFinal && (maxStep <= tolerance || iter >= maxIterations))
            {
                if (maxStep > tolerance)
                    warnings.Add($"the logistic model for '{responseName}' did not converge in {maxIterations} iterations (perfect separation?)");
                var offset = newton.Count + extra.Count;
                return new NewtonRun(beta, step, h, g.ToArray(), new SumsResult(sums[offset..], s.Value.N, s.Value.Rows), iter, warnings);
            }
            // The sample's estimate of what the linear step leaves out (see Pilot); plain Newton when it has none.
            predicted = double.PositiveInfinity;
            if (pilot?.Correct(beta, lastHAt!, h, g, s.Value.N) is { } corrected)
            {
                step = corrected.Step;
                predicted = corrected.Predicted;
            }
            for (var i = 0; i < k; i++) beta[i] += step[i];
            lastStep = MaxRelative(step, beta.Zip(step, (b, d) => b - d).ToArray());
        }
    }

    /// <summary>The largest |step_i| / (1 + |β_i + step_i|): Newton's step size relative to the coefficients it lands on.</summary>
    static double MaxRelative(double[] step, double[] beta)
    {
        var max = 0.0;
        for (var i = 0; i < step.Length; i++) max = Math.Max(max, Math.Abs(step[i]) / (1 + Math.Abs(beta[i] + step[i])));
        return max;
    }
}
