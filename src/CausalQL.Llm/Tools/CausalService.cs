using System.Collections.Immutable;
using CausalQL.Binding;
using CausalQL.Estimands;
using CausalQL.Graphs;
using CausalQL.Identification;
using CausalQL.Sessions;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Llm.Tools;

/// <summary>
/// The compiler's capabilities for programs and agents — check, run, identify, estimate, adjustment sets,
/// translate — behind one class shared by the HTTP API, the MCP server and the Semantic Kernel plugin.
/// Every script is screened against the data roots first; every run is bounded by the time budget.
/// Arguments that are names or expressions are parsed as such (never pasted into script text), so a
/// "query" cannot smuggle in extra statements.
/// </summary>
public sealed class CausalService(DataRoots roots, Budget budget, Func<IChatModel>? chatModel = null, LlmOptions? llm = null, IDataOpener? data = null)
{
    public const string ScriptFile = "<script>";
    public const string QueryFile = "<query>";

    public DataRoots Roots => roots;
    public LlmOptions LlmOptions { get; } = llm ?? new LlmOptions();

    // No output files and no drawing on a server: results come back as text and JSON. The token is the request's
    // time budget: the run stops at its next check and reports it.
    SessionPorts Ports(CancellationToken token = default) =>
        new(roots.Reader(), Data: data, Cancellation: token, TimeBudget: token.CanBeCanceled ? budget.Limit : null);

    /// <summary>The time budget every call runs under (its runs in flight and cancellations are counted there).</summary>
    public Budget Budget => budget;

    // ------------------------------------------------------------------ check and run

    public Task<CheckReply> CheckAsync(string script, CancellationToken ct) => budget.RunAsync(token =>
    {
        var source = new SourceText(script, ScriptFile);
        var parsed = CqlParser.Parse(source);
        var screened = roots.Screen(parsed.Script, source);
        var diagnostics = parsed.Diagnostics.AddRange(screened);
        if (screened.Count == 0)
        {
            var (entries, _) = Compilation.Execute(parsed.Script, source, SymbolTable.Empty, Ports(token), execute: false);
            diagnostics = diagnostics.AddRange(entries.OfType<DiagnosticEntry>().Select(e => e.Diagnostic));
        }
        return new CheckReply(!diagnostics.Any(d => d.IsError), diagnostics.Select(DiagnosticDto.From).ToList());
    }, ct);

    /// <summary>
    /// Runs a script. Files outside the data roots are refused before anything runs (<see cref="RefusedException"/>).
    /// <c>ask "..."</c> statements are translated by the configured model against the symbols declared before them;
    /// the translation (query and reading) is echoed as an <c>ask</c> result and, unless <paramref name="runAsked"/> is
    /// false, run in the same script. There is no one to confirm on a server: the echo is the record of what ran.
    /// </summary>
    public Task<RunReply> RunAsync(string script, CancellationToken ct, bool runAsked = true) => budget.RunAsync(async token =>
    {
        var source = new SourceText(script, ScriptFile);
        var parsed = CqlParser.Parse(source);
        Refuse(roots.Screen(parsed.Script, source));
        var entries = await ExecuteAsync(parsed.Script, source, SymbolTable.Empty, token, runAsked).ConfigureAwait(false);
        return Reply(parsed.Diagnostics, entries);
    }, ct);

    /// <summary>
    /// Compilation.Execute one statement at a time (the same bind-then-execute order, symbols threaded through), so an
    /// <c>ask</c> can await its model before its statement runs: engine work never blocks on a model reply.
    /// </summary>
    async Task<ImmutableArray<RunEntry>> ExecuteAsync(ScriptSyntax script, SourceText source, SymbolTable symbols, CancellationToken token, bool runAsked)
    {
        var entries = ImmutableArray.CreateBuilder<RunEntry>();
        var ports = Ports(token);
        foreach (var statement in script.Statements)
        {
            var statementPorts = ports;
            if (statement is AskStatementSyntax ask && !token.IsCancellationRequested)
            {
                var translation = await TranslateForAskAsync(ask.Question, symbols, ports, token).ConfigureAwait(false);
                statementPorts = ports with { Translator = new Translated(translation), ConfirmAsk = new Answer(runAsked) };
            }
            var (produced, after) = Compilation.Execute(new ScriptSyntax(Seq.Of(statement)), source, symbols, statementPorts);
            entries.AddRange(produced);
            symbols = after;
            if (token.IsCancellationRequested) break; // Compilation reported it at this statement
        }
        return entries.ToImmutable();
    }

