using System.ComponentModel;
using CausalQL.Llm.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace CausalQL.Server;

/// <summary>
/// `cql mcp`: the compiler's tools over the Model Context Protocol on standard input/output, so an agent calls
/// a verified engine instead of guessing. The tools are the same <see cref="CausalService"/> calls as the HTTP API.
/// Logs go to standard error; standard output carries only the protocol.
/// </summary>
public static class McpHost
{
    public static async Task<int> RunAsync(ServerOptions options, Stream input, Stream output, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new CausalQLPluginAdapter(CqlServer.CreateService(options)));
        builder.Services.AddMcpServer(o =>
            {
                o.ServerInfo = new ModelContextProtocol.Protocol.Implementation { Name = "causalql", Version = CqlServer.Version };
                o.ServerInstructions = "CausalQL: a causal query language compiler. Declare graphs in a context script " +
                    "(e.g. graph g { Z -> X -> Y; Z -> Y }) and call identify, adjustment_sets, estimate, check_script or translate.";
            })
            .WithStreamServerTransport(input, output)
            .WithTools<CausalMcpTools>();
        using var host = builder.Build();
        await host.RunAsync(cancellationToken);
        return 0;
    }
}

/// <summary>The plugin's functions, shared so MCP and Semantic Kernel return exactly the same JSON.</summary>
public sealed class CausalQLPluginAdapter(CausalService service)
{
    public CausalQLPlugin Plugin { get; } = new(service);
}

[McpServerToolType]
public sealed class CausalMcpTools(CausalQLPluginAdapter adapter)
{
    CausalQLPlugin P => adapter.Plugin;

    [McpServerTool(Name = "check_script", ReadOnly = true), Description("Parse and bind a CausalQL script without running it; returns diagnostics with line and column.")]
    public Task<string> CheckScript([Description("The CausalQL script")] string script, CancellationToken cancellationToken) =>
        P.CheckScriptAsync(script, cancellationToken);

    [McpServerTool(Name = "identify", ReadOnly = true), Description("Identify a causal query such as P(Y | do(X)) in a graph declared by a CausalQL context script; returns the estimand, or why it is not identifiable.")]
    public Task<string> Identify(
        [Description("CausalQL declarations, e.g. graph g { Z -> X -> Y; Z -> Y }")] string context,
        [Description("The query, e.g. P(Y | do(X))")] string query,
        [Description("Graph name; omit to use the only/default graph")] string? graph = null,
        [Description("Include the derivation steps")] bool explain = false,
        CancellationToken cancellationToken = default) =>
        P.IdentifyAsync(context, query, graph, explain, cancellationToken);

    [McpServerTool(Name = "estimate", ReadOnly = true), Description("Estimate a causal query from data declared in the context script (files only under the server's data roots).")]
    public Task<string> Estimate(
        [Description("CausalQL declarations: a graph and a data set")] string context,
        [Description("The query, e.g. ATE(X -> Y)")] string query,
        [Description("The data set's name")] string data,
        [Description("Graph name")] string? graph = null,
        [Description("plugin, regression, ipw, aipw or iv")] string? method = null,
        CancellationToken cancellationToken = default) =>
        P.EstimateAsync(context, query, data, graph, method, cancellationToken);

    [McpServerTool(Name = "adjustment_sets", ReadOnly = true), Description("Back-door adjustment sets for the effect of exposures on outcomes in a declared graph.")]
    public Task<string> AdjustmentSets(
        [Description("CausalQL declarations with the graph")] string context,
        [Description("Exposure names, comma-separated")] string exposures,
        [Description("Outcome names, comma-separated")] string outcomes,
        [Description("Graph name")] string? graph = null,
        [Description("minimal, all, optimal or canonical")] string mode = "minimal",
        CancellationToken cancellationToken = default) =>
        P.AdjustmentSetsAsync(context, exposures, outcomes, graph, mode, cancellationToken);

    [McpServerTool(Name = "translate", ReadOnly = true), Description("Translate a plain-English causal question into checked CausalQL with a plain reading, in the scope of a context script; runs nothing.")]
    public Task<string> Translate(
        [Description("The question")] string question,
        [Description("CausalQL declarations in scope (may be empty)")] string context = "",
        CancellationToken cancellationToken = default) =>
        P.TranslateAsync(question, context, cancellationToken);
}
