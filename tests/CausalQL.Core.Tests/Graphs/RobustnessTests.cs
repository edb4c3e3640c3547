using CausalQL.Graphs;

namespace CausalQL.Tests.Graphs;

/// <summary>Random questions, including ill-posed ones, on random graphs (some cyclic): answers or notes, never exceptions.</summary>
public class RobustnessTests
{
    [Fact]
    public void No_question_throws()
    {
        var rng = new Random(41);
        string[] extra = ["Nope", "", "V1 "];
        for (var k = 0; k < 300; k++)
        {
            var n = rng.Next(1, 9);
            var g = RandomGraphs.Admg(rng, n, 0.35, 0.15, 0.2);
            if (k % 5 == 0 && n > 2) // add a cycle now and then
                g = CausalGraph.Create(g.Nodes, [.. g.Directed, ($"V{n}", "V1")], g.Bidirected, g.Roles);
            var names = g.Nodes.Concat(extra).ToList();
            VarSet Pick(double p) => VarSet.From(names.Where(_ => rng.NextDouble() < p));
            var x = Pick(0.25); var y = Pick(0.25); var z = Pick(0.25);
            var options = new AdjustmentOptions { Forced = Pick(0.1), Forbidden = Pick(0.1), MaxSets = rng.Next(0, 5) };
            var one = names[rng.Next(names.Count)];
            var other = names[rng.Next(names.Count)];
            _ = Separation.AreSeparated(g, x, y, z);
            _ = Separation.ReachableFrom(g, x, z);
            _ = Separation.OpenPath(g, x, y, z);
            _ = Adjustment.Check(g, x, y, z);
            _ = Adjustment.Forbidden(g, x, y);
            _ = Adjustment.ProperCausalNodes(g, x, y);
            var minimal = Adjustment.Minimal(g, x, y, options);
            if (minimal.Status == SearchStatus.Invalid) Assert.False(string.IsNullOrEmpty(minimal.Note));
            _ = Adjustment.Canonical(g, x, y, options);
            _ = Adjustment.Optimal(g, one, other);
            _ = Instruments.Conditional(g, one, other);
            _ = FrontDoor.Check(g, x, y, z);
            _ = FrontDoor.Find(g, x, y, options.Forbidden);
            _ = Implications.Basis(g);
            _ = GraphExport.ToText(g);
            _ = GraphExport.ToDot(g);
            _ = GraphExport.ToDagitty(g);
            _ = GraphExport.ToJson(g);
        }
    }
}
