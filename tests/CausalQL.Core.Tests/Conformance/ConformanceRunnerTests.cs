using CausalQL.Conformance;

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
}
