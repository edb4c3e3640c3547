using System.Text.Json;
using CausalQL.Cli;

namespace CausalQL.Tests.Cli;

/// <summary>`cql conformance` on the public conformance files (material we did not write).</summary>
public class ConformanceCommandTests
{
    [Theory]
    [InlineData("identification.jsonl")]
    [InlineData("generated-dev.jsonl")]
    public void Every_public_case_passes(string file)
    {
        var run = CliHarness.Run("conformance", TestPaths.Conformance(file));
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(run.ExitCode == 0, run.All);
        // No failure lines: the summary is the only line, and it says 0 failed.
        var summary = Assert.Single(lines);
        Assert.Matches(@"^[1-9]\d* passed, 0 failed( \(\d+ skipped: .+\))?$", summary);
    }

    [Fact]
    public void Json_prints_one_object_per_case_then_a_summary()
    {
        var path = TestPaths.Conformance("identification.jsonl");
        var run = CliHarness.Run("conformance", path, "--json");
        Assert.Equal(0, run.ExitCode);
        var objects = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var summary = objects[^1];
        Assert.Equal("summary", summary.GetProperty("kind").GetString());
        Assert.Equal(0, summary.GetProperty("failed").GetInt32());
        var cases = objects[..^1];
        Assert.All(cases, c => Assert.Equal("case", c.GetProperty("kind").GetString()));
        var inputCases = File.ReadLines(path).Count(l => l.Trim().Length > 0);
        Assert.Equal(inputCases, cases.Count);
        Assert.Equal(summary.GetProperty("passed").GetInt32() + summary.GetProperty("skipped").GetInt32(), cases.Count);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error_with_exit_2()
    {
        var run = CliHarness.Run("conformance", "/no/such/cases.jsonl");
        Assert.Equal(ExitCodes.BadCommandLine, run.ExitCode);
        Assert.Equal("cql: no such file: '/no/such/cases.jsonl'\n", run.Error);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public void A_failing_case_is_reported_and_exits_1()
    {
        // A real case with its verdict flipped must fail, with its id on the failure line.
        var line = File.ReadLines(TestPaths.Conformance("identification.jsonl")).First(l => l.Contains("\"identifiable\": true") || l.Contains("\"identifiable\":true"));
        var flipped = line.Replace("\"identifiable\": true", "\"identifiable\": false").Replace("\"identifiable\":true", "\"identifiable\":false");
        var id = JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()!;
        var dir = CliHarness.TempDir();
        var run = CliHarness.Run("conformance", CliHarness.WriteFile(dir, "flipped.jsonl", flipped + "\n"));
        Assert.Equal(1, run.ExitCode);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith(id + ":", lines[0]);
        Assert.Equal("0 passed, 1 failed", lines[^1]);
    }
}
