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
    /// <summary>Pass 1: the script's syntax tree (statements that parsed) and the parse diagnostics.</summary>
    public static ParseResult Parse(SourceText source) => CqlParser.Parse(source);

    /// <summary>Parse, bind and execute a script's text.</summary>
    public static (ImmutableArray<RunEntry> Entries, SymbolTable Symbols) Run(SourceText source, SymbolTable symbols, SessionPorts ports, bool execute = true)
    {
        var parsed = Parse(source);
        if (ports.Finished is not { } finished)
        {
            var (entries, after) = Execute(parsed.Script, source, symbols, ports, execute);
            return (InPlace(parsed.Diagnostics, entries), after);
        }
        // Streamed: each entry as its statement finishes, parse errors slotted in by position as InPlace does.
        var pending = new Queue<Diagnostic>(parsed.Diagnostics.OrderBy(d => d.Location.Span.Start));
        var (streamed, symbolsAfter) = Execute(parsed.Script, source, symbols, ports with
        {
            Finished = entry =>
            {
                while (pending.Count > 0 && pending.Peek().Location.Span.Start < Start(entry)) finished(new DiagnosticEntry(pending.Dequeue()));
                finished(entry);
            },
        }, execute);
        while (pending.Count > 0) finished(new DiagnosticEntry(pending.Dequeue()));
        return (InPlace(parsed.Diagnostics, streamed), symbolsAfter);
    }

    static int Start(RunEntry entry) => entry switch
    {
        ResultEntry r => r.Result.Location.Span.Start,
        DiagnosticEntry d => d.Diagnostic.Location.Span.Start,
        _ => int.MaxValue,
    };

    /// <summary>
    /// Parse errors placed where they occur among the statements' results, so a transcript reads in
    /// source order (a statement that failed to parse produced nothing else to place them by).
    /// </summary>
    static ImmutableArray<RunEntry> InPlace(ImmutableArray<Diagnostic> parseDiagnostics, ImmutableArray<RunEntry> entries)
    {
        if (parseDiagnostics.IsEmpty) return entries;
        var result = ImmutableArray.CreateBuilder<RunEntry>();
        var pending = new Queue<Diagnostic>(parseDiagnostics.OrderBy(d => d.Location.Span.Start));
        foreach (var entry in entries)
        {
            var start = Start(entry);
            while (pending.Count > 0 && pending.Peek().Location.Span.Start < start)
                result.Add(new DiagnosticEntry(pending.Dequeue()));
            result.Add(entry);
        }
        while (pending.Count > 0) result.Add(new DiagnosticEntry(pending.Dequeue()));
        return result.ToImmutable();
    }

    /// <summary>
    /// Passes 2 and 3 over an already parsed script, threading the symbol table through. Each
    /// statement's entries go to <see cref="SessionPorts.Finished"/> once it has finished.
    /// </summary>
    public static (ImmutableArray<RunEntry> Entries, SymbolTable Symbols) Execute(
        ScriptSyntax script, SourceText source, SymbolTable symbols, SessionPorts ports, bool execute = true)
    {
        var entries = ImmutableArray.CreateBuilder<RunEntry>();
        var cancellation = ports.Cancellation;
        var told = 0;
        void Tell()
        {
            if (ports.Finished is { } finished)
                for (; told < entries.Count; told++) finished(entries[told]);
        }
        foreach (var statement in script.Statements)
        {
            Tell();
            if (cancellation.IsCancellationRequested) return (Cancelled(entries, statement, source, ports, Tell), symbols);
            var bound = Binder.BindStatement(statement, symbols, source, ports.Files);
            symbols = bound.Symbols;
            foreach (var d in bound.Diagnostics) entries.Add(new DiagnosticEntry(d));
            if (bound.Statement is null || !execute) continue;
            var before = entries.Count;
            try
            {
                if (bound.Statement is AskStatement ask)
                {
                    var (asked, after) = Executor.Ask(ask, symbols, ports);
                    entries.AddRange(asked);
                    symbols = after;
                }
                else
                {
                    var outcome = Executor.Execute(bound.Statement, ports);
                    foreach (var r in outcome.Results) entries.Add(new ResultEntry(r));
                    foreach (var d in outcome.Diagnostics) entries.Add(new DiagnosticEntry(d));
                }
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
            }
            // Whatever a statement produced while the run was being cancelled may be partial (a search cut short
            // reports its own budget error): the run's cancellation is the one thing said about it.
            if (cancellation.IsCancellationRequested)
            {
                entries.Count = before;
                return (Cancelled(entries, statement, source, ports, Tell), symbols);
            }
        }
        Tell();
        return (entries.ToImmutable(), symbols);
    }

    static ImmutableArray<RunEntry> Cancelled(ImmutableArray<RunEntry>.Builder entries, Syntax.StatementSyntax at, SourceText source, SessionPorts ports, Action tell)
    {
        entries.Add(new DiagnosticEntry(Diagnostic.Error(source.Location(at.Span), ports.CancelledMessage)));
        tell();
        return entries.ToImmutable();
    }
}
