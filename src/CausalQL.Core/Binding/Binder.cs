using System.Collections.Immutable;
using CausalQL.Graphs;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Binding;

/// <summary>The outcome of binding one statement: the bound statement (null when it had errors), the symbols after it, and its diagnostics.</summary>
public sealed record BindResult(BoundStatement? Statement, SymbolTable Symbols, ImmutableArray<Diagnostic> Diagnostics);

/// <summary>A whole script bound in order: one entry per statement (null where it failed).</summary>
public sealed record ScriptBinding(ImmutableArray<BoundStatement?> Statements, SymbolTable Symbols, ImmutableArray<Diagnostic> Diagnostics);

/// <summary>
/// Turns syntax into semantic objects: graphs into <see cref="CausalGraph"/>s, declarations into
/// symbols, queries into <see cref="Query"/> objects with every name checked. Statements bind in
/// order against an immutable <see cref="SymbolTable"/>, so a declaration is visible to the
/// statements after it (and, in the REPL, to later inputs). Nothing throws; errors are diagnostics.
/// </summary>
public sealed partial class Binder
{
    readonly SourceText _source;
    readonly IFileReader? _files;
    readonly DiagnosticBag _diagnostics = new();
    SymbolTable _symbols;

    Binder(SourceText source, SymbolTable symbols, IFileReader? files)
    {
        _source = source;
        _symbols = symbols;
        _files = files;
    }

    public static BindResult BindStatement(StatementSyntax statement, SymbolTable symbols, SourceText source, IFileReader? files = null)
    {
        var binder = new Binder(source, symbols, files);
        var bound = binder.Bind(statement);
        // A statement with errors binds to nothing, so the executor never sees half-checked input.
        if (binder._diagnostics.HasErrors) bound = null;
        return new BindResult(bound, binder._symbols, binder._diagnostics.ToImmutable());
    }

