using System.Text.RegularExpressions;
using CausalQL.Tests;

namespace CausalQL.Tests.Cli;

/// <summary>The README's tour shows real output: each code block followed directly by another is an input and what `cql run` prints for it.</summary>
public partial class ReadmeTests
{
    [GeneratedRegex(@"```[a-z]*\n(?<input>(?:(?!```).)*?)```\n```\n(?<output>(?:(?!```).)*?)```", RegexOptions.Singleline)]
    private static partial Regex Pair();

    public static TheoryData<int> Pairs => [.. Enumerable.Range(0, ReadPairs().Count)];

    static List<(string Input, string Output)> ReadPairs() =>
        [.. Pair().Matches(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md")))
            .Select(m => (m.Groups["input"].Value, m.Groups["output"].Value))];

    [Fact]
    public void The_readme_has_a_tour() => Assert.True(ReadPairs().Count >= 5);

    [Theory]
    [MemberData(nameof(Pairs))]
    public void A_tour_example_prints_what_the_readme_shows(int index)
    {
        var (input, expected) = ReadPairs()[index];
        // The examples' data sit beside the script, as they do in examples/.
        var dir = CliHarness.TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "data"));
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "examples", "data")))
            File.Copy(file, Path.Combine(dir, "data", Path.GetFileName(file)));
        var path = CliHarness.WriteFile(dir, "tour.cql", input);
        var run = CliHarness.Run("run", path);
        Assert.Equal(expected, run.Out + run.Error.Replace(path, "tour.cql"));
    }
}
