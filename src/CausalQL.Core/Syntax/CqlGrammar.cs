using System.Globalization;
using Superpower;
using Superpower.Model;
using System.Reflection;
using Superpower.Display;
using Superpower.Parsers;

namespace CausalQL.Syntax;

/// <summary>
/// The grammar as a ladder of static readonly Superpower parsers, built bottom-up. It parses one statement's
/// tokens at a time (the splitter in <see cref="CqlParser"/> cuts the file at statement ends), so newline tokens
/// only reach it inside braces, where they separate graph items, model entries and SCM equations.
/// grammar/causalql.ebnf is the reference; keep the two in step.
/// </summary>
static class CqlGrammar
{
    // ------------------------------------------------------------------ spans

    // The tokens of the statement being parsed, so a parser's remainder index gives the end of its last token.
    [ThreadStatic] static Token<CqlToken>[]? t_tokens;

    internal static void SetTokens(Token<CqlToken>[]? tokens) => t_tokens = tokens;

    static CausalQL.Text.TextSpan SpanOf(TokenList<CqlToken> from, TokenList<CqlToken> to)
    {
        var tokens = t_tokens;
        if (tokens is null || tokens.Length == 0) return default;
        var first = Math.Min(from.Position, tokens.Length - 1);
        var last = Math.Max(first, to.Position - 1);
        last = Math.Min(last, tokens.Length - 1);
        var start = tokens[first].Span.Position.Absolute;
        var end = tokens[last].Span.Position.Absolute + tokens[last].Span.Length;
        return CausalQL.Text.TextSpan.FromBounds(start, end);
    }

    /// <summary>Sets the node's Span to the tokens the parser consumed.</summary>
    static TokenListParser<CqlToken, T> Spanned<T>(TokenListParser<CqlToken, T> parser) where T : SyntaxNode => input =>
    {
        var result = parser(input);
        if (!result.HasValue) return result;
        var node = (T)(result.Value with { Span = SpanOf(input, result.Remainder) });
        return TokenListParserResult.Value(node, input, result.Remainder);
    };

    internal static CausalQL.Text.TextSpan ToTextSpan(Token<CqlToken> token) =>
        new(token.Span.Position.Absolute, token.Span.Length);

    // ------------------------------------------------------------------ tokens and names

    // Token.EqualTo compares kinds through Enum.Equals (boxing) on every attempt; these compare directly. They are
    // cached because LINQ query syntax rebuilds the parsers named in its later `from` clauses on every call.
    static readonly TokenListParser<CqlToken, Token<CqlToken>>[] TokenParsers =
        Enum.GetValues<CqlToken>().Select(MakeTok).ToArray();

    static TokenListParser<CqlToken, Token<CqlToken>> Tok(CqlToken kind) => TokenParsers[(int)kind];

    static TokenListParser<CqlToken, Token<CqlToken>> MakeTok(CqlToken kind)
    {
        var expectations = new[] { ExpectationOf(kind) };
        return input =>
        {
            var next = input.ConsumeToken();
            return next.HasValue && next.Value.Kind == kind
                ? next
                : TokenListParserResult.Empty<CqlToken, Token<CqlToken>>(input, expectations);
        };
    }

    static string ExpectationOf(CqlToken kind)
    {
        var attribute = typeof(CqlToken).GetField(kind.ToString())?.GetCustomAttribute<TokenAttribute>();
        return attribute?.Example is { } example ? $"`{example}`" : attribute?.Description ?? kind.ToString().ToLowerInvariant();
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, TokenListParser<CqlToken, Token<CqlToken>>> KeywordParsers = new();

    /// <summary>A keyword: an identifier with this exact spelling.</summary>
    static TokenListParser<CqlToken, Token<CqlToken>> Kw(string word) => KeywordParsers.GetOrAdd(word, MakeKw);

    static TokenListParser<CqlToken, Token<CqlToken>> MakeKw(string word)
    {
        var expectations = new[] { $"'{word}'" };
        return input =>
        {
            var next = input.ConsumeToken();
            return next.HasValue && next.Value.Kind == CqlToken.Identifier && next.Value.Span.EqualsValue(word)
                ? next
                : TokenListParserResult.Empty<CqlToken, Token<CqlToken>>(input, expectations);
        };
    }

    /// <summary>Keywords the printer quotes when they are used as names, so the printed text reads back the same.</summary>
    internal static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "graph", "data", "model", "scm", "on", "identify", "estimate", "adjustment", "sets", "for", "instruments",
        "implications", "of", "check", "against", "show", "as", "export", "to", "use", "assume", "refute", "plot", "ask",
        "in", "using", "with", "explain", "verify", "minimal", "all", "optimal", "canonical",
        "do", "P", "E", "and", "or", "xor", "not",
        "ATE", "ETT", "NDE", "NIE", "CDE", "TE", "PN", "PS", "PNS",
    };

    /// <summary>Words that, at the start of a line, continue the previous statement.</summary>
    internal static readonly HashSet<string> ContinuationKeywords = new(StringComparer.Ordinal)
    {
        "in", "using", "with", "explain", "verify",
    };

    static readonly TokenListParser<CqlToken, string> StringLiteral =
        Tok(CqlToken.String).Select(t => CqlTokenizer.Unquote(t.ToStringValue())).Named("string");

    static readonly string[] NameExpectation = ["name"];

    /// <summary>An identifier, a "quoted name" or a `quoted name`.</summary>
    static readonly TokenListParser<CqlToken, NameSyntax> Name = input =>
    {
        var next = input.ConsumeToken();
        if (next.HasValue)
        {
            var token = next.Value;
            switch (token.Kind)
            {
                case CqlToken.Identifier:
                    return TokenListParserResult.Value(new NameSyntax(token.ToStringValue()) { Span = ToTextSpan(token) }, input, next.Remainder);
                case CqlToken.String or CqlToken.BacktickName:
                    return TokenListParserResult.Value(new NameSyntax(CqlTokenizer.Unquote(token.ToStringValue())) { Span = ToTextSpan(token) }, input, next.Remainder);
            }
        }
        return TokenListParserResult.Empty<CqlToken, NameSyntax>(input, NameExpectation);
    };

