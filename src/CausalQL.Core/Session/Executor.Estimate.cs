using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CausalQL.Binding;
using CausalQL.Execution;
using CausalQL.Graphs;
using CausalQL.Identification;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Sessions;

/// <summary>Opens the data a script declares (csv, parquet, sql) as the executor's <see cref="IDataSource"/> port.</summary>
public interface IDataOpener
{
    /// <summary>Opens a declared source; relative paths resolve against <paramref name="relativeTo"/>, the naming script.</summary>
    Result<IDataSource> Open(DataSource source, string relativeTo);
}

// estimate: the query is read as "the effect of setting X on Y", identified in the graph (an
// adjustment set, instruments, or an identified estimand for the plug-in), then handed to the
// estimators with the data.
public static partial class Executor
{
    /// <summary>What a query asks of the estimators: the effect (difference), or the mean of Y under one intervention.</summary>
    enum Wanted { Effect, MeanTreated, OneMinusMeanTreated }

    sealed record Target(string Treatment, string Outcome, string Treated, string Control, Wanted Wanted);

    static ExecutionOutcome Estimate(EstimateStatement s, SessionPorts ports)
    {
        if (ReadTarget(s.Query) is not { } target)
            return Failed(s.Location, $"estimate reads a query as the effect of one treatment on one outcome: write ATE(X -> Y), "
                + $"E[Y | do(X = 1)] - E[Y | do(X = 0)], E[Y | do(X = 1)] or P(Y = 1 | do(X = 1)); {s.Query} is not one of these");
        if (s.Graph is not { } graph)
            return Failed(s.Location, $"estimate {s.Query} needs a graph to identify it in: add 'in G'");
        var options = ReadOptions(s.Options, out var method, out var optionError);
        if (optionError is not null) return Failed(s.Location, optionError);
        if (ports.Progress is { } progress) options = options with { Progress = new LabelledProgress(progress, s.Label ?? "estimate") };
        var request = new EstimationRequest(target.Treatment, target.Outcome)
        {
            TreatedValue = target.Treated,
            ControlValue = target.Control,
            Method = method,
            Options = options,
        };
        var strategy = Strategy(request, graph);
        if (strategy.Error is not null) return Failed(s.Location, $"estimate {s.Query} in {graph.Name}: {strategy.Error}");
        request = strategy.Request!;

        var opened = OpenData(s.Data, s.Location, ports);
        if (!opened.IsOk) return Failed(s.Location, opened.Error!.Message);
        using var source = opened.Value;
        var estimated = Estimation.Estimate(request, source, ports.Cancellation);
        if (!estimated.IsOk) return Failed(s.Location, $"estimate {s.Query} using {s.Data.Name}: {estimated.Error!.Message}");
        Remember(s, request, estimated.Value);
        return ExecutionOutcome.Of(DescribeEstimate(s, target, estimated.Value, strategy.Why!));
    }

    /// <summary>The effect a query names, or null when it is not of a shape the estimators answer.</summary>
    static Target? ReadTarget(Query query)
    {
        static string Level(Value? v, string fallback) => v switch
        {
            NumberValue n => n.ToString(),
            SymbolValue s => s.Name,
            _ => fallback,
        };
        static (string X, string Y, string Level)? Mean(Query q) => q switch
        {
            ExpectationQuery { Target: VariableQuery { Variable.IsCounterfactual: false } y, Interventions.Count: 1, Conditions.Count: 0 } e
                when e.Interventions[0].Value is not null
                => (e.Interventions[0].Variable, y.Variable.Name, Level(e.Interventions[0].Value, "1")),
            _ => null,
        };
        switch (query)
        {
            case EffectQuery { Kind: EffectKind.ATE or EffectKind.TE } f when f.Exposure.Count == 1 && f.Outcome.Count == 1:
                return new Target(f.Exposure.First(), f.Outcome.First(),
                    f.Options.Find("treated") is { } t ? OptionText(t) : "1",
                    f.Options.Find("control") is { } c ? OptionText(c) : "0", Wanted.Effect);
            case ArithmeticQuery { Operator: ArithmeticOperator.Subtract } a
                when Mean(a.Left) is { } left && Mean(a.Right) is { } right && left.X == right.X && left.Y == right.Y && left.Level != right.Level:
                return new Target(left.X, left.Y, left.Level, right.Level, Wanted.Effect);
            case ExpectationQuery e when Mean(e) is { } m:
                return new Target(m.X, m.Y, m.Level, Other(m.Level), Wanted.MeanTreated);
            case ProbabilityQuery { IsCounterfactual: false, Outcomes.Count: 1, Interventions.Count: 1, Conditions.Count: 0 } p
                when p.Interventions[0].Value is not null && p.Outcomes[0].Value is NumberValue { Number: 0 or 1 } y:
                {
                    var level = Level(p.Interventions[0].Value, "1");
                    return new Target(p.Interventions[0].Variable, p.Outcomes[0].Variable.Name, level, Other(level),
                        y.Number == 1 ? Wanted.MeanTreated : Wanted.OneMinusMeanTreated);
                }
            default:
                return null;
        }
    }

