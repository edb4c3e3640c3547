using MathNet.Numerics.LinearAlgebra;

namespace CausalQL.Execution;

public static partial class Estimation
{
    /// <summary>Propensity e(x) = P(T = treated | x) from a logistic fit, clipped when trimming is asked for.</summary>
    sealed record Propensity(Expr E, LogisticFit Fit, Design Design, string Formula);

    static Result<Propensity> FitPropensity(EstimationRequest r, IDataSource source, Expr? keep, Formula formula, Expr treated, CancellationToken ct)
    {
        var design = Design.Build(formula, source, keep, null, r.TreatedValue, ct);
        if (!design.IsOk) return design.Error;
        var fit = Logistic(source, keep, design.Value, treated, r.Treatment, ct);
        if (!fit.IsOk) return fit.Error;
        var e = Expr.Expit(fit.Value.Predictor(design.Value.Columns));
        if (r.Options.Trim is { } trim && trim > 0) e = Expr.Clip(e, trim, 1 - trim);
        return new Propensity(e, fit.Value, design.Value, $"{r.Treatment} {formula}");
    }

    // ---------------------------------------------------------------- inverse probability weighting

    static Result<EstimateResult> Ipw(EstimationRequest r, IDataSource source, Expr? filter, CancellationToken ct)
    {
        var tf = TreatmentFormula(r);
        if (!tf.IsOk) return tf.Error;
        var frame = Prepare(r, source, filter, [r.Treatment, r.Outcome, .. r.Adjustment, .. tf.Value.Columns()], [r.Outcome], true, "IPW", ct);
        if (!frame.IsOk) return frame.Error;
        var f = frame.Value;
        var a = f.Treated;
        var b = Expr.Level(r.Treatment, r.ControlValue);
        var ps = FitPropensity(r, source, f.Filter, tf.Value, a, ct);
        if (!ps.IsOk) return ps.Error;
        var e = ps.Value.E;
        var y = Expr.Col(r.Outcome);
        var w1 = a / e;
        var w0 = b / (1 - e);
        var terms = new List<Expr>
        {
            w1, w1 * y, w0, w0 * y,                     // 0-3: weighted totals
            w1 / e * y * y, w1 / e * y, w1 / e,         // 4-6: for the variance of the treated mean
            w0 / (1 - e) * y * y, w0 / (1 - e) * y, w0 / (1 - e), // 7-9
            y, y * y,                                   // 10-11
        };
        var balanceStart = terms.Count;
        var covariates = BalanceTerms(ps.Value.Design);
        terms.AddRange(covariates.SelectMany(c => BalanceSums(c.E, a, b, w1, w0)));
        var extremeStart = terms.Count;
        terms.Add(Expr.Less(e, 0.01));
        terms.Add(Expr.Greater(e, 0.99));
        var att = r.Options.Target == EffectTarget.Att;
        var attStart = terms.Count;
        if (att)
        {
            // ATT: the treated as they are, the controls weighted by the odds e/(1 − e).
            var odds = b * e / (1 - e);
            terms.AddRange([a, a * y, a * y * y, odds, odds * y, odds * odds * y * y, odds * odds * y, odds * odds]);
        }
        var s = source.Sums(terms, f.Filter, ct);
        if (!s.IsOk) return s.Error;
        var v = s.Value.Sums;
        var n = s.Value.N;
        double mu1, mu0, variance;
        if (att)
        {
            var o = attStart;
            mu1 = v[o + 1] / v[o];
            mu0 = v[o + 4] / v[o + 3];
            var var1 = (v[o + 2] - 2 * mu1 * v[o + 1] + mu1 * mu1 * v[o]) / (v[o] * v[o]);
            var var0 = (v[o + 5] - 2 * mu0 * v[o + 6] + mu0 * mu0 * v[o + 7]) / (v[o + 3] * v[o + 3]);
            variance = var1 + var0;
        }
        else if (r.Options.Stabilized)
        {
            mu1 = v[1] / v[0];
            mu0 = v[3] / v[2];
            // Σ A(Y−μ1)²/e² / (ΣA/e)², likewise for the controls (propensity treated as known: conservative for the ATE).
            var var1 = (v[4] - 2 * mu1 * v[5] + mu1 * mu1 * v[6]) / (v[0] * v[0]);
            var var0 = (v[7] - 2 * mu0 * v[8] + mu0 * mu0 * v[9]) / (v[2] * v[2]);
            variance = var1 + var0;
        }
        else
        {
            mu1 = v[1] / n;
            mu0 = v[3] / n;
            variance = ((v[4] + v[7]) / n - (mu1 - mu0) * (mu1 - mu0)) / n;
        }
        var ate = mu1 - mu0;
        var se = Math.Sqrt(Math.Max(0, variance));
        var warnings = f.Warnings.Concat(ps.Value.Fit.Warnings).ToList();
        var positivity = ExtremePropensities(v[extremeStart], v[extremeStart + 1], n, warnings);
        var meanY = v[10] / n;
        return new EstimateResult
        {
            Value = ate, StandardError = se, Interval = Wald(ate, se, r),
            IntervalMethod = "normal, influence-function variance (propensity treated as known)",
            Method = att ? "ipw (ATT, odds weights for the controls)" : r.Options.Stabilized ? "ipw (stabilised, normalised weights)" : "ipw (Horvitz–Thompson)",
            N = n, DroppedRows = f.Dropped,
            EstimandText = $"E[{r.Outcome}·1({r.Treatment}={r.TreatedValue})/e] − E[{r.Outcome}·1({r.Treatment}={r.ControlValue})/(1−e)], e = logistic({ps.Value.Formula})" + (r.Options.Trim is { } t ? $", clipped to [{t}, {1 - t}]" : ""),
            AdjustmentSet = r.Adjustment, Warnings = warnings,
            MeanTreated = mu1, MeanControl = mu0,
            OutcomeSd = Math.Sqrt(Math.Max(0, v[11] / n - meanY * meanY)),
            Diagnostics = new Diagnostics(positivity, ReadBalance(covariates, v, balanceStart), null),
        };
    }

