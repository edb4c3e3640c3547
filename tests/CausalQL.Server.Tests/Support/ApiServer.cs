using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CausalQL.Llm;
using Microsoft.AspNetCore.Builder;

namespace CausalQL.Server.Tests.Support;

/// <summary>The real HTTP API on 127.0.0.1 with an ephemeral port, and a client for it.</summary>
public sealed class ApiServer : IAsyncDisposable
{
    readonly WebApplication _app;

    public ApiServer(ServerOptions? options = null)
    {
        Options = (options ?? new ServerOptions()) with { Urls = ["http://127.0.0.1:0"] };
        _app = CqlServer.Build(Options);
        _app.StartAsync().GetAwaiter().GetResult();
        BaseAddress = new Uri(_app.Urls.First());
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public ServerOptions Options { get; }
    public Uri BaseAddress { get; }
    public HttpClient Client { get; }

    public Task<HttpResponseMessage> PostJson(string path, string json) =>
        Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> Post(string path, JsonObject body) => PostJson(path, body.ToJsonString());

    public static async Task<JsonObject> Body(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    public static void AssertProblem(HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