    /// <summary>An ask's translation by the configured model, in the scope the statement sees.</summary>
    async Task<NlTranslation> TranslateForAskAsync(string question, SymbolTable scope, SessionPorts ports, CancellationToken token)
    {
        if (chatModel is null) return NlTranslation.Failure("no language model is configured for this server (see cql serve --endpoint/--model)");
        var model = chatModel();
        try
        {
            var translation = await new Translator(model, LlmOptions).TranslateAsync(question, new TranslationContext(scope, ports), token).ConfigureAwait(false);
            return SessionTranslator.ToNlTranslation(translation);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    /// <summary>Hands Executor.Ask a translation already made (asynchronously, before the statement ran).</summary>
    sealed class Translated(NlTranslation translation) : INlTranslator
    {
        public NlTranslation Translate(string question, SymbolTable scope, CancellationToken cancellationToken) => translation;
    }

    sealed class Answer(bool run) : IAskConfirmation
    {
        public bool Confirm(string query, string reading) => run;
    }

    /// <summary>A script without <c>ask</c> (identify's fallback): engine work only.</summary>
    ImmutableArray<RunEntry> Execute(ScriptSyntax script, SourceText source, SymbolTable symbols, CancellationToken token) =>
        Compilation.Execute(script, source, symbols, Ports(token)).Entries;

    // ------------------------------------------------------------------ identify

    /// <summary>
    /// Identifies a query (e.g. <c>P(Y | do(X), Z)</c>) in a graph declared by <paramref name="context"/>. Interventional
    /// probabilities go straight to the ID/IDC engine (cancellable at the budget); other queries (effects,
    /// counterfactuals) are handed to the session's engines as an <c>identify</c> statement.
    /// </summary>
    public Task<IdentifyReply> IdentifyAsync(string context, string query, string? graph, bool explain, CancellationToken ct) => budget.RunAsync(token =>
    {
        var prepared = Prepare(context, query, graph);
        if (prepared.Failure is { } failure) return IdentifyFailure(failure, query, graph);
        var (symbols, querySource, expression, graphName) = prepared.Value;
        var statement = new IdentifyStatementSyntax(expression, graphName, explain, false, Seq<OptionSyntax>.Empty) { Span = expression.Span };
        var bound = Binder.BindStatement(statement, symbols, querySource, roots.Reader());
        if (bound.Statement is not IdentifyStatement s)
            return IdentifyFailure([.. bound.Diagnostics], query, graph);

        if (s.Query is ProbabilityQuery { IsCounterfactual: false } p && p.Outcomes.All(e => e.Value is null)
            && p.Interventions.All(i => i.Value is null) && p.Conditions.All(e => e.Value is null))
        {
            var y = VarSet.From(p.Outcomes.Select(e => e.Variable.Name));
            var x = VarSet.From(p.Interventions.Select(i => i.Variable));
            var z = VarSet.From(p.Conditions.Select(e => e.Variable.Name));
            var result = Identifier.Identify(s.Graph.Graph, y, x, z, new IdentifyOptions(Explain: explain), token);
            token.ThrowIfCancellationRequested();
            return new IdentifyReply(
                result.Identifiable,
                result.Status switch
                {
                    IdStatus.Identifiable => "identifiable",
                    IdStatus.NotIdentifiable => "not_identifiable",
                    IdStatus.BudgetExhausted => "budget_exhausted",
                    _ => "invalid_query",
                },
                Identifier.QueryText(y, x, z), s.Graph.Name,
                result.Estimand?.ToString(), result.Estimand is { } e ? EstimandJson.ToJson(e) : null,
                result.Strategy?.ToString(), result.Hedge?.ToString(), result.Notes, 
                result.Derivation.Select(d => $"{new string(' ', 2 * d.Depth)}{d.Rule}: {d.Justification}" + (d.Result is { } r ? $" => {r}" : "")).ToList(),
                result.Error, [], bound.Diagnostics.Select(DiagnosticDto.From).ToList());
        }

        var entries = Execute(new ScriptSyntax(Seq.Of<StatementSyntax>(statement)), querySource, symbols, token);
        var reply = Reply([], entries);
        return new IdentifyReply(reply.Ok, reply.Ok ? "results" : "error", CqlPrinter.Print(expression), s.Graph.Name,
            null, null, null, null, [], [], null, reply.Results, reply.Diagnostics);
    }, ct);

    static IdentifyReply IdentifyFailure(ImmutableArray<Diagnostic> diagnostics, string query, string? graph) =>
        new(false, "error", query, graph, null, null, null, null, [], [],
            diagnostics.FirstOrDefault(d => d.IsError)?.Message, [], diagnostics.Select(DiagnosticDto.From).ToList());

    // ------------------------------------------------------------------ estimate and adjustment sets

    /// <summary><c>estimate QUERY [in GRAPH] using DATA [with method = M]</c> on the context's declarations.</summary>
    public Task<RunReply> EstimateAsync(string context, string query, string? graph, string data, string? method, CancellationToken ct) => budget.RunAsync(token =>
    {
        var prepared = Prepare(context, query, graph);
        if (prepared.Failure is { } failure) return Reply(failure, []);
        var (symbols, querySource, expression, graphName) = prepared.Value;
        var options = method is null
            ? Seq<OptionSyntax>.Empty
            : Seq.Of(new OptionSyntax(new NameSyntax("method"), new VariableSyntax(new NameSyntax(method), Seq<AssignmentSyntax>.Empty)));
        var statement = new EstimateStatementSyntax(null, expression, graphName, new NameSyntax(data), options) { Span = expression.Span };
        var (entries, _) = Compilation.Execute(new ScriptSyntax(Seq.Of<StatementSyntax>(statement)), querySource, symbols, Ports(token));
        return Reply([], entries);
    }, ct);

    /// <summary><c>adjustment sets for X -> Y [in GRAPH] MODE</c>; exposures and outcomes are comma-separated names.</summary>
    public Task<RunReply> AdjustmentSetsAsync(string context, string exposures, string outcomes, string? graph, string mode, CancellationToken ct) => budget.RunAsync(token =>
    {
        var prepared = PrepareContext(context);
        if (prepared.Failure is { } failure) return Reply(failure, []);
        var (symbols, contextSource) = prepared.Value;
        var adjustmentMode = mode.ToLowerInvariant() switch
        {
            "all" => AdjustmentMode.All,
            "optimal" => AdjustmentMode.Optimal,
            "canonical" => AdjustmentMode.Canonical,
            _ => AdjustmentMode.Minimal,
        };
        graph = OnlyGraph(symbols, graph);
        var statement = new AdjustmentSetsStatementSyntax(Group(exposures), Group(outcomes),
            graph is null ? null : new NameSyntax(graph), adjustmentMode, Seq<OptionSyntax>.Empty);
        var (entries, _) = Compilation.Execute(new ScriptSyntax(Seq.Of<StatementSyntax>(statement)), contextSource, symbols, Ports(token));
        return Reply([], entries);
    }, ct);

    static NodeGroupSyntax Group(string names) =>
        new(names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => new NameSyntax(n)).ToSeq(), Braced: false);

    // ------------------------------------------------------------------ translate

    /// <summary>Natural language to checked CausalQL in the context's scope; nothing runs.</summary>
    public async Task<TranslateReply> TranslateAsync(string question, string context, CancellationToken ct)
    {
        if (chatModel is null)
            return new TranslateReply(false, "model_failed", null, null, [], "no language model is configured", 0, []);
        var prepared = await budget.RunAsync(_ => PrepareContext(context), ct).ConfigureAwait(false);
        if (prepared.Failure is { } failure)
            return new TranslateReply(false, "error", null, null, [], "the context script has errors", 0, failure.Select(DiagnosticDto.From).ToList());
        var model = chatModel();
        try
        {
            var translator = new Translator(model, LlmOptions);
            var translation = await translator.TranslateAsync(question, new TranslationContext(prepared.Value.Symbols, Ports()), ct).ConfigureAwait(false);
            return TranslateReply.From(translation);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    // ------------------------------------------------------------------ shared steps

    sealed record Prepared<T>(T Value, ImmutableArray<Diagnostic>? Failure);

    /// <summary>The context script screened and bound (declarations only); errors in it are a failure.</summary>
    Prepared<(SymbolTable Symbols, SourceText Source)> PrepareContext(string context)
    {
        var source = new SourceText(context, ScriptFile);
        var parsed = CqlParser.Parse(source);
        Refuse(roots.Screen(parsed.Script, source));
        var (entries, symbols) = Compilation.Execute(parsed.Script, source, SymbolTable.Empty, Ports(), execute: false);
        var diagnostics = parsed.Diagnostics.AddRange(entries.OfType<DiagnosticEntry>().Select(e => e.Diagnostic));
        return new((symbols, source), diagnostics.Any(d => d.IsError) ? diagnostics : null);
    }

    Prepared<(SymbolTable Symbols, SourceText QuerySource, ExpressionSyntax Expression, NameSyntax? Graph)> PrepareQuery(
        SymbolTable symbols, string query, string? graph)
    {
        graph = OnlyGraph(symbols, graph);
        var querySource = new SourceText(query, QueryFile);
        var parsed = CqlParser.ParseExpression(querySource);
        if (parsed.Expression is null) return new((symbols, querySource, new NumberSyntax(0), null), parsed.Diagnostics);
        return new((symbols, querySource, parsed.Expression, graph is null ? null : new NameSyntax(graph)), null);
    }

    Prepared<(SymbolTable Symbols, SourceText QuerySource, ExpressionSyntax Expression, NameSyntax? Graph)> Prepare(string context, string query, string? graph)
    {
        var ctx = PrepareContext(context);
        if (ctx.Failure is { } failure) return new((ctx.Value.Symbols, ctx.Value.Source, new NumberSyntax(0), null), failure);
        return PrepareQuery(ctx.Value.Symbols, query, graph);
    }

    /// <summary>With no graph named and no default set, the only graph declared is the one meant.</summary>
    static string? OnlyGraph(SymbolTable symbols, string? graph) =>
        graph is null && symbols.DefaultGraph is null && symbols.Symbols.Values.OfType<GraphSymbol>().ToList() is [var only] ? only.Name : graph;

    static void Refuse(IReadOnlyList<Diagnostic> screened)
    {
        if (screened.Count > 0) throw new RefusedException([.. screened]);
    }

    /// <summary>
    /// Text the results of one request may hold in all (their JSON is of the same order). Some answers grow with the
    /// square of the graph (implications of a 10,000-node chain are half a gigabyte): past this the reply would take
    /// longer to send than to compute, so such a result is replaced by an error saying so.
    /// </summary>
    public const int MaxResultChars = 8_000_000;

    static RunReply Reply(ImmutableArray<Diagnostic> parseDiagnostics, ImmutableArray<RunEntry> entries)
    {
        var diagnostics = parseDiagnostics.Concat(entries.OfType<DiagnosticEntry>().Select(e => e.Diagnostic)).ToList();
        var results = new List<ResultDto>();
        long size = 0;
        foreach (var result in entries.OfType<ResultEntry>().Select(e => e.Result))
        {
            size += result.Text.Length;
            if (size <= MaxResultChars) { results.Add(ResultDto.From(result)); continue; }
            diagnostics.Add(Diagnostic.Error(result.Location,
                $"the result of this statement is too large to return ({result.Text.Length:N0} characters of text; a reply holds at most {MaxResultChars:N0}); ask for less, e.g. on a smaller graph"));
            size -= result.Text.Length;
        }
        return new RunReply(!diagnostics.Any(d => d.IsError), results, diagnostics.Select(DiagnosticDto.From).ToList());
    }
}

/// <summary>The script names files outside the data roots (or an external SQL source): nothing ran.</summary>
public sealed class RefusedException(ImmutableArray<Diagnostic> diagnostics)
    : Exception(diagnostics.Length == 0 ? "refused" : diagnostics[0].Message)
{
    public ImmutableArray<Diagnostic> Diagnostics { get; } = diagnostics;
}