    static List<PositivityIssue> ExtremePropensities(double low, double high, double n, List<string> warnings)
    {
        var list = new List<PositivityIssue>();
        if (low > 0) list.Add(new PositivityIssue("propensity below 0.01", low));
        if (high > 0) list.Add(new PositivityIssue("propensity above 0.99", high));
        if (low + high > 0)
            warnings.Add($"{low + high} of {n} rows have extreme propensities (< 0.01 or > 0.99): weights are unstable; consider trim = 0.01 or a smaller adjustment set");
        return list;
    }

    /// <summary>Covariate terms of the propensity design (not the intercept).</summary>
    static List<(Expr E, string Name)> BalanceTerms(Design d) =>
        d.Columns.Zip(d.Names).Where(p => p.First is not Constant).Take(50).Select(p => (p.First, p.Second)).ToList();

    static IEnumerable<Expr> BalanceSums(Expr x, Expr a, Expr b, Expr w1, Expr w0) =>
        [a, a * x, a * x * x, b, b * x, b * x * x, w1, w1 * x, w1 * x * x, w0, w0 * x, w0 * x * x];

    static List<Balance> ReadBalance(List<(Expr E, string Name)> covariates, double[] v, int start)
    {
        var list = new List<Balance>();
        for (var c = 0; c < covariates.Count; c++)
        {
            var o = start + 12 * c;
            list.Add(new Balance(covariates[c].Name, Smd(v, o, o + 3), Smd(v, o + 6, o + 9)));
        }
        return list;

        static double Smd(double[] v, int t, int u)
        {
            double m1 = v[t + 1] / v[t], m0 = v[u + 1] / v[u];
            double s1 = v[t + 2] / v[t] - m1 * m1, s0 = v[u + 2] / v[u] - m0 * m0;
            var pooled = Math.Sqrt(Math.Max(0, (s1 + s0) / 2));
            return pooled > 0 ? (m1 - m0) / pooled : 0;
        }
    }

    // ---------------------------------------------------------------- augmented IPW (doubly robust)

