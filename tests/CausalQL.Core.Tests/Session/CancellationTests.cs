using System.Collections.Immutable;
using System.Text;
using CausalQL.Scm;
using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Tests.Sessions;

/// <summary>
/// A run's cancellation token (the server's time budget): checked between statements and inside the engines'
/// long loops; a cancelled run ends with one positioned diagnostic, never an exception.
/// </summary>
public class CancellationTests
{
    // Z confounds X and Y; every noise term is non-degenerate, so regression fits on every bootstrap replicate.
    static readonly string Sampled = ConfoundedSample.Script(200000);

    /// <summary>An SCM with <paramref name="noises"/> fair coins: enumeration visits 2^noises states.</summary>
    static string ManyCoins(int noises)
    {
        var sb = new StringBuilder("scm coins {\n");
        for (var i = 0; i < noises; i++) sb.Append($"  N{i} ~ bernoulli(0.5)\n");
        sb.Append("  Y0 := N0\n");
        for (var i = 1; i < noises; i++) sb.Append($"  Y{i} := N{i} or Y{i - 1}\n");
        return sb.Append("}\nuse coins\n").ToString();
    }

    [Fact]
    public void A_cancelled_run_reports_the_budget_at_the_first_statement_and_runs_nothing()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var session = new Session(SessionPorts.None with { TimeBudget = TimeSpan.FromSeconds(2) });
        var result = session.Run(new SourceText("graph g { X -> Y }\nidentify P(Y | do(X)) in g\n", "t.cql"), cts.Token);

        Assert.Empty(result.Results);
        var error = Assert.Single(result.Diagnostics);
        Assert.True(error.IsError);
        Assert.Equal(1, error.Location.Line);
        Assert.StartsWith("the run was cancelled after the time budget of 2 s", error.Message);
        Assert.Null(session.Symbols.Lookup("g"));
    }

    [Fact]
    public void Without_a_time_budget_the_message_says_only_that_the_run_was_cancelled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var result = new Session().Run(new SourceText("graph g { X -> Y }", "t.cql"), cts.Token);
        Assert.StartsWith("the run was cancelled; ", Assert.Single(result.Diagnostics).Message);
    }

    [Fact]
    public void A_token_that_never_fires_changes_nothing()
    {
        using var cts = new CancellationTokenSource();
        var script = new SourceText("graph g { Z -> X -> Y\n Z -> Y }\nidentify P(Y | do(X)) in g\n", "t.cql");
        var plain = new Session().Run(script);
        var withToken = new Session().Run(script, cts.Token);
        Assert.Equal(plain.Results.Select(r => r.Text), withToken.Results.Select(r => r.Text));
        Assert.Empty(withToken.Diagnostics);
    }

    [Fact]
    public void A_long_bootstrap_is_cut_short_at_its_statement_and_earlier_results_stay()
    {
        // 100,000 bootstrap replicates of a regression on 200,000 rows: hours of work unless the token stops it.
        // The token fires when the bootstrap reports its tenth replicate (not on a clock, so a loaded machine that
        // is slow with the declarations cannot cancel them instead).
        using var cts = new CancellationTokenSource();
        var session = new Session(SessionPorts.None with
        {
            TimeBudget = TimeSpan.FromMilliseconds(500),
            Progress = new CancelAfterReplicates(cts, 10),
        });
        var result = session.Run(new SourceText(Sampled
            + "estimate ATE(X -> Y) in G using d with method = regression, bootstrap = 100000\nidentify P(Y | do(X)) in G\n", "t.cql"), cts.Token);

        Assert.Equal(["scm", "graph", "data"], result.Results.Select(r => r.Kind));
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(8, error.Location.Line); // the estimate statement, not the identify after it
        Assert.StartsWith("the run was cancelled after the time budget of 0.5 s", error.Message);
        // Declarations before the cancelled statement are kept for the next run.
        Assert.False(session.Run(new SourceText("identify P(Y | do(X)) in G", "t2.cql")).HasErrors);
    }

    [Fact]
    public void An_scm_enumeration_is_cut_short_at_its_statement()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        // 2^21 noise states per query, several queries: many seconds of enumeration without the token.
        var script = ManyCoins(21) + string.Concat(Enumerable.Repeat("P(Y20[Y0 = 0] = 1 | Y20 = 1)\n", 5));
        var result = new Session().Run(new SourceText(script, "t.cql"), cts.Token);
        var error = Assert.Single(result.Diagnostics);
        Assert.StartsWith("the run was cancelled", error.Message);
        Assert.StartsWith("P(Y20[Y0 = 0]", result.Source.Line(error.Location.Line));
    }

    [Fact]
    public void The_enumerator_observes_its_token_while_enumerating_and_sampling()
    {
        var coins = ImmutableArray.CreateRange(Enumerable.Range(0, 4).Select(i => NoiseTerm.Bernoulli($"N{i}", 0.5)));
        var model = new DiscreteScm(coins, [new Mechanism("Y", new BinaryExpr(ScmOp.Or, new RefExpr("N0"), new RefExpr("N1")))]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var enumerator = new ScmEnumerator(model) { Cancellation = cts.Token };
        Assert.Throws<OperationCanceledException>(() => enumerator.ObservationalJoint());
        Assert.Throws<OperationCanceledException>(() => enumerator.Sample(10, seed: 1));
        // The same model without a token answers.
        Assert.True(new ScmEnumerator(model).ObservationalJoint().Ok);
    }

    [Fact]
    public void A_cancelled_ask_asks_no_translator()
    {
        var translator = new CountingTranslator();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var result = new Session(new SessionPorts(Translator: translator)).Run(new SourceText("ask \"does X cause Y?\"", "t.cql"), cts.Token);
        Assert.StartsWith("the run was cancelled", Assert.Single(result.Diagnostics).Message);
        Assert.Equal(0, translator.Calls);
    }

    sealed class CountingTranslator : INlTranslator
    {
        public int Calls;
        public NlTranslation Translate(string question, CausalQL.Binding.SymbolTable scope, CancellationToken cancellationToken)
        {
            Calls++;
            return NlTranslation.Failure("not used");
        }
    }

    /// <summary>Cancels the run once a loop has reported <paramref name="steps"/> steps.</summary>
    sealed class CancelAfterReplicates(CancellationTokenSource cts, long steps) : IProgressSink
    {
        public void Report(string task, long done, long total) { if (done >= steps) cts.Cancel(); }
        public void Finish(string task) { }
    }
}
