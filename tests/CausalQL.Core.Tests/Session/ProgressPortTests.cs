using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Tests.Sessions;

/// <summary>The progress port hears bootstrap loops, step by step and labelled with the estimate.</summary>
public class ProgressPortTests
{
    sealed class Recorder : IProgressSink
    {
        public List<(string Task, long Done, long Total)> Reports { get; } = [];
        public List<string> Finished { get; } = [];
        public void Report(string task, long done, long total) => Reports.Add((task, done, total));
        public void Finish(string task) => Finished.Add(task);
    }

    static readonly string Script = ConfoundedSample.Script(2000);

    [Theory]
    [InlineData("estimate e = ATE(X -> Y) in G using d with bootstrap = 25", "e: bootstrap")]                  // table bootstrap
    [InlineData("estimate e = ATE(X -> Y) in G using d with method = ipw, bootstrap = 25", "e: bootstrap")]    // row bootstrap
    [InlineData("estimate ATE(X -> Y) in G using d with method = regression, bootstrap = 25", "estimate: bootstrap")]
    public void Every_bootstrap_replicate_is_reported_and_the_loop_finished(string statement, string task)
    {
        var recorder = new Recorder();
        var run = new Session(new SessionPorts(Progress: recorder)).Run(new SourceText(Script + statement, "<test>"));
        Assert.False(run.HasErrors, string.Join("\n", run.Diagnostics));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (task, (long)i, 25L)), recorder.Reports);
        Assert.Equal([task], recorder.Finished);
    }

    [Fact]
    public void Without_a_sink_estimates_run_the_same()
    {
        var with = new Session(new SessionPorts(Progress: new Recorder())).Run(new SourceText(Script + "estimate ATE(X -> Y) in G using d with bootstrap = 20, seed = 3", "<test>"));
        var without = new Session().Run(new SourceText(Script + "estimate ATE(X -> Y) in G using d with bootstrap = 20, seed = 3", "<test>"));
        Assert.Equal(without.Results.Select(r => r.Text), with.Results.Select(r => r.Text));
    }
}
