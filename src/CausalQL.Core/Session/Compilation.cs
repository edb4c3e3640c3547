using System.Collections.Immutable;
using CausalQL.Binding;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Sessions;

/// <summary>
/// The one place that composes the passes, in order:
///   1. parse    text → syntax tree (statements that failed to parse are dropped, with diagnostics)
///   2. bind     syntax → symbols and semantic queries, statement by statement
///   3. execute  bound statements → results from the engines
/// Front ends (CLI, REPL, server) call this through <see cref="Session"/> and stay thin.
/// </summary>
public static class Compilation
{
    /// <summary>Binds and executes an already parsed script, threading the symbol table through.</summary>
    public static (ImmutableArray<RunEntry> Entries, SymbolTable Symbols) Execute(
        ScriptSyntax script, SourceText source, SymbolTable symbols, SessionPorts ports, bool execute = true)
    {
        var entries = ImmutableArray.CreateBuilder<RunEntry>();
        foreach (var statement in script.Statements)
        {
            var bound = Binder.BindStatement(statement, symbols, source, ports.Files);
            symbols = bound.Symbols;
            foreach (var d in bound.Diagnostics) entries.Add(new DiagnosticEntry(d));
            if (bound.Statement is null || !execute) continue;
            var outcome = Executor.Execute(bound.Statement, ports);
            foreach (var r in outcome.Results) entries.Add(new ResultEntry(r));
            foreach (var d in outcome.Diagnostics) entries.Add(new DiagnosticEntry(d));
        }
        return (entries.ToImmutable(), symbols);
    }
}
