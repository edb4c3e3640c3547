using CausalQL.Binding;
using CausalQL.Sessions;
using CausalQL.Tests;
using CausalQL.Text;

namespace CausalQL.Core.Tests.Cladder;

/// <summary>The two statements CLadder's exp_away and collider_bias scripts need, run through a session.</summary>
public class CladderSessionTests
{
    static RunResult Run(string text) => new Session(new SessionPorts(new InMemoryFileReader(new Dictionary<string, string>()))).Run(new SourceText(text, "<test>"));

    // Explaining away on X -> V3 <- Y: P(Y | X, V3) is given, P(X | V3) is not.
    const string Collider = """
        graph g { X -> V3
          Y -> V3 }
        model story on g {
          P(X = 1) = 0.3
          P(Y = 1 | X = 0, V3 = 0) = 0.1
          P(Y = 1 | X = 1, V3 = 0) = 0.4
          P(Y = 1 | X = 0, V3 = 1) = 0.5
          P(Y = 1 | X = 1, V3 = 1) = 0.2
        }
        use story

        """;

    [Fact]
    public void An_underdetermined_mixture_term_is_answered_with_its_total_probability_bounds()
    {
        var result = Run(Collider + "P(Y = 1 | X = 1, V3 = 1) - P(Y = 1 | V3 = 1)");
        Assert.False(result.HasErrors, string.Join("; ", result.Diagnostics));
        var answer = result.Results.Last();
        // P(Y=1 | V3=1) = 0.5 P(X=0 | V3=1) + 0.2 P(X=1 | V3=1) ∈ [0.2, 0.5], so the difference lies in [0.2 − 0.5, 0.2 − 0.2].
        Assert.Contains("in model 'story' is not determined by the given probabilities; it lies in [-0.3, 0]", answer.Text);
        Assert.Null(answer.Json["value"]);
        Assert.Equal(-0.3, answer.Json["lower"]!.GetValue<double>(), 12);
        Assert.Equal(0.0, answer.Json["upper"]!.GetValue<double>(), 12);
        // Both ends are attained: weight P(X=1 | V3=1) = 1 gives 0, weight 0 gives -0.3.
        var single = Run(Collider + "P(Y = 1 | V3 = 1)").Results.Last();
        Assert.Equal(0.2, single.Json["lower"]!.GetValue<double>(), 12);
        Assert.Equal(0.5, single.Json["upper"]!.GetValue<double>(), 12);
    }

    [Fact]
    public void A_term_that_no_mixture_of_given_terms_brackets_stays_a_missing_term_error()
    {
        var result = Run(Collider + "P(V3 = 1 | X = 1)");
        Assert.True(result.HasErrors);
        Assert.Contains("missing term: no given probability determines P(V3 = 1 | X = 1)", Assert.Single(result.Diagnostics).Message);
    }

    [Fact]
    public void Two_bounded_terms_are_not_combined_by_interval_arithmetic()
    {
        // Both terms depend on the same unknown weights, so interval arithmetic would not be sharp.
        var result = Run(Collider + "P(Y = 1 | V3 = 1) - P(Y = 1 | V3 = 1)");
        Assert.True(result.HasErrors);
        Assert.Contains("both only bounded", Assert.Single(result.Diagnostics).Message);
    }

    [Theory]
    [InlineData("X -> V3\n Y -> V3", false)]
    [InlineData("X -> V3\n Y -> V3\n X -> Y", true)]
    [InlineData("X -> M -> Y\n Y -> V3", true)]
    public void Identify_says_whether_there_is_a_causal_path(string edges, bool path)
    {
        var result = Run($"graph g {{ {edges} }}\nidentify P(Y | do(X)) in g");
        Assert.False(result.HasErrors, string.Join("; ", result.Diagnostics));
        var answer = Assert.Single(result.Results.Last().Json["answers"]!.AsArray())!;
        Assert.Equal(path, answer["causal_path"]!.GetValue<bool>());
        if (!path) Assert.Equal("P(Y)", answer["estimand"]!.GetValue<string>());
    }
}
