using System.Collections.Immutable;
using CausalQL.Text;
using Superpower;
using Superpower.Model;
using TextSpan = CausalQL.Text.TextSpan;

namespace CausalQL.Syntax;

/// <summary>The statements that parsed, plus every diagnostic. Statements with errors are left out.</summary>
public sealed record ParseResult(ScriptSyntax Script, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>One expression (a REPL line, an LLM's answer) and its diagnostics; Expression is null on error.</summary>
public sealed record ExpressionParseResult(ExpressionSyntax? Expression, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>A DAGitty file's graph (<c>dag { ... }</c>) and its diagnostics; Graph is null on error.</summary>
public sealed record DagittyParseResult(GraphBlockSyntax? Graph, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Entry points of the front end. A script is tokenized once, cut into statements at newlines and ';' outside
/// brackets (a line that starts with in/using/with/explain/verify or a binary operator continues the previous
/// statement), and each statement is parsed on its own, so one error costs one statement and a file reports
/// all its errors. Nothing here throws on any input.
/// </summary>
public static class CqlParser
{
    /// <summary>Deeper bracket nesting is reported rather than parsed: the combinators recurse per level.</summary>
    public const int MaxNestingDepth = 64;

    /// <summary>
    /// More operators than this in one expression (between commas, items or statements) are reported rather than
    /// parsed: a chain like <c>a + b + ...</c> or <c>- - ... x</c> is as deep as it is long in the tree every later
    /// pass walks recursively. With the bracket limit this keeps any accepted input within an ordinary thread's stack.
    /// </summary>
    public const int MaxOperatorsPerExpression = 1000;

    /// <summary>After this many errors the parser stops and says so.</summary>
    public const int MaxDiagnostics = 100;

    public static ParseResult Parse(SourceText source)
    {
        var diagnostics = new List<Diagnostic>();
        var statements = ImmutableArray.CreateBuilder<StatementSyntax>();
        var tokens = CqlTokenizer.Tokenize(source.Text);
        foreach (var segment in StatementSplitter.Split(tokens))
        {
            if (diagnostics.Count >= MaxDiagnostics) break;
            if (segment.Error is { } error)
            {
                diagnostics.Add(Diagnostic.Error(source.Location(error.Span), error.Message));
                continue;
            }
            var statement = ParseSegment(source, segment, CqlGrammar.WholeStatement, diagnostics);
            if (statement is not null) statements.Add(statement);
        }
        if (diagnostics.Count >= MaxDiagnostics)
        {
            diagnostics = diagnostics.Take(MaxDiagnostics).ToList();
            var last = diagnostics[^1].Location;
            diagnostics.Add(Diagnostic.Error(last, $"too many errors ({MaxDiagnostics}); stopping here"));
        }
        var script = new ScriptSyntax(statements.ToImmutable()) { Span = new TextSpan(0, source.Text.Length) };
        return new ParseResult(script, [.. diagnostics]);
    }

    public static ParseResult Parse(string text, string fileName = "<input>") => Parse(new SourceText(text, fileName));

    /// <summary>Parses the whole text as one expression; line breaks are insignificant here.</summary>
    public static ExpressionParseResult ParseExpression(SourceText source)
    {
        var diagnostics = new List<Diagnostic>();
        var tokens = CqlTokenizer.Tokenize(source.Text).Where(t => t.Kind != CqlToken.Newline).ToArray();
        var segment = StatementSplitter.Whole(tokens);
        if (segment.Error is { } error)
            return new ExpressionParseResult(null, [Diagnostic.Error(source.Location(error.Span), error.Message)]);
        if (segment.Tokens.Length == 0)
            return new ExpressionParseResult(null, [Diagnostic.Error(source.Location(new TextSpan(0, 0)), "expected an expression, found end of input")]);
        var expression = ParseSegment(source, segment, CqlGrammar.StandaloneExpression, diagnostics);
        return new ExpressionParseResult(expression, [.. diagnostics]);
    }

    public static ExpressionParseResult ParseExpression(string text) => ParseExpression(new SourceText(text));

    /// <summary>Reads a DAGitty model: <c>dag { ... }</c> (or pdag, mag, pag, graph) as DAGitty writes it.</summary>
    public static DagittyParseResult ParseDagitty(SourceText source)
    {
        var diagnostics = new List<Diagnostic>();
        var tokens = CqlTokenizer.Tokenize(source.Text);
        var segments = StatementSplitter.Split(tokens).ToList();
        if (segments.Count == 0)
            return new DagittyParseResult(null, [Diagnostic.Error(source.Location(new TextSpan(0, 0)), "expected a DAGitty graph such as dag { x -> y }, found an empty file")]);
        if (segments[0].Error is { } error)
            return new DagittyParseResult(null, [Diagnostic.Error(source.Location(error.Span), error.Message)]);
        var graph = ParseSegment(source, segments[0], CqlGrammar.WholeDagitty, diagnostics);
        if (graph is not null && graph.Keyword is not ("dag" or "pdag" or "mag" or "pag" or "graph" or "digraph"))
        {
            diagnostics.Add(Diagnostic.Error(source.Location(graph.Span), $"expected a DAGitty graph type (dag, pdag, mag, pag or graph), found '{graph.Keyword}'"));
            graph = null;
        }
        if (graph is not null && segments.Count > 1)
        {
            var extra = segments[1];
            var span = extra.Error?.Span ?? CqlGrammar.ToTextSpan(extra.Tokens[0]);
            diagnostics.Add(Diagnostic.Error(source.Location(span), "expected end of file after the DAGitty graph"));
            graph = null;
        }
        return new DagittyParseResult(graph, [.. diagnostics]);
    }

    static T? ParseSegment<T>(SourceText source, Segment segment, TokenListParser<CqlToken, T> parser, List<Diagnostic> diagnostics)
        where T : class
    {
        CqlGrammar.SetTokens(segment.Tokens);
        try
        {
            var result = parser(new TokenList<CqlToken>(segment.Tokens));
            if (result.HasValue) return result.Value;
            diagnostics.Add(Describe(source, segment, result));
            return null;
        }
        finally
        {
            CqlGrammar.SetTokens(null);
        }
    }

    // ------------------------------------------------------------------ messages

    static Diagnostic Describe<T>(SourceText source, Segment segment, TokenListParserResult<CqlToken, T> result)
    {
        var tokens = segment.Tokens;
        var index = Math.Clamp(result.Location.Position, 0, tokens.Length);
        var atEnd = index >= tokens.Length;
        TextSpan span;
        string found;
        if (atEnd)
        {
            span = segment.EndSpan;
            found = segment.EndDescription;
        }
        else
        {
            var token = tokens[index];
            span = CqlGrammar.ToTextSpan(token);
            found = Describe(token);
        }
        var after = index > 0 ? $" after {Quoted(tokens[index - 1])}" : "";
        if (result.ErrorMessage == CqlGrammar.OutOfRange && index > 0)
        {
            var literal = tokens[index - 1];
            return Diagnostic.Error(source.Location(CqlGrammar.ToTextSpan(literal)),
                $"{(literal.Kind == CqlToken.Duration ? "duration" : "number")} {Shorten(literal.ToStringValue())} is out of range (beyond ±1.8e308)");
        }

        string message;
        if (!atEnd && tokens[index].Kind is CqlToken.FatArrow or CqlToken.LongArrow)
            message = $"expected '->' or '<->'{after}, found {found}";
        else if (result.Expectations is { Length: > 0 } expectations)
            message = $"expected {JoinAlternatives(expectations.Select(FormatExpectation).Distinct())}{after}, found {found}";
        else if (!string.IsNullOrEmpty(result.ErrorMessage))
            message = $"{result.ErrorMessage}{after}, found {found}";
        else
            message = $"expected end of statement (end of line or ';'){after}, found {found}";
        return Diagnostic.Error(source.Location(span), message);
    }

    // Superpower writes token expectations as `x`; we quote them as 'x' and leave descriptions as they are.
    static string FormatExpectation(string expectation) =>
        expectation.Length >= 2 && expectation[0] == '`' && expectation[^1] == '`'
            ? "'" + expectation[1..^1] + "'"
            : expectation;

    static string JoinAlternatives(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list.Take(list.Count - 1)) + " or " + list[^1];
    }

    static string Shorten(string text) => text.Length <= 30 ? text : text[..27] + "...";

    internal static string Quoted(Token<CqlToken> token) => token.Kind switch
    {
        CqlToken.Newline => "end of line",
        CqlToken.String or CqlToken.BacktickName => Shorten(token.ToStringValue()),
        _ => "'" + Shorten(token.ToStringValue()) + "'",
    };

    internal static string Describe(Token<CqlToken> token) => token.Kind switch
    {
        CqlToken.Newline => "end of line",
        CqlToken.String => "string " + Shorten(token.ToStringValue()),
        CqlToken.Number => "number " + token.ToStringValue(),
        _ => Quoted(token),
    };
}
