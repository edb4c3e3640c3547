using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CausalQL.Graphs;

/// <summary>Renderers of a causal graph as text: Graphviz DOT, DAGitty, JSON and a readable listing for <c>show G</c>.</summary>
public static partial class GraphExport
{
    /// <summary>Graphviz DOT: latent nodes dashed, exposures and outcomes marked, bidirected edges dashed with two heads.</summary>
    public static string ToDot(CausalGraph g, string name = "G")
    {
        var sb = new StringBuilder();
        sb.Append("digraph ").Append(DotId(name)).Append(" {\n");
        sb.Append("  node [shape=ellipse];\n");
        foreach (var v in g.Nodes)
        {
            var role = g.RoleOf(v);
            var attrs = new List<string>();
            if (role.HasFlag(NodeRole.Latent)) attrs.Add("style=dashed");
            if (role.HasFlag(NodeRole.Exposure)) attrs.Add("shape=box");
            if (role.HasFlag(NodeRole.Outcome)) attrs.Add("shape=doublecircle");
            if (role.HasFlag(NodeRole.Adjusted)) attrs.Add("peripheries=2");
            var roles = RoleWords(role);
            if (roles.Count > 0) attrs.Add("tooltip=\"" + string.Join(", ", roles) + "\"");
            sb.Append("  ").Append(DotId(v));
            if (attrs.Count > 0) sb.Append(" [").Append(string.Join(", ", attrs)).Append(']');
            sb.Append(";\n");
        }
        foreach (var (from, to) in g.Directed)
            sb.Append("  ").Append(DotId(from)).Append(" -> ").Append(DotId(to)).Append(";\n");
        foreach (var (a, b) in g.Bidirected)
            sb.Append("  ").Append(DotId(a)).Append(" -> ").Append(DotId(b)).Append(" [dir=both, style=dashed];\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>DAGitty's text format, readable by dagitty.net and the R package.</summary>
    public static string ToDagitty(CausalGraph g)
    {
        var sb = new StringBuilder("dag {\n");
        foreach (var v in g.Nodes)
        {
            sb.Append(DagittyId(v));
            var roles = RoleWords(g.RoleOf(v));
            if (roles.Count > 0) sb.Append(" [").Append(string.Join(",", roles)).Append(']');
            sb.Append('\n');
        }
        foreach (var (from, to) in g.Directed) sb.Append(DagittyId(from)).Append(" -> ").Append(DagittyId(to)).Append('\n');
        foreach (var (a, b) in g.Bidirected) sb.Append(DagittyId(a)).Append(" <-> ").Append(DagittyId(b)).Append('\n');
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>
    /// JSON: <c>{"nodes": [...], "directed": [[a, b], ...], "bidirected": [[a, b], ...], "latent": [...],
    /// "exposure": [...], "outcome": [...], "adjusted": [...]}</c> (the shape of the conformance files, plus roles).
    /// </summary>
    public static string ToJson(CausalGraph g, bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            w.WriteStartArray("nodes");
            foreach (var v in g.Nodes) w.WriteStringValue(v);
            w.WriteEndArray();
            w.WriteStartArray("directed");
            foreach (var (a, b) in g.Directed) { w.WriteStartArray(); w.WriteStringValue(a); w.WriteStringValue(b); w.WriteEndArray(); }
            w.WriteEndArray();
            w.WriteStartArray("bidirected");
            foreach (var (a, b) in g.Bidirected) { w.WriteStartArray(); w.WriteStringValue(a); w.WriteStringValue(b); w.WriteEndArray(); }
            w.WriteEndArray();
            foreach (var (key, role) in new[] { ("latent", NodeRole.Latent), ("exposure", NodeRole.Exposure), ("outcome", NodeRole.Outcome), ("adjusted", NodeRole.Adjusted) })
            {
                w.WriteStartArray(key);
                foreach (var v in g.Nodes) if (g.RoleOf(v).HasFlag(role)) w.WriteStringValue(v);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// A readable listing: a summary line, the nodes by topological layer (layer k = longest directed
    /// path from a root has k edges) with their roles and children, then the bidirected edges.
    /// </summary>
    public static string ToText(CausalGraph g, string name = "G")
    {
        var sb = new StringBuilder();
        sb.Append($"graph {name}: {Plural(g.Count, "node")}, {Plural(g.Directed.Length, "directed edge")}, {Plural(g.Bidirected.Length, "bidirected edge")}");
        var latents = g.Latents.Count;
        if (latents > 0) sb.Append($", {Plural(latents, "latent node")}");
        sb.Append('\n');
        var order = Implications.TopoIndices(g);
        if (order is null)
        {
            var cycle = g.FindCycle();
            sb.Append("  (the directed edges form a cycle: ").Append(string.Join(" -> ", cycle ?? [])).Append(")\n");
            foreach (var (from, to) in g.Directed) sb.Append("  ").Append(from).Append(" -> ").Append(to).Append('\n');
        }
        else
        {
            var layer = new int[g.Count];
            foreach (var v in order)
                foreach (var c in g.ChildIndices(v)) layer[c] = Math.Max(layer[c], layer[v] + 1);
            var layers = Enumerable.Range(0, g.Count).GroupBy(i => layer[i]).OrderBy(grp => grp.Key);
            foreach (var grp in layers)
            {
                sb.Append($"  layer {grp.Key}:\n");
                foreach (var i in grp)
                {
                    var v = g.Nodes[i];
                    sb.Append("    ").Append(Quote(v));
                    var roles = RoleWords(g.RoleOf(v));
                    if (roles.Count > 0) sb.Append(" [").Append(string.Join(", ", roles)).Append(']');
                    var children = g.ChildIndices(i).ToArray();
                    if (children.Length > 0) sb.Append(" -> ").Append(string.Join(", ", children.Select(c => Quote(g.Nodes[c]))));
                    sb.Append('\n');
                }
            }
        }
        if (!g.Bidirected.IsEmpty)
        {
            sb.Append("  bidirected (latent confounders):\n");
            foreach (var (a, b) in g.Bidirected) sb.Append("    ").Append(Quote(a)).Append(" <-> ").Append(Quote(b)).Append('\n');
        }
        return sb.ToString();
    }

    static string Plural(int n, string word) => $"{n} {word}{(n == 1 ? "" : "s")}";

    static List<string> RoleWords(NodeRole role)
    {
        var words = new List<string>();
        if (role.HasFlag(NodeRole.Exposure)) words.Add("exposure");
        if (role.HasFlag(NodeRole.Outcome)) words.Add("outcome");
        if (role.HasFlag(NodeRole.Latent)) words.Add("latent");
        if (role.HasFlag(NodeRole.Adjusted)) words.Add("adjusted");
        return words;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.]*$")]
    private static partial Regex PlainName();

    static readonly HashSet<string> DagittyKeywords = new(StringComparer.OrdinalIgnoreCase) { "dag", "graph", "digraph", "pdag", "mag", "pag", "bn", "node", "edge" };

    static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    static string DagittyId(string v) => PlainName().IsMatch(v) && !DagittyKeywords.Contains(v) ? v : "\"" + Escape(v) + "\"";

    static string DotId(string v) => PlainName().IsMatch(v) && !DagittyKeywords.Contains(v) && !v.Contains('.') ? v : "\"" + Escape(v) + "\"";

    /// <summary>Names in the readable listing: quoted only when they contain spaces or punctuation.</summary>
    static string Quote(string v) => PlainName().IsMatch(v) ? v : "\"" + Escape(v) + "\"";
}
