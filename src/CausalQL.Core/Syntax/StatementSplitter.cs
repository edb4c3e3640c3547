using CausalQL.Text;
using Superpower.Model;
using TextSpan = CausalQL.Text.TextSpan;

namespace CausalQL.Syntax;

/// <summary>One statement's tokens, or the lexical/bracket error that keeps it from being parsed.</summary>
sealed record Segment(Token<CqlToken>[] Tokens, TextSpan EndSpan, string EndDescription, SegmentError? Error);

sealed record SegmentError(TextSpan Span, string Message);

/// <summary>
/// Cuts a token stream into statements. A statement ends at a newline or ';' outside brackets. Inside ( ) [ ] _{ }
/// newlines are dropped; inside { } they are kept, because they separate graph items, model entries and equations.
/// A newline does not end anything when the next line starts with a continuation keyword or a binary operator,
/// or when the line ends with an operator, arrow or comma. Lexical errors, unbalanced brackets, nesting deeper
/// than <see cref="CqlParser.MaxNestingDepth"/> and operator chains longer than <see cref="CqlParser.MaxOperatorsPerExpression"/>
/// are found here, before the (recursive) parser sees the tokens.
/// </summary>
static class StatementSplitter
{
    static bool IsOpen(CqlToken k) => k is CqlToken.LParen or CqlToken.LBracket or CqlToken.LBrace or CqlToken.SubscriptOpen;
    static bool IsClose(CqlToken k) => k is CqlToken.RParen or CqlToken.RBracket or CqlToken.RBrace;

    static CqlToken Closer(CqlToken open) => open switch
    {
        CqlToken.LParen => CqlToken.RParen,
        CqlToken.LBracket => CqlToken.RBracket,
        _ => CqlToken.RBrace,
    };

    static string Text(CqlToken kind) => kind switch
    {
        CqlToken.LParen => "(", CqlToken.RParen => ")", CqlToken.LBracket => "[", CqlToken.RBracket => "]",
        CqlToken.LBrace => "{", CqlToken.RBrace => "}", CqlToken.SubscriptOpen => "_{", _ => kind.ToString(),
    };

    static bool IsBinaryOperator(CqlToken k) => k is CqlToken.Plus or CqlToken.Minus or CqlToken.Star or CqlToken.Slash
        or CqlToken.Caret or CqlToken.DoubleEquals or CqlToken.NotEquals or CqlToken.LessOrEqual
        or CqlToken.GreaterOrEqual or CqlToken.Bar;

    // Operators make the tree deeper: binary ones (a chain of n is n deep) and prefix ones ('-', 'not').
    // ('|' in P(Y | X) separates two lists; it does not nest.)
    static bool IsOperator(Token<CqlToken> t) => (IsBinaryOperator(t.Kind) && t.Kind != CqlToken.Bar)
        || (t.Kind == CqlToken.Identifier && (t.Span.EqualsValue("and") || t.Span.EqualsValue("or") || t.Span.EqualsValue("xor") || t.Span.EqualsValue("not")));

    /// <summary>Counts operators in the current expression; commas and items end one. The error when there are too many.</summary>
    sealed class OperatorCounter
    {
        int _count;
        public void Reset() => _count = 0;
        public SegmentError? Add(Token<CqlToken> t)
        {
            if (t.Kind == CqlToken.Comma) { _count = 0; return null; }
            if (!IsOperator(t) || ++_count <= CqlParser.MaxOperatorsPerExpression) return null;
            _count = int.MinValue; // one report per expression
            return new(SpanOf(t), $"expression too long: more than {CqlParser.MaxOperatorsPerExpression:N0} operators in one expression; split it into parts");
        }
    }

