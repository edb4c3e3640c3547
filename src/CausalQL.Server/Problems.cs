using System.Text.Json;
using System.Text.Json.Nodes;
using CausalQL.Llm.Tools;
using Microsoft.AspNetCore.Http;

namespace CausalQL.Server;

/// <summary>
/// Errors as RFC 7807 problem details (application/problem+json). Problems about text carry "line" and "column"
/// (1-based) of the first error and an "errors" array with every diagnostic's position.
/// </summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static IResult Problem(int status, string slug, string title, string detail,
        IReadOnlyList<DiagnosticDto>? errors = null, int? line = null, int? column = null, Action<JsonObject>? extend = null)
    {
        var body = new JsonObject
        {
            ["type"] = $"https://causalql.dev/problems/{slug}",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
        };
        var first = errors?.FirstOrDefault(e => e.Severity == "error") ?? errors?.FirstOrDefault();
        if ((line ?? first?.Line) is { } l) body["line"] = l;
        if ((column ?? first?.Column) is { } c) body["column"] = c;
        if (errors is { Count: > 0 })
            body["errors"] = JsonSerializer.SerializeToNode(errors, ApiJson.Options);
        extend?.Invoke(body);
        return Results.Text(body.ToJsonString(ApiJson.Options), ContentType, System.Text.Encoding.UTF8, status);
    }
}