    static Result<EstimateResult> Aipw(EstimationRequest r, IDataSource source, Expr? filter, CancellationToken ct)
    {
        var tf = TreatmentFormula(r);
        if (!tf.IsOk) return tf.Error;
        var of = OutcomeFormula(r, includeTreatment: false);
        if (!of.IsOk) return of.Error;
        var frame = Prepare(r, source, filter, [r.Treatment, r.Outcome, .. r.Adjustment, .. tf.Value.Columns(), .. of.Value.Columns()], [r.Outcome], true, "AIPW", ct);
        if (!frame.IsOk) return frame.Error;
        var f = frame.Value;
        var a = f.Treated;
        var b = Expr.Level(r.Treatment, r.ControlValue);
        var ps = FitPropensity(r, source, f.Filter, tf.Value, a, ct);
        if (!ps.IsOk) return ps.Error;
        var e = ps.Value.E;
        var y = Expr.Col(r.Outcome);
        var warnings = f.Warnings.Concat(ps.Value.Fit.Warnings).ToList();
        var binaryY = f.Profile.Column(r.Outcome).Kind == ColumnKind.Binary && r.Options.LogisticForBinaryOutcome;

        // Outcome regressions m1(x), m0(x): one model with T in it (then "set T"), or one per arm.
        Expr m1, m0;
        if (of.Value.Columns().Contains(r.Treatment))
        {
            var d = Design.Build(of.Value, source, f.Filter, r.Treatment, r.TreatedValue, ct);
            if (!d.IsOk) return d.Error;
            var model = FitOutcome(source, f.Filter, d.Value, y, r.Outcome, binaryY, ct, warnings);
            if (!model.IsOk) return model.Error;
            m1 = Substitute(model.Value, r.Treatment, 1, r.TreatedValue);
            m0 = Substitute(model.Value, r.Treatment, 0, r.ControlValue);
        }
        else
        {
            var d = Design.Build(of.Value, source, f.Filter, null, r.TreatedValue, ct);
            if (!d.IsOk) return d.Error;
            var fit1 = FitOutcome(source, Expr.And(f.Filter, a), d.Value, y, r.Outcome, binaryY, ct, warnings);
            if (!fit1.IsOk) return fit1.Error;
            var fit0 = FitOutcome(source, Expr.And(f.Filter, b), d.Value, y, r.Outcome, binaryY, ct, warnings);
            if (!fit0.IsOk) return fit0.Error;
            m1 = fit1.Value;
            m0 = fit0.Value;
        }
        var phi1 = m1 + a * (y - m1) / e;
        var phi0 = m0 + b * (y - m0) / (1 - e);
        var psi = phi1 - phi0;
        var s = source.Sums([psi, psi * psi, phi1, phi0, y, y * y, Expr.Less(e, 0.01), Expr.Greater(e, 0.99)], f.Filter, ct);
        if (!s.IsOk) return s.Error;
        var v = s.Value.Sums;
        var n = s.Value.N;
        var ate = v[0] / n;
        var se = Math.Sqrt(Math.Max(0, (v[1] / n - ate * ate) / n));
        var positivity = ExtremePropensities(v[6], v[7], n, warnings);
        var meanY = v[4] / n;
        return new EstimateResult
        {
            Value = ate, StandardError = se, Interval = Wald(ate, se, r),
            IntervalMethod = "normal, influence-function variance",
            Method = "aipw (doubly robust)", N = n, DroppedRows = f.Dropped,
            EstimandText = $"E[m1 − m0 + 1({r.Treatment}={r.TreatedValue})(Y − m1)/e − 1({r.Treatment}={r.ControlValue})(Y − m0)/(1 − e)], e = logistic({ps.Value.Formula}), m = {(binaryY ? "logistic" : "linear")}({r.Outcome} {of.Value})",
            AdjustmentSet = r.Adjustment, Warnings = warnings,
            MeanTreated = v[2] / n, MeanControl = v[3] / n,
            OutcomeSd = Math.Sqrt(Math.Max(0, v[5] / n - meanY * meanY)),
            Diagnostics = new Diagnostics(positivity, [], null),
        };
    }

    static Expr Substitute(Expr e, string column, double value, string label) => e.Substitute(column, value, label);