    static readonly TokenListParser<CqlToken, NameSyntax> IdentifierName = Spanned(
        Tok(CqlToken.Identifier).Select(t => new NameSyntax(t.ToStringValue())));

    static readonly TokenListParser<CqlToken, Token<CqlToken>> Separator =
        Tok(CqlToken.Newline).Or(Tok(CqlToken.Semicolon));

    static readonly TokenListParser<CqlToken, Token<CqlToken>[]> Separators = Separator.Many();

    static readonly TokenListParser<CqlToken, Token<CqlToken>[]> Newlines = Tok(CqlToken.Newline).Many();

    static readonly TokenListParser<CqlToken, Token<CqlToken>?> OptionalComma = Tok(CqlToken.Comma).Optional();

    // ------------------------------------------------------------------ graphs

    static readonly TokenListParser<CqlToken, EdgeKind> Arrow =
        Tok(CqlToken.Arrow).Value(EdgeKind.Directed)
            .Or(Tok(CqlToken.ReverseArrow).Value(EdgeKind.Reversed))
            .Or(Tok(CqlToken.BiArrow).Value(EdgeKind.Bidirected))
            .Or(Tok(CqlToken.UndirectedEdge).Value(EdgeKind.Undirected))
            .Named("'->', '<-', '<->' or '--'");

    // Inside a braced group names may be separated by commas (CausalQL) or spaces (DAGitty), across lines.
    static readonly TokenListParser<CqlToken, NameSyntax> GroupMember =
        (from _ in Newlines
         from name in Name
         from comma in OptionalComma
         select name).Try();

    static readonly TokenListParser<CqlToken, NameSyntax[]> GroupMembers = GroupMember.AtLeastOnce();

    static readonly TokenListParser<CqlToken, NodeGroupSyntax> BracedGroup = Spanned(
        from open in Tok(CqlToken.LBrace)
        from names in GroupMembers
        from _ in Newlines
        from close in Tok(CqlToken.RBrace)
        select new NodeGroupSyntax(names.ToSeq(), true));

    static readonly TokenListParser<CqlToken, NodeGroupSyntax> NodeGroup =
        BracedGroup
            .Or(Name.Select(n => new NodeGroupSyntax(Seq.Of(n), false) { Span = n.Span }))
            .Named("node or {group}");

    /// <summary>X -> M -> Y, as in NDE(X -> M -> Y) and assume monotonicity(X -> Y).</summary>
    static readonly TokenListParser<CqlToken, Seq<NodeGroupSyntax>> DirectedPath =
        NodeGroup.AtLeastOnceDelimitedBy(Tok(CqlToken.Arrow)).Select(g => g.ToSeq());

    // Attribute values: DAGitty quotes them (pos="1,2") but also writes bare numbers (beta=.3).
    static readonly TokenListParser<CqlToken, string> AttributeValue =
        StringLiteral
            .Or(Tok(CqlToken.Number).Select(t => t.ToStringValue()))
            .Or(Tok(CqlToken.Identifier).Select(t => t.ToStringValue()))
            .Or(Tok(CqlToken.Duration).Select(t => t.ToStringValue()))
            .Or(Tok(CqlToken.Minus).IgnoreThen(Tok(CqlToken.Number)).Select(t => "-" + t.ToStringValue()))
            .Named("attribute value");

    static readonly TokenListParser<CqlToken, string?> OptionalAttributeValue = Tok(CqlToken.Equals).IgnoreThen(AttributeValue).OrNull();

    static readonly TokenListParser<CqlToken, AttributeSyntax> Attribute = Spanned(
        from name in Name
        from value in OptionalAttributeValue
        select new AttributeSyntax(name, value));

    static readonly TokenListParser<CqlToken, AttributeSyntax[]> AttributeList = (from a in Attribute from c in OptionalComma select a).Many();

    static readonly TokenListParser<CqlToken, Seq<AttributeSyntax>> Attributes =
        from open in Tok(CqlToken.LBracket)
        from items in AttributeList
        from close in Tok(CqlToken.RBracket)
        select items.ToSeq();

    static readonly TokenListParser<CqlToken, NameSyntax> NameThenEquals = (from n in Name from eq in Tok(CqlToken.Equals) select n).Try();

    static readonly TokenListParser<CqlToken, GraphItemSyntax> GraphProperty = Spanned(
        from name in NameThenEquals
        from value in AttributeValue
        select (GraphItemSyntax)new GraphPropertySyntax(name, value));

    static readonly TokenListParser<CqlToken, (EdgeKind Arrow, NodeGroupSyntax Group)> ChainLink =
        from arrow in Arrow
        from target in NodeGroup
        select (arrow, target);

    static readonly TokenListParser<CqlToken, (EdgeKind Arrow, NodeGroupSyntax Group)[]> ChainLinks = ChainLink.Many();

    static readonly TokenListParser<CqlToken, Seq<AttributeSyntax>> OptionalAttributes = Attributes.OptionalOrDefault(Seq<AttributeSyntax>.Empty);

    // A braced group alone declares nothing: fail after it (so the message names it) expecting an arrow.
    static readonly TokenListParser<CqlToken, (NodeGroupSyntax, (EdgeKind, NodeGroupSyntax)[], Seq<AttributeSyntax>)> ArrowAfterGroup =
        input => TokenListParserResult.Empty<CqlToken, (NodeGroupSyntax, (EdgeKind, NodeGroupSyntax)[], Seq<AttributeSyntax>)>(
            input, ["'->'", "'<-'", "'<->'", "'--'"]);

