using MathNet.Numerics.LinearAlgebra;

namespace CausalQL.Execution;

public static partial class Estimation
{
    /// <summary>Sums to take in one scan, each distinct expression once (estimators ask for the same sum under several names).</summary>
    sealed class TermList
    {
        readonly Dictionary<Expr, int> _index = [];
        public List<Expr> Terms { get; } = [];
        public int Add(Expr e)
        {
            if (_index.TryGetValue(e, out var i)) return i;
            _index[e] = Terms.Count;
            Terms.Add(e);
            return Terms.Count - 1;
        }
        public int[] AddAll(IEnumerable<Expr> es) => es.Select(Add).ToArray();
    }

    /// <summary>The propensity at β: p = expit(x'β), e = p clipped when trimming, and 1 where e moves with β (not clipped).</summary>
    static (Expr P, Expr E, Expr Moves) PropensityAt(EstimationRequest r, Design d, double[] beta)
    {
        var p = Expr.Expit(Expr.Linear(d.Columns, beta));
        if (r.Options.Trim is { } trim && trim > 0)
            return (p, Expr.Clip(p, trim, 1 - trim), Expr.Greater(p, trim) * Expr.Less(p, 1 - trim));
        return (p, p, Expr.One);
    }

    /// <summary>
    /// The propensity's Newton run, sharing scans with the estimator: the fused checks (and
    /// <paramref name="fixedTerms"/>, e.g. outcome moments) on the first scan, <paramref name="final"/> on the last.
    /// Falls back to <see cref="Prepare"/> and a run on the complete rows when the checks ask for it; there the
    /// fixed terms (given the prepared frame: none when the estimator cannot use them) still ride on the first scan.
    /// <paramref name="onFirst"/> reads the fixed sums (or computes the same things by other means when null).
    /// </summary>
    static Result<(Frame Frame, Design Design, NewtonRun Run)> PropensityRun(EstimationRequest r, IDataSource source, Expr? filter,
        Formula treatmentFormula, IReadOnlyList<string> columns, string methodName,
        Func<Expr?, Frame?, IReadOnlyList<Expr>> fixedTerms, Func<Frame, Expr?, double[]?, Result<bool>> onFirst,
        Func<Design, double[], IReadOnlyList<Expr>> final, CancellationToken ct)
    {
        var treated = Expr.Level(r.Treatment, r.TreatedValue);
        if (CanFuseChecks(r, source) && Design.Build(treatmentFormula, source, filter, null, r.TreatedValue, ct) is { IsOk: true } d)
        {
            var given = Start(r, d.Value);
            using var pilot = given is null ? SamplePilot(source, filter, d.Value, treated, ct) : null;
            var start = given ?? pilot?.Beta ?? new double[d.Value.Count];
            var fixedPart = fixedTerms(filter, null);
            List<Expr> first = [.. fixedPart, .. FusedChecks(r, columns)];
            Frame? frame = null;
            var run = NewtonWithSums(source, filter, d.Value, treated, r.Treatment, start, pilot, first, s =>
            {
                frame = FusedFrame(r, source, columns, filter, s, fixedPart.Count);
                return frame is null ? false : onFirst(frame, filter, s.Sums[..fixedPart.Count]);
            }, beta => final(d.Value, beta), ct);
            if (!run.IsOk) return run.Error;
            if (run.Value is not null) return (frame!, d.Value, run.Value);
        }
        var prepared = Prepare(r, source, filter, columns, [r.Outcome], true, methodName, ct);
        if (!prepared.IsOk) return prepared.Error;
        var f = prepared.Value;
        // The fixed terms still ride on the first scan when the estimator can use them on these rows.
        var fixed2 = fixedTerms(f.Filter, f);
        var rides = fixed2.Count > 0;
        if (!rides)
        {
            var first2 = onFirst(f, f.Filter, null);
            if (!first2.IsOk) return first2.Error;
        }
        var design = Design.Build(treatmentFormula, source, f.Filter, null, r.TreatedValue, ct);
        if (!design.IsOk) return design.Error;
        var given2 = Start(r, design.Value);
        using var pilot2 = given2 is null ? SamplePilot(source, f.Filter, design.Value, treated, ct) : null;
        var start2 = given2 ?? pilot2?.Beta ?? new double[design.Value.Count];
        if (rides)
        {
            var rode = NewtonWithSums(source, f.Filter, design.Value, f.Treated, r.Treatment, start2, pilot2, fixed2,
                s => onFirst(f, f.Filter, s.Sums), beta => final(design.Value, beta), ct);
            if (!rode.IsOk) return rode.Error;
            if (rode.Value is not null) return (f, design.Value, rode.Value);
            var first2 = onFirst(f, f.Filter, null);
            if (!first2.IsOk) return first2.Error;
        }
        var run2 = NewtonWithSums(source, f.Filter, design.Value, f.Treated, r.Treatment, start2, pilot2, [], _ => true, beta => final(design.Value, beta), ct);
        if (!run2.IsOk) return run2.Error;
        return (f, design.Value, run2.Value!);
    }

