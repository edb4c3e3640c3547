using System.Text;
using CausalQL.Cli;

namespace CausalQL.Tests.Cli;

/// <summary>Each kind of bad input gets a clear message at the right place, and exit code 1 — never a crash.</summary>
public class BadInputTests
{
    static CliRun RunText(string text, string name = "bad.cql")
    {
        var dir = CliHarness.TempDir();
        var path = CliHarness.WriteFile(dir, name, text);
        var run = CliHarness.Run("run", path);
        Assert.DoesNotContain("internal error", run.Error);
        Assert.DoesNotContain("   at ", run.Error); // no stack trace
        return run with { Error = run.Error.Replace(path, name) };
    }

    [Fact]
    public void An_unterminated_block_points_at_its_opening()
    {
        var run = RunText("graph g {\n  A -> B\n");
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.StartsWith("bad.cql:1:9: error: ", run.Error);
        Assert.Contains("'{'", run.Error);
        Assert.Contains("  graph g {\n          ^", run.Error);
    }

    [Fact]
    public void An_unterminated_string_is_reported()
    {
        var run = RunText("data d = csv(\"data.csv)\n");
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.StartsWith("bad.cql:1:14: error: ", run.Error);
        Assert.Contains("string", run.Error);
    }

    [Theory]
    [InlineData("graph g { A => B }", 13, "expected '->' or '<->' after 'A', found '=>'")]
    [InlineData("graph g { A --> B }", 13, "-->")]
    public void An_arrow_typo_says_what_was_expected(string text, int column, string message)
    {
        var run = RunText(text + "\n");
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.StartsWith($"bad.cql:1:{column}: error: ", run.Error);
        Assert.Contains(message, run.Error);
    }

    [Fact]
    public void A_cycle_names_its_nodes_and_points_at_an_edge()
    {
        var run = RunText("graph g {\n  A -> B -> C\n  C -> A\n}\n");
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.Equal(
            "bad.cql:3:3: error: graph 'g' has a directed cycle: A -> B -> C -> A; a causal graph must be acyclic\n"
            + "    C -> A\n"
            + "    ^~~~~~\n",
            run.Error);
    }

    [Fact]
    public void An_undeclared_variable_in_a_query_is_reported_with_a_suggestion()
    {
        var run = RunText("graph g { Smoking -> Cancer }\nidentify P(Cancer | do(Smokng)) in g\n");
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.StartsWith("bad.cql:2:24: error: do(Smokng) intervenes on 'Smokng', which is not a node of graph 'g'; did you mean 'Smoking'?", run.Error);
    }

    [Fact]
    public void A_missing_data_file_is_reported_at_the_string()
    {
        var run = RunText("data d = csv(\"nowhere.csv\")\n");
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.Equal("bad.cql:1:14: error: cannot read 'nowhere.csv': no such file\n  data d = csv(\"nowhere.csv\")\n               ^~~~~~~~~~~~~\n", run.Error);
    }

    [Fact]
    public void An_empty_file_is_reported()
    {
        var run = RunText("");
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.Contains("bad.cql is empty: there is nothing to run", run.Error);
        var blank = RunText("  \n\n");
        Assert.Equal(ExitCodes.ScriptErrors, blank.ExitCode);
    }

    [Fact]
    public void A_megabyte_of_random_bytes_is_rejected_cleanly()
    {
        var bytes = new byte[1 << 20];
        new Random(42).NextBytes(bytes);
        var dir = CliHarness.TempDir();
        var path = Path.Combine(dir, "random.cql");
        File.WriteAllBytes(path, bytes);
        var run = CliHarness.Run("run", path);
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.Contains("is not valid UTF-8", run.Error);
    }

    [Fact]
    public void A_megabyte_of_random_text_gives_diagnostics_not_a_crash()
    {
        // Random printable characters are valid UTF-8, so this reaches the parser and binder.
        var random = new Random(7);
        const string alphabet = "abcXYZ019 ->{}[]()<>=|;,\"'\n_/*+~:.";
        var text = new string(Enumerable.Range(0, 1 << 20).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        var run = RunText(text);
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.Contains("error:", run.Error);
    }

    [Fact]
    public void Ten_thousand_nested_brackets_are_reported_without_overflowing_the_stack()
    {
        var text = "identify " + new string('(', 10_000) + "P(Y)" + new string(')', 10_000) + "\n";
        // In a separate process: a stack overflow would kill it rather than fail an assertion.
        var dir = CliHarness.TempDir();
        var path = CliHarness.WriteFile(dir, "deep.cql", text);
        var run = CliHarness.Process("", dir, "run", "deep.cql");
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.StartsWith("deep.cql:1:", run.Error);
        Assert.Contains("nest", run.Error);
    }

    [Fact]
    public void Ten_thousand_nested_graph_groups_are_reported_too()
    {
        var text = "graph g { A -> " + new string('{', 10_000) + "B" + new string('}', 10_000) + " }\n";
        var run = RunText(text);
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.StartsWith("bad.cql:1:", run.Error);
    }

    [Fact]
    public void Errors_in_several_statements_are_all_reported_and_the_rest_still_runs()
    {
        var run = RunText("graph g { A => B }\ngraph h { X -> Y }\nadjustment sets for X -> Q in h\nadjustment sets for X -> Y in h\n");
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.Contains("bad.cql:1:13:", run.Error);
        Assert.Contains("bad.cql:3:26: error: unknown variable 'Q'", run.Error);
        Assert.Contains("minimal adjustment sets for X -> Y in h", run.Out);
    }

    [Fact]
    public void Statements_whose_engine_is_missing_say_which_capability_is_missing()
    {
        // identify NDE/NIE gives the mediation formula; a probability of causation has no identify engine.
        var run = RunText("graph g { X -> M -> Y }\nidentify PN(X -> Y) in g\n");
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.Contains("bad.cql:2:1: error: identify PN(X -> Y) is not available in this build: it needs counterfactual identification", run.Error);
    }
}
