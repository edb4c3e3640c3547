using CausalQL.Graphs;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Binding;

// Graph blocks: CausalQL's own and DAGitty's `dag { }` read the same way, since the AST already
// folds both into node declarations and edge chains.
public sealed partial class Binder
{
    CausalGraph? BindGraphBlock(string graphName, GraphBlockSyntax block)
    {
        if (block.Keyword is { } keyword && !string.Equals(keyword, "dag", StringComparison.OrdinalIgnoreCase))
        {
            _diagnostics.ReportUnsupportedGraphKind(At(block), keyword);
            return null;
        }
        var nodes = new List<string>();
        var directed = new List<(string, string)>();
        var bidirected = new List<(string, string)>();
        var roles = new Dictionary<string, NodeRole>(StringComparer.Ordinal);
        // Where each directed edge was first written, so a cycle can point at one of its edges.
        var edgeSpans = new Dictionary<(string, string), TextSpan>();

        foreach (var item in block.Items)
        {
            switch (item)
            {
                case NodeDeclarationSyntax node:
                    nodes.Add(node.Name.Text);
                    var role = roles.GetValueOrDefault(node.Name.Text);
                    foreach (var attribute in node.Attributes)
                        role |= RoleOf(attribute);
                    roles[node.Name.Text] = role;
                    break;
                case EdgeChainSyntax chain:
                    for (var i = 0; i < chain.Arrows.Count && i + 1 < chain.Groups.Count; i++)
                    {
                        foreach (var from in chain.Groups[i].Names)
                            foreach (var to in chain.Groups[i + 1].Names)
                            {
                                var span = ((TextSpan)from.Span).Cover(to.Span);
                                switch (chain.Arrows[i])
                                {
                                    case EdgeKind.Directed: AddDirected(from.Text, to.Text, span); break;
                                    case EdgeKind.Reversed: AddDirected(to.Text, from.Text, span); break;
                                    case EdgeKind.Bidirected:
                                        if (from.Text == to.Text) _diagnostics.ReportSelfConfounding(At(span), from.Text);
                                        else bidirected.Add((from.Text, to.Text));
                                        break;
                                    case EdgeKind.Undirected:
                                        _diagnostics.ReportUndirectedEdge(At(span), from.Text, to.Text);
                                        break;
                                }
                            }
                    }
                    // A lone group (`{A B}` or a bare name) declares its nodes.
                    foreach (var group in chain.Groups)
                        foreach (var name in group.Names)
                            nodes.Add(name.Text);
                    break;
            }
        }

        void AddDirected(string from, string to, TextSpan span)
        {
            directed.Add((from, to));
            edgeSpans.TryAdd((from, to), span);
        }

        // Declaration order: nodes in order of first mention anywhere in the block.
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in block.Items)
        {
            IEnumerable<string> names = item switch
            {
                NodeDeclarationSyntax n => [n.Name.Text],
                EdgeChainSyntax c => c.Groups.SelectMany(g => g.Names).Select(n => n.Text),
                _ => [],
            };
            foreach (var n in names) if (seen.Add(n)) order.Add(n);
        }

        var graph = CausalGraph.Create(order, directed, bidirected, roles);
        if (graph.FindCycle() is { } cycle)
        {
            // Point at the cycle's edge written last: usually the one that closed it.
            var edges = Enumerable.Range(0, cycle.Length - 1).Select(i => (cycle[i], cycle[i + 1])).ToList();
            var span = edges.Select(e => edgeSpans.TryGetValue(e, out var sp) ? sp : (TextSpan)block.Span).MaxBy(sp => sp.Start);
            _diagnostics.ReportCycle(At(span), graphName, cycle);
            return null;
        }
        return graph;
    }

    NodeRole RoleOf(AttributeSyntax attribute)
    {
        switch (attribute.Name.Text.ToLowerInvariant())
        {
            case "latent" or "unobserved": return NodeRole.Latent;
            case "exposure" or "exposed": return NodeRole.Exposure;
            case "outcome": return NodeRole.Outcome;
            case "adjusted": return NodeRole.Adjusted;
            // DAGitty layout and display attributes carry no causal meaning.
            case "pos" or "label" or "selected" or "source": return NodeRole.None;
            default:
                _diagnostics.ReportUnknownAttribute(At(attribute), attribute.Name.Text);
                return NodeRole.None;
        }
    }

    CausalGraph? BindGraphImport(string graphName, GraphImportSyntax import)
    {
        if (!string.Equals(import.Format.Text, "dagitty", StringComparison.OrdinalIgnoreCase))
        {
            _diagnostics.ReportUnknownFormat(At(import.Format), "graph file", import.Format.Text, "dagitty(\"file\")");
            return null;
        }
        if (_files is null)
        {
            _diagnostics.ReportFileUnreadable(At(import), import.Path, "this session has no file access");
            return null;
        }
        switch (_files.ReadText(import.Path, _source.FileName))
        {
            case FileError error:
                _diagnostics.ReportFileUnreadable(At(import), import.Path, error.Reason);
                return null;
            case FileText file:
                return ReadDagittyFile(graphName, import, file);
            default:
                throw new System.Diagnostics.UnreachableException();
        }
    }
}
