using System.IO.Pipelines;
using System.Text.Json.Nodes;
using CausalQL.Llm;
using CausalQL.Llm.Tools;
using CausalQL.Server.Tests.Support;
using Microsoft.SemanticKernel;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace CausalQL.Server.Tests;

/// <summary>The agent tools: Semantic Kernel functions and the MCP server (over in-process pipes, the same protocol as stdio).</summary>
public sealed class ToolTests
{
    const string Context = "graph g {\n  Z -> X -> Y\n  Z -> Y\n}";

    static CausalService Service(LlmOptions? llm = null) =>
        CqlServer.CreateService(new ServerOptions { RequestTimeout = TimeSpan.FromSeconds(20), Llm = llm ?? new LlmOptions() });

    [Fact]
    public async Task Semantic_Kernel_functions_call_the_engine()
    {
        var kernel = new Kernel();
        var plugin = kernel.Plugins.AddFromObject(new CausalQLPlugin(Service()), "causalql");
        Assert.Equal(["adjustment_sets", "check_script", "estimate", "identify", "translate"], plugin.Select(f => f.Name).Order().ToArray());

        var identify = await kernel.InvokeAsync(plugin["identify"], new KernelArguments { ["context"] = Context, ["query"] = "P(Y | do(X))" });
        var json = JsonNode.Parse(identify.GetValue<string>()!)!;
        Assert.Equal("identifiable", json["status"]!.GetValue<string>());
        Assert.Contains("Z", json["estimand"]!.GetValue<string>());

        var check = await kernel.InvokeAsync(plugin["check_script"], new KernelArguments { ["script"] = "graph g { A => B }" });
        var diagnostics = JsonNode.Parse(check.GetValue<string>()!)!["diagnostics"]!.AsArray();
        Assert.Equal(1, diagnostics[0]!["line"]!.GetValue<int>());

        var sets = await kernel.InvokeAsync(plugin["adjustment_sets"], new KernelArguments { ["context"] = Context, ["exposures"] = "X", ["outcomes"] = "Y" });
        var setsJson = JsonNode.Parse(sets.GetValue<string>()!)!;
        Assert.True(setsJson["ok"]!.GetValue<bool>(), setsJson.ToJsonString());
        Assert.Equal("Z", setsJson["results"]![0]!["json"]!["sets"]![0]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Tool_calls_that_read_files_outside_the_roots_get_a_refusal_object()
    {
        var plugin = new CausalQLPlugin(Service());
        var reply = JsonNode.Parse(await plugin.IdentifyAsync("data d = csv(\"/etc/passwd\")\n" + Context, "P(Y | do(X))"))!;
        Assert.Equal("refused", reply["error"]!.GetValue<string>());
        Assert.Contains("no data roots", reply["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_MCP_server_lists_and_runs_the_tools()
    {
        await using var llm = new ScriptedLlmServer(new Say("```cql\nidentify P(Y | do(X)) in g\n```"));
        var options = new ServerOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(20),
            Llm = new LlmOptions { Endpoint = llm.Endpoint, Model = "scripted", MaxRetries = 0 },
        };
        var toServer = new Pipe();
        var fromServer = new Pipe();
        using var stop = new CancellationTokenSource();
        var host = Task.Run(() => McpHost.RunAsync(options, toServer.Reader.AsStream(), fromServer.Writer.AsStream(), stop.Token));
        try
        {
            var transport = new StreamClientTransport(toServer.Writer.AsStream(), fromServer.Reader.AsStream());
            await using var client = await McpClient.CreateAsync(transport, cancellationToken: new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            Assert.Equal("causalql", client.ServerInfo!.Name);

            var tools = await client.ListToolsAsync();
            Assert.Equal(["adjustment_sets", "check_script", "estimate", "identify", "translate"], tools.Select(t => t.Name).Order().ToArray());

            var identified = await client.CallToolAsync("identify", new Dictionary<string, object?> { ["context"] = Context, ["query"] = "P(Y | do(X))" });
            var text = Assert.IsType<TextContentBlock>(identified.Content[0]).Text;
            Assert.True(identified.IsError != true, text);
            Assert.Equal("identifiable", JsonNode.Parse(text)!["status"]!.GetValue<string>());

            var translated = await client.CallToolAsync("translate", new Dictionary<string, object?> { ["question"] = "Does X affect Y?", ["context"] = Context });
            var translatedText = Assert.IsType<TextContentBlock>(translated.Content[0]).Text;
            Assert.True(translated.IsError != true, translatedText);
            var t = JsonNode.Parse(translatedText)!;
            Assert.Equal("identify P(Y | do(X)) in g", t["query"]!.GetValue<string>());
            Assert.Equal(1, llm.RequestCount);
        }
        finally
        {
            stop.Cancel();
            toServer.Writer.Complete();
            await Task.WhenAny(host, Task.Delay(5000));
        }
    }
}
