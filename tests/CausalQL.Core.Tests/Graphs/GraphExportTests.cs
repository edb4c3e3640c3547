using System.Text.Json;
using CausalQL.Graphs;

namespace CausalQL.Tests.Graphs;

public class GraphExportTests
{
    static CausalGraph Smoking() => CausalGraph.Create(
        ["Smoking", "Tar", "Cancer", "Genotype", "blood pressure"],
        [("Genotype", "Smoking"), ("Genotype", "Cancer"), ("Smoking", "Tar"), ("Tar", "Cancer"), ("Cancer", "blood pressure")],
        [("Tar", "blood pressure")],
        new Dictionary<string, NodeRole>
        {
            ["Smoking"] = NodeRole.Exposure, ["Cancer"] = NodeRole.Outcome, ["Genotype"] = NodeRole.Latent,
            ["blood pressure"] = NodeRole.Adjusted,
        });

    [Fact]
    public void Dagitty_text_marks_roles_and_quotes_names_that_need_it()
    {
        Assert.Equal("""
            dag {
            Smoking [exposure]
            Tar
            Cancer [outcome]
            Genotype [latent]
            "blood pressure" [adjusted]
            Genotype -> Smoking
            Genotype -> Cancer
            Smoking -> Tar
            Tar -> Cancer
            Cancer -> "blood pressure"
            Tar <-> "blood pressure"
            }

            """.ReplaceLineEndings("\n"), GraphExport.ToDagitty(Smoking()));
    }

    [Fact]
    public void Dot_output_is_a_digraph_with_dashed_latents_and_two_headed_bidirected_edges()
    {
        var dot = GraphExport.ToDot(Smoking(), "smoking");
        Assert.StartsWith("digraph smoking {\n", dot);
        Assert.Contains("  Genotype [style=dashed, tooltip=\"latent\"];\n", dot);
        Assert.Contains("  Smoking [shape=box, tooltip=\"exposure\"];\n", dot);
        Assert.Contains("  Tar -> \"blood pressure\" [dir=both, style=dashed];\n", dot);
        Assert.Contains("  Cancer -> \"blood pressure\";\n", dot);
        Assert.EndsWith("}\n", dot);
    }

    [Fact]
    public void Json_has_the_conformance_shape_and_round_trips()
    {
        var g = Smoking();
        using var doc = JsonDocument.Parse(GraphExport.ToJson(g));
        var root = doc.RootElement;
        Assert.Equal(g.Nodes, root.GetProperty("nodes").EnumerateArray().Select(e => e.GetString()!));
        var directed = root.GetProperty("directed").EnumerateArray().Select(e => (e[0].GetString()!, e[1].GetString()!)).ToList();
        var bidirected = root.GetProperty("bidirected").EnumerateArray().Select(e => (e[0].GetString()!, e[1].GetString()!)).ToList();
        Assert.Equal(["Genotype"], root.GetProperty("latent").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(["Smoking"], root.GetProperty("exposure").EnumerateArray().Select(e => e.GetString()!));
        var back = CausalGraph.Create(root.GetProperty("nodes").EnumerateArray().Select(e => e.GetString()!), directed, bidirected);
        Assert.Equal(g.Directed.ToList(), back.Directed.ToList());
        Assert.Equal(g.Bidirected.ToList(), back.Bidirected.ToList());
    }

    [Fact]
    public void Text_rendering_lists_layers_roles_children_and_bidirected_edges()
    {
        Assert.Equal("""
            graph smoking: 5 nodes, 5 directed edges, 1 bidirected edge, 1 latent node
              layer 0:
                Genotype [latent] -> Smoking, Cancer
              layer 1:
                Smoking [exposure] -> Tar
              layer 2:
                Tar -> Cancer
              layer 3:
                Cancer [outcome] -> "blood pressure"
              layer 4:
                "blood pressure" [adjusted]
              bidirected (latent confounders):
                Tar <-> "blood pressure"

            """.ReplaceLineEndings("\n"), GraphExport.ToText(Smoking(), "smoking"));
    }
}