    // Tokens after which a line break cannot end the statement.
    static bool EndsIncomplete(Token<CqlToken> t) => IsBinaryOperator(t.Kind) || t.Kind is CqlToken.Comma
        or CqlToken.Arrow or CqlToken.ReverseArrow or CqlToken.BiArrow or CqlToken.UndirectedEdge
        or CqlToken.Equals or CqlToken.ColonEquals or CqlToken.Tilde or CqlToken.Colon
        || (t.Kind == CqlToken.Identifier && (t.Span.EqualsValue("and") || t.Span.EqualsValue("or") || t.Span.EqualsValue("xor")));

    // Tokens that, first on a line, continue the statement above.
    // An arrow cannot start a statement or a graph item, so `a\n-> b` is one chain (DAGitty ignores line breaks).
    static bool StartsContinuation(Token<CqlToken> t) => IsBinaryOperator(t.Kind)
        || t.Kind is CqlToken.Arrow or CqlToken.ReverseArrow or CqlToken.BiArrow or CqlToken.UndirectedEdge
        || (t.Kind == CqlToken.Identifier && CqlGrammar.ContinuationKeywords.Contains(t.ToStringValue()));

    static TextSpan SpanOf(Token<CqlToken> t) => new(t.Span.Position.Absolute, t.Span.Length);

    static SegmentError? LexicalError(Token<CqlToken> t) => t.Kind switch
    {
        CqlToken.UnterminatedString => new(new TextSpan(t.Span.Position.Absolute, 1),
            $"unterminated string: missing closing {t.Span.ToStringValue()[0]} before the end of the line"),
        CqlToken.UnterminatedComment => new(new TextSpan(t.Span.Position.Absolute, 2), "unterminated comment: missing '*/'"),
        CqlToken.Invalid => new(SpanOf(t), DescribeInvalid(t.Span.ToStringValue())),
        _ => null,
    };

