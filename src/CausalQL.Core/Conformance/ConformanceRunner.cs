using System.Collections.Immutable;
using System.Text.Json.Nodes;
using CausalQL.Estimands;
using CausalQL.Identification;

namespace CausalQL.Conformance;

public enum CaseStatus { Passed, Failed, Skipped }

/// <summary>The outcome of one case: our verdict, the largest numeric error, and what differed.</summary>
public sealed record CaseOutcome(string Id, CaseStatus Status, string Message, bool? OurVerdict, double? MaxError, Estimand? Estimand);

/// <summary>The outcome of a conformance run, with the lines a command prints.</summary>
public sealed record ConformanceReport(ImmutableArray<CaseOutcome> Cases, ImmutableArray<string> ParseErrors)
{
    public int Passed => Cases.Count(c => c.Status == CaseStatus.Passed);
    public int Failed => Cases.Count(c => c.Status == CaseStatus.Failed) + ParseErrors.Length;
    public int Skipped => Cases.Count(c => c.Status == CaseStatus.Skipped);
    public int ExitCode => Failed > 0 ? 1 : 0;

    /// <summary>"N passed, M failed" (and the skipped count when there are skipped cases).</summary>
    public string Summary => Skipped > 0
        ? $"{Passed} passed, {Failed} failed ({Skipped} skipped: {SkipReasons})"
        : $"{Passed} passed, {Failed} failed";

    string SkipReasons => string.Join("; ", Cases.Where(c => c.Status == CaseStatus.Skipped)
        .GroupBy(c => c.Message).Select(g => $"{g.Count()} {g.Key}"));

    /// <summary>One line per failure (id and what differed), then the summary.</summary>
    public ImmutableArray<string> Lines =>
    [
        .. ParseErrors.Select(e => $"parse error: {e}"),
        .. Cases.Where(c => c.Status == CaseStatus.Failed).Select(c => $"{c.Id}: {c.Message}"),
        Summary,
    ];

    public JsonObject ToJson() => new()
    {
        ["passed"] = Passed,
        ["failed"] = Failed,
        ["skipped"] = Skipped,
        ["summary"] = Summary,
        ["parse_errors"] = new JsonArray([.. ParseErrors.Select(e => (JsonNode)JsonValue.Create(e))]),
        ["cases"] = new JsonArray([.. Cases.Select(c => (JsonNode)new JsonObject
        {
            ["id"] = c.Id,
            ["status"] = c.Status.ToString().ToLowerInvariant(),
            ["message"] = c.Message,
            ["identifiable"] = c.OurVerdict,
            ["max_error"] = c.MaxError is { } e && double.IsFinite(e) ? e : null,
            ["estimand"] = c.Estimand is null ? null : EstimandJson.ToJson(c.Estimand),
        })]),
    };
}

/// <summary>
/// Runs conformance cases (the JSON-lines schema of shared/conformance/README.md): identifies each
/// interventional and conditional-interventional query, checks the verdict against
/// <c>identifiable</c>, and checks identifiable estimands numerically against every row of
/// <c>interventional</c> (tolerance 1e-9, extra free variables at every value). Counterfactual
/// cases are counted as skipped. No file I/O: the caller passes the text.
/// </summary>
public static class ConformanceRunner
{
    public static ConformanceReport Run(string jsonlText, CancellationToken ct = default) => Run(jsonlText, IdentifyOptions.Default, ct);

    /// <summary>Runs with other identification options (e.g. ID/IDC only, without the back-door and front-door criteria).</summary>
    public static ConformanceReport Run(string jsonlText, IdentifyOptions options, CancellationToken ct = default)
    {
        var (cases, errors) = ConformanceCase.ParseLines(jsonlText);
        var outcomes = ImmutableArray.CreateBuilder<CaseOutcome>(cases.Length);
        foreach (var c in cases)
        {
            ct.ThrowIfCancellationRequested();
            outcomes.Add(RunCase(c, options, ct));
        }
        return new ConformanceReport(outcomes.ToImmutable(), errors);
    }

    public static CaseOutcome RunCase(ConformanceCase c, CancellationToken ct = default) => RunCase(c, IdentifyOptions.Default, ct);

    public static CaseOutcome RunCase(ConformanceCase c, IdentifyOptions options, CancellationToken ct = default)
    {
        if (c.Kind == QueryKind.Counterfactual)
            return new CaseOutcome(c.Id, CaseStatus.Skipped, "counterfactual (not yet supported by the runner)", null, null, null);
        if (c.Identifiable is not { } expected)
            return new CaseOutcome(c.Id, CaseStatus.Skipped, "no verdict given", null, null, null);

        var result = Identifier.Identify(c.Graph, c.Outcome, c.Treatment, c.Condition, options, ct);
        switch (result.Status)
        {
            case IdStatus.InvalidQuery:
                return new CaseOutcome(c.Id, CaseStatus.Failed, $"query rejected: {result.Error}", null, null, null);
            case IdStatus.BudgetExhausted:
                return new CaseOutcome(c.Id, CaseStatus.Failed, $"no verdict: {result.Error}", null, null, null);
        }
        var ours = result.Identifiable;
        if (ours != expected)
            return new CaseOutcome(c.Id, CaseStatus.Failed,
                $"verdict differs: expected {(expected ? "identifiable" : "not identifiable")}, got {(ours ? "identifiable" : "not identifiable")}"
                + (result.Hedge is { } h ? $" ({h})" : ""), ours, null, result.Estimand);
        if (!ours)
            return new CaseOutcome(c.Id, CaseStatus.Passed, "not identifiable, as expected", ours, null, null);
        if (c.Observational is null || c.Interventional is null)
            return new CaseOutcome(c.Id, CaseStatus.Passed, "identifiable, as expected (no ground truth to check the estimand)", ours, null, result.Estimand);
        var check = EstimandCheck.Check(result.Estimand!, c.Observational, c.Interventional, ct);
        return check.Passed
            ? new CaseOutcome(c.Id, CaseStatus.Passed, $"estimand matches the truth (max error {check.MaxError:G3})", ours, check.MaxError, result.Estimand)
            : new CaseOutcome(c.Id, CaseStatus.Failed, $"estimand differs from the truth: {check.Message}", ours, check.MaxError, result.Estimand);
    }
}