    public static ScriptBinding BindScript(ScriptSyntax script, SymbolTable symbols, SourceText source, IFileReader? files = null)
    {
        var statements = ImmutableArray.CreateBuilder<BoundStatement?>();
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var statement in script.Statements)
        {
            var result = BindStatement(statement, symbols, source, files);
            statements.Add(result.Statement);
            diagnostics.AddRange(result.Diagnostics);
            symbols = result.Symbols;
        }
        return new ScriptBinding(statements.ToImmutable(), symbols, diagnostics.ToImmutable());
    }

    int ErrorCount => _diagnostics.ToImmutable().Count(d => d.IsError);

    Location At(SyntaxNode node) => _source.Location(node.Span);
    Location At(TextSpan span) => _source.Location(span);

    BoundStatement? Bind(StatementSyntax statement) => statement switch
    {
        GraphDeclarationSyntax s => BindGraphDeclaration(s),
        DataDeclarationSyntax s => BindDataDeclaration(s),
        ModelDeclarationSyntax s => BindModelDeclaration(s),
        ScmDeclarationSyntax s => BindScmDeclaration(s),
        IdentifyStatementSyntax s => BindIdentify(s),
        EstimateStatementSyntax s => BindEstimate(s),
        AdjustmentSetsStatementSyntax s => BindAdjustmentSets(s),
        InstrumentsStatementSyntax s => BindInstruments(s),
        ImplicationsStatementSyntax s => ResolveGraph(s.Graph, At(s), "implications") is { } g ? new ImplicationsStatement(g, At(s)) : null,
        CheckStatementSyntax s => BindCheck(s),
        ShowStatementSyntax s => BindShow(s),
        ExportStatementSyntax s => BindExport(s),
        UseStatementSyntax s => BindUse(s),
        AssumeStatementSyntax s => BindAssume(s),
        RefuteStatementSyntax s => BindRefute(s),
        PlotStatementSyntax s => BindPlot(s),
        AskStatementSyntax s => new AskStatement(s.Question, At(s)),
        ExpressionStatementSyntax s => BindExpressionStatement(s),
        _ => throw new System.Diagnostics.UnreachableException($"unhandled statement {statement.GetType().Name}"),
    };

    // ------------------------------------------------------------------ declarations

    /// <summary>False (with a diagnostic) when the name is taken; the first declaration stays in force.</summary>
    bool CanDeclare(NameSyntax name)
    {
        if (_symbols.Lookup(name.Text) is not { } previous) return true;
        _diagnostics.ReportDuplicateDeclaration(At(name), name.Text, previous);
        return false;
    }

    BoundStatement? BindGraphDeclaration(GraphDeclarationSyntax s)
    {
        if (!CanDeclare(s.Name)) return null;
        var errorsBefore = ErrorCount;
        var graph = s.Body switch
        {
            GraphBlockSyntax block => BindGraphBlock(s.Name.Text, block),
            GraphImportSyntax import => BindGraphImport(s.Name.Text, import),
            _ => throw new System.Diagnostics.UnreachableException(),
        };
        var failed = graph is null || ErrorCount > errorsBefore;
        var symbol = new GraphSymbol(s.Name.Text, graph ?? CausalGraph.Create([], []), At(s.Name), HasErrors: failed);
        // Declared even when broken, so later statements naming it do not add "unknown graph" noise.
        _symbols = _symbols.Declare(symbol);
        return new GraphDeclaration(symbol, At(s));
    }

    BoundStatement? BindDataDeclaration(DataDeclarationSyntax s)
    {
        if (!CanDeclare(s.Name)) return null;
        var source = BindDataSource(s.Source);
        if (source is null) return null;
        var symbol = new DataSymbol(s.Name.Text, source, At(s.Name));
        _symbols = _symbols.Declare(symbol);
        return new DataDeclaration(symbol, At(s));
    }

    DataSource? BindDataSource(CallSyntax call)
    {
        var function = call.Function.Text.ToLowerInvariant();
        var options = BindOptions(call.Named);
        string? StringArgument(int index, string what)
        {
            if (index < call.Arguments.Count && call.Arguments[index] is StringSyntax str) return str.Value;
            var where = index < call.Arguments.Count ? At(call.Arguments[index]) : At(call);
            _diagnostics.ReportBadDataSource(where, $"{function}(...) needs {what} as a string");
            return null;
        }
        switch (function)
        {
            case "csv" or "parquet":
                {
                    if (StringArgument(0, "a file path") is not { } path) return null;
                    var pathLocation = At(call.Arguments[0]);
                    if (call.Arguments.Count > 1)
                        _diagnostics.ReportBadDataSource(At(call.Arguments[1]), $"{function}(...) takes one file path");
                    // Globs (events/*.parquet) are for the data engine to expand; plain paths are checked here.
                    var isGlob = path.IndexOfAny(['*', '?', '[']) >= 0;
                    if (!isGlob && _files is not null && !_files.Exists(path, _source.FileName))
                        _diagnostics.ReportFileUnreadable(pathLocation, path, "no such file");
                    return new FileDataSource(function, path, pathLocation, options);
                }
            case "sql":
                {
                    var connection = StringArgument(0, "a connection string");
                    var query = StringArgument(1, "a query");
                    return connection is null || query is null ? null : new SqlDataSource(connection, query, options);
                }
            case "sample":
                {
                    if (call.Arguments.Count < 1 || call.Arguments[0] is not VariableSyntax { Subscript.IsEmpty: true } modelName)
                    {
                        _diagnostics.ReportBadDataSource(At(call), "sample(...) needs the name of a model or scm first, e.g. sample(m, n = 1000, seed = 1)");
                        return null;
                    }
                    var symbol = _symbols.Lookup(modelName.Name.Text);
                    if (symbol is null)
                    {
                        _diagnostics.ReportUnknownName(At(modelName), "model or scm", modelName.Name.Text,
                            Suggestions.Closest(modelName.Name.Text, _symbols.Symbols.Values.Where(v => v is ModelSymbol or ScmSymbol).Select(v => v.Name)));
                        return null;
                    }
                    if (symbol is not (ModelSymbol or ScmSymbol))
                    {
                        _diagnostics.ReportWrongKind(At(modelName), modelName.Name.Text, "a model or scm", symbol);
                        return null;
                    }
                    return new SampleDataSource(symbol.Name, options) { Origin = symbol };
                }
            default:
                _diagnostics.ReportBadDataSource(At(call.Function), $"unknown data source '{call.Function.Text}'; expected csv, parquet, sql or sample");
                return null;
        }
    }

    BoundStatement? BindModelDeclaration(ModelDeclarationSyntax s)
    {
        if (!CanDeclare(s.Name)) return null;
        GraphSymbol? graphSymbol = null;
        GraphContext? context = null;
        if (s.Graph is { } graphName)
        {
            switch (_symbols.Lookup(graphName.Text))
            {
                case GraphSymbol { HasErrors: true }:
                    return null;
                case GraphSymbol g:
                    graphSymbol = g;
                    context = new GraphContext(g.Name, g.Graph, g);
                    break;
                case null:
                    _diagnostics.ReportUnknownName(At(graphName), "graph", graphName.Text, SuggestName(graphName.Text, v => v is GraphSymbol));
                    return null;
                case var other:
                    _diagnostics.ReportWrongKind(At(graphName), graphName.Text, "a graph", other);
                    return null;
            }
        }
        var entries = ImmutableArray.CreateBuilder<ModelEntry>();
        var entrySyntax = new List<ModelEntrySyntax>();
        foreach (var entry in s.Entries)
        {
            Query? term = entry.Term switch
            {
                ProbabilitySyntax p => BindProbability(p, context),
                ExpectationSyntax e => BindExpectation(e, context),
                _ => null,
            };
            if (term is null)
            {
                if (entry.Term is not (ProbabilitySyntax or ExpectationSyntax))
                    _diagnostics.ReportBadModelEntry(At(entry.Term), "a model entry gives P(...) or E[...] a number, e.g. P(X = 1 | Z = 0) = 0.2");
                continue;
            }
            if (NumberOf(entry.Value) is not { } value)
            {
                _diagnostics.ReportBadModelEntry(At(entry.Value), $"the value of {term} must be a number");
                continue;
            }
            if (term is ProbabilityQuery && (value < 0 || value > 1 || double.IsNaN(value)))
            {
                _diagnostics.ReportBadModelEntry(At(entry.Value), $"{term} = {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a probability (it must lie in [0, 1])");
                continue;
            }
            entries.Add(new ModelEntry(term, value));
            entrySyntax.Add(entry);
        }
        ReportInconsistentEntries(entries, entrySyntax);
        var symbol = new ModelSymbol(s.Name.Text, graphSymbol, entries.ToImmutable(), At(s.Name));
        _symbols = _symbols.Declare(symbol);
        return new ModelDeclaration(symbol, At(s));
    }

    /// <summary>
    /// Probabilities of one variable under one condition that sum past 1 (or, for both levels of a
    /// binary variable, short of 1), and one term given twice with different values: reported at the entry.
    /// </summary>
    void ReportInconsistentEntries(IReadOnlyList<ModelEntry> entries, IReadOnlyList<ModelEntrySyntax> entrySyntax)
    {
        static Counterfactuals.Assignment? Assign(IEnumerable<QueryEvent> events)
        {
            var values = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var e in events)
            {
                if (e.Value is not NumberValue { Number: var n } || n != Math.Floor(n) || Math.Abs(n) > 1_000_000 || !values.TryAdd(e.Variable.Name, (int)n)) return null;
            }
            return new Counterfactuals.Assignment(values.ToImmutableSortedDictionary(StringComparer.Ordinal));
        }
        var given = new List<Counterfactuals.GivenEntry>();
        var syntax = new List<ModelEntrySyntax>();
        for (var i = 0; i < entries.Count; i++)
        {
            var (entry, at) = (entries[i], entrySyntax[i]);
            if (entry.Term is not ProbabilityQuery { IsCounterfactual: false, Interventions.Count: 0 } p) continue;
            if (Assign(p.Outcomes) is not { } a || Assign(p.Conditions) is not { } c) continue;
            given.Add(new Counterfactuals.GivenEntry(a, c, entry.Value));
            syntax.Add(at);
        }
        foreach (var (index, message) in Counterfactuals.GivenModel.Validate(given))
            _diagnostics.ReportBadModelEntry(At(syntax[index].Value), message);
    }

    static double? NumberOf(ExpressionSyntax e) => e switch
    {
        NumberSyntax n => n.Value,
        UnarySyntax { Operator: UnaryOperator.Negate } u => -NumberOf(u.Operand),
        ParenthesizedSyntax p => NumberOf(p.Inner),
        _ => null,
    };

    string? SuggestName(string name, Func<Symbol, bool> kind) =>
        Suggestions.Closest(name, _symbols.Symbols.Values.Where(kind).Select(s => s.Name));
}