    /// <summary>Fits an outcome model and returns its prediction as an expression (linear predictor, or expit of it).</summary>
    static Result<Expr> FitOutcome(IDataSource source, Expr? filter, Design d, Expr y, string outcome, bool logistic, CancellationToken ct, List<string> warnings)
    {
        if (logistic)
        {
            var fit = Logistic(source, filter, d, y, outcome, ct);
            if (!fit.IsOk) return fit.Error;
            warnings.AddRange(fit.Value.Warnings);
            return Expr.Expit(fit.Value.Predictor(d.Columns));
        }
        var mm = source.Moments([.. d.Columns, y], filter, ct);
        if (!mm.IsOk) return mm.Error;
        var ols = mm.Value.Ols(Enumerable.Range(0, d.Count).ToList(), d.Count);
        if (!ols.IsOk) return ols.Error;
        return ols.Value.Predictor;
    }

    // ---------------------------------------------------------------- the linear estimators' one scan

    /// <summary>
    /// Prepares the rows and takes the moments of 1, T, W..., extra..., Y in one scan (extra: the
    /// instruments or the mediators); Scale turns a per-unit coefficient of T into the contrast asked for.
    /// </summary>
    static Result<(Frame Frame, MomentMatrix Moments, List<Expr> Columns, double Scale)> LinearScan(
        EstimationRequest r, IDataSource source, Expr? filter, IReadOnlyList<string> extra, string what, CancellationToken ct)
    {
        var frame = Prepare(r, source, filter, [r.Treatment, r.Outcome, .. extra, .. r.Adjustment], [r.Treatment, r.Outcome, .. extra], false, what, ct);
        if (!frame.IsOk) return frame.Error;
        var t1 = NumericLabel(r.TreatedValue, r.Treatment, out var err1);
        var t0 = NumericLabel(r.ControlValue, r.Treatment, out var err0);
        if ((err1 ?? err0) is { } err) return err;
        List<Expr> cols = [Expr.One, Expr.Col(r.Treatment), .. r.Adjustment.Select(Expr.Col), .. extra.Select(Expr.Col), Expr.Col(r.Outcome)];
        var moments = source.Moments(cols, frame.Value.Filter, ct);
        if (!moments.IsOk) return moments.Error;
        return (frame.Value, moments.Value, cols, t1 - t0);
    }

    // ---------------------------------------------------------------- instruments: two-stage least squares from moments

    static Result<EstimateResult> InstrumentalVariables(EstimationRequest r, IDataSource source, Expr? filter, CancellationToken ct)
    {
        if (r.Instruments.Count == 0) return Result<EstimateResult>.Fail("an instrumental-variable estimate needs at least one instrument");
        var scan = LinearScan(r, source, filter, r.Instruments, "an instrumental-variable estimate", ct);
        if (!scan.IsOk) return scan.Error;
        var (f, m, cols, scale) = scan.Value;
        var w = r.Adjustment.Count;
        var xIdx = Enumerable.Range(0, 2 + w).ToList();                                   // 1, T, W
        var zIdx = new List<int> { 0 }.Concat(Enumerable.Range(2, w)).Concat(Enumerable.Range(2 + w, r.Instruments.Count)).ToList(); // 1, W, Z
        var yIdx = cols.Count - 1;
        var names = cols.Select(c => c.ToString()).ToList();
        var zz = m.Sub(zIdx, zIdx);
        var zzInv = LinearAlgebraHelpers.SolveSymmetric(zz, Vector<double>.Build.Dense(zIdx.Count), zIdx.Select(i => names[i]).ToList());
        if (!zzInv.IsOk) return zzInv.Error;
        var zx = m.Sub(zIdx, xIdx);
        var zy = m.SubVector(zIdx, yIdx);
        var inv = zz.Inverse();
        var aMat = zx.Transpose() * inv * zx;
        var bVec = zx.Transpose() * inv * zy;
        var beta = LinearAlgebraHelpers.SolveSymmetric(aMat, bVec, xIdx.Select(i => names[i]).ToList());
        if (!beta.IsOk) return Result<EstimateResult>.Fail($"the instruments do not move '{r.Treatment}' in these data ({beta.Error.Message})", r.Treatment);
        var xx = m.Sub(xIdx, xIdx);
        var xy = m.SubVector(xIdx, yIdx);
        var rss = m.Cross[yIdx, yIdx] - 2 * beta.Value.DotProduct(xy) + beta.Value.DotProduct(xx * beta.Value);
        var n = m.N;
        var sigma2 = Math.Max(rss, 0) / Math.Max(1, n - xIdx.Count);
        var covariance = aMat.Inverse() * sigma2;
        var value = beta.Value[1] * scale;
        var se = Math.Sqrt(Math.Max(0, covariance[1, 1])) * Math.Abs(scale);
        // First-stage strength: F for the excluded instruments (T on 1, W, Z versus T on 1, W).
        var full = m.Ols(zIdx, 1);
        var restricted = m.Ols(zIdx.Take(1 + w).ToList(), 1);
        double? fStat = null;
        var warnings = f.Warnings;
        if (full.IsOk && restricted.IsOk)
        {
            var q = r.Instruments.Count;
            fStat = (restricted.Value.Rss - full.Value.Rss) / q / (full.Value.Rss / Math.Max(1, n - zIdx.Count));
            if (fStat < 10) warnings.Add($"weak instrument(s): first-stage F = {Fmt(fStat.Value)} < 10; the estimate and its interval are unreliable");
        }
        var meanY = m.Cross[0, yIdx] / n;
        return new EstimateResult
        {
            Value = value, StandardError = se, Interval = Wald(value, se, r),
            IntervalMethod = "normal, classical 2SLS standard error",
            Method = "iv (two-stage least squares)", N = n, DroppedRows = f.Dropped,
            EstimandText = $"2SLS coefficient of {r.Treatment} in {r.Outcome} ~ {r.Treatment}{string.Concat(r.Adjustment.Select(a => " + " + a))}, instruments {string.Join(", ", r.Instruments)}, times ({r.TreatedValue} − {r.ControlValue})",
            AdjustmentSet = r.Adjustment, Warnings = warnings,
            OutcomeSd = Math.Sqrt(Math.Max(0, m.Cross[yIdx, yIdx] / n - meanY * meanY)),
            Diagnostics = new Diagnostics([], [], null, FirstStageF: fStat),
        };
    }