    static readonly TokenListParser<CqlToken, GraphItemSyntax> ChainOrNode = Spanned(
        (from first in NodeGroup
         from links in ChainLinks
         from attributes in OptionalAttributes
         select (first, links, attributes))
        .Then(x => x.links.Length > 0 || !x.first.Braced ? Parse.Return<CqlToken, (NodeGroupSyntax, (EdgeKind, NodeGroupSyntax)[], Seq<AttributeSyntax>)>(x) : ArrowAfterGroup)
        .Select(x => x.Item2.Length == 0
            ? (GraphItemSyntax)new NodeDeclarationSyntax(x.Item1.Names[0], x.Item3)
            : new EdgeChainSyntax(
                new[] { x.Item1 }.Concat(x.Item2.Select(l => l.Item2)).ToSeq(),
                x.Item2.Select(l => l.Item1).ToSeq()) { Attributes = x.Item3 }));

    static readonly TokenListParser<CqlToken, GraphItemSyntax> NodeOrEdge = ChainOrNode.Named("node, edge or '}'");

    // Only a name directly followed by '=' can start a graph property; looking at the second token first saves
    // parsing (and discarding) the name of every edge and node item.
    static readonly TokenListParser<CqlToken, GraphItemSyntax> GraphItem = input =>
    {
        var first = input.ConsumeToken();
        var second = first.HasValue ? first.Remainder.ConsumeToken() : first;
        var property = second.HasValue && second.Value.Kind == CqlToken.Equals;
        return (property ? GraphProperty : NodeOrEdge)(input);
    };

    // Separators are optional between items: DAGitty writes `dag { a -> b c -> d }` on one line.
    static readonly TokenListParser<CqlToken, GraphItemSyntax[]> GraphItemList = (from item in GraphItem from s in Separators select item).Many();

    static readonly TokenListParser<CqlToken, Seq<GraphItemSyntax>> GraphItems =
        from open in Tok(CqlToken.LBrace)
        from _ in Separators
        from items in GraphItemList
        from close in Tok(CqlToken.RBrace)
        select items.ToSeq();

    internal static readonly TokenListParser<CqlToken, GraphBlockSyntax> KeywordGraphBlock = Spanned(
        from keyword in Tok(CqlToken.Identifier)
        from items in GraphItems
        select new GraphBlockSyntax(keyword.ToStringValue(), items));

    static readonly TokenListParser<CqlToken, GraphBodySyntax> PlainGraphBlock = Spanned(
        GraphItems.Select(items => (GraphBodySyntax)new GraphBlockSyntax(null, items)));

    static readonly TokenListParser<CqlToken, NameSyntax> IdentifierThenParen = IdentifierName.Then(n => Tok(CqlToken.LParen).Value(n)).Try();

    static readonly TokenListParser<CqlToken, GraphBodySyntax> GraphImport = Spanned(
        from format in IdentifierThenParen
        from path in StringLiteral
        from close in Tok(CqlToken.RParen)
        select (GraphBodySyntax)new GraphImportSyntax(format, path));

    static readonly TokenListParser<CqlToken, GraphBodySyntax> GraphBody =
        PlainGraphBlock
            .Or(Tok(CqlToken.Equals).IgnoreThen(
                PlainGraphBlock.Or(GraphImport).Or(KeywordGraphBlock.Select(b => (GraphBodySyntax)b))
                    .Named("'{', dag { ... } or dagitty(\"file\")")))
            .Named("'{' or '='");

    // ------------------------------------------------------------------ expressions

    static readonly TokenListParser<CqlToken, ExpressionSyntax> Expression = Parse.Ref(() => FormulaLevel!).Named("expression");
    static readonly TokenListParser<CqlToken, ExpressionSyntax> ValueExpression = Parse.Ref(() => OrLevel!).Named("expression");

    // Parse.Chain allocates closures and parsers on every call, once per precedence level per operand; these loop.
    static TokenListParser<CqlToken, ExpressionSyntax> ChainLeft(
        TokenListParser<CqlToken, BinaryOperator> op, TokenListParser<CqlToken, ExpressionSyntax> operand,
        Func<BinaryOperator, ExpressionSyntax, ExpressionSyntax, ExpressionSyntax> make) => input =>
    {
        var first = operand(input);
        if (!first.HasValue) return first;
        var left = first.Value;
        var remainder = first.Remainder;
        while (true)
        {
            var @operator = op(remainder);
            if (!@operator.HasValue) return TokenListParserResult.Value(left, input, remainder);
            var right = operand(@operator.Remainder);
            if (!right.HasValue) return right;
            left = make(@operator.Value, left, right.Value);
            remainder = right.Remainder;
        }
    };

    static TokenListParser<CqlToken, ExpressionSyntax> ChainRight(
        TokenListParser<CqlToken, BinaryOperator> op, TokenListParser<CqlToken, ExpressionSyntax> operand,
        Func<BinaryOperator, ExpressionSyntax, ExpressionSyntax, ExpressionSyntax> make)
    {
        TokenListParser<CqlToken, ExpressionSyntax>? self = null;
        self = input =>
        {
            var first = operand(input);
            if (!first.HasValue) return first;
            var @operator = op(first.Remainder);
            if (!@operator.HasValue) return first;
            var right = self!(@operator.Remainder);
            if (!right.HasValue) return right;
            return TokenListParserResult.Value(make(@operator.Value, first.Value, right.Value), input, right.Remainder);
        };
        return self;
    }

    static readonly TokenListParser<CqlToken, ExpressionSyntax?> OptionalValue = Tok(CqlToken.Equals).IgnoreThen(ValueExpression).OrNull();

    static ExpressionSyntax MakeBinary(BinaryOperator op, ExpressionSyntax left, ExpressionSyntax right) =>
        new BinarySyntax(op, left, right) { Span = ((CausalQL.Text.TextSpan)left.Span).Cover(right.Span) };

    static readonly TokenListParser<CqlToken, AssignmentSyntax> Assignment = Spanned(
        from name in Name
        from value in OptionalValue
        select new AssignmentSyntax(name, value));

    static readonly TokenListParser<CqlToken, Seq<AssignmentSyntax>> Assignments =
        Assignment.AtLeastOnceDelimitedBy(Tok(CqlToken.Comma)).Select(a => a.ToSeq());

