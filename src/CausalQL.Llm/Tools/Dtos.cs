using System.Text.Json.Nodes;
using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Llm.Tools;

// The JSON shapes the HTTP API, the MCP tools and the Semantic Kernel functions all return (docs/API.md).
// Positions are 1-based line and column in the text they refer to ("file" names it).

public sealed record DiagnosticDto(string Severity, string Message, string File, int Line, int Column, int Length)
{
    public static DiagnosticDto From(Diagnostic d) => new(d.Severity switch
    {
        CausalQL.Text.Severity.Error => "error",
        CausalQL.Text.Severity.Warning => "warning",
        _ => "note",
    }, d.Message, d.Location.File, d.Location.Line, d.Location.Column, d.Location.Span.Length);
}

public sealed record ResultDto(string Kind, string Text, JsonObject Json, int Line, int Column)
{
    public static ResultDto From(StatementResult r) => new(r.Kind, r.Text, (JsonObject)r.Json.DeepClone(), r.Location.Line, r.Location.Column);
}

/// <summary>A script's results and diagnostics in the order they happened.</summary>
public sealed record RunReply(bool Ok, IReadOnlyList<ResultDto> Results, IReadOnlyList<DiagnosticDto> Diagnostics);

public sealed record CheckReply(bool Ok, IReadOnlyList<DiagnosticDto> Diagnostics);

/// <summary>
/// An identification answer. Status: identifiable, not_identifiable, budget_exhausted, invalid_query, error
/// (the query or context did not bind; see diagnostics) or results (answered by the session's engines; see results).
/// </summary>
public sealed record IdentifyReply(
    bool Ok,
    string Status,
    string? Query,
    string? Graph,
    string? Estimand,
    JsonNode? EstimandTree,
    string? Strategy,
    string? Hedge,
    IReadOnlyList<string> Notes,
    IReadOnlyList<string> Derivation,
    string? Error,
    IReadOnlyList<ResultDto> Results,
    IReadOnlyList<DiagnosticDto> Diagnostics);

/// <summary>Status: translated, empty_question, question_too_long, refused, not_in_scope, repair_budget_exhausted, model_failed.</summary>
public sealed record TranslateReply(
    bool Ok,
    string Status,
    string? Query,
    string? Reading,
    IReadOnlyList<string> MissingVariables,
    string? Error,
    int Attempts,
    IReadOnlyList<DiagnosticDto> Diagnostics)
{
    public static TranslateReply From(Translation t) => new(t.Succeeded, StatusWord(t.Status), t.Query, t.Reading, t.MissingVariables,
        t.Error, t.Attempts, t.Diagnostics.Select(DiagnosticDto.From).ToList());

    public static string StatusWord(TranslationStatus s) => s switch
    {
        TranslationStatus.Translated => "translated",
        TranslationStatus.EmptyQuestion => "empty_question",
        TranslationStatus.QuestionTooLong => "question_too_long",
        TranslationStatus.Refused => "refused",
        TranslationStatus.NotInScope => "not_in_scope",
        TranslationStatus.RepairBudgetExhausted => "repair_budget_exhausted",
        _ => "model_failed",
    };
}