    /// <summary>A bootstrap replicate's start: the full-data fit (a resample's MLE is near it, so Newton needs few scans).</summary>
    static double[]? Start(EstimationRequest r, Design d) =>
        r.Options.PropensityStart is { } s && s.Length == d.Count && s.All(double.IsFinite) ? s : null;

    // ---------------------------------------------------------------- inverse probability weighting

    /// <summary>
    /// One arm's weighted mean: weight w, and for the sandwich dw/dη = DSign·D (η = x'β) and
    /// w·(A − p) = CSign·C, written so that D and C are the same expression when nothing is clipped.
    /// </summary>
    sealed record Arm(Expr W, Expr D, double DSign, Expr C, double CSign);

    /// <summary>Where each sum of the IPW final scan sits.</summary>
    sealed record IpwIndex(double[] DSign, double[] CSign, int[] S, int[] SY, int[] S2, int[] S2Y, int[] S2YY, int[][] Dx, int[][] DYx, int[][] Cx, int[][] CYx,
        int[] Meat, int Y, int YY, int Low, int High, int[][] Balance);

    static Result<EstimateResult> Ipw(EstimationRequest r, IDataSource source, Expr? filter, CancellationToken ct)
    {
        var tf = TreatmentFormula(r);
        if (!tf.IsOk) return tf.Error;
        List<string> columns = [r.Treatment, r.Outcome, .. r.Adjustment, .. tf.Value.Columns()];
        var a = Expr.Level(r.Treatment, r.TreatedValue);
        var b = Expr.Level(r.Treatment, r.ControlValue);
        var y = Expr.Col(r.Outcome);
        var att = r.Options.Target == EffectTarget.Att;
        var hajek = att || r.Options.Stabilized;
        List<(Expr E, string Name)>? covariates = null;
        IpwIndex? index = null;

        IReadOnlyList<Expr> Final(Design d, double[] beta)
        {
            var (p, e, moves) = PropensityAt(r, d, beta);
            var odds = e / (1 - e);
            Arm[] arms = att
                ? [new Arm(a, Expr.ZeroConst, 0, a * (1 - p), 1), new Arm(b * odds, b * odds * moves, 1, b * odds * p, -1)]
                : [new Arm(a / e, a * (1 - e) / e * moves, -1, a * (1 - p) / e, 1), new Arm(b / (1 - e), b * e / (1 - e) * moves, 1, b * p / (1 - e), -1)];
            var t = new TermList();
            var k = d.Count;
            int[] Each(Func<Arm, Expr> f) => arms.Select(arm => t.Add(f(arm))).ToArray();
            int[][] EachX(Func<Arm, Expr> f) => arms.Select(arm => d.Columns.Select(c => t.Add(f(arm) * c)).ToArray()).ToArray();
            var meat = new List<int>();
            for (var i = 0; i < k; i++) for (var j = i; j < k; j++) meat.Add(t.Add(Expr.Pow(a - p, 2) * d.Columns[i] * d.Columns[j]));
            covariates = r.Options.MeasureBalance && !r.Options.ValueOnly ? BalanceTerms(d) : [];
            // Balance after weighting reads the ATE weights, as before (for ATT too).
            var w1 = a / e;
            var w0 = b / (1 - e);
            index = new IpwIndex(arms.Select(m => m.DSign).ToArray(), arms.Select(m => m.CSign).ToArray(),
                Each(m => m.W), Each(m => m.W * y), Each(m => m.W * m.W), Each(m => m.W * m.W * y), Each(m => m.W * m.W * y * y),
                EachX(m => m.D), EachX(m => m.D * y), EachX(m => m.C), EachX(m => m.C * y),
                [.. meat], t.Add(y), t.Add(y * y), t.Add(Expr.Less(e, 0.01)), t.Add(Expr.Greater(e, 0.99)),
                covariates.Select(c => t.AddAll(BalanceSums(c.E, a, b, w1, w0))).ToArray());
            return t.Terms;
        }

        var fitted = PropensityRun(r, source, filter, tf.Value, columns, "IPW", (_, _) => [], (_, _, _) => true, Final, ct);
        if (!fitted.IsOk) return fitted.Error;
        var (f, design, run) = fitted.Value;
        var ix = index!;
        var v = run.Final.Sums;
        var n = run.Final.N;
        var k = design.Count;

        // Stacked estimating equations θ = (β, μ1, μ0): the logistic score (A − p)x, and per arm
        // w(Y − μ) (normalised weights) or wY − μ (Horvitz–Thompson). Sandwich J⁻¹ M J⁻ᵀ, all sums over rows.
        var jac = Matrix<double>.Build.Dense(k + 2, k + 2);
        var meatM = Matrix<double>.Build.Dense(k + 2, k + 2);
        jac.SetSubMatrix(0, 0, -run.H);
        var t2 = 0;
        for (var i = 0; i < k; i++) for (var j = i; j < k; j++) { meatM[i, j] = meatM[j, i] = v[ix.Meat[t2++]]; }
        var mu = new double[2];
        var step = Vector<double>.Build.DenseOfArray(run.Step);
        var corrected = new double[2];
        for (var arm = 0; arm < 2; arm++)
        {
            var row = k + arm;
            double s = v[ix.S[arm]], sy = v[ix.SY[arm]];
            var m = hajek ? sy / s : sy / n;
            mu[arm] = m;
            double dSign = ix.DSign[arm], cSign = ix.CSign[arm];
            jac[row, row] = hajek ? -s : -n;
            meatM[row, row] = hajek
                ? v[ix.S2YY[arm]] - 2 * m * v[ix.S2Y[arm]] + m * m * v[ix.S2[arm]]
                : v[ix.S2YY[arm]] - 2 * m * sy + m * m * n;
            for (var i = 0; i < k; i++)
            {
                jac[row, i] = dSign == 0 ? 0 : dSign * (v[ix.DYx[arm][i]] - (hajek ? m * v[ix.Dx[arm][i]] : 0));
                meatM[row, i] = meatM[i, row] = hajek
                    ? cSign * (v[ix.CYx[arm][i]] - m * v[ix.Cx[arm][i]])
                    : cSign * v[ix.CYx[arm][i]] - m * run.Gradient[i];
            }
            // dμ/dβ = −J_μβ / J_μμ: the estimate at the MLE to first order in the last Newton step.
            corrected[arm] = m - jac.Row(row).SubVector(0, k).DotProduct(step) / jac[row, row];
        }
        if (!hajek)
        {
            var cross = -mu[1] * v[ix.SY[0]] - mu[0] * v[ix.SY[1]] + mu[0] * mu[1] * n;
            meatM[k, k + 1] = meatM[k + 1, k] = cross;
        }
        var jinv = jac.Inverse();
        var contrast = Vector<double>.Build.Dense(k + 2);
        contrast[k] = 1;
        contrast[k + 1] = -1;
        var lead = jinv.TransposeThisAndMultiply(contrast);   // (J⁻¹)ᵀc
        var variance = lead.DotProduct(meatM * lead);
        var (mu1, mu0) = (corrected[0], corrected[1]);
        var ate = mu1 - mu0;
        var se = Math.Sqrt(Math.Max(0, variance));
        var warnings = f.Warnings.Concat(run.Warnings).ToList();
        var positivity = ExtremePropensities(v[ix.Low], v[ix.High], n, warnings);
        var meanY = v[ix.Y] / n;
        var formulaText = $"{r.Treatment} {tf.Value}";
        return new EstimateResult
        {
            Value = ate, StandardError = se, Interval = Wald(ate, se, r),
            IntervalMethod = "normal, M-estimation sandwich (stacked estimating equations of the logistic propensity and the weighted means)",
            Method = att ? "ipw (ATT, odds weights for the controls)" : r.Options.Stabilized ? "ipw (stabilised, normalised weights)" : "ipw (Horvitz–Thompson)",
            N = n, DroppedRows = f.Dropped,
            EstimandText = $"E[{r.Outcome}·1({r.Treatment}={r.TreatedValue})/e] − E[{r.Outcome}·1({r.Treatment}={r.ControlValue})/(1−e)], e = logistic({formulaText})" + (r.Options.Trim is { } tr ? $", clipped to [{tr}, {1 - tr}]" : ""),
            AdjustmentSet = r.Adjustment, Warnings = warnings,
            MeanTreated = mu1, MeanControl = mu0,
            OutcomeSd = Math.Sqrt(Math.Max(0, v[ix.YY] / n - meanY * meanY)),
            Diagnostics = new Diagnostics(positivity, ReadBalance(covariates!, v, ix.Balance), null),
            PropensityFit = run.Fitted,
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

    static List<Balance> ReadBalance(List<(Expr E, string Name)> covariates, double[] v, int[][] index)
    {
        var list = new List<Balance>();
        for (var c = 0; c < covariates.Count; c++)
        {
            var o = index[c];
            list.Add(new Balance(covariates[c].Name, Smd(v, o, 0, 3), Smd(v, o, 6, 9)));
        }
        return list;

        static double Smd(double[] v, int[] o, int t, int u)
        {
            double m1 = v[o[t + 1]] / v[o[t]], m0 = v[o[u + 1]] / v[o[u]];
            double s1 = v[o[t + 2]] / v[o[t]] - m1 * m1, s0 = v[o[u + 2]] / v[o[u]] - m0 * m0;
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
        List<string> columns = [r.Treatment, r.Outcome, .. r.Adjustment, .. tf.Value.Columns(), .. of.Value.Columns()];
        var a = Expr.Level(r.Treatment, r.TreatedValue);
        var b = Expr.Level(r.Treatment, r.ControlValue);
        var y = Expr.Col(r.Outcome);
        var warnings = new List<string>();
        var single = of.Value.Columns().Contains(r.Treatment);
        // Outcome regressions m1(x), m0(x): one model with T in it (then "set T"), or one per arm.
        Expr? m1 = null, m0 = null;
        // Linear outcome coefficients (null for a logistic outcome model): γ of the single model, or γ1, γ0 per arm.
        double[]? g1 = null, g0 = null;
        Design? outcomeDesign = null;
        var binaryY = false;

        // Linear outcome models from moments taken on the propensity's first scan: Σ c_i c_j over [X, Y], per arm or overall.
        List<Expr> Moments(Design d, Expr? arm)
        {
            var cols = d.Columns.Append(y).ToList();
            var list = new List<Expr>();
            for (var i = 0; i < cols.Count; i++) for (var j = i; j < cols.Count; j++) list.Add(arm is null ? cols[i] * cols[j] : arm * cols[i] * cols[j]);
            return list;
        }
        Result<(Expr Predictor, double[]? Gamma)> FromMoments(Design d, double[] sums, int offset)
        {
            var cols = d.Columns.Append(y).ToList();
            var mm = new MomentMatrix(cols, Symmetric(cols.Count, sums, offset).ToArray(), double.NaN, 0);
            var ols = mm.Ols(Enumerable.Range(0, d.Count).ToList(), d.Count);
            return ols.IsOk ? (ols.Value.Predictor, ols.Value.Beta) : ols.Error;
        }
        IReadOnlyList<Expr> FixedTerms(Expr? keep, Frame? prepared)
        {
            // A logistic outcome model is fitted by its own scans.
            if (prepared is not null && prepared.Profile.Column(r.Outcome).Kind == ColumnKind.Binary && r.Options.LogisticForBinaryOutcome) return [];
            var d = Design.Build(of.Value, source, keep, single ? r.Treatment : null, r.TreatedValue, ct);
            if (!d.IsOk) { outcomeDesign = null; return []; }
            outcomeDesign = d.Value;
            return single ? Moments(d.Value, null) : [.. Moments(d.Value, a), .. Moments(d.Value, b)];
        }
        Result<bool> OnFirst(Frame frame, Expr? keep, double[]? sums)
        {
            binaryY = frame.Profile.Column(r.Outcome).Kind == ColumnKind.Binary && r.Options.LogisticForBinaryOutcome;
            // Fused path: linear models from the first scan's moments (a binary outcome goes the long way).
            if (sums is not null)
            {
                if (binaryY || outcomeDesign is null) return false;
                var d = outcomeDesign;
                if (single)
                {
                    var model = FromMoments(d, sums, 0);
                    if (!model.IsOk) return model.Error;
                    (m1, m0) = (Substitute(model.Value.Predictor, r.Treatment, 1, r.TreatedValue), Substitute(model.Value.Predictor, r.Treatment, 0, r.ControlValue));
                    g1 = model.Value.Gamma;
                }
                else
                {
                    var fit1 = FromMoments(d, sums, 0);
                    if (!fit1.IsOk) return fit1.Error;
                    var fit0 = FromMoments(d, sums, (d.Count + 1) * (d.Count + 2) / 2);
                    if (!fit0.IsOk) return fit0.Error;
                    (m1, m0) = (fit1.Value.Predictor, fit0.Value.Predictor);
                    (g1, g0) = (fit1.Value.Gamma, fit0.Value.Gamma);
                }
                return true;
            }
            // Fallback: the models fitted on the complete rows by their own scans.
            var od = Design.Build(of.Value, source, keep, single ? r.Treatment : null, r.TreatedValue, ct);
            if (!od.IsOk) return od.Error;
            outcomeDesign = od.Value;
            if (single)
            {
                var model = FitOutcome(source, keep, od.Value, y, r.Outcome, binaryY, ct, warnings);
                if (!model.IsOk) return model.Error;
                (m1, m0) = (Substitute(model.Value.Predictor, r.Treatment, 1, r.TreatedValue), Substitute(model.Value.Predictor, r.Treatment, 0, r.ControlValue));
                g1 = model.Value.Gamma;
            }
            else
            {
                var fit1 = FitOutcome(source, Expr.And(keep, a), od.Value, y, r.Outcome, binaryY, ct, warnings);
                if (!fit1.IsOk) return fit1.Error;
                var fit0 = FitOutcome(source, Expr.And(keep, b), od.Value, y, r.Outcome, binaryY, ct, warnings);
                if (!fit0.IsOk) return fit0.Error;
                (m1, m0) = (fit1.Value.Predictor, fit0.Value.Predictor);
                (g1, g0) = (fit1.Value.Gamma, fit0.Value.Gamma);
            }
            return true;
        }
        // At β: ψ = φ1 − φ0 with φ1 = m1 + A(Y − m1)/e, φ0 = m0 + B(Y − m0)/(1 − e), and Σ (dφ/dη)·x for the first-order correction.
        var k0 = 0;
        AipwStack? stack = null;
        // Rows in memory: the sandwich's meat by a lead pass after the last scan (see AipwStack); a bootstrap replicate needs none.
        var meat = !r.Options.ValueOnly && !source.RescansCheaply(filter);
        IReadOnlyList<Expr> Final(Design d, double[] beta)
        {
            var (p, e, moves) = PropensityAt(r, d, beta);
            var phi1 = m1! + a * (y - m1!) / e;
            var phi0 = m0! + b * (y - m0!) / (1 - e);
            var psi = phi1 - phi0;
            var dphi1 = -(a * (y - m1!) * (1 - e) / e * moves);
            var dphi0 = b * (y - m0!) * e / (1 - e) * moves;
            k0 = d.Count;
            // Σψ and Σψ² serve only the plain variance (no stack): otherwise their places hold φ1, φ0 again, which the scan takes once.
            var stacked = g1 is not null && outcomeDesign is not null && (single || g0 is not null);
            List<Expr> terms = [stacked ? phi1 : psi, stacked ? phi0 : psi * psi, phi1, phi0, y, y * y, Expr.Less(e, 0.01), Expr.Greater(e, 0.99),
                .. d.Columns.Select(c => dphi1 * c), .. d.Columns.Select(c => dphi0 * c)];
            stack = null;
            if (stacked && g1 is not null && outcomeDesign is { } od)
            {
                var z = od.Columns;
                var none = z.Select(_ => (Expr)Expr.ZeroConst).ToList();
                stack = single
                    ? AipwStack.Build(terms, d, z, [(Expr.One, y - Expr.Linear(z, g1))],
                        z.Select(c => Substitute(c, r.Treatment, 1, r.TreatedValue)).ToList(),
                        z.Select(c => Substitute(c, r.Treatment, 0, r.ControlValue)).ToList(), a, b, p, e, phi1, phi0, meat)
                    : g0 is null ? null
                    : AipwStack.Build(terms, d, z, [(a, y - m1!), (b, y - m0!)], [.. z, .. none], [.. none, .. z], a, b, p, e, phi1, phi0, meat);
            }
            return terms;
        }

        var fitted = PropensityRun(r, source, filter, tf.Value, columns, "AIPW", FixedTerms, OnFirst, Final, ct);
        if (!fitted.IsOk) return fitted.Error;
        var (f, design, run) = fitted.Value;
        warnings = [.. f.Warnings, .. warnings, .. run.Warnings];
        var v = run.Final.Sums;
        var n = run.Final.N;
        // Means of φ1, φ0 at the MLE, to first order in the last Newton step.
        double Shift(int offset) => Enumerable.Range(0, k0).Sum(i => v[offset + i] * run.Step[i]) / n;
        var mean1 = v[2] / n + Shift(8);
        var mean0 = v[3] / n + Shift(8 + k0);
        var ate = mean1 - mean0;
        // Linear outcome models: the sandwich of the stacked equations (valid when either model is wrong too).
        // A logistic outcome model: the plain influence-function variance Var(φ1 − φ0)/n, which treats e, m1, m0
        // as known (valid asymptotically when both models are correct; the label says which).
        double se;
        string intervalMethod;
        if (stack is not null)
        {
            if (stack.HasMeat) se = Math.Sqrt(Math.Max(0, stack.Variance(v, n, run.H, 8, 8 + k0)));
            else if (r.Options.ValueOnly) se = double.NaN;
            else
            {
                // The lead pass: the same rows (the last scan's filter) at the same β.
                var lead = source.Sums([stack.LeadTerm(v, n, run.H, 8, 8 + k0)], f.Filter, ct);
                if (!lead.IsOk) return lead.Error;
                se = Math.Sqrt(Math.Max(0, lead.Value.Sums[0]));
            }
            intervalMethod = "normal, M-estimation sandwich (stacked estimating equations of the logistic propensity, the least-squares outcome model(s) and the AIPW means)";
        }
        else
        {
            var atBeta = v[0] / n;
            se = Math.Sqrt(Math.Max(0, (v[1] / n - atBeta * atBeta) / n));
            intervalMethod = "normal, plug-in influence-function variance (propensity and logistic outcome models treated as known; valid asymptotically when both are correct)";
        }
        var positivity = ExtremePropensities(v[6], v[7], n, warnings);
        var meanY = v[4] / n;
        return new EstimateResult
        {
            Value = ate, StandardError = se, Interval = Wald(ate, se, r),
            IntervalMethod = intervalMethod,
            Method = "aipw (doubly robust)", N = n, DroppedRows = f.Dropped,
            EstimandText = $"E[m1 − m0 + 1({r.Treatment}={r.TreatedValue})(Y − m1)/e − 1({r.Treatment}={r.ControlValue})(Y − m0)/(1 − e)], e = logistic({r.Treatment} {tf.Value}), m = {(binaryY ? "logistic" : "linear")}({r.Outcome} {of.Value})",
            AdjustmentSet = r.Adjustment, Warnings = warnings,
            MeanTreated = mean1, MeanControl = mean0,
            OutcomeSd = Math.Sqrt(Math.Max(0, v[5] / n - meanY * meanY)),
            Diagnostics = new Diagnostics(positivity, [], null),
            PropensityFit = run.Fitted,
        };
    }

    static Expr Substitute(Expr e, string column, double value, string label) => e.Substitute(column, value, label);

    /// <summary>Fits an outcome model: its prediction as an expression (linear predictor, or expit of it) and, when linear, its coefficients.</summary>
    static Result<(Expr Predictor, double[]? Gamma)> FitOutcome(IDataSource source, Expr? filter, Design d, Expr y, string outcome, bool logistic, CancellationToken ct, List<string> warnings)
    {
        if (logistic)
        {
            var fit = Logistic(source, filter, d, y, outcome, ct);
            if (!fit.IsOk) return fit.Error;
            warnings.AddRange(fit.Value.Warnings);
            return (Expr.Expit(fit.Value.Predictor(d.Columns)), null);
        }
        var mm = source.Moments([.. d.Columns, y], filter, ct);
        if (!mm.IsOk) return mm.Error;
        var ols = mm.Value.Ols(Enumerable.Range(0, d.Count).ToList(), d.Count);
        if (!ols.IsOk) return ols.Error;
        return (ols.Value.Predictor, ols.Value.Beta);
    }

    // ---------------------------------------------------------------- the linear estimators' one scan

    /// <summary>
    /// Prepares the rows and takes the moments of 1, T, W..., extra..., Y in one scan (extra: the
    /// instruments or the mediators); Scale turns a per-unit coefficient of T into the contrast asked for.
    /// </summary>
    static Result<(Frame Frame, MomentMatrix Moments, List<Expr> Columns, double Scale)> LinearScan(
        EstimationRequest r, IDataSource source, Expr? filter, IReadOnlyList<string> extra, string what, CancellationToken ct)
    {
        List<string> columns = [r.Treatment, r.Outcome, .. extra, .. r.Adjustment];
        List<Expr> cols = [Expr.One, Expr.Col(r.Treatment), .. r.Adjustment.Select(Expr.Col), .. extra.Select(Expr.Col), Expr.Col(r.Outcome)];
        // One scan in the common case (unweighted, numbers everywhere, nothing missing): the moments
        // and a count of complete rows together; anything else goes through Prepare first.
        if (source.WeightColumn is null && columns.All(c => source.Column(c)?.Storage == StorageType.Number))
        {
            var terms = new List<Expr>();
            for (var i = 0; i < cols.Count; i++) for (var j = i; j < cols.Count; j++) terms.Add(cols[i] * cols[j]);
            // The complete rows (the incomplete ones are the row count less these: no per-row "1 −").
            terms.Add(Expr.And([.. columns.Distinct().Select(Expr.NotNull)])!);
            var scanned = source.Sums(terms, filter, ct);
            if (!scanned.IsOk) return scanned.Error;
            var s = scanned.Value;
            if (s.Rows > 0 && s.Rows - s.Sums[^1] == 0)
            {
                var t1f = NumericLabel(r.TreatedValue, r.Treatment, out var e1);
                var t0f = NumericLabel(r.ControlValue, r.Treatment, out var e0);
                if ((e1 ?? e0) is { } ef) return ef;
                var k = cols.Count;
                var m = new double[k, k];
                var t = 0;
                for (var i = 0; i < k; i++) for (var j = i; j < k; j++) m[i, j] = m[j, i] = s.Sums[t++];
                var profile = new TableProfile(s.Rows, s.Rows, s.N, s.N,
                    columns.Distinct().Select(c => new ColumnProfile(c, StorageType.Number, s.Rows, double.NaN, double.NaN, false)).ToList());
                return (new Frame(filter, profile, 0, [], Expr.Level(r.Treatment, r.TreatedValue), s.N), new MomentMatrix(cols, m, s.N, s.Rows), cols, t1f - t0f);
            }
        }
        var frame = Prepare(r, source, filter, columns, [r.Treatment, r.Outcome, .. extra], false, what, ct);
        if (!frame.IsOk) return frame.Error;
        var t1 = NumericLabel(r.TreatedValue, r.Treatment, out var err1);
        var t0 = NumericLabel(r.ControlValue, r.Treatment, out var err0);
        if ((err1 ?? err0) is { } err) return err;
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
