using CausalQL.Llm;
using CausalQL.Server.Tests.Support;
using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Server.Tests;

/// <summary>`ask "..."` inside a script: the session's translator port over the real translator and a scripted model (loopback HTTP).</summary>
public sealed class AskStatementTests
{
    const string Script = """
        graph g {
          X -> M -> Y
          X <-> Y
        }
        ask "what is the effect of X on Y?"
        """;

    static LlmOptions Options(ScriptedLlmServer server) => new()
    {
        Endpoint = server.Endpoint,
        Model = "scripted-model",
        MaxRepairRounds = 1,
        RequestTimeout = TimeSpan.FromSeconds(5),
        MaxRetries = 0,
    };

    sealed class Recorder(bool answer) : IAskConfirmation
    {
        public List<(string Query, string Reading)> Asked { get; } = [];
        public bool Confirm(string query, string reading)
        {
            Asked.Add((query, reading));
            return answer;
        }
    }

    static RunResult Run(ScriptedLlmServer server, IAskConfirmation? confirm = null)
    {
        using var translator = new SessionTranslator(Options(server), SessionPorts.None);
        var session = new Session(new SessionPorts(Translator: translator, ConfirmAsk: confirm));
        return session.Run(new SourceText(Script, "ask.cql"));
    }

    [Fact]
    public async Task Ask_prints_the_query_and_reading_then_runs_the_identification_in_the_same_session()
    {
        await using var server = new ScriptedLlmServer(new Say("```cql\nidentify P(Y | do(X)) in g\n```"));
        var result = Run(server);

        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var kinds = result.Results.Select(r => r.Kind).ToList();
        Assert.Equal("graph", kinds[0]);
        Assert.Equal("ask", kinds[1]);
        var ask = result.Results.ElementAt(1);
        Assert.StartsWith("query:   identify P(Y | do(X)) in g\nreading: ", ask.Text);
        Assert.Contains("probability that Y if X were set by intervention in graph g", ask.Text);
        // The front-door graph: the translated statement ran and identified the effect (a sum over the mediator M).
        var identified = result.Results.ElementAt(2);
        Assert.Equal(3, result.Results.Count());
        Assert.Contains("M", identified.Text);
        Assert.Contains("P(", identified.Text);
        Assert.Equal(ask.Location, identified.Location);
        // The scope reached the model: the prompt names the graph's variables.
        Assert.Contains("M", server.MessagesOf(0));
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task A_reply_naming_an_unknown_variable_is_reported_and_nothing_runs()
    {
        await using var server = new ScriptedLlmServer(new Say("```cql\nidentify P(Income | do(X)) in g\n```"));
        var result = Run(server);

        Assert.Equal(["graph"], result.Results.Select(r => r.Kind));
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Contains("Income", error.Message);
        Assert.Contains("nothing was run", error.Message);
        Assert.Equal(5, error.Location.Line);
    }

    [Fact]
    public async Task A_prompt_injected_reply_that_reads_a_file_is_refused_and_nothing_runs()
    {
        await using var server = new ScriptedLlmServer(new Say("```cql\ndata leak = csv(\"/etc/passwd\")\nidentify P(Y | do(X)) in g\n```"));
        var result = Run(server);

        Assert.Equal(["graph"], result.Results.Select(r => r.Kind));
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Contains("refused", error.Message);
        Assert.Contains("/etc/passwd", error.Message);
        Assert.Contains("nothing was run", error.Message);
        Assert.Equal(1, server.RequestCount); // refused outright, not sent back for repair
    }

    [Fact]
    public async Task A_declined_confirmation_shows_the_query_and_runs_nothing()
    {
        await using var server = new ScriptedLlmServer(new Say("```cql\nidentify P(Y | do(X)) in g\n```"));
        var confirm = new Recorder(answer: false);
        var result = Run(server, confirm);

        var (query, reading) = Assert.Single(confirm.Asked);
        Assert.Equal("identify P(Y | do(X)) in g", query);
        Assert.NotEmpty(reading);
        Assert.Equal(["graph", "ask"], result.Results.Select(r => r.Kind));
        Assert.EndsWith("not run", result.Results.Last().Text);
        Assert.False(result.HasErrors);
    }

    [Fact]
    public void Without_a_translator_ask_says_how_to_configure_one()
    {
        var result = new Session().Run(new SourceText(Script, "ask.cql"));
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Contains("no", error.Message);
        Assert.Contains("CQL_LLM_CONFIG", error.Message);
        Assert.Equal(["graph"], result.Results.Select(r => r.Kind));
    }
}
