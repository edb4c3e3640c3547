using System.Text;
using System.Text.Json.Nodes;
using CausalQL.Server.Tests.Support;
using CausalQL.Tests;

namespace CausalQL.Server.Tests;

/// <summary>
/// The per-request time budget cancels the run itself: a statement that would run for hours is stopped inside its
/// engine, the request gets a 504, and the run no longer holds a thread (the health endpoint's runsInFlight drops to 0).
/// Also: the worst input the parser accepts (brackets and operator chains at their limits) runs on an ordinary
/// thread-pool thread; before the operator limit, a 20,000-term sum overflowed its stack in the binder.
/// </summary>
public sealed class ApiBudgetTests
{
    // 100,000 bootstrap replicates of a regression on 200,000 sampled rows: hours of work in one statement.
    static readonly string LongBootstrap = ConfoundedSample.Script(200000) + """
        estimate ATE(X -> Y) in G using d with method = regression, bootstrap = 100000
        """;

    /// <summary>Counterfactual queries on an SCM of 21 fair coins: 2^21 noise states per query, many queries.</summary>
    static string LongEnumeration()
    {
        var sb = new StringBuilder("scm coins {\n");
        for (var i = 0; i < 21; i++) sb.Append($"  N{i} ~ bernoulli(0.5)\n");
        sb.Append("  Y0 := N0\n");
        for (var i = 1; i < 21; i++) sb.Append($"  Y{i} := N{i} or Y{i - 1}\n");
        sb.Append("}\nuse coins\n");
        for (var i = 0; i < 2000; i++) sb.Append("P(Y20[Y0 = 0] = 1 | Y20 = 1)\n");
        return sb.ToString();
    }

    /// <summary>The implications of a 12,000-node chain: a basis that grows with the square of the graph (half a gigabyte of text).</summary>
    static string LongChainImplications()
    {
        var sb = new StringBuilder("graph c {\n");
        for (var i = 1; i < 12_000; i++) sb.Append($" V{i} -> V{i + 1}\n");
        return sb.Append("}\nimplications of c\n").ToString();
    }

    /// <summary>Polls /v1/health until no run is in flight; the runs' count, or -1 if they never stopped.</summary>
    static async Task<JsonObject> WhenIdle(ApiServer api)
    {
        JsonObject health;
        var polls = 0;
        do
        {
            health = await ApiServer.Body(await api.Client.GetAsync("/v1/health"));
            if (health["runsInFlight"]!.GetValue<int>() == 0) return health;
            await Task.Delay(50);
        }
        while (++polls < 400); // a generous 20 s: an abandoned run would stay in flight for hours
        return health;
    }

    [Theory]
    [InlineData("bootstrap")]
    [InlineData("enumeration")]
    [InlineData("implications")]
    public async Task An_over_budget_statement_is_cancelled_inside_its_engine_and_releases_its_thread(string which)
    {
        await using var api = new ApiServer(new ServerOptions { RequestTimeout = TimeSpan.FromSeconds(1) });
        var script = which switch { "bootstrap" => LongBootstrap, "enumeration" => LongEnumeration(), _ => LongChainImplications() };

        var response = await api.Post("/v1/run", new JsonObject { ["script"] = script });
        ApiServer.AssertProblem(response, 504);
        var body = await ApiServer.Body(response);
        Assert.Equal("https://causalql.dev/problems/time-budget-exceeded", body["type"]!.GetValue<string>());
        Assert.Equal("the run was cancelled after the time budget of 1 s", body["detail"]!.GetValue<string>());

        // The run stopped: nothing is left in flight, and the budget counted one cancellation.
        var health = await WhenIdle(api);
        Assert.Equal(0, health["runsInFlight"]!.GetValue<int>());
        Assert.Equal(1, health["runsCancelled"]!.GetValue<long>());

        // The next request is served normally.
        var next = await api.Post("/v1/identify", new JsonObject { ["context"] = "graph g { Z -> X -> Y\n Z -> Y }", ["query"] = "P(Y | do(X))" });
        Assert.Equal(200, (int)next.StatusCode);
    }

