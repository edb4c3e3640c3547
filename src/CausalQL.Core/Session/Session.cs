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

    /// <summary>
    /// Parses, binds and executes a script; declarations persist for later runs. A cancelled run stops at the
    /// statement it was in, which reports the cancellation; declarations before it are kept.
    /// </summary>
    public RunResult Run(SourceText source, CancellationToken cancellation = default)
    {
        var (entries, symbols) = Compilation.Run(source, Symbols, WithCancellation(cancellation));
        Symbols = symbols;
        return new RunResult(source, entries);
    }

    /// <summary>Parses and binds only (`cql check`): diagnostics, no results; the session's symbols are not changed.</summary>
    public RunResult Check(SourceText source)
    {
        var (entries, _) = Compilation.Run(source, Symbols, Ports, execute: false);
        return new RunResult(source, entries);
    }

    /// <summary>Binds and executes a parsed script; declarations persist for later runs.</summary>
    public RunResult Run(ScriptSyntax script, SourceText source, CancellationToken cancellation = default)
    {
        var (entries, symbols) = Compilation.Execute(script, source, Symbols, WithCancellation(cancellation));
        Symbols = symbols;
        return new RunResult(source, entries);
    }

    SessionPorts WithCancellation(CancellationToken cancellation) =>
        cancellation.CanBeCanceled ? Ports with { Cancellation = cancellation } : Ports;

    /// <summary>Forgets every declaration and default.</summary>
    public void Reset() => Symbols = SymbolTable.Empty;
}
