using Superpower;
using Superpower.Model;
using Superpower.Parsers;
using Superpower.Tokenizers;

namespace CausalQL.Syntax;

/// <summary>
/// Turns text into tokens. It never fails: characters it cannot place become <see cref="CqlToken.Invalid"/>
/// tokens and an unclosed string or comment becomes one error token, so the parser can report them with
/// positions and keep going with the rest of the file.
/// </summary>
public static class CqlTokenizer
{
    static readonly string[] DurationUnits = ["ms", "s", "min", "h"];

    static TextParser<Unit> Lex(Func<string, int, int, int> scan) => input =>
    {
        var source = input.Source!;
        var start = input.Position.Absolute;
        var end = scan(source, start, start + input.Length);
        return end > start
            ? Result.Value(Unit.Value, input, input.Skip(end - start))
            : Result.Empty<Unit>(input);
    };

    static bool IsNameStart(char c) => char.IsLetter(c) || c == '_';
    static bool IsNamePart(char c) => char.IsLetterOrDigit(c) || c == '_';

    // x, x_1, x' (primes belong to the name); in Y_{X=1} the underscore opens the subscript instead.
    static int ScanIdentifier(string s, int i, int end)
    {
        var start = i;
        if (i >= end || !IsNameStart(s[i])) return start;
        i++;
        while (i < end && IsNamePart(s[i])) i++;
        if (i - start > 1 && s[i - 1] == '_' && i < end && s[i] == '{') i--;
        while (i < end && s[i] == '\'') i++;
        return i;
    }

    static int ScanDigits(string s, int i, int end)
    {
        while (i < end && char.IsAsciiDigit(s[i])) i++;
        return i;
    }

    // 12, 0.5, .5, 1e-5
    static int ScanNumber(string s, int i, int end)
    {
        var start = i;
        var afterInt = ScanDigits(s, i, end);
        i = afterInt;
        if (i < end && s[i] == '.' && i + 1 < end && char.IsAsciiDigit(s[i + 1])) i = ScanDigits(s, i + 1, end);
        if (i == start) return start;
        if (i < end && (s[i] == 'e' || s[i] == 'E'))
        {
            var j = i + 1;
            if (j < end && (s[j] == '+' || s[j] == '-')) j++;
            if (j < end && char.IsAsciiDigit(s[j])) i = ScanDigits(s, j, end);
        }
        return i;
    }

    // 2s, 500ms, 1.5min: a number directly followed by a unit and then no further name character.
    static int ScanDuration(string s, int i, int end)
    {
        var start = i;
        var n = ScanNumber(s, i, end);
        if (n == start) return start;
        var u = n;
        while (u < end && char.IsAsciiLetter(s[u])) u++;
        if (u == n || (u < end && IsNamePart(s[u]))) return start;
        return Array.IndexOf(DurationUnits, s[n..u]) >= 0 ? u : start;
    }

    // "text" or `text` with backslash escapes, on one line. Unclosed: no match (ScanUnterminated takes it).
    static Func<string, int, int, int> ScanQuoted(char quote) => (s, i, end) =>
    {
        var start = i;
        if (i >= end || s[i] != quote) return start;
        i++;
        while (i < end && s[i] != quote && s[i] != '\n')
            i += s[i] == '\\' && i + 1 < end && s[i + 1] != '\n' ? 2 : 1;
        return i < end && s[i] == quote ? i + 1 : start;
    };

    static int ScanUnterminatedQuote(string s, int i, int end)
    {
        if (i >= end || (s[i] != '"' && s[i] != '`')) return i;
        var nl = s.IndexOf('\n', i, end - i);
        return nl < 0 ? end : nl;
    }

    static int ScanLineComment(string s, int i, int end)
    {
        if (i + 1 >= end || s[i] != '/' || s[i + 1] != '/') return i;
        var nl = s.IndexOf('\n', i, end - i);
        return nl < 0 ? end : nl;
    }

    static int ScanBlockComment(string s, int i, int end)
    {
        if (i + 1 >= end || s[i] != '/' || s[i + 1] != '*') return i;
        var close = s.IndexOf("*/", i + 2, end - i - 2, StringComparison.Ordinal);
        return close < 0 ? i : close + 2;
    }

    static int ScanUnterminatedComment(string s, int i, int end) =>
        i + 1 < end && s[i] == '/' && s[i + 1] == '*' ? end : i;

    // Any whitespace except '\n', which is a token: statements end at line ends.
    static int ScanSpace(string s, int i, int end)
    {
        while (i < end && s[i] != '\n' && (char.IsWhiteSpace(s[i]) || s[i] == '\uFEFF')) i++;
        return i;
    }