    [Fact]
    public async Task A_result_too_large_to_send_is_an_error_at_its_statement_and_the_others_are_kept()
    {
        // The implications of a 2,000-node chain: about two million names, beyond what one reply holds.
        var sb = new StringBuilder("graph c {\n");
        for (var i = 1; i < 2_000; i++) sb.Append($" V{i} -> V{i + 1}\n");
        sb.Append("}\nimplications of c\nadjustment sets for V1 -> V2000 in c\n");
        await using var api = new ApiServer(new ServerOptions { RequestTimeout = TimeSpan.FromSeconds(60) });
        var response = await api.Post("/v1/run", new JsonObject { ["script"] = sb.ToString() });
        ApiServer.AssertProblem(response, 422);
        var body = await ApiServer.Body(response);
        var error = body["errors"]![0]!;
        Assert.StartsWith("the result of this statement is too large to return", error["message"]!.GetValue<string>());
        Assert.Equal(2002, error["line"]!.GetValue<int>());
        Assert.Equal(["graph", "adjustment_sets"], body["results"]!.AsArray().Select(r => r!["kind"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Identification_over_a_huge_graph_under_a_long_timeout_still_ends_at_the_request_budget()
    {
        // The statement's own 'with timeout = 10h' is no way past the server's budget.
        var sb = new StringBuilder("graph big {\n");
        for (var i = 2; i <= 3000; i++)
        {
            sb.Append($"  V{i - 1} -> V{i}\n");
            if (i > 2) sb.Append($"  V{(i * 7919) % (i - 1) + 1} -> V{i}\n");
            sb.Append($"  V{i - 1} <-> V{i}\n");
        }
        sb.Append("}\n");
        // Far more work than the budget on any machine (each identification takes tens of milliseconds).
        for (var i = 0; i < 1000; i++) sb.Append("identify P(V3000 | do(V1500)) in big with timeout = 10h\n");
        await using var api = new ApiServer(new ServerOptions { RequestTimeout = TimeSpan.FromSeconds(1) });

        var response = await api.Post("/v1/run", new JsonObject { ["script"] = sb.ToString() });
        ApiServer.AssertProblem(response, 504);
        Assert.Equal(0, (await WhenIdle(api))["runsInFlight"]!.GetValue<int>());
        Assert.Equal(200, (int)(await api.Client.GetAsync("/v1/health")).StatusCode);
    }

    [Fact]
    public async Task The_deepest_nesting_the_longest_expressions_and_a_200_node_graph_run_on_the_thread_pool()
    {
        await using var api = new ApiServer(new ServerOptions { RequestTimeout = TimeSpan.FromSeconds(60) });
        var depth = Syntax.CqlParser.MaxNestingDepth;

        // Brackets nested to the limit (P( and do( are two levels), in a query the binder, identifier and printer all walk.
        var nested = new string('(', depth - 2) + "P(Y | do(X))" + new string(')', depth - 2);
        var deep = await api.Post("/v1/identify", new JsonObject { ["context"] = "graph g { Z -> X -> Y\n Z -> Y }", ["query"] = nested });
        Assert.True(deep.IsSuccessStatusCode, await deep.Content.ReadAsStringAsync());
        var tooDeep = await api.Post("/v1/run", new JsonObject { ["script"] = "graph g { X -> Y }\nidentify " + "(" + nested + ")" + " in g" });
        ApiServer.AssertProblem(tooDeep, 422);
        Assert.Contains("nesting too deep", (await ApiServer.Body(tooDeep))["errors"]![0]!["message"]!.GetValue<string>());

        // Arithmetic nested to the limit as a whole script: every statement kind's passes recurse over it.
        var arithmetic = new StringBuilder("graph g { Z -> X -> Y\n Z -> Y }\nidentify ");
        for (var i = 0; i < depth - 2; i++) arithmetic.Append("(P(Y | do(X)) - ");
        arithmetic.Append("P(Y | do(X))").Append(')', depth - 2).Append(" in g\n");
        var deepRun = await api.Post("/v1/run", new JsonObject { ["script"] = arithmetic.ToString() });
        Assert.True(deepRun.IsSuccessStatusCode, await deepRun.Content.ReadAsStringAsync());

        // Operator chains are as deep as they are long: up to the limit they run, beyond it they are reported.
        var limit = Syntax.CqlParser.MaxOperatorsPerExpression;
        var longest = "graph g { Z -> X -> Y\n Z -> Y }\nidentify " + string.Join(" - ", Enumerable.Repeat("P(Y | do(X))", limit + 1)) + " in g\n"
            + "scm m {\n  U ~ bernoulli(0.5)\n  A := " + string.Concat(Enumerable.Repeat("not ", limit)) + "U\n}\nuse m\nP(A = 1)\n";
        var atLimit = await api.Post("/v1/run", new JsonObject { ["script"] = longest });
        Assert.True(atLimit.IsSuccessStatusCode, await atLimit.Content.ReadAsStringAsync());
        foreach (var chain in new[] { string.Join(" + ", Enumerable.Repeat("P(Y | do(X))", 20_000)), string.Concat(Enumerable.Repeat("- ", 20_000)) + "P(Y | do(X))" })
        {
            var tooLong = await api.Post("/v1/run", new JsonObject { ["script"] = "graph g { Z -> X -> Y\n Z -> Y }\nidentify " + chain + " in g" });
            ApiServer.AssertProblem(tooLong, 422);
            Assert.StartsWith("expression too long", (await ApiServer.Body(tooLong))["errors"]![0]!["message"]!.GetValue<string>());
        }

        // A 200-node graph with a long chain of confounded pairs: ID recurses through one big district.
        var big = new StringBuilder("graph big {\n");
        for (var i = 2; i <= 200; i++)
        {
            big.Append($"  V{i - 1} -> V{i}\n");
            if (i > 2) big.Append($"  V{(i * 7919) % (i - 1) + 1} -> V{i}\n");
            if (i % 2 == 0) big.Append($"  V{i - 1} <-> V{i}\n");
        }
        big.Append('}');
        var identified = await api.Post("/v1/identify", new JsonObject { ["context"] = big.ToString(), ["query"] = "P(V200 | do(V100))", ["explain"] = true });
        Assert.True(identified.IsSuccessStatusCode, await identified.Content.ReadAsStringAsync());
        var run = await api.Post("/v1/run", new JsonObject { ["script"] = big + "\nadjustment sets for V100 -> V200 in big\nimplications of big\ninstruments for V100 -> V200 in big\n" });
        Assert.True(run.IsSuccessStatusCode, await run.Content.ReadAsStringAsync());
        Assert.Equal(200, (int)(await api.Client.GetAsync("/v1/health")).StatusCode);
    }
}
