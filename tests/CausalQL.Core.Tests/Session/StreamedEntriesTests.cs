using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Tests.Sessions;

/// <summary>
/// <see cref="SessionPorts.Finished"/> hears each statement's entries when the statement has finished,
/// exactly the entries (and order) of the returned result, parse errors in their place.
/// </summary>
public class StreamedEntriesTests
{
    [Fact]
    public void Streamed_entries_are_the_results_entries_in_order_with_parse_errors_in_place()
    {
        const string script = """
            graph g { Z -> X -> Y
              Z -> Y }
            identify P(Y | do(X)) in g
            identify P(Y | do(X) in g
            adjustment sets for X -> Y in g
            identify P(Q | do(X)) in g
            identify P(Y | do(Z)) in g
            """;
        var heard = new List<RunEntry>();
        var streamed = new Session(SessionPorts.None with { Finished = heard.Add }).Run(new SourceText(script, "t.cql"));
        var plain = new Session().Run(new SourceText(script, "t.cql"));
        Assert.Equal(streamed.Entries, heard);
        Assert.Equal(plain.Entries.Select(Describe), heard.Select(Describe));
        // The parse error (line 4) comes after the results of lines 1–3 and before those of line 5.
        var lines = heard.Select(e => e switch { ResultEntry r => r.Result.Location.Line, DiagnosticEntry d => d.Diagnostic.Location.Line, _ => 0 }).ToList();
        Assert.Equal(lines.OrderBy(l => l), lines);
        Assert.Contains(heard, e => e is DiagnosticEntry { Diagnostic.Location.Line: 4 });
    }

    [Fact]
    public void A_statement_is_heard_before_the_next_one_runs()
    {
        var heard = new List<RunEntry>();
        var progress = new RecordHeard(heard);
        var ports = SessionPorts.None with { Finished = heard.Add, Progress = progress };
        var result = new Session(ports).Run(new SourceText(ConfoundedSample.Script(2000)
            + "estimate ATE(X -> Y) in G using d with method = regression, bootstrap = 20, seed = 3\n", "t.cql"));
        Assert.False(result.HasErrors);
        // When the bootstrap reported its first replicate, every earlier statement had been heard, the estimate not yet.
        Assert.Equal(["scm", "graph", "data"], progress.HeardAtFirstReport);
        Assert.Equal(result.Entries, heard);
    }

    sealed class RecordHeard(List<RunEntry> heard) : IProgressSink
    {
        public List<string>? HeardAtFirstReport { get; private set; }
        public void Report(string task, long done, long total) => HeardAtFirstReport ??= heard.Select(Describe).ToList();
        public void Finish(string task) { }
    }

    [Fact]
    public void A_cancelled_run_streams_what_finished_and_then_the_cancellation()
    {
        using var cts = new CancellationTokenSource();
        var heard = new List<RunEntry>();
        // Cancel as soon as the graph's result is heard: the identify after it never runs.
        var ports = SessionPorts.None with { Finished = e => { heard.Add(e); cts.Cancel(); } };
        var result = new Session(ports).Run(new SourceText("graph g { X -> Y }\nidentify P(Y | do(X)) in g\n", "t.cql"), cts.Token);
        Assert.Equal(result.Entries, heard);
        Assert.Equal(["graph"], result.Results.Select(r => r.Kind));
        Assert.StartsWith("the run was cancelled", Assert.Single(result.Diagnostics).Message);
    }

    static string Describe(RunEntry e) => e switch
    {
        ResultEntry r => r.Result.Kind,
        DiagnosticEntry d => $"error@{d.Diagnostic.Location.Line}",
        _ => "?",
    };
}
