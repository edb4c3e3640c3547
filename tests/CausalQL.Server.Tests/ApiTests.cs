using System.Text;
using System.Text.Json.Nodes;
using CausalQL.Graphs;
using CausalQL.Identification;
using CausalQL.Llm;
using CausalQL.Server.Tests.Support;

namespace CausalQL.Server.Tests;

/// <summary>End-to-end over real loopback HTTP: the server as `cql serve` runs it.</summary>
public sealed class ApiTests
{
    const string FrontDoor = "graph fd {\n  X -> M -> Y\n  X <-> Y\n}";

    [Fact]
    public async Task Health_reports_version_and_limits()
    {
        await using var api = new ApiServer();
        var response = await api.Client.GetAsync("/v1/health");
        Assert.Equal(200, (int)response.StatusCode);
        var body = await ApiServer.Body(response);
        Assert.Equal("ok", body["status"]!.GetValue<string>());
        Assert.Equal(api.Options.MaxRequestBytes, body["maxRequestBytes"]!.GetValue<long>());
        Assert.Empty(body["dataRoots"]!.AsArray());
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_endpoint()
    {
        await using var api = new ApiServer();
        var response = await api.Client.GetAsync("/openapi/v1.json");
        Assert.Equal(200, (int)response.StatusCode);
        var doc = await ApiServer.Body(response);
        var paths = doc["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        Assert.Superset(new HashSet<string> { "/v1/health", "/v1/run", "/v1/check", "/v1/identify", "/v1/translate" }, paths);
        Assert.NotNull(doc["paths"]!["/v1/identify"]!["post"]!["requestBody"]);
    }

    [Fact]
    public async Task Identify_front_door_matches_the_engine()
    {
        await using var api = new ApiServer();
        var response = await api.Post("/v1/identify", new JsonObject { ["context"] = FrontDoor, ["query"] = "P(Y | do(X))", ["graph"] = "fd" });
        Assert.Equal(200, (int)response.StatusCode);
        var body = await ApiServer.Body(response);
        Assert.Equal("identifiable", body["status"]!.GetValue<string>());
        Assert.True(body["ok"]!.GetValue<bool>());

        var graph = CausalGraph.Create(["X", "M", "Y"], [("X", "M"), ("M", "Y")], [("X", "Y")]);
        var expected = Identifier.Identify(graph, VarSet.Of("Y"), VarSet.Of("X"), VarSet.Empty);
        Assert.Equal(expected.Estimand!.ToString(), body["estimand"]!.GetValue<string>());
        Assert.NotNull(body["estimandTree"]);
    }

    [Fact]
    public async Task Identify_the_bow_arc_is_not_identifiable_with_a_hedge()
    {
        await using var api = new ApiServer();
        var response = await api.Post("/v1/identify", new JsonObject { ["context"] = "graph bow { X -> Y\n X <-> Y }", ["query"] = "P(Y | do(X))" });
        Assert.Equal(200, (int)response.StatusCode);
        var body = await ApiServer.Body(response);
        Assert.Equal("not_identifiable", body["status"]!.GetValue<string>());
        Assert.False(body["ok"]!.GetValue<bool>());
        Assert.StartsWith("hedge:", body["hedge"]!.GetValue<string>());
    }

    [Fact]
    public async Task Identify_an_unknown_variable_is_a_problem_with_line_and_column()
    {
        await using var api = new ApiServer();
        var response = await api.Post("/v1/identify", new JsonObject { ["context"] = FrontDoor, ["query"] = "P(Y | do(Income))", ["graph"] = "fd" });
        ApiServer.AssertProblem(response, 422);
        var body = await ApiServer.Body(response);
        Assert.Equal(1, body["line"]!.GetValue<int>());
        Assert.Equal(10, body["column"]!.GetValue<int>()); // where "Income" starts in the query
        Assert.Contains("Income", body["detail"]!.GetValue<string>());
        Assert.Equal("<query>", body["errors"]![0]!["file"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_query_cannot_smuggle_in_statements()
    {
        await using var api = new ApiServer();
        var response = await api.Post("/v1/identify", new JsonObject { ["context"] = FrontDoor, ["query"] = "P(Y | do(X))\ndata d = csv(\"/etc/passwd\")" });
        ApiServer.AssertProblem(response, 422);
    }

    [Fact]
    public async Task Check_reports_diagnostics_with_positions()
    {
        await using var api = new ApiServer();
        var good = await ApiServer.Body(await api.Post("/v1/check", new JsonObject { ["script"] = FrontDoor }));
        Assert.True(good["ok"]!.GetValue<bool>());
        Assert.Empty(good["diagnostics"]!.AsArray());

        var bad = await api.Post("/v1/check", new JsonObject { ["script"] = "graph g {\n  A => B\n}" });
        Assert.Equal(200, (int)bad.StatusCode);
        var body = await ApiServer.Body(bad);
        Assert.False(body["ok"]!.GetValue<bool>());
        var d = body["diagnostics"]![0]!;
        Assert.Equal("error", d["severity"]!.GetValue<string>());
        Assert.Equal(2, d["line"]!.GetValue<int>());
        Assert.Equal(5, d["column"]!.GetValue<int>());
        Assert.Contains("expected '->' or '<->'", d["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_returns_results_and_script_errors_as_a_problem()
    {
        await using var api = new ApiServer();
        var ok = await api.Post("/v1/run", new JsonObject { ["script"] = FrontDoor });
        Assert.Equal(200, (int)ok.StatusCode);
        var body = await ApiServer.Body(ok);
        var result = body["results"]![0]!;
        Assert.Equal("graph", result["kind"]!.GetValue<string>());
        Assert.Equal("fd", result["json"]!["name"]!.GetValue<string>());

        var bad = await api.Post("/v1/run", new JsonObject { ["script"] = FrontDoor + "\nidentify P(Y | do(Q)) in fd" });
        ApiServer.AssertProblem(bad, 422);
        var problem = await ApiServer.Body(bad);
        Assert.Equal(5, problem["line"]!.GetValue<int>());
        Assert.Equal("graph", problem["results"]![0]!["kind"]!.GetValue<string>()); // the good statement still ran
    }

    [Theory]
    [InlineData("{\"script\": \"graph g { A -> B }\"", 1, "not valid JSON")]
    [InlineData("{\n  \"script\": \"x\",\n  \"scirpt\": \"y\"\n}", 3, "unknown field 'scirpt'")]
    [InlineData("{\"query\": 1}", 1, "")]
    [InlineData("[1, 2]", 1, "")]
    [InlineData("{}", 1, "required")]
    public async Task Malformed_json_and_unknown_fields_are_400_problems_with_a_position(string json, int line, string detail)
    {
        await using var api = new ApiServer();
        var response = await api.PostJson("/v1/run", json);
        ApiServer.AssertProblem(response, 400);
        var body = await ApiServer.Body(response);
        Assert.Equal(line, body["line"]!.GetValue<int>());
        Assert.True(body["column"]!.GetValue<int>() >= 1);
        Assert.Contains(detail, body["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Empty_body_and_wrong_content_type_are_problems()
    {
        await using var api = new ApiServer();
        ApiServer.AssertProblem(await api.PostJson("/v1/check", ""), 400);
        ApiServer.AssertProblem(await api.Client.GetAsync("/v1/nothing-here"), 404);
        var text = await api.Client.PostAsync("/v1/check", new StringContent("{\"script\":\"\"}", Encoding.UTF8, "text/plain"));
        ApiServer.AssertProblem(text, 415);
    }

    [Fact]
    public async Task A_10_MB_body_is_refused_with_413()
    {
        await using var api = new ApiServer();
        var huge = new JsonObject { ["question"] = new string('a', 10 * 1024 * 1024) };
        // As curl does for large bodies: announce the body and wait for "100 Continue", which never comes.
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/translate") { Content = new StringContent(huge.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        var response = await api.Client.SendAsync(request);
        ApiServer.AssertProblem(response, 413);
        // and the server is still up
        Assert.Equal(200, (int)(await api.Client.GetAsync("/v1/health")).StatusCode);
    }

    [Fact]
    public async Task Files_outside_the_data_roots_are_refused_with_their_position()
    {
        var root = Directory.CreateTempSubdirectory("cql-root-");
        try
        {
            File.WriteAllText(Path.Combine(root.FullName, "ok.csv"), "A,B\n0,1\n");
            await using var api = new ApiServer(new ServerOptions { DataRoots = [root.FullName] });

            var passwd = await api.Post("/v1/run", new JsonObject { ["script"] = "graph g { A -> B }\ndata x = csv(\"/etc/passwd\")" });
            ApiServer.AssertProblem(passwd, 403);
            var body = await ApiServer.Body(passwd);
            Assert.Equal(2, body["line"]!.GetValue<int>());
            Assert.Equal(14, body["column"]!.GetValue<int>());
            Assert.Contains("'/etc/passwd' is outside the data roots", body["detail"]!.GetValue<string>());

            var escape = await api.Post("/v1/run", new JsonObject { ["script"] = "data x = csv(\"../../../../etc/passwd\")" });
            ApiServer.AssertProblem(escape, 403);
            var dagitty = await api.Post("/v1/run", new JsonObject { ["script"] = "graph h = dagitty(\"/etc/hostname\")" });
            ApiServer.AssertProblem(dagitty, 403);
            var sql = await api.Post("/v1/run", new JsonObject { ["script"] = "data p = sql(\"Host=x\", \"select 1\")" });
            ApiServer.AssertProblem(sql, 403);
            var plot = await api.Post("/v1/run", new JsonObject { ["script"] = "plot bootstrap of e to \"/tmp/boot.svg\"" });
            ApiServer.AssertProblem(plot, 403);
            Assert.Contains("plot writes the file \"/tmp/boot.svg\"", (await ApiServer.Body(plot))["detail"]!.GetValue<string>());

            // inside the root: not refused (the declaration binds and describes the file)
            var inside = await api.Post("/v1/run", new JsonObject { ["script"] = "data x = csv(\"ok.csv\")" });
            Assert.Equal(200, (int)inside.StatusCode);

            // check reports the refusal as a diagnostic rather than refusing the request
            var check = await ApiServer.Body(await api.Post("/v1/check", new JsonObject { ["script"] = "data x = csv(\"/etc/passwd\")" }));
            Assert.False(check["ok"]!.GetValue<bool>());
            Assert.Contains("outside the data roots", check["diagnostics"]![0]!["message"]!.GetValue<string>());
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Without_data_roots_no_file_is_read()
    {
        await using var api = new ApiServer();
        var response = await api.Post("/v1/run", new JsonObject { ["script"] = "data x = csv(\"data.csv\")" });
        ApiServer.AssertProblem(response, 403);
        Assert.Contains("no data roots", (await ApiServer.Body(response))["detail"]!.GetValue<string>());
    }
}
