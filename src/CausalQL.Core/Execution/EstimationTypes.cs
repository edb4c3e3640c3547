using CausalQL.Estimands;

namespace CausalQL.Execution;

public enum EstimationMethod { Auto, Plugin, Regression, Ipw, Aipw, Iv, FrontDoor }
public enum MissingPolicy { Drop, Error }
public enum SandwichType { HC0, HC1 }
/// <summary>Average effect over everyone (ATE) or over the treated (ATT; IPW only).</summary>
public enum EffectTarget { Ate, Att }

/// <summary>`with ...` options of an estimate statement.</summary>
public sealed record EstimationOptions
{
    /// <summary>Wilkinson formula for the outcome model, e.g. "~ qsmk + sex + age + I(age^2) + qsmk:smokeintensity".</summary>
    public string? OutcomeModel { get; init; }
    /// <summary>Wilkinson formula for the propensity (treatment) model.</summary>
    public string? TreatmentModel { get; init; }
    /// <summary>Bootstrap replicates (0 = analytic interval where one exists).</summary>
    public int Bootstrap { get; init; }
    public int Seed { get; init; }
    /// <summary>Clip propensities to [Trim, 1 − Trim] (IPW, AIPW); null = no trimming.</summary>
    public double? Trim { get; init; }
    /// <summary>Normalised (stabilised, Hájek) weights when true; Horvitz–Thompson when false.</summary>
    public bool Stabilized { get; init; } = true;
    public MissingPolicy Missing { get; init; } = MissingPolicy.Drop;
    /// <summary>Estimate within each stratum of these variables (`by Z`).</summary>
    public IReadOnlyList<string> By { get; init; } = [];
    public double ConfidenceLevel { get; init; } = 0.95;
    public SandwichType Sandwich { get; init; } = SandwichType.HC1;
    public EffectTarget Target { get; init; } = EffectTarget.Ate;
    /// <summary>For regression with a binary outcome: fit a logistic outcome model (standardisation on the probability scale).</summary>
    public bool LogisticForBinaryOutcome { get; init; } = true;
    /// <summary>Rows a bootstrap or refutation of a row-level method may bring into memory.</summary>
    public long MaxRowsInMemory { get; init; } = 2_000_000;
    /// <summary>
    /// Bytes of number columns a row-level method may hold in memory after its first scan, so that its further
    /// scans (Newton steps, the sandwich) read memory instead of the source (0: always ask the source).
    /// </summary>
    public long MaxBytesKept { get; init; } = 128L << 20;
    /// <summary>Hears how far bootstrap and other long loops have got (a terminal's progress bar); null = nobody listens.</summary>
    public Sessions.IProgressSink? Progress { get; init; }
    /// <summary>
    /// IPW also measures covariate balance before and after weighting (its last scan takes the sums: ~40% of that
    /// scan's terms with five covariates). Off by default, since only `plot balance` reads it; the plot asks for it.
    /// </summary>
    public bool MeasureBalance { get; init; }
    /// <summary>A bootstrap replicate: where the propensity's Newton run starts (the full-data fit) and only the value is read.</summary>
    internal double[]? PropensityStart { get; init; }
    /// <summary>A bootstrap replicate: only the value is read, so the sums of its standard error and diagnostics are not taken.</summary>
    internal bool ValueOnly { get; init; }
}

/// <summary>
/// What to estimate: the effect on <see cref="Outcome"/> of setting <see cref="Treatment"/> to
/// <see cref="TreatedValue"/> rather than <see cref="ControlValue"/>, by a method, from an
/// adjustment set, instruments, a front-door (mediator) set or an identified estimand.
/// </summary>
public sealed record EstimationRequest(string Treatment, string Outcome)
{
    public string TreatedValue { get; init; } = "1";
    public string ControlValue { get; init; } = "0";
    public IReadOnlyList<string> Adjustment { get; init; } = [];
    public IReadOnlyList<string> Instruments { get; init; } = [];
    public IReadOnlyList<string> Mediators { get; init; } = [];
    /// <summary>An identified estimand of P(Outcome | do(Treatment)) for plug-in evaluation on discrete data.</summary>
    public Estimand? Estimand { get; init; }
    public EstimationMethod Method { get; init; } = EstimationMethod.Auto;
    public EstimationOptions Options { get; init; } = new();
}

public sealed record Interval(double Lo, double Hi)
{
    public bool Contains(double x) => Lo <= x && x <= Hi;
}

/// <summary>A cell or row group where positivity fails or nearly fails.</summary>
public sealed record PositivityIssue(string Description, double Count);

/// <summary>Standardised mean difference of one covariate term before and after weighting.</summary>
public sealed record Balance(string Term, double Before, double After);

/// <summary>E-value (VanderWeele & Ding 2017) of the point estimate and of the interval limit nearer the null.</summary>
public sealed record EValue(double Point, double? Interval, string Scale);

public sealed record Diagnostics(
    IReadOnlyList<PositivityIssue> Positivity,
    IReadOnlyList<Balance> Balance,
    EValue? EValue,
    double? MinPropensity = null,
    double? MaxPropensity = null,
    double? FirstStageF = null);

public sealed record StratumEstimate(IReadOnlyDictionary<string, string> Stratum, EstimateResult Estimate);

/// <summary>One estimate: value, interval, method, n, what it adjusted for, and everything a user should know.</summary>
public sealed record EstimateResult
{
    public required double Value { get; init; }
    public Interval? Interval { get; init; }
    public double? StandardError { get; init; }
    public required string Method { get; init; }
    /// <summary>Rows (or total weight) used after missing values were dropped.</summary>
    public required double N { get; init; }
    public long DroppedRows { get; init; }
    /// <summary>The estimand in words or symbols: the adjustment formula, the estimand, or the IV/front-door ratio.</summary>
    public required string EstimandText { get; init; }
    public IReadOnlyList<string> AdjustmentSet { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>E[Y | do(T = treated)] and E[Y | do(T = control)] where the method gives them.</summary>
    public double? MeanTreated { get; init; }
    public double? MeanControl { get; init; }
    /// <summary>An interval for <see cref="MeanTreated"/> alone, where the method gives one (the plug-in's delta method).</summary>
    public Interval? MeanTreatedInterval { get; init; }
    public string IntervalMethod { get; init; } = "";
    public IReadOnlyList<double> BootstrapReplicates { get; init; } = [];
    public IReadOnlyList<StratumEstimate> Strata { get; init; } = [];
    /// <summary>Standard deviation of the outcome over the rows used (for the E-value of a mean difference).</summary>
    public double? OutcomeSd { get; init; }
    public Diagnostics? Diagnostics { get; init; }
    /// <summary>The fitted propensity coefficients (IPW, AIPW): bootstrap replicates start their Newton runs there.</summary>
    internal double[]? PropensityFit { get; init; }
}

/// <summary>The outcome of `refute ... with placebo | random_common_cause | subset`.</summary>
public sealed record RefutationResult(string Kind, double Original, double NewValue, Interval? NewInterval, bool Passed, string Explanation);
