using System.Collections.Immutable;
using System.Text.Json;
using CausalQL.Counterfactuals;
using CausalQL.Graphs;
using CausalQL.Scm;
using CausalQL.Tests;

namespace CausalQL.Core.Tests.Counterfactuals;

/// <summary>The 10 counterfactual cases of identification.jsonl (y0's ID*/IDC* tests): verdicts, and every identified estimand checked against enumeration.</summary>
public class ConformanceTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var line in File.ReadLines(TestPaths.Conformance("identification.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.GetProperty("query").GetProperty("kind").GetString() == "counterfactual")
                data.Add(doc.RootElement.GetProperty("id").GetString()!);
        }
        return data;
    }

    static JsonElement Case(string id)
    {
        foreach (var line in File.ReadLines(TestPaths.Conformance("identification.jsonl")))
        {
            var doc = JsonDocument.Parse(line);
            if (doc.RootElement.GetProperty("id").GetString() == id) return doc.RootElement.Clone();
        }
        throw new InvalidOperationException(id);
    }

    // The sources write values symbolically: x is one value, x' another; binary codes 0 and 1.
    static int Code(string symbol) => symbol.EndsWith('\'') ? 1 : 0;

    static List<CfEvent> Events(JsonElement list) =>
        [.. list.EnumerateArray().Select(e => new CfEvent(
            e.GetProperty("variable").GetString()!,
            e.GetProperty("interventions").EnumerateObject().ToImmutableDictionary(p => p.Name, p => Code(p.Value.GetString()!), StringComparer.Ordinal),
            Code(e.GetProperty("value").GetString()!)))];

    static CausalGraph Graph(JsonElement g) => CausalGraph.Create(
        g.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()!),
        g.GetProperty("directed").EnumerateArray().Select(e => (e[0].GetString()!, e[1].GetString()!)),
        g.GetProperty("bidirected").EnumerateArray().Select(e => (e[0].GetString()!, e[1].GetString()!)));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Verdict_matches_and_estimand_matches_enumeration(string id)
    {
        var c = Case(id);
        var graph = Graph(c.GetProperty("graph"));
        var gamma = Events(c.GetProperty("query").GetProperty("outcome"));
        var delta = Events(c.GetProperty("query").GetProperty("condition"));
        var result = delta.Count == 0
            ? CounterfactualIdentification.IdStar(graph, gamma)
            : CounterfactualIdentification.IdcStar(graph, gamma, delta);
        var expected = c.GetProperty("identifiable");
        if (expected.ValueKind == JsonValueKind.Null)
        {
            Assert.Equal(CfVerdict.Undefined, result.Verdict);
            Assert.Contains("probability 0", result.Explanation);
            return;
        }
        Assert.True(expected.GetBoolean() == result.IsIdentified, $"{id}: {result.Verdict} {result.Explanation}");
        if (!result.IsIdentified) return;
        var reducedChecks = 0;
        for (var seed = 1; seed <= 3; seed++)
        {
            var scm = RandomScm.ForGraph(graph, seed, noiseLevels: 6);
            var enumerated = new ScmEnumerator(scm).Probability(gamma, delta);
            if (!enumerated.Ok) continue; // this random model gives the condition probability 0
            var truth = enumerated.Value;
            var value = CfTestSupport.EvaluateOn(scm, result);
            Assert.True(Math.Abs(truth - value) < 1e-9, $"{id} seed {seed}: estimand {result.Estimand} gives {value}, enumeration {truth}");
            // The same answer reduced to observational terms by ID, evaluated on the exact observational joint.
            var (observational, complete, notes) = CounterfactualReduction.ToObservational(result, graph);
            if (!complete) continue;
            var joint = new ScmEnumerator(scm).ObservationalJoint().Value!;
            if (Enumerable.Range(0, 1 << joint.Variables.Count).Any(code => joint.Marginal(joint.Variables, [.. joint.Variables.Select((_, i) => (code >> i) & 1)]) <= 0)) continue;
            var reduced = CausalQL.Estimands.EstimandEvaluator.Evaluate(observational, result.Bindings, joint);
            Assert.True(Math.Abs(truth - reduced) < 1e-9, $"{id} seed {seed}: observational {observational} gives {reduced}, enumeration {truth}");
            reducedChecks++;
        }
        if (result.Estimand is not CausalQL.Estimands.ZeroEstimand)
            Assert.True(reducedChecks > 0, $"{id}: the observational reduction was never checked");
    }
}
