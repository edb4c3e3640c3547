using System.Reflection;
using CausalQL.Llm;
using CausalQL.Llm.Tools;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CausalQL.Server;

/// <summary>
/// The HTTP API (ASP.NET Core minimal APIs). Thin: each endpoint reads a strict JSON body, calls
/// <see cref="CausalService"/> and maps the outcome to JSON or an RFC 7807 problem. See docs/API.md.
/// </summary>
public static class CqlServer
{
    public static string Version =>
        typeof(CqlServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>The service the endpoints (and the MCP tools) call, with the options' roots, budget and model.</summary>
    public static CausalService CreateService(ServerOptions options, Func<IChatModel>? chatModel = null)
    {
        var roots = new DataRoots(options.DataRoots);
        return new(roots, new Budget(options.RequestTimeout, options.MaxConcurrentRuns),
            chatModel ?? (() => new SemanticKernelChatModel(options.Llm)), options.Llm, new RootedDataOpener(roots));
    }

    public static WebApplication Build(ServerOptions options, Func<IChatModel>? chatModel = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            k.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            k.AddServerHeader = false;
        });
        builder.Logging.ClearProviders();
        builder.Services.AddOpenApi("v1");
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(CreateService(options, chatModel));

        var app = builder.Build();
        // Nothing a client sends produces a stack trace: anything that escapes becomes a plain 500 problem.
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            var failure = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var result = failure switch
            {
                BadHttpRequestException { StatusCode: 413 } => Problems.Problem(413, "request-too-large", "Request too large",
                    $"the request body is larger than the limit of {options.MaxRequestBytes:N0} bytes"),
                BadHttpRequestException b => Problems.Problem(b.StatusCode, "bad-request", "Bad request", b.Message),
                _ => Problems.Problem(500, "internal-error", "Internal error", "the server met an unexpected error; it has been contained and the server is still up"),
            };
            await result.ExecuteAsync(context);
        }));
        // Responses the framework produces without a body (404, 405, 415 from routing) get a problem body too.
        app.UseStatusCodePages(async context =>
        {
            var status = context.HttpContext.Response.StatusCode;
            var (slug, title, detail) = status switch
            {
                404 => ("not-found", "Not found", $"no endpoint at {context.HttpContext.Request.Path}; see /openapi/v1.json"),
                405 => ("method-not-allowed", "Method not allowed", $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}"),
                415 => ("unsupported-media-type", "Unsupported media type", "send the body as application/json"),
                _ => ("http-" + status, "HTTP " + status, "the request could not be served"),
            };
            await Problems.Problem(status, slug, title, detail).ExecuteAsync(context.HttpContext);
        });
        app.MapOpenApi("/openapi/{documentName}.json");
        Map(app, options);
        return app;
    }

    static void Map(WebApplication app, ServerOptions options)
    {
        var v1 = app.MapGroup("/v1");

        v1.MapGet("/health", (CausalService service) => Results.Json(new HealthReply("ok", Version, service.Roots.Roots,
                options.Llm.Endpoint, options.Llm.Model, options.RequestTimeout.TotalSeconds, options.MaxRequestBytes,
                service.Budget.InFlight, service.Budget.Cancelled), ApiJson.Options))
            .WithName("health").WithSummary("Liveness, version and limits").Produces<HealthReply>();

        v1.MapPost("/check", async (HttpRequest request, CausalService service) =>
            {
                var (body, problem) = await ApiJson.ReadAsync<ScriptRequest>(request, options.MaxRequestBytes);
                if (problem is not null) return problem;
                return await Guard(async () => Results.Json(await service.CheckAsync(body!.Script, request.HttpContext.RequestAborted), ApiJson.Options));
            })
            .WithName("check").WithSummary("Parse and bind a script; report diagnostics; run nothing")
            .Accepts<ScriptRequest>("application/json").Produces<CheckReply>().ProducesProblem(400).ProducesProblem(413);

        v1.MapPost("/run", async (HttpRequest request, CausalService service) =>
            {
                var (body, problem) = await ApiJson.ReadAsync<RunRequest>(request, options.MaxRequestBytes);
                if (problem is not null) return problem;
                return await Guard(async () =>
                {
                    var reply = await service.RunAsync(body!.Script, request.HttpContext.RequestAborted, body.RunAsked);
                    if (reply.Ok) return Results.Json(reply, ApiJson.Options);
                    return Problems.Problem(422, "script-errors", "The script has errors",
                        $"{reply.Diagnostics.Count(d => d.Severity == "error")} error(s); statements without errors ran (see results)",
                        reply.Diagnostics, extend: b => b["results"] = System.Text.Json.JsonSerializer.SerializeToNode(reply.Results, ApiJson.Options));
                });
            })
            .WithName("run").WithSummary("Run a script; results as JSON")
            .Accepts<RunRequest>("application/json").Produces<RunReply>().ProducesProblem(400).ProducesProblem(403).ProducesProblem(422).ProducesProblem(504);

        v1.MapPost("/identify", async (HttpRequest request, CausalService service) =>
            {
                var (body, problem) = await ApiJson.ReadAsync<IdentifyRequest>(request, options.MaxRequestBytes);
                if (problem is not null) return problem;
                return await Guard(async () =>
                {
                    var reply = await service.IdentifyAsync(body!.Context ?? "", body.Query, body.Graph, body.Explain, request.HttpContext.RequestAborted);
                    if (reply.Status is "error" or "invalid_query")
                        return Problems.Problem(422, "invalid-query", "The query cannot be identified as asked",
                            reply.Error ?? "the query or its context has errors", reply.Diagnostics);
                    if (reply.Status == "budget_exhausted")
                        return Problems.Problem(504, "budget-exhausted", "Identification ran out of budget", reply.Error ?? "budget exhausted");
                    return Results.Json(reply, ApiJson.Options);
                });
            })
            .WithName("identify").WithSummary("Identify a causal query in a declared graph")
            .Accepts<IdentifyRequest>("application/json").Produces<IdentifyReply>().ProducesProblem(400).ProducesProblem(422).ProducesProblem(504);

        v1.MapPost("/translate", async (HttpRequest request, CausalService service) =>
            {
                var (body, problem) = await ApiJson.ReadAsync<TranslateRequest>(request, options.MaxRequestBytes);
                if (problem is not null) return problem;
                return await Guard(async () =>
                {
                    var reply = await service.TranslateAsync(body!.Question, body.Context ?? "", request.HttpContext.RequestAborted);
                    var (status, slug, title) = reply.Status switch
                    {
                        "translated" => (200, "", ""),
                        "empty_question" => (400, "empty-question", "The question is empty"),
                        "question_too_long" => (400, "question-too-long", "The question is too long"),
                        "refused" => (422, "translation-refused", "The translation was refused"),
                        "not_in_scope" => (422, "not-in-scope", "The question names variables that are not in scope"),
                        "repair_budget_exhausted" => (422, "repair-budget-exhausted", "The model did not produce valid CausalQL"),
                        "error" => (422, "context-errors", "The context script has errors"),
                        _ => (502, "model-failed", "The language model failed"),
                    };
                    if (status == 200) return Results.Json(reply, ApiJson.Options);
                    return Problems.Problem(status, slug, title, reply.Error ?? title, reply.Diagnostics,
                        extend: b =>
                        {
                            b["translationStatus"] = reply.Status;
                            b["missingVariables"] = System.Text.Json.JsonSerializer.SerializeToNode(reply.MissingVariables, ApiJson.Options);
                            b["attempts"] = reply.Attempts;
                        });
                });
            })
            .WithName("translate").WithSummary("Translate a question into checked CausalQL with a plain reading (runs nothing)")
            .Accepts<TranslateRequest>("application/json").Produces<TranslateReply>().ProducesProblem(400).ProducesProblem(422).ProducesProblem(502);
    }

    /// <summary>Maps the service's refusals and budget overruns to problems.</summary>
    static async Task<IResult> Guard(Func<Task<IResult>> call)
    {
        try
        {
            return await call();
        }
        catch (RefusedException e)
        {
            return Problems.Problem(403, "file-access-refused", "File access refused", e.Message,
                e.Diagnostics.Select(DiagnosticDto.From).ToList());
        }
        catch (BudgetExceededException e)
        {
            return Problems.Problem(504, "time-budget-exceeded", "Time budget exceeded", e.Message);
        }
        catch (BusyException e)
        {
            return Problems.Problem(503, "busy", "Server busy", e.Message);
        }
    }
}