    /// <summary>The contrast level when only one is asked for: the means come from the same fit.</summary>
    static string Other(string level) => level == "0" ? "1" : "0";

    static string OptionText(OptionValue v) => v switch
    {
        NumberOption n => n.Value.ToString("R", CultureInfo.InvariantCulture),
        TextOption t => t.Value,
        _ => v.ToString()!,
    };

    static EstimationOptions ReadOptions(Seq<BoundOption> options, out EstimationMethod method, out string? error)
    {
        error = null;
        method = EstimationMethod.Auto;
        var result = new EstimationOptions();
        foreach (var option in options)
        {
            var name = option.Name.ToLowerInvariant();
            switch (name, option.Value)
            {
                case ("method", TextOption m):
                    var parsed = m.Value.ToLowerInvariant() switch
                    {
                        "plugin" => EstimationMethod.Plugin,
                        "regression" => EstimationMethod.Regression,
                        "ipw" => EstimationMethod.Ipw,
                        "aipw" => EstimationMethod.Aipw,
                        "iv" => EstimationMethod.Iv,
                        "frontdoor" or "front_door" => EstimationMethod.FrontDoor,
                        _ => (EstimationMethod?)null,
                    };
                    if (parsed is null) error = $"unknown method '{m.Value}'; expected plugin, regression, ipw, aipw, iv or frontdoor";
                    else method = parsed.Value;
                    break;
                case ("bootstrap", NumberOption n) when n.Value is >= 0 and <= 100_000 && n.Value == Math.Floor(n.Value):
                    result = result with { Bootstrap = (int)n.Value };
                    break;
                case ("bootstrap", NumberOption n):
                    error ??= $"bootstrap = {n.Value} is out of range: the number of replicates is a whole number from 0 to 100000";
                    break;
                case ("seed", NumberOption n) when n.Value == Math.Floor(n.Value) && Math.Abs(n.Value) <= int.MaxValue:
                    result = result with { Seed = (int)n.Value };
                    break;
                case ("trim", NumberOption n):
                    result = result with { Trim = n.Value };
                    break;
                case ("level", NumberOption n):
                    result = result with { ConfidenceLevel = n.Value };
                    break;
                case ("stabilized", TextOption t) when bool.TryParse(t.Value, out var b):
                    result = result with { Stabilized = b };
                    break;
                case ("by", TextOption t):
                    result = result with { By = [t.Value] };
                    break;
                case ("outcome_model", FormulaOption f):
                    result = result with { OutcomeModel = CqlPrinter.Print(f.Formula) };
                    break;
                case ("treatment_model", FormulaOption f):
                    result = result with { TreatmentModel = CqlPrinter.Print(f.Formula) };
                    break;
                case ("missing", TextOption t) when t.Value is "drop" or "error":
                    result = result with { Missing = t.Value == "drop" ? MissingPolicy.Drop : MissingPolicy.Error };
                    break;
                default:
                    error ??= $"option '{option.Name}' is not understood by estimate (or its value has the wrong type); "
                        + "expected method, bootstrap, seed, trim, level, stabilized, by, outcome_model, treatment_model or missing";
                    break;
            }
        }
        return result;
    }

