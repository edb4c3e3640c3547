using CausalQL.Graphs;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Binding;

// dagitty("file"): the file is parsed with the DAGitty reader and bound like an inline `dag { }`.
// Its problems are reported at the import, naming the place in the file, since the script's
// source cannot show the other file's lines.
public sealed partial class Binder
{
    CausalGraph? ReadDagittyFile(string graphName, GraphImportSyntax import, FileText file)
    {
        var source = new SourceText(file.Text, import.Path);
        var parsed = CqlParser.ParseDagitty(source);
        var inner = new Binder(source, SymbolTable.Empty, null);
        var graph = parsed.Graph is { } block ? inner.BindGraphBlock(graphName, block) : null;
        foreach (var d in parsed.Diagnostics.Concat(inner._diagnostics.ToImmutable()))
            _diagnostics.Add(d with { Location = At(import), Message = $"in {d.Location}: {d.Message}" });
        return graph;
    }
}
