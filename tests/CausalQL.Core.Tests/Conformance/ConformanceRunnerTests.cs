using CausalQL.Conformance;
using CausalQL.Identification;

namespace CausalQL.Tests.Conformance;

public class ConformanceRunnerTests
{
    static ConformanceReport RunFile(string file) => ConformanceRunner.Run(File.ReadAllText(TestPaths.Conformance(file)));

    [Fact]
    public void Every_interventional_case_of_identification_jsonl_passes()
    {
        var report = RunFile("identification.jsonl");
        Assert.True(report.Failed == 0, string.Join("\n", report.Lines));
        Assert.Equal(73, report.Passed);
        Assert.Equal(10, report.Skipped);
    }

    [Fact]
    public void Every_case_of_generated_dev_passes()
    {
        var report = RunFile("generated-dev.jsonl");
        Assert.True(report.Failed == 0, string.Join("\n", report.Lines));
        Assert.Equal(150, report.Passed);
    }

    [Theory]
    [InlineData("identification.jsonl", 73)]
    [InlineData("generated-dev.jsonl", 150)]
    public void ID_and_IDC_alone_pass_every_case_too(string file, int expected)
    {
        // The facade answers many cases by back-door or front-door; this runs the complete algorithms on all of them.
        var report = ConformanceRunner.Run(File.ReadAllText(TestPaths.Conformance(file)), new IdentifyOptions(PreferCriteria: false));
        Assert.True(report.Failed == 0, string.Join("\n", report.Lines));
        Assert.Equal(expected, report.Passed);
    }

    [Fact]
    public void Bad_lines_and_wrong_verdicts_are_reported_as_failures_with_a_summary()
    {
        var good = File.ReadLines(TestPaths.Conformance("generated-dev.jsonl")).First();
        // Flip the verdict of a real case: the runner must catch it.
        var node = System.Text.Json.Nodes.JsonNode.Parse(good)!.AsObject();
        node["identifiable"] = !node["identifiable"]!.GetValue<bool>();
        var flipped = node.ToJsonString();
        Assert.NotEqual(good, flipped);
        var report = ConformanceRunner.Run(good + "\n" + flipped + "\n{not json\n");
        Assert.Equal(1, report.Passed);
        Assert.Equal(2, report.Failed);
        Assert.Equal(1, report.ExitCode);
        Assert.Equal("1 passed, 2 failed", report.Lines[^1]);
        Assert.Contains(report.Lines, l => l.Contains("verdict differs"));
        Assert.Contains(report.Lines, l => l.StartsWith("parse error"));
        Assert.Equal(2, report.ToJson()["failed"]!.GetValue<int>());
    }
}
