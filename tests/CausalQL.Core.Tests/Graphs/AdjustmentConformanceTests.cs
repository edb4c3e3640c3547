using System.Text.Json;
using CausalQL.Graphs;

namespace CausalQL.Tests.Graphs;

/// <summary>The 30 DAGitty cases of adjustment-dev.jsonl: minimal sets, canonical set, instruments and basis implications.</summary>
public class AdjustmentConformanceTests
{
    public sealed record Case(string Id, CausalGraph Graph, VarSet Exposure, VarSet Outcome, JsonElement Json)
    {
        public override string ToString() => Id;
    }

    static readonly Lazy<List<Case>> Cases = new(() =>
        File.ReadLines(TestPaths.Conformance("adjustment-dev.jsonl"))
            .Where(l => l.Trim().Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(Read)
            .ToList());

    static Case Read(JsonElement c)
    {
        var graph = c.GetProperty("graph");
        var nodes = graph.GetProperty("nodes").EnumerateArray().Select(e => e.GetString()!);
        var directed = graph.GetProperty("directed").EnumerateArray().Select(e => (e[0].GetString()!, e[1].GetString()!));
        var roles = graph.GetProperty("latent").EnumerateArray().ToDictionary(e => e.GetString()!, _ => NodeRole.Latent);
        return new Case(c.GetProperty("id").GetString()!, CausalGraph.Create(nodes, directed, null, roles),
            Names(c.GetProperty("exposure")), Names(c.GetProperty("outcome")), c);
    }

    static VarSet Names(JsonElement array) => VarSet.From(array.EnumerateArray().Select(e => e.GetString()!));

    static HashSet<VarSet> SetOfSets(JsonElement array) => array.EnumerateArray().Select(Names).ToHashSet();

    public static TheoryData<string> Ids() => [.. Cases.Value.Select(c => c.Id)];

    static Case Get(string id) => Cases.Value.Single(c => c.Id == id);

    [Fact]
    public void There_are_thirty_cases() => Assert.Equal(30, Cases.Value.Count);

    [Theory, MemberData(nameof(Ids))]
    public void Minimal_adjustment_sets_match_dagitty(string id)
    {
        var c = Get(id);
        var expected = SetOfSets(c.Json.GetProperty("minimal_sets"));
        var result = Adjustment.Minimal(c.Graph, c.Exposure, c.Outcome);
        Assert.Equal(SearchStatus.Complete, result.Status);
        Assert.Equal(result.Sets.Length, result.Sets.Distinct().Count());
        Assert.True(expected.SetEquals(result.Sets),
            $"expected {string.Join(" ", expected)}\nactual   {string.Join(" ", result.Sets)}");
        if (expected.Count == 0)
        {
            Assert.True(result.NoneExists);
            Assert.StartsWith("no adjustment set exists", result.Note);
        }
        foreach (var set in result.Sets) Assert.True(Adjustment.IsValid(c.Graph, c.Exposure, c.Outcome, set));
    }

    [Theory, MemberData(nameof(Ids))]
    public void Canonical_set_and_identifiability_match_dagitty(string id)
    {
        var c = Get(id);
        var identifiable = c.Json.GetProperty("identifiable_by_adjustment").GetBoolean();
        var answer = Adjustment.Canonical(c.Graph, c.Exposure, c.Outcome);
        Assert.Equal(identifiable, answer.Exists);
        if (identifiable) Assert.Equal(Names(c.Json.GetProperty("canonical_set")), answer.Set);
        else Assert.NotNull(answer.Note);
    }

    [Theory, MemberData(nameof(Ids))]
    public void Conditional_instruments_match_dagitty(string id)
    {
        var c = Get(id);
        var expected = c.Json.GetProperty("instruments");
        if (expected.ValueKind == JsonValueKind.Null)
        {
            Assert.True(c.Exposure.Count > 1 || c.Outcome.Count > 1);
            return;
        }
        var want = expected.EnumerateArray()
            .Select(e => new ConditionalInstrument(e.GetProperty("instrument").GetString()!, Names(e.GetProperty("given"))))
            .ToHashSet();
        var result = Instruments.Conditional(c.Graph, c.Exposure.Single(), c.Outcome.Single());
        Assert.True(result.IsValid, result.Error);
        Assert.True(want.SetEquals(result.Instruments),
            $"expected {string.Join("; ", want)}\nactual   {string.Join("; ", result.Instruments)}");
    }

    [Theory, MemberData(nameof(Ids))]
    public void Basis_implications_match_dagitty(string id)
    {
        var c = Get(id);
        var want = c.Json.GetProperty("basis_implications").EnumerateArray()
            .Select(e => new ConditionalIndependence(e.GetProperty("x").GetString()!, Names(e.GetProperty("y")), Names(e.GetProperty("given"))))
            .ToHashSet();
        var actual = Implications.Basis(c.Graph);
        Assert.Equal(actual.Length, actual.Distinct().Count());
        Assert.True(want.SetEquals(actual), $"expected {string.Join("; ", want)}\nactual   {string.Join("; ", actual)}");
    }
}
