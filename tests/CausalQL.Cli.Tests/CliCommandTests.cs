using System.Text;
using System.Text.Json;
using CausalQL.Cli;
using CausalQL.Tests;

namespace CausalQL.Tests.Cli;

public class CliCommandTests
{
    static string Example(string name) => Path.Combine(TestPaths.RepoRoot, "examples", name);

    [Fact]
    public void Help_and_version_exit_zero()
    {
        var help = CliHarness.Run("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("cql run FILE.cql [--json]", help.Out);
        var version = CliHarness.Run("--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^cql \d+\.\d+\.\d+", version.Out);
    }

    [Theory]
    [InlineData(new string[0], "missing command")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    [InlineData(new[] { "run" }, "missing FILE.cql")]
    [InlineData(new[] { "run", "a.cql", "--jsn" }, "unknown option '--jsn'")]
    [InlineData(new[] { "run", "a.cql", "b.cql" }, "expected one file, found a second: 'b.cql'")]
    [InlineData(new[] { "repl", "extra" }, "'repl' takes no arguments")]
    public void A_bad_command_line_exits_2_with_a_message(string[] args, string message)
    {
        var run = CliHarness.Run(args);
        Assert.Equal(ExitCodes.BadCommandLine, run.ExitCode);
        Assert.Contains(message, run.Error);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var run = CliHarness.Run("run", "/no/such/dir/script.cql");
        Assert.Equal(ExitCodes.BadCommandLine, run.ExitCode);
        Assert.Equal("cql: no such file: '/no/such/dir/script.cql'\n", run.Error);
    }

    [Fact]
    public void A_non_utf8_file_names_the_file_and_the_byte_offset()
    {
        var dir = CliHarness.TempDir();
        var path = Path.Combine(dir, "latin1.cql");
        // "graph g { Caf\xE9 -> B }" in Latin-1: byte 13 is not UTF-8.
        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes("graph g { Caf"), 0xE9, .. Encoding.ASCII.GetBytes(" -> B }\n")]);
        var run = CliHarness.Run("run", path);
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.Contains($"'{path}' is not valid UTF-8: bad byte 0xE9 at byte offset 13", run.Error);
    }

    [Fact]
    public void A_utf8_file_with_a_byte_order_mark_and_non_ascii_names_runs()
    {
        var dir = CliHarness.TempDir();
        var path = Path.Combine(dir, "bom.cql");
        File.WriteAllText(path, "graph g { \"Café\" -> Ünder }\n", new UTF8Encoding(true));
        var run = CliHarness.Run("run", path);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("graph g: 2 nodes, 1 directed edge\n", run.Out);
    }

    [Fact]
    public void Run_reads_standard_input_when_the_file_is_a_dash()
    {
        var run = CliHarness.RunWithInput("graph g { X -> Y }\nadjustment sets for X -> Y in g\n", "run", "-");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("minimal adjustment sets for X -> Y in g:\n  {} (no adjustment needed)", run.Out);
    }

