using CausalQL.Graphs;
using CausalQL.Identification;
using static CausalQL.Tests.Identification.TestGraphs;

namespace CausalQL.Tests.Identification;

/// <summary>
/// The explain output of classic examples against golden transcripts in Cases/*.txt.
/// Run with CAUSALQL_ACCEPT=1 to rewrite the transcripts after an intended change (and review the diff).
/// </summary>
public class ExplainGoldenTests
{
    static void Golden(string name, CausalGraph g, VarSet y, VarSet x, VarSet? z = null)
    {
        var query = CausalQuery.Of(y, x, z);
        var result = Identifier.Identify(g, query.Outcome, query.Treatment, query.Condition, new IdentifyOptions(Explain: true));
        var text = Explainer.Render(query, result);
        var path = Path.Combine(TestPaths.RepoRoot, "tests", "CausalQL.Core.Tests", "Identification", "Cases", name + ".txt");
        if (Environment.GetEnvironmentVariable("CAUSALQL_ACCEPT") == "1")
        {
            File.WriteAllText(path, text);
            return;
        }
        Assert.True(File.Exists(path), $"no golden transcript {path}; run with CAUSALQL_ACCEPT=1");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), text);
    }

    [Fact] public void Front_door() => Golden("front-door", FrontDoorGraph, S("Y"), S("X"));
    [Fact] public void Napkin_by_ID() => Golden("napkin", Napkin, S("Y"), S("X"));
    [Fact] public void M_bias_never_adjusts_for_the_collider() => Golden("m-bias", MBias, S("Y"), S("X"));

    [Fact]
    public void M_bias_sets_exclude_the_collider_and_include_the_empty_set()
    {
        var result = Identifier.Identify(MBias, S("Y"), S("X"), VarSet.Empty);
        var sets = new[] { result.Strategy }.Concat(result.Alternatives.Select(a => a.Strategy)).OfType<Strategy.BackDoor>().Select(b => b.Set).ToList();
        Assert.NotEmpty(sets);
        Assert.All(sets, s => Assert.False(s.Contains("M")));
        Assert.Contains(VarSet.Empty, sets);
    }
    [Fact] public void Bow_is_not_identifiable() => Golden("bow", Bow, S("Y"), S("X"));
    [Fact] public void Front_door_conditional_by_IDC() => Golden("front-door-idc", FrontDoorGraph, S("Y"), S("X"), S("M"));
}
