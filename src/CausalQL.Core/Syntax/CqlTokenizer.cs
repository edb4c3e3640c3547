using Superpower;
using Superpower.Model;

namespace CausalQL.Syntax;

/// <summary>
/// Turns text into Superpower tokens. It never fails: characters it cannot place become <see cref="CqlToken.Invalid"/>
/// tokens and an unclosed string or comment becomes one error token, so the parser can report them with
/// positions and keep going with the rest of the file.
/// </summary>
public static class CqlTokenizer
{
    static readonly string[] DurationUnits = ["ms", "s", "min", "h"];

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

    // "text" or `text` with backslash escapes, on one line. Unclosed: no match (ScanUnterminatedQuote takes it).
    static Func<string, int, int, int> ScanQuoted(char quote) => quote == '"' ? ScanDoubleQuoted : ScanBacktickQuoted;
    static readonly Func<string, int, int, int> ScanDoubleQuoted = (s, i, end) => ScanQuotedWith('"', s, i, end);
    static readonly Func<string, int, int, int> ScanBacktickQuoted = (s, i, end) => ScanQuotedWith('`', s, i, end);

    static int ScanQuotedWith(char quote, string s, int i, int end)
    {
        var start = i;
        if (i >= end || s[i] != quote) return start;
        i++;
        while (i < end && s[i] != quote && s[i] != '\n')
            i += s[i] == '\\' && i + 1 < end && s[i + 1] != '\n' ? 2 : 1;
        return i < end && s[i] == quote ? i + 1 : start;
    }

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

    // A hand-written Superpower tokenizer: one switch on the current character. TokenizerBuilder tries its
    // ~45 rules in turn at every position and ran at 0.4 MB/s on the parser benchmark.
    sealed class Lexer : Tokenizer<CqlToken>
    {
        protected override IEnumerable<Result<CqlToken>> Tokenize(TextSpan span)
        {
            var s = span.Source!;
            var end = span.Position.Absolute + span.Length;
            var remainder = span;
            while (!remainder.IsAtEnd)
            {
                var i = remainder.Position.Absolute;
                var j = SkipTrivia(s, i, end);
                if (j > i)
                {
                    remainder = remainder.Skip(j - i);
                    continue;
                }
                var (kind, next) = Next(s, i, end);
                var after = remainder.Skip(next - i);
                yield return Result.Value(kind, remainder, after);
                remainder = after;
            }
        }
    }

    static int SkipTrivia(string s, int i, int end)
    {
        while (true)
        {
            var j = ScanBlockComment(s, ScanLineComment(s, ScanSpace(s, i, end), end), end);
            if (j == i) return i;
            i = j;
        }
    }

    static (CqlToken Kind, int Next) Next(string s, int i, int end)
    {
        var c = s[i];
        char At(int k) => i + k < end ? s[i + k] : '\0';
        int Scanned(Func<string, int, int, int> scan) => scan(s, i, end);
        switch (c)
        {
            case '\n': return (CqlToken.Newline, i + 1);
            case '"':
            case '`':
            {
                var n = Scanned(ScanQuoted(c));
                return n > i ? (c == '"' ? CqlToken.String : CqlToken.BacktickName, n) : (CqlToken.UnterminatedString, ScanUnterminatedQuote(s, i, end));
            }
            case '.' when At(1) == '.' && At(2) == '.': return (CqlToken.Ellipsis, i + 3);
            case '_' when At(1) == '{': return (CqlToken.SubscriptOpen, i + 2);
            case '<' when At(1) == '-' && At(2) == '>': return (CqlToken.BiArrow, i + 3);
            case '<' when At(1) == '-': return (CqlToken.ReverseArrow, i + 2);
            case '<' when At(1) == '=': return (CqlToken.LessOrEqual, i + 2);
            case '<': return (CqlToken.Less, i + 1);
            case '-' when At(1) == '-' && At(2) == '>': return (CqlToken.LongArrow, i + 3);
            case '-' when At(1) == '>': return (CqlToken.Arrow, i + 2);
            case '-' when At(1) == '-': return (CqlToken.UndirectedEdge, i + 2);
            case '-': return (CqlToken.Minus, i + 1);
            case '=' when At(1) == '>': return (CqlToken.FatArrow, i + 2);
            case '=' when At(1) == '=': return (CqlToken.DoubleEquals, i + 2);
            case '=': return (CqlToken.Equals, i + 1);
            case '!' when At(1) == '=': return (CqlToken.NotEquals, i + 2);
            case '>' when At(1) == '=': return (CqlToken.GreaterOrEqual, i + 2);
            case '>': return (CqlToken.Greater, i + 1);
            case ':' when At(1) == '=': return (CqlToken.ColonEquals, i + 2);
            case ':': return (CqlToken.Colon, i + 1);
            case '/' when At(1) == '*': return (CqlToken.UnterminatedComment, ScanUnterminatedComment(s, i, end));
            case '/': return (CqlToken.Slash, i + 1);
            case ';': return (CqlToken.Semicolon, i + 1);
            case ',': return (CqlToken.Comma, i + 1);
            case '(': return (CqlToken.LParen, i + 1);
            case ')': return (CqlToken.RParen, i + 1);
            case '[': return (CqlToken.LBracket, i + 1);
            case ']': return (CqlToken.RBracket, i + 1);
            case '{': return (CqlToken.LBrace, i + 1);
            case '}': return (CqlToken.RBrace, i + 1);
            case '+': return (CqlToken.Plus, i + 1);
            case '*': return (CqlToken.Star, i + 1);
            case '^': return (CqlToken.Caret, i + 1);
            case '~': return (CqlToken.Tilde, i + 1);
            case '|': return (CqlToken.Bar, i + 1);
        }
        var duration = Scanned(ScanDuration);
        if (duration > i) return (CqlToken.Duration, duration);
        var number = Scanned(ScanNumber);
        if (number > i) return (CqlToken.Number, number);
        var identifier = Scanned(ScanIdentifier);
        if (identifier > i) return (CqlToken.Identifier, identifier);
        return (CqlToken.Invalid, i + 1);
    }

    static readonly Lexer Tokenizer = new();

    /// <summary>All tokens of <paramref name="text"/>, positions absolute in it. Never throws on any input.</summary>
    /// <remarks>Builds the array directly with the same rules as the <see cref="Superpower.Tokenizer{TKind}"/>
    /// subclass (<see cref="Instance"/>), skipping its per-token Result and list growth: a third of the allocations.</remarks>
    public static Token<CqlToken>[] Tokenize(string text)
    {
        var tokens = new List<Token<CqlToken>>(text.Length / 4 + 4);
        int line = 1, column = 1, end = text.Length;
        var i = 0;
        void Advance(int to)
        {
            for (; i < to; i++)
            {
                if (text[i] == '\n') { line++; column = 1; }
                else column++;
            }
        }
        while (i < end)
        {
            var j = SkipTrivia(text, i, end);
            if (j > i) { Advance(j); continue; }
            var (kind, next) = Next(text, i, end);
            var position = new Position(i, line, column);
            tokens.Add(new Token<CqlToken>(kind, new TextSpan(text, position, next - i)));
            Advance(next);
        }
        return [.. tokens];
    }

    /// <summary>The tokenizer as a Superpower <see cref="Superpower.Tokenizer{TKind}"/>, for callers that want its API.</summary>
    public static Tokenizer<CqlToken> Instance => Tokenizer;

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