    [Fact]
    public void Json_output_is_one_object_per_line_each_with_a_kind()
    {
        var run = CliHarness.Run("run", Example("mbias.cql"), "--json");
        Assert.Equal(0, run.ExitCode);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 5);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
            Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("kind").GetString()));
        }
        using var adjustment = JsonDocument.Parse(lines.First(l => l.Contains("\"adjustment_sets\"")));
        var sets = adjustment.RootElement.GetProperty("sets");
        Assert.Equal(JsonValueKind.Array, sets.ValueKind);
        Assert.Equal(1, sets.GetArrayLength());
        Assert.Equal(0, sets[0].GetArrayLength()); // the empty set: adjust for nothing
        Assert.True(adjustment.RootElement.GetProperty("exists").GetBoolean());
    }

    [Fact]
    public void Json_adjustment_sets_list_names_and_say_when_none_exists()
    {
        var run = CliHarness.RunWithInput(
            "graph g { Z -> {X, Y}; W -> {X, Y}; X -> Y }\nadjustment sets for X -> Y in g\ngraph h { X -> Y; X <-> Y }\nadjustment sets for X -> Y in h\n",
            "run", "-", "--json");
        Assert.Equal(0, run.ExitCode);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("adjustment_sets")).ToList();
        Assert.StartsWith("{\"kind\":\"adjustment_sets\"", lines[0]);
        Assert.Contains("\"sets\":[[\"W\",\"Z\"]]", lines[0]);
        Assert.Contains("\"sets\":[]", lines[1]);
        Assert.Contains("\"exists\":false", lines[1]);
    }

    [Fact]
    public void Json_mode_reports_diagnostics_as_objects_too()
    {
        var run = CliHarness.RunWithInput("graph g { X -> Y }\nidentify P(Q | do(X)) in g\n", "run", "-", "--json");
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        var diagnostic = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        using var doc = JsonDocument.Parse(diagnostic);
        Assert.Equal("diagnostic", doc.RootElement.GetProperty("kind").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("line").GetInt32());
        Assert.Equal(12, doc.RootElement.GetProperty("column").GetInt32());
    }

    [Fact]
    public void Check_binds_without_running()
    {
        var run = CliHarness.Run("check", Example("smoking.cql"));
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.Contains("no errors", run.Error);
    }

    [Fact]
    public void Fmt_prints_the_canonical_form_and_is_idempotent()
    {
        var dir = CliHarness.TempDir();
        var path = CliHarness.WriteFile(dir, "messy.cql", "graph g {A->B;B->{C,D}}\nuse g\nidentify P(C|do(A))\n");
        var first = CliHarness.Run("fmt", path);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal("graph g {\n  A -> B\n  B -> {C, D}\n}\nuse g\nidentify P(C | do(A))\n", first.Out);
        var again = CliHarness.Run("fmt", "--write", path);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(first.Out, File.ReadAllText(path));
        Assert.Equal(first.Out, CliHarness.Run("fmt", path).Out);
    }

    [Fact]
    public void Fmt_write_refuses_to_drop_comments()
    {
        var dir = CliHarness.TempDir();
        var text = "// the story\ngraph g { A -> B }\n";
        var path = CliHarness.WriteFile(dir, "commented.cql", text);
        var run = CliHarness.Run("fmt", "--write", path);
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.Contains("does not keep comments", run.Error);
        Assert.Equal(text, File.ReadAllText(path));
    }

    [Fact]
    public void Export_to_a_file_writes_beside_the_script()
    {
        var dir = CliHarness.TempDir();
        var path = CliHarness.WriteFile(dir, "export.cql", "graph g { X -> Y; X <-> Y }\nexport g as dot to \"g.dot\"\n");
        var run = CliHarness.Run("run", path);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("wrote g as dot to g.dot", run.Out);
        Assert.Contains("X -> Y", File.ReadAllText(Path.Combine(dir, "g.dot")));
    }

    [Fact]
    public void Dagitty_files_are_read_relative_to_the_script()
    {
        var dir = CliHarness.TempDir();
        CliHarness.WriteFile(dir, "model.txt", "dag {\n x [exposure]\n y [outcome]\n z -> x -> y\n z -> y\n}\n");
        var path = CliHarness.WriteFile(dir, "import.cql", "graph h = dagitty(\"model.txt\")\nadjustment sets for x -> y in h\n");
        var run = CliHarness.Run("run", path);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("minimal adjustment sets for x -> y in h:\n  {z}", run.Out);
    }

    [Fact]
    public void A_broken_dagitty_file_is_reported_at_the_import_naming_the_place_in_the_file()
    {
        var dir = CliHarness.TempDir();
        CliHarness.WriteFile(dir, "cyclic.txt", "dag {\n a -> b\n b -> a\n}\n");
        var path = CliHarness.WriteFile(dir, "import.cql", "graph h = dagitty(\"cyclic.txt\")\n");
        var run = CliHarness.Run("run", path);
        Assert.Equal(ExitCodes.ScriptErrors, run.ExitCode);
        Assert.Contains("import.cql:1:11: error: in cyclic.txt:3:2: graph 'h' has a directed cycle: ", run.Error);
    }
}
