using System.ComponentModel;
using System.Text.Json;
using Microsoft.SemanticKernel;

namespace CausalQL.Llm.Tools;

/// <summary>
/// The compiler as Semantic Kernel functions, so an agent calls a verified engine instead of guessing.
/// Each function returns the JSON documented in docs/API.md. Add with
/// <c>kernel.Plugins.AddFromObject(new CausalQLPlugin(service), "causalql")</c>.
/// </summary>
public sealed class CausalQLPlugin(CausalService service)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [KernelFunction("check_script"), Description("Parse and bind a CausalQL script without running it; returns diagnostics with line and column.")]
    public async Task<string> CheckScriptAsync(
        [Description("The CausalQL script")] string script,
        CancellationToken cancellationToken = default) =>
        Serialize(await Guard(() => service.CheckAsync(script, cancellationToken)));

    [KernelFunction("identify"), Description("Identify a causal query such as P(Y | do(X)) in a graph declared by a CausalQL context script; returns the estimand or why it is not identifiable.")]
    public async Task<string> IdentifyAsync(
        [Description("CausalQL declarations, e.g. graph g { Z -> X -> Y; Z -> Y }")] string context,
        [Description("The query, e.g. P(Y | do(X))")] string query,
        [Description("Graph name; omit to use the default graph")] string? graph = null,
        [Description("Include the derivation steps")] bool explain = false,
        CancellationToken cancellationToken = default) =>
        Serialize(await Guard(() => service.IdentifyAsync(context, query, graph, explain, cancellationToken)));

    [KernelFunction("estimate"), Description("Estimate a causal query from data declared in the context script.")]
    public async Task<string> EstimateAsync(
        [Description("CausalQL declarations: a graph and a data set")] string context,
        [Description("The query, e.g. ATE(X -> Y) or P(Y = 1 | do(X = 1))")] string query,
        [Description("The data set's name")] string data,
        [Description("Graph name; omit to use the default graph")] string? graph = null,
        [Description("Estimation method: plugin, regression, ipw, aipw or iv")] string? method = null,
        CancellationToken cancellationToken = default) =>
        Serialize(await Guard(() => service.EstimateAsync(context, query, graph, data, method, cancellationToken)));

    [KernelFunction("adjustment_sets"), Description("Find back-door adjustment sets for the effect of exposures on outcomes in a declared graph.")]
    public async Task<string> AdjustmentSetsAsync(
        [Description("CausalQL declarations with the graph")] string context,
        [Description("Exposure variable names, comma-separated")] string exposures,
        [Description("Outcome variable names, comma-separated")] string outcomes,
        [Description("Graph name; omit to use the default graph")] string? graph = null,
        [Description("minimal, all, optimal or canonical")] string mode = "minimal",
        CancellationToken cancellationToken = default) =>
        Serialize(await Guard(() => service.AdjustmentSetsAsync(context, exposures, outcomes, graph, mode, cancellationToken)));

    [KernelFunction("translate"), Description("Translate a plain-English causal question into checked CausalQL (with a plain reading) in the scope of a context script; runs nothing.")]
    public async Task<string> TranslateAsync(
        [Description("The question")] string question,
        [Description("CausalQL declarations in scope (may be empty)")] string context = "",
        CancellationToken cancellationToken = default) =>
        Serialize(await Guard(() => service.TranslateAsync(question, context, cancellationToken)));

    static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);

    /// <summary>Refusals and budget overruns become a JSON error object, never an exception the agent cannot read.</summary>
    internal static async Task<object> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return (await call().ConfigureAwait(false))!;
        }
        catch (RefusedException e)
        {
            return new ToolError("refused", e.Message, e.Diagnostics.Select(DiagnosticDto.From).ToList());
        }
        catch (BudgetExceededException e)
        {
            return new ToolError("timeout", e.Message, []);
        }
        catch (BusyException e)
        {
            return new ToolError("busy", e.Message, []);
        }
    }
}

public sealed record ToolError(string Error, string Message, IReadOnlyList<DiagnosticDto> Diagnostics);
