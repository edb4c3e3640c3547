using CausalQL.Cli;

namespace CausalQL.Tests.Cli;

/// <summary>Progress bars: only for work longer than a second, only on a terminal, never with --json or into a pipe.</summary>
public class ProgressTests
{
    sealed class FakeBar : TerminalProgress.IBar
    {
        public List<double> Values { get; } = [];
        public bool Stopped { get; private set; }
        public double Value { set => Values.Add(value); }
        public void Stop() => Stopped = true;
    }

    [Fact]
    public void A_task_gets_a_bar_only_after_a_second_and_loses_it_when_finished()
    {
        var now = TimeSpan.Zero;
        var bars = new List<(string Name, double Total, FakeBar Bar)>();
        var progress = new TerminalProgress((name, total) => { var b = new FakeBar(); bars.Add((name, total, b)); return b; }, () => now);

        progress.Report("e: bootstrap", 0, 100);
        now = TimeSpan.FromMilliseconds(900);
        progress.Report("e: bootstrap", 40, 100);
        Assert.Empty(bars);                            // under a second: nothing drawn
        now = TimeSpan.FromMilliseconds(1100);
        progress.Report("e: bootstrap", 50, 100);
        var (name, total, bar) = Assert.Single(bars);
        Assert.Equal(("e: bootstrap", 100.0), (name, total));
        progress.Report("e: bootstrap", 60, 100);
        Assert.Equal([50.0, 60.0], bar.Values);
        progress.Finish("e: bootstrap");
        Assert.True(bar.Stopped);

        // A quick task never shows, and a finished one starts its clock afresh.
        progress.Report("f: bootstrap", 0, 10);
        progress.Finish("f: bootstrap");
        progress.Report("e: bootstrap", 0, 100);
        Assert.Single(bars);
    }

    [Fact]
    public void A_task_of_unknown_length_gets_no_bar()
    {
        var now = TimeSpan.Zero;
        var bars = 0;
        var progress = new TerminalProgress((_, _) => { bars++; return new FakeBar(); }, () => now);
        progress.Report("scan", 0, 0);
        now = TimeSpan.FromSeconds(5);
        progress.Report("scan", 1, 0);
        Assert.Equal(0, bars);
    }

    [Theory]
    [InlineData(0, 100, 80, "  0%  0/100")]
    [InlineData(42, 100, 80, " 42%  42/100")]
    [InlineData(100, 100, 60, "100%  100/100")]
    public void A_bar_line_fits_the_width_and_ends_with_percent_and_counts(double done, double total, int width, string end)
    {
        var line = TerminalProgress.LineBar.Render("e: bootstrap", done, total, width);
        Assert.Equal(width - 1, line.Length);   // the last column stays free: writing there wraps on some terminals
        Assert.StartsWith("e: bootstrap  ", line);
        Assert.EndsWith(end, line);
        Assert.Equal(done == total, !line.Contains('─'));
        Assert.Equal(done == 0, !line.Contains('━'));
    }

    // A bootstrap of a dozen IPW replicates. In process the bar's delay is zero, so a bar is due on a terminal however
    // fast the machine; the real program (piped, so never a bar) keeps the usual one second.
    static readonly string Slow = ConfoundedSample.Script(20000) + """
        estimate w = ATE(X -> Y) in G using d with method = ipw, bootstrap = 12, seed = 1

        """;

    static bool HasProgressCodes(string text) => text.Contains('\r') || text.Contains('\u001b') || text.Contains('━') || text.Contains('─');

    static CliRun RunInProcess(bool terminal, params string[] flags)
    {
        var path = CliHarness.WriteFile(CliHarness.TempDir(), "slow.cql", Slow);
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CliApp.Run(["run", path, .. flags], new CliStreams(new StringReader(""), output, error, OutputIsTerminal: terminal, ProgressDelay: TimeSpan.Zero));
        return new CliRun(code, output.ToString(), error.ToString());
    }

    [Fact]
    public void On_a_terminal_slow_work_draws_a_bar_on_standard_error_and_erases_it()
    {
        var run = RunInProcess(terminal: true);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\r\u001b[2Kw: bootstrap  ", run.Error);
        Assert.EndsWith("\r\u001b[2K", run.Error);     // the last thing written erases the bar
        Assert.False(HasProgressCodes(run.Out), run.Out);
    }

    [Fact]
    public void With_json_there_is_no_bar_even_on_a_terminal()
    {
        var run = RunInProcess(terminal: true, "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.False(HasProgressCodes(run.Out + run.Error), run.All);
    }

    [Fact]
    public void Piped_output_of_the_real_program_has_no_progress_codes()
    {
        var dir = CliHarness.TempDir();
        CliHarness.WriteFile(dir, "slow.cql", Slow);
        var run = CliHarness.Process("", dir, "run", "slow.cql");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("w: ATE(X -> Y) = ", run.Out);
        Assert.False(HasProgressCodes(run.Out + run.Error), run.All);
    }
}
