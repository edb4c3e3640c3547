using System.Globalization;
using CausalQL.Tests;

namespace CausalQL.Tests.Cli;

public class ExampleDataTests
{
    public static TheoryData<string> Files => [.. ExampleData.All.Select(f => f.File)];

    [Theory]
    [MemberData(nameof(Files))]
    public void Committed_data_is_what_the_generator_writes(string file)
    {
        var generate = ExampleData.All.Single(f => f.File == file).Generate;
        var path = Path.Combine(TestPaths.RepoRoot, "examples", "data", file);
        var expected = generate();
        if (Environment.GetEnvironmentVariable("CAUSALQL_ACCEPT") == "1") File.WriteAllText(path, expected);
        Assert.True(File.Exists(path), $"{path} is missing; run the tests with CAUSALQL_ACCEPT=1 to write it");
        Assert.Equal(expected, File.ReadAllText(path));
    }

    [Fact]
    public void Smoking_data_shows_the_confounding_the_story_describes()
    {
        // The observational contrast exceeds the true causal one (0.62 - 0.34 = 0.28) because genotype drives both.
        var rows = ExampleData.Smoking().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(',').Select(int.Parse).ToArray()).ToList();
        double Rate(int smoking) => rows.Where(r => r[0] == smoking).Average(r => r[2]);
        var observed = Rate(1) - Rate(0);
        Assert.InRange(observed, 0.34, 0.60);
        // Front-door by hand from the sample: sum_t P(t | s) sum_s' P(c | s', t) P(s').
        double P(Func<int[], bool> f) => rows.Count(f) / (double)rows.Count;
        double FrontDoor(int s) =>
            Enumerable.Range(0, 2).Sum(t =>
                P(r => r[0] == s && r[1] == t) / P(r => r[0] == s) *
                Enumerable.Range(0, 2).Sum(s2 =>
                    P(r => r[0] == s2 && r[1] == t && r[2] == 1) / P(r => r[0] == s2 && r[1] == t) * P(r => r[0] == s2)));
        Assert.InRange(FrontDoor(1), 0.57, 0.67);
        Assert.InRange(FrontDoor(0), 0.29, 0.39);
    }
}
