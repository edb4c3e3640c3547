using CausalQL.Counterfactuals;
using CausalQL.Graphs;
using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Tests.Sessions;

/// <summary>`data d = sample(m, ...)` where m is a model block: possible exactly when the given probabilities define the joint.</summary>
public class ModelSampleTests
{
    // Z confounds X and Y; every variable's conditional is given for each parent configuration.
    const string Full = """
        graph g { Z -> X; Z -> Y; X -> Y }
        model story on g {
          P(Z = 1) = 0.4
          P(X = 1 | Z = 0) = 0.2 ; P(X = 1 | Z = 1) = 0.7
          P(Y = 1 | X = 0, Z = 0) = 0.1 ; P(Y = 1 | X = 0, Z = 1) = 0.5
          P(Y = 1 | X = 1, Z = 0) = 0.6 ; P(Y = 0 | X = 1, Z = 1) = 0.2
        }

        """;

    static RunResult Run(string text) => new Session().Run(new SourceText(text, "<test>"));

    [Fact]
    public void Sampled_frequencies_match_the_given_conditionals_within_sampling_error()
    {
        var graph = CausalGraph.Create(["Z", "X", "Y"], [("Z", "X"), ("Z", "Y"), ("X", "Y")]);
        var entries = new List<GivenEntry>
        {
            new(Assignment.Of(("Z", 1)), Assignment.Empty, 0.4),
            new(Assignment.Of(("X", 1)), Assignment.Of(("Z", 0)), 0.2), new(Assignment.Of(("X", 1)), Assignment.Of(("Z", 1)), 0.7),
            new(Assignment.Of(("Y", 1)), Assignment.Of(("X", 0), ("Z", 0)), 0.1), new(Assignment.Of(("Y", 1)), Assignment.Of(("X", 0), ("Z", 1)), 0.5),
            new(Assignment.Of(("Y", 1)), Assignment.Of(("X", 1), ("Z", 0)), 0.6), new(Assignment.Of(("Y", 0)), Assignment.Of(("X", 1), ("Z", 1)), 0.2),
        };
        var factors = GivenModelSampler.Factorize(new GivenModel(graph, entries));
        Assert.True(factors.Ok, factors.Error);
        const int n = 100_000;
        var rows = GivenModelSampler.Sample(factors.Value!, n, seed: 11);
        void Near(double expected, IEnumerable<int> indices)
        {
            var picked = indices.ToList();
            var frequency = picked.Average(i => (double)rows["Y"][i]);
            // Four standard errors of a proportion: a fixed seed, so this is deterministic, but the bound is the honest one.
            var se = Math.Sqrt(expected * (1 - expected) / picked.Count);
            Assert.InRange(frequency, expected - 4 * se, expected + 4 * se);
        }
        var all = Enumerable.Range(0, n);
        Assert.InRange(rows["Z"].Average(), 0.4 - 4 * Math.Sqrt(0.24 / n), 0.4 + 4 * Math.Sqrt(0.24 / n));
        Near(0.1, all.Where(i => rows["X"][i] == 0 && rows["Z"][i] == 0));
        Near(0.5, all.Where(i => rows["X"][i] == 0 && rows["Z"][i] == 1));
        Near(0.6, all.Where(i => rows["X"][i] == 1 && rows["Z"][i] == 0));
        Near(0.8, all.Where(i => rows["X"][i] == 1 && rows["Z"][i] == 1)); // from the complement P(Y = 0 | X = 1, Z = 1) = 0.2
        var x1 = all.Where(i => rows["Z"][i] == 1).Average(i => (double)rows["X"][i]);
        Assert.InRange(x1, 0.7 - 0.015, 0.7 + 0.015);
        Assert.Equal(rows["Y"], GivenModelSampler.Sample(factors.Value!, n, seed: 11)["Y"]);
    }

    [Fact]
    public void A_sample_of_a_full_model_estimates_the_models_own_effect()
    {
        // Exact ATE on the model: Σ_z P(z) [P(Y|X=1,z) − P(Y|X=0,z)] = 0.6·0.5 + 0.4·0.3 = 0.42.
        var run = Run(Full + "data d = sample(story, n = 40000, seed = 3)\nestimate ATE(X -> Y) in g using d\nuse story\nATE(X -> Y)\n");
        Assert.False(run.HasErrors, string.Join("; ", run.Diagnostics));
        var data = Assert.Single(run.Results, r => r.Kind == "data");
        Assert.Contains("from the model's conditionals (P(Z), P(X | Z), P(Y | Z, X))", data.Text);
        Assert.Equal("model", data.Json["from"]!.GetValue<string>());
        var exact = run.Results.Last().Json["value"]!.GetValue<double>();
        Assert.Equal(0.42, exact, 12);
        var estimate = Assert.Single(run.Results, r => r.Kind == "estimate");
        var point = estimate.Json["value"]!.GetValue<double>();
        Assert.InRange(point, exact - 0.03, exact + 0.03);
    }

    [Fact]
    public void A_model_that_leaves_a_conditional_open_cannot_be_sampled_and_the_error_names_the_term()
    {
        var partial = Full.Replace("P(Y = 1 | X = 0, Z = 1) = 0.5", "");
        var text = partial + "data d = sample(story, n = 100, seed = 1)\n";
        var run = Run(text);
        var error = Assert.Single(run.Diagnostics);
        Assert.Contains("model 'story' cannot be sampled: its given probabilities do not define the full joint distribution", error.Message);
        Assert.Contains("P(Y = 1 | X = 0, Z = 1) is missing", error.Message);
        Assert.Equal(text.IndexOf("data d", StringComparison.Ordinal), error.Location.Span.Start);
        var noGraph = Run("model bare {\n  P(X = 1) = 0.5\n}\ndata d = sample(bare, n = 10)\n");
        Assert.Contains("no graph", Assert.Single(noGraph.Diagnostics).Message);
    }
}