    // ---------------------------------------------------------------- linear front-door

    static Result<EstimateResult> LinearFrontDoor(EstimationRequest r, IDataSource source, Expr? filter, CancellationToken ct)
    {
        if (r.Mediators.Count == 0) return Result<EstimateResult>.Fail("a front-door estimate needs the mediator set");
        var scan = LinearScan(r, source, filter, r.Mediators, "the linear front-door estimate", ct);
        if (!scan.IsOk) return scan.Error;
        var (f, m, cols, scale) = scan.Value;
        var w = r.Adjustment.Count;
        var baseIdx = Enumerable.Range(0, 2 + w).ToList();
        var medIdx = Enumerable.Range(2 + w, r.Mediators.Count).ToList();
        var yIdx = cols.Count - 1;
        // Y on 1, T, W, M: the mediators' coefficients (T blocks the back-door path M <- T <-> Y).
        var outcomeFit = m.Ols([.. baseIdx, .. medIdx], yIdx);
        if (!outcomeFit.IsOk) return outcomeFit.Error;
        double effect = 0, variance = 0;
        for (var j = 0; j < medIdx.Count; j++)
        {
            var stage = m.Ols(baseIdx, medIdx[j]);
            if (!stage.IsOk) return stage.Error;
            var aj = stage.Value.Beta[1];
            var bj = outcomeFit.Value.Beta[baseIdx.Count + j];
            effect += aj * bj;
            variance += bj * bj * stage.Value.ClassicalVariance(1) + aj * aj * outcomeFit.Value.ClassicalVariance(baseIdx.Count + j);
        }
        var value = effect * scale;
        var se = Math.Sqrt(variance) * Math.Abs(scale);
        var meanY = m.Cross[0, yIdx] / m.N;
        return new EstimateResult
        {
            Value = value, StandardError = se, Interval = Wald(value, se, r),
            IntervalMethod = "normal, first-order delta method (Sobel)",
            Method = "frontdoor (linear)", N = m.N, DroppedRows = f.Dropped,
            EstimandText = $"Σ_m [coef of {r.Treatment} in m ~ {r.Treatment}] × [coef of m in {r.Outcome} ~ {string.Join(" + ", r.Mediators)} + {r.Treatment}], m ∈ {{{string.Join(", ", r.Mediators)}}}",
            AdjustmentSet = r.Adjustment, Warnings = f.Warnings,
            OutcomeSd = Math.Sqrt(Math.Max(0, m.Cross[yIdx, yIdx] / m.N - meanY * meanY)),
        };
    }
}
