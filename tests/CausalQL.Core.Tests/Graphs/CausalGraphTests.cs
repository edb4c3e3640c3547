using CausalQL.Graphs;

namespace CausalQL.Tests.Graphs;

public class CausalGraphTests
{
    static CausalGraph FrontDoor() => CausalGraph.Create([], [("X", "M"), ("M", "Y")], [("X", "Y")]);

    [Fact]
    public void Ancestors_and_descendants_include_the_nodes_themselves()
    {
        var g = FrontDoor();
        Assert.Equal(VarSet.Of("M", "X"), g.Ancestors(["M"]));
        Assert.Equal(VarSet.Of("M", "Y"), g.Descendants(["M"]));
    }

    [Fact]
    public void Districts_follow_bidirected_edges()
    {
        var districts = FrontDoor().Districts();
        Assert.Equal<VarSet>([VarSet.Of("X", "Y"), VarSet.Of("M")], districts);
    }

    [Fact]
    public void A_directed_cycle_is_found_and_named()
    {
        var g = CausalGraph.Create([], [("A", "B"), ("B", "C"), ("C", "A")]);
        Assert.Null(g.TopologicalOrder());
        Assert.Equal<string>(["A", "B", "C", "A"], g.FindCycle()!.Value);
        Assert.False(g.IsDirectedAcyclicByQuikGraph());
    }

    [Fact]
    public void Latent_projection_turns_a_latent_common_cause_into_a_bidirected_edge()
    {
        var g = CausalGraph.Create([], [("U", "X"), ("U", "Y"), ("X", "Y")], null,
            new Dictionary<string, NodeRole> { ["U"] = NodeRole.Latent });
        var p = g.ProjectLatents();
        Assert.Equal<string>(["X", "Y"], p.Nodes);
        Assert.True(p.HasBidirected("X", "Y"));
        Assert.True(p.HasEdge("X", "Y"));
    }

    [Fact]
    public void Removing_incoming_edges_drops_bidirected_edges_at_those_nodes()
    {
        var g = FrontDoor().RemoveIncoming(["X"]);
        Assert.Empty(g.Bidirected);
        Assert.True(g.HasEdge("X", "M"));
    }
}
