using System.Text.Json.Nodes;
using CausalQL.Binding;
using CausalQL.Execution;
using CausalQL.Text;

namespace CausalQL.Sessions;

// plot bootstrap|balance of e to "file.svg": Core turns a labelled estimate's replicates or balance table into a
// Plot (numbers only); the session's IPlotRenderer draws and writes it.
public static partial class Executor
{
    static ExecutionOutcome Plot(PlotStatement s, SessionPorts ports)
    {
        var name = s.Target.Name;
        if (s.Target.Slot.Result is not { } result || s.Target.Slot.Request is not { } request)
            return Failed(s.Location, $"estimate '{name}' has no result to plot: it did not run on data successfully");
        var width = (int)(s.Options.Number("width") ?? 800);
        var height = (int)(s.Options.Number("height") ?? 500);
        Plot plot;
        JsonObject json;
        string summary;
        switch (s.Kind)
        {
            case "bootstrap":
                {
                    var draws = result.BootstrapReplicates;
                    if (draws.Count == 0)
                        return Failed(s.Location, $"estimate '{name}' has no bootstrap replicates to plot (its interval: "
                            + $"{(result.IntervalMethod.Length > 0 ? result.IntervalMethod : "none")}); add 'with bootstrap = 1000' to the estimate");
                    var bins = s.Options.Number("bins") is { } b ? (int)b : (int?)null;
                    var (edges, counts) = Histograms.Build(draws, bins);
                    var level = Number(request.Options.ConfidenceLevel * 100);
                    var markers = new List<PlotMarker> { new($"estimate {Number(result.Value)}", result.Value, false) };
                    if (result.Interval is { } ci)
                    {
                        markers.Add(new PlotMarker($"{level}% CI {Number(ci.Lo)} to {Number(ci.Hi)}", ci.Lo, true));
                        markers.Add(new PlotMarker("", ci.Hi, true));
                    }
                    plot = new HistogramPlot($"Bootstrap distribution of {name} ({draws.Count} replicates)",
                        $"effect of {request.Treatment} on {request.Outcome} ({request.Treatment} = {request.TreatedValue} vs {request.ControlValue})",
                        "replicates", edges, counts, markers, width, height);
                    summary = $"{Count(draws.Count, "replicate")} in {Count(counts.Length, "bin")}";
                    json = new JsonObject
                    {
                        ["replicates"] = draws.Count,
                        ["edges"] = new JsonArray([.. edges.Select(e => (JsonNode)JsonValue.Create(e))]),
                        ["counts"] = new JsonArray([.. counts.Select(c => (JsonNode)JsonValue.Create(c))]),
                    };
                    break;
                }
            default:
                {
                    var rows = result.Diagnostics?.Balance;
                    if (rows is not { Count: > 0 } && request.Method == EstimationMethod.Ipw && s.Target.Slot.Data is { } data)
                    {
                        var measured = MeasureBalance(s.Target.Slot, data, request, s.Location, ports);
                        if (!measured.IsOk) return Failed(s.Location, $"cannot measure the covariate balance of estimate '{name}': {measured.Error!.Message}");
                        rows = measured.Value;
                    }
                    if (rows is not { Count: > 0 })
                        return Failed(s.Location, $"estimate '{name}' has no covariate balance to plot: balance before and after weighting "
                            + $"is measured by inverse probability weighting (with method = ipw); this estimate used {result.Method}");
                    // A row per covariate: unless a height is given, grow so that 50 covariates stay legible.
                    if (s.Options.Number("height") is null) height = Math.Max(height, 140 + 24 * rows.Count);
                    plot = new BalancePlot($"Covariate balance of {name}: {result.Method}",
                        "standardised mean difference (treated − control)", rows, BalanceThreshold, width, height);
                    var worst = rows.MaxBy(r => Math.Abs(r.After))!;
                    summary = $"{Count(rows.Count, "covariate")}, largest |SMD| after weighting {Number(Math.Abs(worst.After))} ({worst.Term})";
                    json = new JsonObject
                    {
                        ["covariates"] = new JsonArray([.. rows.Select(r => (JsonNode)new JsonObject { ["term"] = r.Term, ["before"] = r.Before, ["after"] = r.After })]),
                        ["threshold"] = BalanceThreshold,
                    };
                    break;
                }
        }
        if (ports.Plotter is not { } plotter)
            return Failed(s.Location, $"plot {s.Kind} of {name} needs a plot renderer, which this session does not have (cql run and the REPL draw plots)");
        var drawn = plotter.Render(plot, s.Format, s.Path, s.Location.File);
        if (drawn.Error is { } error) return Failed(s.PathLocation, $"cannot write the plot to \"{s.Path}\": {error}");
        json["plot"] = s.Kind;
        json["estimate"] = name;
        json["path"] = drawn.Path;
        json["format"] = s.Format;
        return ExecutionOutcome.Of(StatementResult.Create("plot", $"plot {s.Kind} of {name}: {summary}, written to {drawn.Path}", s.Location, json));
    }

    /// <summary>
    /// The balance of an IPW estimate, measured now: the estimate runs again on the same data with the balance
    /// sums on its last scan, starting from its fitted propensity (estimates leave them out, as nothing else
    /// reads them). Kept in the slot, so a second plot does not measure again.
    /// </summary>
    static Result<IReadOnlyList<Balance>> MeasureBalance(EstimateSlot slot, DataSymbol data, EstimationRequest request, Location at, SessionPorts ports)
    {
        var opened = OpenData(data, at, ports);
        if (!opened.IsOk) return opened.Error!;
        using var source = opened.Value;
        var options = request.Options with { MeasureBalance = true, Bootstrap = 0, By = [], PropensityStart = slot.Result!.PropensityFit };
        var rerun = Estimation.Estimate(request with { Options = options }, source, ports.Cancellation);
        if (!rerun.IsOk) return rerun.Error!;
        var balance = rerun.Value.Diagnostics?.Balance ?? [];
        slot.Result = slot.Result with { Diagnostics = (slot.Result.Diagnostics ?? new Diagnostics([], [], null)) with { Balance = balance } };
        return Result<IReadOnlyList<Balance>>.Ok(balance);
    }

    /// <summary>|SMD| above 0.1 is the common rule of thumb for meaningful imbalance (Austin 2009).</summary>
    const double BalanceThreshold = 0.1;
}
