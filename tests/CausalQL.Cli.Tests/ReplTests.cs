using System.Diagnostics;
using System.Text;
using CausalQL.Tests;

namespace CausalQL.Tests.Cli;

/// <summary>The REPL driven through the real `cql` process: plain lines on a pipe, and keystrokes on a terminal (under `script`).</summary>
public class ReplTests
{
    [Fact]
    public void Piped_input_runs_statements_keeps_state_and_continues_open_brackets()
    {
        const string input = """
            graph g {
              Z -> {X, Y}
              X -> Y
            }
            use g
            adjustment sets for X -> Y
            identify P(Y | do(W))
            :names
            :reset
            adjustment sets for X -> Y in g
            :quit
            graph never { A -> B }
            """;
        var run = CliHarness.Process(input + "\n", TestPaths.RepoRoot, "repl");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            "graph g: 3 nodes, 3 directed edges\n"
            + "using graph g\n"
            + "minimal adjustment sets for X -> Y in g:\n  {Z}\n"
            + "graph g\n"
            + "session reset: all declarations forgotten\n",
            run.Out);
        // Errors carry a caret under the typed line; after :reset, g is gone.
        Assert.Equal(
            "<repl>:1:19: error: do(W) intervenes on 'W', which is not a node of graph 'g'\n"
            + "  identify P(Y | do(W))\n"
            + "                    ^\n"
            + "<repl>:1:31: error: unknown graph 'g'\n"
            + "  adjustment sets for X -> Y in g\n"
            + "                                ^\n",
            run.Error);
    }

    [Fact]
    public void Help_load_and_unknown_commands()
    {
        var dir = CliHarness.TempDir();
        CliHarness.WriteFile(dir, "story.cql", "graph s { A -> B -> C }\n");
        var run = CliHarness.Process(":help\n:load story.cql\nimplications of s\n:load\n:frob\n", dir, "repl");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(":load FILE", run.Out);
        Assert.Contains("graph s: 3 nodes, 2 directed edges", run.Out);
        Assert.Contains("C ⟂ A | B", run.Out);
        Assert.Contains("error: :load needs a file name", run.Error);
        Assert.Contains("error: unknown command ':frob'", run.Error);
    }

    [Fact]
    public void End_of_input_inside_an_open_bracket_reports_the_unfinished_statement()
    {
        var run = CliHarness.Process("graph g {\n  A -> B\n", TestPaths.RepoRoot, "repl");
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("<repl>:1:9: error: ", run.Error);
    }

    [Fact]
    public void On_a_terminal_the_line_editor_completes_keywords_and_continues_brackets()
    {
        if (!File.Exists("/usr/bin/script")) return; // util-linux `script` gives the process a terminal
        var info = new ProcessStartInfo("/usr/bin/script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in new[] { "-qec", $"dotnet \"{CliHarness.CqlDll}\" repl", "/dev/null" }) info.ArgumentList.Add(a);
        info.Environment["TERM"] = "xterm";
        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        var reader = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await process.StandardOutput.ReadAsync(buffer)) > 0)
                lock (output) output.Append(buffer, 0, n);
        });
        string Screen() { lock (output) return output.ToString(); }
        void WaitFor(string text)
        {
            var clock = Stopwatch.StartNew();
            while (!Screen().Contains(text))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(90) || process.HasExited)
                    Assert.Fail($"waited for '{text}'; the terminal showed:\n{Screen()}");
                Thread.Sleep(50);
            }
        }
        void Type(string keys)
        {
            process.StandardInput.Write(keys);
            process.StandardInput.Flush();
        }
        try
        {
            WaitFor("cql>");
            Thread.Sleep(300); // the editor switches the terminal to raw mode after drawing the prompt
            Type("graph g { X -> Y; Z -> {X, Y} }\r");
            WaitFor("graph g: 3 nodes, 3 directed edges");
            // Tab completes the keyword "adjustment".
            Type("adjustm\t sets for X -> Y in g\r");
            WaitFor("minimal adjustment sets for X -> Y in g:");
            // An open bracket asks for more lines.
            Type("graph h {\r");
            WaitFor("...>");
            Type("A -> B }\r");
            WaitFor("graph h: 2 nodes, 1 directed edge");
            Type("identify P(Y | do(W)) in g\r");
            WaitFor("<repl>:1:19: error: do(W)");
            Type(":quit\r");
            Assert.True(process.WaitForExit(60_000), "the REPL did not exit after :quit");
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
