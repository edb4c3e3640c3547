using CausalQL.Tests;

namespace CausalQL.Tests.Cli;

/// <summary>
/// Every examples/*.cql runs through the real `cql` process and exits 0, and its transcript
/// matches Golden/NAME.out. CAUSALQL_ACCEPT=1 rewrites the transcripts.
/// </summary>
public class GoldenTests
{
    public static TheoryData<string> Examples =>
        [.. Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "examples"), "*.cql").Select(f => Path.GetFileNameWithoutExtension(f)!).Order()];

    public static string Transcript(CliRun run) =>
        run.Out
        + (run.Error.Length > 0 ? "--- stderr\n" + run.Error : "")
        + $"--- exit code {run.ExitCode}\n";

    [Fact]
    public void There_are_at_least_five_examples() => Assert.True(Examples.Count >= 5, $"found {Examples.Count} examples");

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_runs_and_matches_its_golden_transcript(string name)
    {
        var run = CliHarness.Process("", TestPaths.RepoRoot, "run", $"examples/{name}.cql");
        var actual = Transcript(run);
        var golden = Path.Combine(TestPaths.RepoRoot, "tests", "CausalQL.Cli.Tests", "Golden", name + ".out");
        if (Environment.GetEnvironmentVariable("CAUSALQL_ACCEPT") == "1") File.WriteAllText(golden, actual);
        Assert.True(run.ExitCode == 0, $"examples/{name}.cql exited with {run.ExitCode}:\n{run.Error}");
        Assert.True(File.Exists(golden), $"{golden} is missing; run with CAUSALQL_ACCEPT=1 to create it");
        Assert.Equal(File.ReadAllText(golden), actual);
    }
}