    static readonly Tokenizer<CqlToken> Tokenizer = new TokenizerBuilder<CqlToken>()
        .Ignore(Lex(ScanSpace))
        .Ignore(Lex(ScanLineComment))
        .Ignore(Lex(ScanBlockComment))
        .Match(Lex(ScanUnterminatedComment), CqlToken.UnterminatedComment)
        .Match(Character.EqualTo('\n'), CqlToken.Newline)
        .Match(Lex(ScanQuoted('"')), CqlToken.String)
        .Match(Lex(ScanQuoted('`')), CqlToken.BacktickName)
        .Match(Lex(ScanUnterminatedQuote), CqlToken.UnterminatedString)
        .Match(Lex(ScanDuration), CqlToken.Duration)
        .Match(Lex(ScanNumber), CqlToken.Number)
        .Match(Span.EqualTo("_{"), CqlToken.SubscriptOpen)
        .Match(Lex(ScanIdentifier), CqlToken.Identifier)
        .Match(Span.EqualTo("..."), CqlToken.Ellipsis)
        .Match(Span.EqualTo("<->"), CqlToken.BiArrow)
        .Match(Span.EqualTo("<-"), CqlToken.ReverseArrow)
        .Match(Span.EqualTo("<="), CqlToken.LessOrEqual)
        .Match(Character.EqualTo('<'), CqlToken.Less)
        .Match(Span.EqualTo("-->"), CqlToken.LongArrow)
        .Match(Span.EqualTo("->"), CqlToken.Arrow)
        .Match(Span.EqualTo("--"), CqlToken.UndirectedEdge)
        .Match(Character.EqualTo('-'), CqlToken.Minus)
        .Match(Span.EqualTo("=>"), CqlToken.FatArrow)
        .Match(Span.EqualTo("=="), CqlToken.DoubleEquals)
        .Match(Character.EqualTo('='), CqlToken.Equals)
        .Match(Span.EqualTo("!="), CqlToken.NotEquals)
        .Match(Span.EqualTo(">="), CqlToken.GreaterOrEqual)
        .Match(Character.EqualTo('>'), CqlToken.Greater)
        .Match(Span.EqualTo(":="), CqlToken.ColonEquals)
        .Match(Character.EqualTo(':'), CqlToken.Colon)
        .Match(Character.EqualTo(';'), CqlToken.Semicolon)
        .Match(Character.EqualTo(','), CqlToken.Comma)
        .Match(Character.EqualTo('('), CqlToken.LParen)
        .Match(Character.EqualTo(')'), CqlToken.RParen)
        .Match(Character.EqualTo('['), CqlToken.LBracket)
        .Match(Character.EqualTo(']'), CqlToken.RBracket)
        .Match(Character.EqualTo('{'), CqlToken.LBrace)
        .Match(Character.EqualTo('}'), CqlToken.RBrace)
        .Match(Character.EqualTo('+'), CqlToken.Plus)
        .Match(Character.EqualTo('*'), CqlToken.Star)
        .Match(Character.EqualTo('/'), CqlToken.Slash)
        .Match(Character.EqualTo('^'), CqlToken.Caret)
        .Match(Character.EqualTo('~'), CqlToken.Tilde)
        .Match(Character.EqualTo('|'), CqlToken.Bar)
        .Match(Character.AnyChar, CqlToken.Invalid)
        .Build();

    /// <summary>All tokens of <paramref name="text"/>, positions absolute in it. Never throws on any input.</summary>
    public static Token<CqlToken>[] Tokenize(string text)
    {
        var result = Tokenizer.TryTokenize(text);
        // Every character is matched by some rule (the last one takes anything), so this cannot fail;
        // should it ever, an empty list is the safe answer and the caller reports nothing parsed.
        return result.HasValue ? [.. result.Value] : [];
    }

    /// <summary>The text a string or backtick-name token stands for, escapes resolved.</summary>
    public static string Unquote(string token)
    {
        if (token.Length < 2) return "";
        var inner = token.AsSpan(1, token.Length - 2);
        if (inner.IndexOf('\\') < 0) return inner.ToString();
        var sb = new System.Text.StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            var c = inner[i];
            if (c != '\\' || i + 1 >= inner.Length) { sb.Append(c); continue; }
            var e = inner[++i];
            sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => e });
        }
        return sb.ToString();
    }

    /// <summary>Quotes and escapes <paramref name="text"/> with <paramref name="quote"/> so <see cref="Unquote"/> gives it back.</summary>
    public static string Quote(string text, char quote = '"')
    {
        var sb = new System.Text.StringBuilder(text.Length + 2).Append(quote);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (c == quote) sb.Append('\\');
                    sb.Append(c);
                    break;
            }
        }
        return sb.Append(quote).ToString();
    }

    /// <summary>True when <paramref name="text"/> lexes as exactly one identifier.</summary>
    public static bool IsIdentifier(string text) =>
        text.Length > 0 && ScanIdentifier(text, 0, text.Length) == text.Length;
}
