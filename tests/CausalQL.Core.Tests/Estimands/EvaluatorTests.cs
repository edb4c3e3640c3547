using System.Text.Json.Nodes;
using CausalQL.Conformance;
using CausalQL.Estimands;
using CausalQL.Graphs;

namespace CausalQL.Tests.Estimands;

public class EvaluatorTests
{
    // X, Y binary; P(X=0,Y=0)=.1, (0,1)=.2, (1,0)=.3, (1,1)=.4
    static readonly JointTable XY = new(["X", "Y"], [2, 2], [0.1, 0.2, 0.3, 0.4]);

    static Dictionary<string, int> B(params (string, int)[] kv) => kv.ToDictionary(p => p.Item1, p => p.Item2);

    [Fact]
    public void Joint_table_marginals_are_row_major_sums()
    {
        Assert.Equal(0.3, XY.Marginal(["X"], [0]), 12);
        Assert.Equal(0.6, XY.Marginal(["Y"], [1]), 12);
        Assert.Equal(0.2, XY.Marginal(["Y", "X"], [1, 0]), 12);
        Assert.Equal(1.0, XY.Marginal([], []), 12);
        Assert.Equal(0.0, XY.Marginal(["X", "X"], [0, 1]));
        Assert.Equal<int>([0, 1], XY.Domain("X"));
    }

    [Fact]
    public void Conditionals_are_ratios_of_marginals()
    {
        var e = Est.P(VarSet.Of("Y"), VarSet.Of("X"));
        Assert.Equal(0.4 / 0.7, EstimandEvaluator.Evaluate(e, B(("X", 1), ("Y", 1)), XY), 12);
    }

    [Fact]
    public void A_sum_rebinds_its_variables_and_shadows_outer_bindings()
    {
        var e = Est.Sum(Est.P(VarSet.Of("X", "Y")), VarSet.Of("X"));
        // X is bound to 1 outside, but the sum runs over both values.
        Assert.Equal(0.6, EstimandEvaluator.Evaluate(e, B(("X", 1), ("Y", 1)), XY), 12);
        // Σ_x over a body without x counts the body once per value.
        var constant = new Sum(Est.P("Y"), VarSet.Of("X"));
        Assert.Equal(1.2, EstimandEvaluator.Evaluate(constant, B(("Y", 1)), XY), 12);
    }

    [Fact]
    public void Primed_names_are_separate_bindings_of_the_same_column()
    {
        // Σ_{x'} P(y | x') P(x') = P(y), with x bound elsewhere to a different value.
        var e = Est.Sum(Est.Product(Est.P(VarSet.Of("Y"), VarSet.Of("X'")), Est.P("X'")), VarSet.Of("X'"));
        Assert.Equal(0.6, EstimandEvaluator.Evaluate(e, B(("Y", 1), ("X", 0)), XY), 12);
        Assert.Equal(0.4 / 0.7, EstimandEvaluator.Evaluate(Est.P(VarSet.Of("Y"), VarSet.Of("X'")), B(("Y", 1), ("X'", 1)), XY), 12);
    }

    [Fact]
    public void Zero_denominators_give_zero()
    {
        var t = new JointTable(["X", "Y"], [2, 2], [0.5, 0.5, 0.0, 0.0]);
        Assert.Equal(0.0, EstimandEvaluator.Evaluate(Est.P(VarSet.Of("Y"), VarSet.Of("X")), B(("X", 1), ("Y", 0)), t));
        Assert.Equal(0.0, EstimandEvaluator.Evaluate(Est.Fraction(Est.P("Y"), Est.P("X")), B(("X", 1), ("Y", 0)), t));
    }

    [Fact]
    public void Unbound_names_and_interventional_terms_are_errors_not_crashes()
    {
        Assert.False(EstimandEvaluator.TryEvaluate(Est.P("Y"), B(), XY, out _, out var error));
        Assert.Contains("'Y'", error);
        Assert.False(EstimandEvaluator.TryEvaluate(Est.P(VarSet.Of("Y"), null, VarSet.Of("X")), B(("Y", 0), ("X", 0)), XY, out _, out error));
        Assert.Contains("interventional", error);
        Assert.False(EstimandEvaluator.TryEvaluate(Est.P("Q"), B(("Q", 0)), XY, out _, out _));
    }

    [Fact]
    public void Nested_sums_over_the_same_variable_are_not_merged()
    {
        var inner = Est.Sum(Est.P("X"), VarSet.Of("X"));
        var outer = Est.Sum(inner, VarSet.Of("X"));
        Assert.Equal(2.0, EstimandEvaluator.Evaluate(outer, B(), XY), 12);
    }

    /// <summary>
    /// Material we did not write: every identifiable generated case's peer estimand tree, read with
    /// our reader and evaluated with our evaluator, matches the enumerated truth.
    /// </summary>
    [Fact]
    public void Peer_estimand_trees_of_generated_dev_match_the_truth()
    {
        var (cases, errors) = ConformanceCase.ParseLines(File.ReadAllText(TestPaths.Conformance("generated-dev.jsonl")));
        Assert.Empty(errors);
        var checkedCases = 0;
        foreach (var c in cases.Where(c => c.Identifiable == true))
        {
            var tree = c.Raw["peer"]!["estimand_tree"];
            Assert.True(EstimandJson.TryRead(tree, out var estimand, out var error), $"{c.Id}: {error}");
            var result = EstimandCheck.Check(estimand, c.Observational!, c.Interventional!);
            Assert.True(result.Passed, $"{c.Id}: {result.Message}");
            // The tree printed and read back is the same estimand.
            Assert.True(EstimandJson.TryParse(EstimandJson.ToJsonText(estimand), out var again, out _));
            Assert.Equal(estimand, again);
            checkedCases++;
        }
        Assert.Equal(105, checkedCases);
    }
}
