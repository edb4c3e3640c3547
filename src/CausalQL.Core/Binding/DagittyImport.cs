using CausalQL.Graphs;
using CausalQL.Syntax;

namespace CausalQL.Binding;

public sealed partial class Binder
{
    CausalGraph? ReadDagittyFile(string graphName, GraphImportSyntax import, FileText file)
    {
        _diagnostics.ReportMissingCapability(At(import), $"dagitty(\"{import.Path}\")", "the DAGitty file reader");
        return null;
    }
}
