using System.Text;
using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Tests.Sessions;

/// <summary>`with timeout = ...` ends a long search with a clear message instead of a hang.</summary>
public class TimeoutTests
{
    // A dense random-looking ADMG of 3,000 nodes: every node has two earlier parents and a
    // bidirected edge to its predecessor, so ID must recurse through one huge district.
    static string LargeGraph(int n)
    {
        var sb = new StringBuilder("graph big {\n");
        for (var i = 2; i <= n; i++)
        {
            sb.Append($"  V{i - 1} -> V{i}\n");
            if (i > 2) sb.Append($"  V{(i * 7919) % (i - 1) + 1} -> V{i}\n");
            sb.Append($"  V{i - 1} <-> V{i}\n");
        }
        return sb.Append("}\n").ToString();
    }

    static RunResult Run(string text) => new Session().Run(new SourceText(text, "t.cql"));

    [Fact]
    public void Identify_with_a_spent_timeout_reports_the_budget_not_a_hang()
    {
        var result = Run(LargeGraph(3000) + $"identify P(V3000 | do(V1500)) in big with timeout = 0ms\n");
        var error = Assert.Single(result.Diagnostics);
        Assert.True(error.IsError);
        Assert.Contains("identify P(V3000 | do(V1500)) in big", error.Message);
        Assert.Contains("ran out of its time budget (timeout = 0 ms)", error.Message);
        Assert.StartsWith("identify", result.Source.Line(error.Location.Line));
    }

    [Fact]
    public void A_generous_timeout_changes_nothing()
    {
        var result = Run("graph g { Z -> X -> Y; Z -> Y }\nidentify P(Y | do(X)) in g with timeout = 30s\n");
        Assert.False(result.HasErrors);
        Assert.Contains("Σ_{Z} P(Y | X, Z) P(Z)", Assert.Single(result.Results, r => r.Kind != "graph").Text);
    }
}

/// <summary>A misspelt option is an error at the option, not silently ignored.</summary>
public class OptionNameTests
{
    static RunResult Run(string text) => new Session().Run(new SourceText(text, "o.cql"));

    [Fact]
    public void Identify_rejects_an_option_it_does_not_read()
    {
        var result = Run("graph g { X -> Y }\nidentify P(Y | do(X)) in g with timout = 2s\n");
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("'identify' has no option 'timout'; expected timeout", error.Message);
        Assert.Equal((2, 33), (error.Location.Line, error.Location.Column));
        Assert.DoesNotContain(result.Results, r => r.Kind == "identification");
    }

    [Fact]
    public void Adjustment_sets_name_the_options_they_take()
    {
        var result = Run("graph g { Z -> X -> Y; Z -> Y }\nadjustment sets for X -> Y in g all with maximum = 3\n");
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("'adjustment sets' has no option 'maximum'; expected timeout or max", error.Message);
        Assert.Equal(2, error.Location.Line);
    }
}
