using CausalQL.Conformance;
using CausalQL.Estimands;
using CausalQL.Graphs;
using CausalQL.Identification;

namespace CausalQL.Tests.Estimands;

/// <summary>The simplifier preserves the value of estimands on random positive distributions.</summary>
public class SimplifierTests
{
    static readonly string[] Vars = ["A", "B", "C", "D"];

    /// <summary>A random strictly positive joint over A, B, C (binary) and D (ternary).</summary>
    static JointTable RandomJoint(Random random)
    {
        var p = new double[2 * 2 * 2 * 3];
        for (var i = 0; i < p.Length; i++) p[i] = 0.05 + random.NextDouble();
        var total = p.Sum();
        for (var i = 0; i < p.Length; i++) p[i] /= total;
        return new JointTable(Vars, [2, 2, 2, 3], p);
    }

    /// <summary>Evaluates both estimands for every assignment of the names free in either.</summary>
    static void AssertSameValue(Estimand original, Estimand simplified, JointTable table)
    {
        var free = EstimandEvaluator.FreeVariables(original).Union(EstimandEvaluator.FreeVariables(simplified)).ToArray();
        var domains = free.Select(n => table.Domain(EstimandEvaluator.ColumnOf(n)).Count).ToArray();
        var values = new int[free.Length];
        while (true)
        {
            var bindings = free.Select((n, i) => (n, values[i])).ToDictionary(p => p.n, p => p.Item2);
            var a = EstimandEvaluator.Evaluate(original, bindings, table);
            var b = EstimandEvaluator.Evaluate(simplified, bindings, table);
            Assert.True(Math.Abs(a - b) < 1e-12, $"{EstimandPrinter.ToUnicode(original)} = {a} but {EstimandPrinter.ToUnicode(simplified)} = {b}");
            var k = free.Length - 1;
            for (; k >= 0; k--) { if (++values[k] < domains[k]) break; values[k] = 0; }
            if (k < 0) return;
        }
    }

    static VarSet S(params string[] names) => VarSet.From(names);

    public static TheoryData<string> Rules => new()
    {
        "sum-out-normalised", "marginalise-term", "pull-out", "keep-sum", "chain-rule", "term-quotient", "cancel", "nested",
    };

    static (Estimand Original, Estimand Expected) Case(string rule) => rule switch
    {
        // Σ_b P(b | a) P(a) = P(a)
        "sum-out-normalised" => (new Sum(Est.Product(Est.P(S("B"), S("A")), Est.P("A")), S("B")), Est.P("A")),
        // Σ_b P(a, b | c) = P(a | c)
        "marginalise-term" => (new Sum(Est.P(S("A", "B"), S("C")), S("B")), Est.P(S("A"), S("C"))),
        // Σ_d P(a | c) P(b | d) P(d) = P(a | c) Σ_d P(b, d) = P(a | c) P(b): pull out, chain rule, marginalise
        "pull-out" => (new Sum(Est.Product(Est.P(S("A"), S("C")), Est.P(S("B"), S("D")), Est.P("D")), S("D")),
            Est.Product(Est.P(S("A"), S("C")), Est.P("B"))),
        // Σ_d P(a | c, d) P(b | d) P(d): d stays summed (it conditions a), P(a | c) is not pulled in
        "keep-sum" => (new Sum(Est.Product(Est.P(S("A"), S("C", "D")), Est.P(S("B"), S("D")), Est.P("D")), S("D")),
            new Sum(Est.Product(Est.P(S("A"), S("C", "D")), Est.P(S("B", "D"))), S("D"))),
        // P(a | b, c) P(b | c) = P(a, b | c)
        "chain-rule" => (Est.Product(Est.P(S("A"), S("B", "C")), Est.P(S("B"), S("C"))), Est.P(S("A", "B"), S("C"))),
        // P(a, b | c) / P(b | c) = P(a | b, c)
        "term-quotient" => (new Fraction(Est.P(S("A", "B"), S("C")), Est.P(S("B"), S("C"))), Est.P(S("A"), S("B", "C"))),
        // P(d) P(a, b) / (P(d) P(b)) = P(a | b)
        "cancel" => (new Fraction(Est.Product(Est.P("D"), Est.P("A", "B")), Est.Product(Est.P("D"), Est.P("B"))), Est.P(S("A"), S("B"))),
        // Σ_{b,c} P(c | a, b) P(b | a) P(a) P(d) = P(a) P(d)
        "nested" => (new Sum(Est.Product(Est.P(S("C"), S("A", "B")), Est.P(S("B"), S("A")), Est.P("A"), Est.P("D")), S("B", "C")),
            Est.Product(Est.P("A"), Est.P("D"))),
        _ => throw new ArgumentException(rule),
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_gives_the_expected_form_and_keeps_the_value(string rule)
    {
        var (original, expected) = Case(rule);
        var simplified = Simplifier.Simplify(original);
        Assert.True(Canonicalizer.AreEquivalentForms(expected, simplified),
            $"{rule}: expected {EstimandPrinter.ToUnicode(expected)}, got {EstimandPrinter.ToUnicode(simplified)}");
        var random = new Random(rule.Length * 7919);
        for (var model = 0; model < 5; model++) AssertSameValue(original, simplified, RandomJoint(random));
    }

    [Fact]
    public void A_sum_over_an_absent_name_is_kept_because_it_counts_the_domain()
    {
        var e = new Sum(Est.P("A"), S("B"));
        Assert.Equal(e, Simplifier.Simplify(e));
        var table = RandomJoint(new Random(1));
        Assert.Equal(2 * table.Marginal(["A"], [1]), EstimandEvaluator.Evaluate(e, new Dictionary<string, int> { ["A"] = 1 }, table), 12);
    }

    /// <summary>
    /// The estimands ID builds for the generated graphs, before and after simplification, agree on
    /// random models of each graph (material we did not write supplies the graphs).
    /// </summary>
    [Fact]
    public void Simplified_ID_estimands_keep_their_value_on_random_models_of_generated_graphs()
    {
        var (cases, _) = ConformanceCase.ParseLines(File.ReadAllText(TestPaths.Conformance("generated-dev.jsonl")));
        var compared = 0;
        foreach (var c in cases.Where(c => c.Identifiable == true && c.Graph.Count <= 8).Take(24))
        {
            var raw = Identifier.Identify(c.Graph, c.Outcome, c.Treatment, c.Condition, new IdentifyOptions(PreferCriteria: false, Simplify: false));
            var simple = Identifier.Identify(c.Graph, c.Outcome, c.Treatment, c.Condition, new IdentifyOptions(PreferCriteria: false, Simplify: true));
            var query = CausalQuery.Of(c.Outcome, c.Treatment, c.Condition);
            var a = Verifier.Verify(c.Graph, query, raw.Estimand!, models: 2, seed: compared + 1);
            var b = Verifier.Verify(c.Graph, query, simple.Estimand!, models: 2, seed: compared + 1);
            Assert.True(a.Passed, $"{c.Id} raw: {a.Message}");
            Assert.True(b.Passed, $"{c.Id} simplified: {b.Message}");
            compared++;
        }
        Assert.True(compared >= 20);
    }
}
