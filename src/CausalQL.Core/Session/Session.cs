using CausalQL.Binding;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Sessions;

/// <summary>
/// A conversation with CausalQL: each <see cref="Run"/> sees the declarations and defaults of the
/// runs before it (the REPL feeds it one input at a time; `cql run` feeds it one file).
/// </summary>
public sealed class Session(SessionPorts? ports = null)
{
    public SessionPorts Ports { get; } = ports ?? SessionPorts.None;

    public SymbolTable Symbols { get; private set; } = SymbolTable.Empty;

    /// <summary>Binds and executes a parsed script; declarations persist for later runs.</summary>
    public RunResult Run(ScriptSyntax script, SourceText source)
    {
        var (entries, symbols) = Compilation.Execute(script, source, Symbols, Ports);
        Symbols = symbols;
        return new RunResult(source, entries);
    }

    /// <summary>Forgets every declaration and default.</summary>
    public void Reset() => Symbols = SymbolTable.Empty;
}