    /// <summary>Y[X = 1] or Y_{X = 1}: the counterfactual "Y had X been 1".</summary>
    static readonly TokenListParser<CqlToken, Seq<AssignmentSyntax>> Subscript =
        (from open in Tok(CqlToken.LBracket) from items in Assignments from close in Tok(CqlToken.RBracket) select items)
        .Or(from open in Tok(CqlToken.SubscriptOpen) from items in Assignments from close in Tok(CqlToken.RBrace) select items);

    static readonly TokenListParser<CqlToken, Seq<AssignmentSyntax>> OptionalSubscript =
        Subscript.OptionalOrDefault(Seq<AssignmentSyntax>.Empty);

    /// <summary>A variable where a name is expected (events in P(...)): quoted strings are names here.</summary>
    static readonly TokenListParser<CqlToken, VariableSyntax> EventVariable = Spanned(
        from name in Name
        from subscript in OptionalSubscript
        select new VariableSyntax(name, subscript));

    static readonly TokenListParser<CqlToken, EventSyntax> Event = Spanned(
        from variable in EventVariable
        from value in OptionalValue
        select new EventSyntax(variable, value));

    static readonly TokenListParser<CqlToken, Token<CqlToken>> DoOpen = Kw("do").IgnoreThen(Tok(CqlToken.LParen)).Try();

    static readonly TokenListParser<CqlToken, Seq<AssignmentSyntax>> DoClause =
        from open in DoOpen
        from items in Assignments
        from close in Tok(CqlToken.RParen)
        select items;

    sealed record Condition(Seq<AssignmentSyntax> Interventions, EventSyntax? Event);

    static readonly TokenListParser<CqlToken, (Seq<AssignmentSyntax> Interventions, Seq<EventSyntax> Conditions)> Conditions =
        Tok(CqlToken.Bar).IgnoreThen(
                DoClause.Select(d => new Condition(d, null))
                    .Or(Event.Select(e => new Condition(Seq<AssignmentSyntax>.Empty, e)))
                    .Named("do(...) or condition")
                    .AtLeastOnceDelimitedBy(Tok(CqlToken.Comma)))
            .Select(items => (
                items.SelectMany(c => c.Interventions).ToSeq(),
                items.Where(c => c.Event is not null).Select(c => c.Event!).ToSeq()))
            .OptionalOrDefault((Seq<AssignmentSyntax>.Empty, Seq<EventSyntax>.Empty));

    static readonly TokenListParser<CqlToken, EventSyntax[]> EventList = Event.AtLeastOnceDelimitedBy(Tok(CqlToken.Comma));

    static readonly TokenListParser<CqlToken, Token<CqlToken>> ProbabilityOpen = Kw("P").IgnoreThen(Tok(CqlToken.LParen)).Try();

    static readonly TokenListParser<CqlToken, ExpressionSyntax> Probability = Spanned(
        from p in ProbabilityOpen
        from events in EventList
        from conditions in Conditions
        from close in Tok(CqlToken.RParen)
        select (ExpressionSyntax)new ProbabilitySyntax(events.ToSeq(), conditions.Interventions, conditions.Conditions));

    static readonly TokenListParser<CqlToken, Token<CqlToken>> ExpectationOpen = Kw("E").IgnoreThen(Tok(CqlToken.LBracket)).Try();

    static readonly TokenListParser<CqlToken, ExpressionSyntax> Expectation = Spanned(
        from e in ExpectationOpen
        from target in ValueExpression
        from conditions in Conditions
        from close in Tok(CqlToken.RBracket)
        select (ExpressionSyntax)new ExpectationSyntax(StringsAsVariables(target), conditions.Interventions, conditions.Conditions));

    /// <summary>Inside E[...] the target is a query over variables, so "blood pressure" there names a variable.</summary>
    static ExpressionSyntax StringsAsVariables(ExpressionSyntax e) => e switch
    {
        StringSyntax s => new VariableSyntax(new NameSyntax(s.Value) { Span = s.Span }, Seq<AssignmentSyntax>.Empty) { Span = s.Span },
        BinarySyntax b => b with { Left = StringsAsVariables(b.Left), Right = StringsAsVariables(b.Right) },
        UnarySyntax u => u with { Operand = StringsAsVariables(u.Operand) },
        _ => e,
    };

    static readonly TokenListParser<CqlToken, OptionSyntax> Option = Spanned(
        from name in Name
        from eq in Tok(CqlToken.Equals)
        from value in Expression
        select new OptionSyntax(name, value));

    static readonly TokenListParser<CqlToken, Seq<OptionSyntax>> Options =
        Option.AtLeastOnceDelimitedBy(Tok(CqlToken.Comma)).Select(o => o.ToSeq());

    static readonly TokenListParser<CqlToken, EffectKind> EffectName =
        Tok(CqlToken.Identifier)
            .Where(t => Enum.TryParse<EffectKind>(t.ToStringValue(), out _) && char.IsUpper(t.ToStringValue()[0]))
            .Select(t => Enum.Parse<EffectKind>(t.ToStringValue()));

    static readonly TokenListParser<CqlToken, EffectKind> EffectOpen = EffectName.Then(k => Tok(CqlToken.LParen).Value(k)).Try();

    static readonly TokenListParser<CqlToken, Seq<OptionSyntax>> TrailingOptions = Tok(CqlToken.Comma).IgnoreThen(Options).OptionalOrDefault(Seq<OptionSyntax>.Empty);

    static readonly TokenListParser<CqlToken, ExpressionSyntax> Effect = Spanned(
        from kind in EffectOpen
        from path in DirectedPath
        from options in TrailingOptions
        from close in Tok(CqlToken.RParen)
        select (ExpressionSyntax)new EffectSyntax(kind, path, options));

    static readonly TokenListParser<CqlToken, NameSyntax> IdentifierThenEquals = (from n in IdentifierName from eq in Tok(CqlToken.Equals) select n).Try();

    internal sealed record Argument(ExpressionSyntax? Positional, OptionSyntax? Named);

    static readonly TokenListParser<CqlToken, Argument> CallArgument =
        Spanned(
                from name in IdentifierThenEquals
                from value in Expression
                select new OptionSyntax(name, value))
            .Select(o => new Argument(null, o))
            .Or(Expression.Select(e => new Argument(e, null)));

