using System.Text;
using CausalQL.Binding;

namespace CausalQL.Llm;

/// <summary>
/// What the user has declared, as the model should see it: each graph with its nodes and edges, each data set
/// with its source and (when the caller can tell) its columns, each model and SCM with its variables.
/// </summary>
public static class ScopeCard
{
    /// <summary>Columns of a declared data set, when the host can read them (null: unknown).</summary>
    public delegate IReadOnlyList<string>? ColumnLookup(DataSymbol data);

    public static string Describe(SymbolTable symbols, ColumnLookup? columns = null)
    {
        if (symbols.Symbols.IsEmpty) return "Nothing is declared: the question itself must state the graph (and any numbers).";
        var sb = new StringBuilder();
        foreach (var name in symbols.Names)
        {
            switch (symbols.Lookup(name))
            {
                case GraphSymbol g:
                    sb.Append($"graph {g.Name}: nodes {string.Join(", ", g.Graph.Nodes)}");
                    if (!g.Graph.Latents.IsEmpty) sb.Append($" (latent: {string.Join(", ", g.Graph.Latents)})");
                    var edges = g.Graph.Directed.Select(e => $"{e.From} -> {e.To}")
                        .Concat(g.Graph.Bidirected.Select(e => $"{e.A} <-> {e.B}")).ToList();
                    if (edges.Count > 0) sb.Append($"; edges {string.Join(", ", edges)}");
                    sb.Append('\n');
                    break;
                case DataSymbol d:
                    var cols = columns?.Invoke(d);
                    sb.Append($"data {d.Name}");
                    if (cols is { Count: > 0 }) sb.Append($": columns {string.Join(", ", cols)}");
                    sb.Append('\n');
                    break;
                case ModelSymbol m:
                    sb.Append($"model {m.Name}{(m.Graph is { } mg ? $" on graph {mg.Name}" : "")}: {m.Entries.Count} given probabilities\n");
                    break;
                case ScmSymbol s:
                    sb.Append($"scm {s.Name}: variables {string.Join(", ", s.Endogenous)}\n");
                    break;
                case EstimateSymbol e:
                    sb.Append($"estimate {e.Name}\n");
                    break;
            }
        }
        if (symbols.DefaultGraph is { } dg) sb.Append($"default graph: {dg}\n");
        if (symbols.DefaultData is { } dd) sb.Append($"default data: {dd}\n");
        return sb.ToString().TrimEnd();
    }

    /// <summary>Every variable name a query may use: the nodes of every graph, model and SCM in scope.</summary>
    public static HashSet<string> Variables(SymbolTable symbols) =>
        new(symbols.AllVariables.Concat(symbols.Symbols.Values.OfType<ModelSymbol>()
            .SelectMany(m => m.Graph?.Graph.Nodes.AsEnumerable() ?? [])), StringComparer.Ordinal);
}
