using CausalQL.Estimands;
using CausalQL.Graphs;
using CausalQL.Identification;

namespace CausalQL.Tests.Identification;

/// <summary>Small graphs from the literature, written as edge strings ("X -> Y", "X <-> Y").</summary>
internal static class TestGraphs
{
    public static CausalGraph G(params string[] edges)
    {
        var directed = new List<(string, string)>();
        var bidirected = new List<(string, string)>();
        foreach (var e in edges)
        {
            if (e.Contains("<->")) { var p = e.Split("<->"); bidirected.Add((p[0].Trim(), p[1].Trim())); }
            else { var p = e.Split("->"); directed.Add((p[0].Trim(), p[1].Trim())); }
        }
        return CausalGraph.Create([], directed, bidirected);
    }

    public static readonly CausalGraph FrontDoorGraph = G("X -> M", "M -> Y", "X <-> Y");
    public static readonly CausalGraph BackDoor = G("Z -> X", "Z -> Y", "X -> Y");
    public static readonly CausalGraph Napkin = G("W1 -> W2", "W2 -> X", "X -> Y", "W1 <-> X", "W1 <-> Y");
    public static readonly CausalGraph Bow = G("X -> Y", "X <-> Y");
    /// <summary>Greenland, Pearl &amp; Robins' M-bias: conditioning on the collider M opens X &lt;- A -&gt; M &lt;- B -&gt; Y.</summary>
    public static readonly CausalGraph MBias = G("A -> X", "A -> M", "B -> M", "B -> Y", "X -> Y");

    public static VarSet S(params string[] names) => VarSet.From(names);

    public static (IdContext Ctx, IdGraph Graph) Context(CausalGraph g, bool explain = false)
    {
        var ig = new IdGraph(g);
        return (new IdContext(ig, 1_000_000, explain, default), ig);
    }

    /// <summary>The top-level call ID(y, x, P(V), G).</summary>
    public static IdCall Call(IdContext ctx, IdGraph g, string[] y, string[] x) =>
        new(g.ToSet(y), g.ToSet(x), Dist.Joint(g.All, VarSet.Empty, VarSet.Empty, ctx), g.All);
}