    static readonly TokenListParser<CqlToken, Argument[]> CallArguments = CallArgument.ManyDelimitedBy(Tok(CqlToken.Comma));

    static readonly TokenListParser<CqlToken, CallSyntax> Call = Spanned(
        from function in IdentifierThenParen
        from args in CallArguments
        from close in Tok(CqlToken.RParen)
        select new CallSyntax(
            function,
            args.Where(a => a.Positional is not null).Select(a => a.Positional!).ToSeq(),
            args.Where(a => a.Named is not null).Select(a => a.Named!).ToSeq()));

    /// <summary>Error message of a literal beyond double range; the failure is placed after the token (so it is
    /// not mistaken for "try another alternative") and <see cref="CqlParser"/> points the diagnostic back at it.</summary>
    internal const string OutOfRange = "out of range";

    // 1e400 would read as infinity, which no literal means: reject it.
    static TokenListParser<CqlToken, Token<CqlToken>> Finite(CqlToken kind) => input =>
    {
        var next = Tok(kind)(input);
        if (!next.HasValue) return next;
        var text = next.Value.ToStringValue().TrimEnd("abcdefghijklmnopqrstuvwxyz".ToCharArray());
        return double.IsFinite(ParseNumber(text))
            ? next
            : TokenListParserResult.Empty<CqlToken, Token<CqlToken>>(next.Remainder, OutOfRange);
    };

    static readonly TokenListParser<CqlToken, Token<CqlToken>> FiniteNumberToken = Finite(CqlToken.Number);

    static readonly TokenListParser<CqlToken, ExpressionSyntax> Number = Spanned(
        FiniteNumberToken.Select(t => (ExpressionSyntax)new NumberSyntax(ParseNumber(t.ToStringValue()))));