    static string DescribeInvalid(string text)
    {
        var c = text.Length > 0 ? text[0] : '\0';
        if (c == '\uFFFD') return "unexpected character U+FFFD (a byte that is not valid UTF-8; is the file UTF-8?)";
        if (char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c) || c > '\u007E')
            return $"unexpected character U+{(int)c:X4}";
        return $"unexpected character '{c}'";
    }

    /// <summary>All tokens as one segment (ParseExpression), with the same lexical, bracket and depth checks.</summary>
    public static Segment Whole(Token<CqlToken>[] tokens)
    {
        var stack = new Stack<Token<CqlToken>>();
        var operators = new OperatorCounter();
        foreach (var t in tokens)
        {
            if (LexicalError(t) is { } lexical) return new Segment([], default, "", lexical);
            if (operators.Add(t) is { } tooLong) return new Segment([], default, "", tooLong);
            if (IsOpen(t.Kind))
            {
                stack.Push(t);
                if (stack.Count > CqlParser.MaxNestingDepth) return new Segment([], default, "", TooDeep(t));
            }
            else if (IsClose(t.Kind))
            {
                if (Mismatch(stack, t) is { } mismatch) return new Segment([], default, "", mismatch);
                stack.Pop();
            }
        }
        if (stack.Count > 0) return new Segment([], default, "", Unclosed(stack.Peek()));
        var end = tokens.Length == 0 ? 0 : tokens[^1].Span.Position.Absolute + tokens[^1].Span.Length;
        return new Segment(tokens, new TextSpan(end, 0), "end of input", null);
    }

    static SegmentError TooDeep(Token<CqlToken> t) =>
        new(SpanOf(t), $"nesting too deep: more than {CqlParser.MaxNestingDepth} levels of brackets");

    static SegmentError Unclosed(Token<CqlToken> open) =>
        new(SpanOf(open), $"unterminated '{Text(open.Kind)}': missing '{Text(Closer(open.Kind))}' before the end of the input");

    static SegmentError? Mismatch(Stack<Token<CqlToken>> stack, Token<CqlToken> close)
    {
        if (stack.Count == 0) return new(SpanOf(close), $"unexpected '{Text(close.Kind)}' with no matching opening bracket");
        var open = stack.Peek();
        if (Closer(open.Kind) == close.Kind) return null;
        return new(SpanOf(close), $"expected '{Text(Closer(open.Kind))}' to close the '{Text(open.Kind)}' opened before, found '{Text(close.Kind)}'");
    }

    public static IEnumerable<Segment> Split(Token<CqlToken>[] tokens)
    {
        var current = new List<Token<CqlToken>>();
        var stack = new Stack<Token<CqlToken>>();
        var operators = new OperatorCounter();
        SegmentError? error = null;

        Segment Finish(TextSpan endSpan, string endDescription)
        {
            var segment = new Segment([.. current], endSpan, endDescription, error);
            current.Clear();
            stack.Clear();
            operators.Reset();
            error = null;
            return segment;
        }

        for (var i = 0; i < tokens.Length; i++)
        {
            var t = tokens[i];
            if (error is null && LexicalError(t) is { } lexical) error = lexical;

            if (t.Kind is CqlToken.Newline or CqlToken.Semicolon)
            {
                var blockLevel = stack.Count == 0 || stack.Peek().Kind == CqlToken.LBrace;
                if (!blockLevel) continue; // inside ( ) [ ] _{ }: line breaks mean nothing; ';' is an error the parser reports
                if (t.Kind == CqlToken.Newline && current.Count > 0 && ContinuesAcrossNewline(tokens, i, current[^1])) continue;
                if (t.Kind == CqlToken.Newline && stack.Count == 1 && stack.Peek().Kind == CqlToken.LBrace && LooksLikeStatement(tokens, i + 1))
                {
                    // A block left open: report it and resume at the statement that follows, not at the end of the file.
                    error ??= new(SpanOf(stack.Peek()), "unterminated '{': missing '}' before the next statement");
                    yield return Finish(SpanOf(t), "end of line");
                    continue;
                }
                if (stack.Count > 0) { current.Add(t); operators.Reset(); continue; } // an item of a { } block ends
                if (current.Count > 0 || error is not null)
                    yield return Finish(SpanOf(t), t.Kind == CqlToken.Newline ? "end of line" : "';'");
                continue;
            }

            if (operators.Add(t) is { } tooLong && error is null) error = tooLong;
            if (IsOpen(t.Kind))
            {
                stack.Push(t);
                if (stack.Count > CqlParser.MaxNestingDepth && error is null) error = TooDeep(t);
            }
            else if (IsClose(t.Kind))
            {
                var mismatch = Mismatch(stack, t);
                if (mismatch is null) stack.Pop();
                else if (error is null) error = mismatch;
            }
            current.Add(t);
        }

        if (current.Count > 0 || error is not null)
        {
            if (error is null && stack.Count > 0) error = Unclosed(stack.Reverse().First());
            var end = tokens.Length == 0 ? 0 : tokens[^1].Span.Position.Absolute + tokens[^1].Span.Length;
            yield return Finish(new TextSpan(end, 0), "end of input");
        }
    }

    // A statement keyword followed by a name or a query cannot be a graph item, model entry or equation (those go
    // on with an arrow, '[', '=', '~' or ':='), so it marks where an unclosed block should have ended.
    static bool LooksLikeStatement(Token<CqlToken>[] tokens, int start)
    {
        var i = start;
        while (i < tokens.Length && tokens[i].Kind == CqlToken.Newline) i++;
        if (i + 1 >= tokens.Length || tokens[i].Kind != CqlToken.Identifier || !CqlGrammar.IsStatementKeyword(tokens[i].ToStringValue()))
            return false;
        return tokens[i + 1].Kind is CqlToken.Identifier or CqlToken.String or CqlToken.BacktickName;
    }

    static bool ContinuesAcrossNewline(Token<CqlToken>[] tokens, int newline, Token<CqlToken> previous)
    {
        if (EndsIncomplete(previous)) return true;
        var next = newline + 1;
        while (next < tokens.Length && tokens[next].Kind == CqlToken.Newline) next++;
        return next < tokens.Length && StartsContinuation(tokens[next]);
    }
}