    /// <summary>How the graph identifies the effect, as an estimation request, and a sentence saying so.</summary>
    static (EstimationRequest? Request, string? Why, string? Error) Strategy(EstimationRequest request, GraphContext graph)
    {
        var g = graph.Graph;
        var x = VarSet.Of(request.Treatment);
        var y = VarSet.Of(request.Outcome);
        switch (request.Method)
        {
            case EstimationMethod.Iv:
                {
                    var found = Graphs.Instruments.Conditional(g, request.Treatment, request.Outcome);
                    if (!found.IsValid) return (null, null, found.Error);
                    var plain = found.Instruments.Where(i => i.Given.IsEmpty).Select(i => i.Instrument).ToList();
                    if (plain.Count == 0) return (null, null, $"graph {graph.Name} has no unconditional instrument for {request.Treatment} -> {request.Outcome}");
                    return (request with { Instruments = plain }, $"instrumental variables {string.Join(", ", plain)} (graph {graph.Name})", null);
                }
            case EstimationMethod.FrontDoor:
                {
                    var found = FrontDoor.Find(g, x, y);
                    if (!found.Exists) return (null, null, $"no front-door set: {found.Note}");
                    var set = found.MinimalSet ?? found.Set!;
                    return (request with { Mediators = [.. set] }, $"front-door via {Show(set)} (graph {graph.Name})", null);
                }
        }
        var adjustment = Adjustment.Minimal(g, x, y);
        if (adjustment.Sets.Length > 0)
        {
            // The smallest minimal set: fewest columns to stratify on or model.
            var set = adjustment.Sets.OrderBy(s => s.Count).ThenBy(s => string.Join(",", s), StringComparer.Ordinal).First();
            var why = set.IsEmpty ? $"no adjustment needed (graph {graph.Name})" : $"back-door adjustment for {Show(set)} (graph {graph.Name})";
            return (request with { Adjustment = [.. set] }, why, null);
        }
        if (request.Method is not (EstimationMethod.Auto or EstimationMethod.Plugin))
            return (null, null, $"no adjustment set exists for {request.Treatment} -> {request.Outcome}, so method {request.Method.ToString().ToLowerInvariant()} does not apply; {adjustment.Note}");
        var identified = Identifier.Identify(g, y, x, VarSet.Empty);
        if (!identified.Identifiable)
            return (null, null, identified.Hedge is { } hedge ? $"P({request.Outcome} | do({request.Treatment})) is not identifiable ({hedge})" : identified.Error);
        return (request with { Estimand = identified.Estimand, Method = EstimationMethod.Plugin },
            $"{Describe(identified.Strategy)}: {identified.Estimand} (graph {graph.Name})", null);
    }

    static StatementResult DescribeEstimate(EstimateStatement s, Target target, EstimateResult r, string why)
    {
        double? value = target.Wanted switch
        {
            Wanted.Effect => r.Value,
            Wanted.MeanTreated => r.MeanTreated,
            _ => 1 - r.MeanTreated,
        };
        // An interval is reported for the effect, and for a single mean where the method gives one (the plug-in's delta method).
        var interval = target.Wanted switch
        {
            Wanted.Effect => r.Interval,
            Wanted.MeanTreated => r.MeanTreatedInterval,
            _ => r.MeanTreatedInterval is { } i ? new Interval(1 - i.Hi, 1 - i.Lo) : null,
        };
        var level = s.Options.Number("level") ?? 0.95;
        var text = new StringBuilder();
        if (s.Label is not null) text.Append(s.Label).Append(": ");
        text.Append(s.Query).Append(" = ").Append(value is { } v ? Number(v) : "(not given by this method)");
        if (interval is not null)
            text.Append($"  ({Number(level * 100)}% CI {Number(interval.Lo)} to {Number(interval.Hi)})");
        text.Append($"\n  method: {r.Method}, n = {Number(r.N)}");
        if (r.DroppedRows > 0) text.Append($", {r.DroppedRows} rows with missing values dropped");
        if (interval is not null && r.IntervalMethod.Length > 0) text.Append($"\n  interval: {r.IntervalMethod}");
        text.Append($"\n  identified by {why}");
        if (target.Wanted == Wanted.Effect && r.MeanTreated is { } m1 && r.MeanControl is { } m0)
            text.Append($"\n  E[{target.Outcome} | do({target.Treatment} = {target.Treated})] = {Number(m1)}, E[{target.Outcome} | do({target.Treatment} = {target.Control})] = {Number(m0)}");
        foreach (var w in r.Warnings) text.Append($"\n  warning: {w}");
        var json = new JsonObject
        {
            ["label"] = s.Label,
            ["query"] = s.Query.ToString(),
            ["value"] = value,
            ["interval"] = interval is null ? null : new JsonArray(interval.Lo, interval.Hi),
            ["interval_method"] = interval is null ? null : r.IntervalMethod,
            ["method"] = r.Method,
            ["n"] = r.N,
            ["treatment"] = target.Treatment,
            ["outcome"] = target.Outcome,
            ["effect"] = r.Value,
            ["mean_treated"] = r.MeanTreated,
            ["mean_control"] = r.MeanControl,
            ["estimand"] = r.EstimandText,
            ["identified_by"] = why,
            ["adjustment"] = Array(r.AdjustmentSet),
            ["warnings"] = Array(r.Warnings),
        };
        if (target.Wanted == Wanted.Effect) AppendEValue(text, json, r);
        return StatementResult.Create("estimate", text.ToString(), s.Location, json);
    }
}