    static double ParseNumber(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;

    static readonly TokenListParser<CqlToken, ExpressionSyntax> Duration = Spanned(
        Finite(CqlToken.Duration).Select(t =>
        {
            var text = t.ToStringValue();
            var unitStart = text.Length;
            while (unitStart > 0 && char.IsAsciiLetter(text[unitStart - 1])) unitStart--;
            return (ExpressionSyntax)new DurationSyntax(ParseNumber(text[..unitStart]), text[unitStart..]);
        }));

    // A string is a value ("file.csv") unless a subscript follows: "blood pressure"[X = 1] is a variable.
    static readonly TokenListParser<CqlToken, ExpressionSyntax> StringOrQuotedVariable = Spanned(
        from token in Tok(CqlToken.String)
        from subscript in OptionalSubscript
        select subscript.IsEmpty
            ? (ExpressionSyntax)new StringSyntax(CqlTokenizer.Unquote(token.ToStringValue()))
            : new VariableSyntax(new NameSyntax(CqlTokenizer.Unquote(token.ToStringValue())) { Span = ToTextSpan(token) }, subscript));

    static readonly TokenListParser<CqlToken, NameSyntax> VariableName = IdentifierName.Or(Spanned(Tok(CqlToken.BacktickName).Select(t => new NameSyntax(CqlTokenizer.Unquote(t.ToStringValue())))));

    static readonly TokenListParser<CqlToken, ExpressionSyntax> Variable = Spanned(
        from name in VariableName
        from subscript in OptionalSubscript
        select (ExpressionSyntax)new VariableSyntax(name, subscript));

    // Parentheses group but leave no node: the printer re-inserts them by precedence.
    static readonly TokenListParser<CqlToken, ExpressionSyntax> Parenthesized =
        from open in Tok(CqlToken.LParen)
        from inner in Expression
        from close in Tok(CqlToken.RParen)
        select inner;

    // The full alternation, used for its error message when no alternative can start.
    static readonly TokenListParser<CqlToken, ExpressionSyntax> AnyPrimary =
        Probability
            .Or(Expectation)
            .Or(Effect)
            .Or(Call.Select(c => (ExpressionSyntax)c))
            .Or(Variable)
            .Or(Number)
            .Or(Duration)
            .Or(StringOrQuotedVariable)
            .Or(Parenthesized)
            .Named("expression");

    static readonly TokenListParser<CqlToken, ExpressionSyntax> CallExpression = Call.Select(c => (ExpressionSyntax)c);

    static bool IsEffectName(Token<CqlToken> token) =>
        token.Span.Length is 2 or 3 && char.IsAsciiLetterUpper(token.Span.Source![token.Span.Position.Absolute])
        && Enum.TryParse<EffectKind>(token.Span.ToStringValue(), out _);

    // Same language as AnyPrimary, but choose the alternative from the first two tokens instead of trying each
    // in turn: most operands are plain variables and numbers, and every failed attempt costs allocations.
    static readonly TokenListParser<CqlToken, ExpressionSyntax> Primary = input =>
    {
        var first = input.ConsumeToken();
        if (!first.HasValue) return AnyPrimary(input);
        switch (first.Value.Kind)
        {
            case CqlToken.Identifier:
                var second = first.Remainder.ConsumeToken();
                var next = second.HasValue ? second.Value.Kind : CqlToken.None;
                if (next == CqlToken.LParen)
                {
                    if (first.Value.Span.EqualsValue("P")) return Probability(input);
                    return IsEffectName(first.Value) ? Effect(input) : CallExpression(input);
                }
                if (next == CqlToken.LBracket && first.Value.Span.EqualsValue("E")) return Expectation(input);
                return Variable(input);
            case CqlToken.BacktickName: return Variable(input);
            case CqlToken.Number: return Number(input);
            case CqlToken.Duration: return Duration(input);
            case CqlToken.String: return StringOrQuotedVariable(input);
            case CqlToken.LParen: return Parenthesized(input);
            default: return AnyPrimary(input);
        }
    };

    static readonly TokenListParser<CqlToken, ExpressionSyntax> PowerLevel =
        ChainRight(Tok(CqlToken.Caret).Value(BinaryOperator.Power), Primary, MakeBinary);

    static readonly TokenListParser<CqlToken, ExpressionSyntax> UnaryOperand = Parse.Ref(() => UnaryLevel!);

    static readonly TokenListParser<CqlToken, ExpressionSyntax> UnaryLevel =
        Spanned(
                from minus in Tok(CqlToken.Minus)
                from operand in UnaryOperand
                select (ExpressionSyntax)new UnarySyntax(UnaryOperator.Negate, operand))
            .Or(PowerLevel);

    static readonly TokenListParser<CqlToken, ExpressionSyntax> InteractionLevel =
        ChainLeft(Tok(CqlToken.Colon).Value(BinaryOperator.Interaction), UnaryLevel, MakeBinary);

    static readonly TokenListParser<CqlToken, ExpressionSyntax> ProductLevel =
        ChainLeft(
            Tok(CqlToken.Star).Value(BinaryOperator.Multiply).Or(Tok(CqlToken.Slash).Value(BinaryOperator.Divide)),
            InteractionLevel, MakeBinary);

    static readonly TokenListParser<CqlToken, ExpressionSyntax> SumLevel =
        ChainLeft(
            Tok(CqlToken.Plus).Value(BinaryOperator.Add).Or(Tok(CqlToken.Minus).Value(BinaryOperator.Subtract)),
            ProductLevel, MakeBinary);

    static readonly TokenListParser<CqlToken, BinaryOperator> ComparisonOperator =
        Tok(CqlToken.DoubleEquals).Value(BinaryOperator.Equal)
            .Or(Tok(CqlToken.NotEquals).Value(BinaryOperator.NotEqual))
            .Or(Tok(CqlToken.Less).Value(BinaryOperator.Less))
            .Or(Tok(CqlToken.LessOrEqual).Value(BinaryOperator.LessOrEqual))
            .Or(Tok(CqlToken.Greater).Value(BinaryOperator.Greater))
            .Or(Tok(CqlToken.GreaterOrEqual).Value(BinaryOperator.GreaterOrEqual));

    static readonly TokenListParser<CqlToken, ExpressionSyntax> ComparisonLevel =
        ChainLeft(ComparisonOperator, SumLevel, MakeBinary);

    static readonly TokenListParser<CqlToken, ExpressionSyntax> NotOperand = Parse.Ref(() => NotLevel!);

    static readonly TokenListParser<CqlToken, ExpressionSyntax> NotLevel =
        Spanned(
                from not in Kw("not")
                from operand in NotOperand
                select (ExpressionSyntax)new UnarySyntax(UnaryOperator.Not, operand))
            .Or(ComparisonLevel);

    static readonly TokenListParser<CqlToken, ExpressionSyntax> AndLevel =
        ChainLeft(Kw("and").Value(BinaryOperator.And), NotLevel, MakeBinary);

    static readonly TokenListParser<CqlToken, ExpressionSyntax> OrLevel =
        ChainLeft(Kw("or").Value(BinaryOperator.Or).Or(Kw("xor").Value(BinaryOperator.Xor)), AndLevel, MakeBinary);

    static readonly TokenListParser<CqlToken, ExpressionSyntax?> OptionalFormulaTerms = Tok(CqlToken.Tilde).IgnoreThen(OrLevel).OrNull();

    /// <summary>Wilkinson formulas: <c>~ a + b + a:b</c> or <c>y ~ a + I(x^2)</c>; otherwise an ordinary expression.</summary>
    static readonly TokenListParser<CqlToken, ExpressionSyntax> FormulaLevel =
        Spanned(
                from tilde in Tok(CqlToken.Tilde)
                from terms in OrLevel
                select (ExpressionSyntax)new FormulaSyntax(null, terms))
            .Or(Spanned(
                from left in OrLevel
                from terms in OptionalFormulaTerms
                select terms is null ? left : new FormulaSyntax(left, terms)));

    internal static readonly TokenListParser<CqlToken, ExpressionSyntax> StandaloneExpression = Expression.AtEnd();

    // ------------------------------------------------------------------ declarations

    static readonly TokenListParser<CqlToken, StatementSyntax> GraphDeclaration =
        from keyword in Kw("graph")
        from name in Name
        from body in GraphBody
        select (StatementSyntax)new GraphDeclarationSyntax(name, body);

    static readonly TokenListParser<CqlToken, CallSyntax> DataSource = Call.Named("data source such as csv(\"file.csv\")");

    static readonly TokenListParser<CqlToken, StatementSyntax> DataDeclaration =
        from keyword in Kw("data")
        from name in Name
        from eq in Tok(CqlToken.Equals)
        from source in DataSource
        select (StatementSyntax)new DataDeclarationSyntax(name, source);

    // `...` in a model block marks the listing as incomplete; it carries no entry.
    static readonly TokenListParser<CqlToken, ModelEntrySyntax?> ModelEntry =
        Tok(CqlToken.Ellipsis).Value((ModelEntrySyntax?)null)
            .Or(Spanned(
                    from term in ValueExpression
                    from eq in Tok(CqlToken.Equals)
                    from value in ValueExpression
                    select new ModelEntrySyntax(term, value))
                .Select(e => (ModelEntrySyntax?)e))
            .Named("P(...) = number");

    static readonly TokenListParser<CqlToken, NameSyntax?> OnGraph = Kw("on").IgnoreThen(Name).OrNull();

    static readonly TokenListParser<CqlToken, ModelEntrySyntax?[]> ModelEntries = (from entry in ModelEntry from s in Separators select entry).Many();

    static readonly TokenListParser<CqlToken, StatementSyntax> ModelDeclaration =
        from keyword in Kw("model")
        from name in Name
        from graph in OnGraph
        from open in Tok(CqlToken.LBrace)
        from _ in Separators
        from entries in ModelEntries
        from close in Tok(CqlToken.RBrace)
        select (StatementSyntax)new ModelDeclarationSyntax(name, graph, entries.Where(e => e is not null).Select(e => e!).ToSeq())
        {
            Elided = entries.Any(e => e is null),
        };

    static readonly TokenListParser<CqlToken, (bool Noise, ExpressionSyntax Value)> EquationRightSide =
        Tok(CqlToken.Tilde).IgnoreThen(Expression).Select(e => (true, e))
            .Or(Tok(CqlToken.ColonEquals).IgnoreThen(Expression).Select(e => (false, e)))
            .Named("'~' or ':='");

    static readonly TokenListParser<CqlToken, ScmEquationSyntax> ScmEquation = Spanned(
        from variable in Name
        from equation in EquationRightSide
        select equation.Noise
            ? (ScmEquationSyntax)new NoiseEquationSyntax(variable, equation.Value)
            : new MechanismEquationSyntax(variable, equation.Value));

    static readonly TokenListParser<CqlToken, ScmEquationSyntax[]> ScmEquations = (from eq in ScmEquation from s in Separators select eq).Many();

    static readonly TokenListParser<CqlToken, StatementSyntax> ScmDeclaration =
        from keyword in Kw("scm")
        from name in Name
        from open in Tok(CqlToken.LBrace)
        from _ in Separators
        from equations in ScmEquations
        from close in Tok(CqlToken.RBrace)
        select (StatementSyntax)new ScmDeclarationSyntax(name, equations.ToSeq());

    // ------------------------------------------------------------------ statements

    /// <summary>A trailing clause of identify/estimate/adjustment sets; which ones a statement takes is checked by <see cref="Clauses"/>.</summary>
    internal sealed record Clause(string Keyword, NameSyntax? Name, Seq<OptionSyntax> Options);

    static TokenListParser<CqlToken, Clause[]> Clauses(params string[] allowed)
    {
        TokenListParser<CqlToken, Clause>? parser = null;
        foreach (var word in allowed)
        {
            TokenListParser<CqlToken, Clause> clause = word switch
            {
                "in" or "using" => Kw(word).IgnoreThen(Name).Select(n => new Clause(word, n, Seq<OptionSyntax>.Empty)),
                "with" => Kw(word).IgnoreThen(Options).Select(o => new Clause(word, null, o)),
                _ => Kw(word).Value(new Clause(word, null, Seq<OptionSyntax>.Empty)),
            };
            parser = parser is null ? clause : parser.Or(clause);
        }
        return parser!.Many();
    }

    static NameSyntax? Last(Clause[] clauses, string keyword) => clauses.LastOrDefault(c => c.Keyword == keyword)?.Name;
    static Seq<OptionSyntax> With(Clause[] clauses) => clauses.Where(c => c.Keyword == "with").SelectMany(c => c.Options).ToSeq();

    static readonly TokenListParser<CqlToken, Clause[]> IdentifyClauses = Clauses("in", "explain", "verify", "with");

    static readonly TokenListParser<CqlToken, StatementSyntax> Identify =
        from keyword in Kw("identify")
        from query in Expression
        from clauses in IdentifyClauses
        select (StatementSyntax)new IdentifyStatementSyntax(
            query, Last(clauses, "in"), clauses.Any(c => c.Keyword == "explain"), clauses.Any(c => c.Keyword == "verify"), With(clauses));

    static readonly TokenListParser<CqlToken, NameSyntax> EstimateLabel =
        (from label in Name from eq in Tok(CqlToken.Equals) select label).Try();

    static readonly TokenListParser<CqlToken, NameSyntax?> OptionalLabel = EstimateLabel.OrNull();

    static readonly TokenListParser<CqlToken, Clause[]> EstimateClauses = Clauses("in", "using", "with");

    static readonly TokenListParser<CqlToken, StatementSyntax> Estimate =
        from keyword in Kw("estimate")
        from label in OptionalLabel
        from query in Expression
        from clauses in EstimateClauses
        select (StatementSyntax)new EstimateStatementSyntax(label, query, Last(clauses, "in"), Last(clauses, "using"), With(clauses));

    static readonly string[] AdjustmentModes = ["minimal", "all", "optimal", "canonical"];

    static readonly TokenListParser<CqlToken, Clause[]> AdjustmentClauses = Clauses(["in", "with", .. AdjustmentModes]);

    static readonly TokenListParser<CqlToken, StatementSyntax> AdjustmentSets =
        from keyword in Kw("adjustment")
        from sets in Kw("sets")
        from @for in Kw("for")
        from exposures in NodeGroup
        from arrow in Tok(CqlToken.Arrow)
        from outcomes in NodeGroup
        from clauses in AdjustmentClauses
        select (StatementSyntax)new AdjustmentSetsStatementSyntax(
            exposures, outcomes, Last(clauses, "in"),
            clauses.LastOrDefault(c => AdjustmentModes.Contains(c.Keyword))?.Keyword switch
            {
                "all" => AdjustmentMode.All,
                "optimal" => AdjustmentMode.Optimal,
                "canonical" => AdjustmentMode.Canonical,
                _ => AdjustmentMode.Minimal,
            },
            With(clauses));

    static readonly TokenListParser<CqlToken, NameSyntax?> InGraph = Kw("in").IgnoreThen(Name).OrNull();

    static readonly TokenListParser<CqlToken, StatementSyntax> Instruments =
        from keyword in Kw("instruments")
        from @for in Kw("for")
        from exposures in NodeGroup
        from arrow in Tok(CqlToken.Arrow)
        from outcomes in NodeGroup
        from graph in InGraph
        select (StatementSyntax)new InstrumentsStatementSyntax(exposures, outcomes, graph);

    static readonly TokenListParser<CqlToken, NameSyntax?> OfGraph = Kw("of").IgnoreThen(Name).OrNull();

    static readonly TokenListParser<CqlToken, StatementSyntax> Implications =
        from keyword in Kw("implications")
        from graph in OfGraph
        select (StatementSyntax)new ImplicationsStatementSyntax(graph);

    static readonly TokenListParser<CqlToken, Seq<OptionSyntax>> WithOptions = Kw("with").IgnoreThen(Options).OptionalOrDefault(Seq<OptionSyntax>.Empty);

    static readonly TokenListParser<CqlToken, StatementSyntax> Check =
        from keyword in Kw("check")
        from graph in Name
        from against in Kw("against")
        from data in Name
        from options in WithOptions
        select (StatementSyntax)new CheckStatementSyntax(graph, data, options);

    static readonly TokenListParser<CqlToken, NameSyntax?> AsFormat = Kw("as").IgnoreThen(Name).OrNull();

    static readonly TokenListParser<CqlToken, StatementSyntax> Show =
        from keyword in Kw("show")
        from target in Name
        from format in AsFormat
        select (StatementSyntax)new ShowStatementSyntax(target, format);

    static readonly TokenListParser<CqlToken, string?> ToPath = Kw("to").IgnoreThen(StringLiteral).OrNull();

    static readonly TokenListParser<CqlToken, StatementSyntax> Export =
        from keyword in Kw("export")
        from target in Name
        from @as in Kw("as")
        from format in Name
        from path in ToPath
        select (StatementSyntax)new ExportStatementSyntax(target, format, path);

    static readonly TokenListParser<CqlToken, StatementSyntax> Use =
        from keyword in Kw("use")
        from target in Name
        select (StatementSyntax)new UseStatementSyntax(target);

    static readonly TokenListParser<CqlToken, Seq<NodeGroupSyntax>> ParenthesizedPath = (from open in Tok(CqlToken.LParen) from p in DirectedPath from close in Tok(CqlToken.RParen) select p)
            .OptionalOrDefault(Seq<NodeGroupSyntax>.Empty);

    static readonly TokenListParser<CqlToken, StatementSyntax> Assume =
        from keyword in Kw("assume")
        from assumption in Name
        from path in ParenthesizedPath
        select (StatementSyntax)new AssumeStatementSyntax(assumption, path);

    static readonly TokenListParser<CqlToken, StatementSyntax> Refute =
        from keyword in Kw("refute")
        from target in Name
        from with in Kw("with")
        from method in Name
        from options in TrailingOptions
        select (StatementSyntax)new RefuteStatementSyntax(target, method, options);

    static readonly TokenListParser<CqlToken, StatementSyntax> Plot =
        from keyword in Kw("plot")
        from kind in Name
        from of in Kw("of")
        from target in Name
        from to in Kw("to")
        from path in Spanned(StringLiteral.Select(p => new StringSyntax(p)))
        from options in WithOptions
        select (StatementSyntax)new PlotStatementSyntax(kind, target, path, options);

    static readonly TokenListParser<CqlToken, StatementSyntax> Ask =
        from keyword in Kw("ask")
        from question in StringLiteral
        select (StatementSyntax)new AskStatementSyntax(question);

    static readonly TokenListParser<CqlToken, StatementSyntax> ExpressionStatement =
        Expression.Select(e => (StatementSyntax)new ExpressionStatementSyntax(e));

    static readonly Dictionary<string, TokenListParser<CqlToken, StatementSyntax>> StatementByKeyword = new(StringComparer.Ordinal)
    {
        ["graph"] = GraphDeclaration,
        ["data"] = DataDeclaration,
        ["model"] = ModelDeclaration,
        ["scm"] = ScmDeclaration,
        ["identify"] = Identify,
        ["estimate"] = Estimate,
        ["adjustment"] = AdjustmentSets,
        ["instruments"] = Instruments,
        ["implications"] = Implications,
        ["check"] = Check,
        ["show"] = Show,
        ["export"] = Export,
        ["use"] = Use,
        ["assume"] = Assume,
        ["refute"] = Refute,
        ["plot"] = Plot,
        ["ask"] = Ask,
    };

    static readonly Dictionary<string, TokenListParser<CqlToken, StatementSyntax>>.AlternateLookup<ReadOnlySpan<char>> StatementLookup =
        StatementByKeyword.GetAlternateLookup<ReadOnlySpan<char>>();

    internal static bool IsStatementKeyword(string word) => StatementByKeyword.ContainsKey(word);

    /// <summary>A statement: chosen by its leading keyword, else a bare expression.</summary>
    static readonly TokenListParser<CqlToken, StatementSyntax> Statement = Spanned<StatementSyntax>(input =>
    {
        var first = input.ConsumeToken();
        return first.HasValue && first.Value.Kind == CqlToken.Identifier
               && StatementLookup.TryGetValue(first.Value.Span.AsReadOnlySpan(), out var parser)
            ? parser(input)
            : ExpressionStatement(input);
    });

    internal static readonly TokenListParser<CqlToken, StatementSyntax> WholeStatement = Statement.AtEnd();

    // DAGitty's R package also takes a bare `{ ... }`; its graph type then defaults to dag.
    internal static readonly TokenListParser<CqlToken, GraphBlockSyntax> WholeDagitty =
        (from _ in Separators
         from block in KeywordGraphBlock.Or(Spanned(GraphItems.Select(items => new GraphBlockSyntax("dag", items))))
         from __ in Separators
         select block).AtEnd();
}

static class ParserExtensions
{
    /// <summary>LINQ query syntax over token parsers. Found before Superpower's own (nearer namespace) and does the
    /// same thing without allocating a closure and a parser per step.</summary>
    public static TokenListParser<CqlToken, V> SelectMany<T, U, V>(
        this TokenListParser<CqlToken, T> parser,
        Func<T, TokenListParser<CqlToken, U>> selector,
        Func<T, U, V> projector) => input =>
    {
        var first = parser(input);
        if (!first.HasValue) return TokenListParserResult.CastEmpty<CqlToken, T, V>(first);
        var second = selector(first.Value)(first.Remainder);
        if (!second.HasValue) return TokenListParserResult.CastEmpty<CqlToken, U, V>(second);
        return TokenListParserResult.Value(projector(first.Value, second.Value), input, second.Remainder);
    };

    /// <summary>Optional, null when absent (OptionalOrDefault with the nullability spelled out).</summary>
    public static TokenListParser<CqlToken, T?> OrNull<T>(this TokenListParser<CqlToken, T> parser) where T : class =>
        parser.Select(x => (T?)x).OptionalOrDefault();
}
