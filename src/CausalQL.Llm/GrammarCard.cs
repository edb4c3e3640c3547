using System.Text;
using System.Text.RegularExpressions;

namespace CausalQL.Llm;

/// <summary>
/// The compact language card the prompt carries, generated from grammar/causalql.ebnf (embedded in this assembly
/// at build time) so the model always sees the grammar the parser implements, never a hand-made copy that drifts.
/// Comments and layout are dropped; each rule becomes one line <c>name ::= alternatives</c>.
/// </summary>
public static partial class GrammarCard
{
    const string ResourceName = "CausalQL.Llm.causalql.ebnf";

    /// <summary>The embedded grammar text, or null when the build had no grammar file.</summary>
    public static string? EmbeddedGrammar { get; } = ReadEmbedded();

    /// <summary>The card from the embedded grammar (empty when there is none; <see cref="EmbeddedGrammar"/> tells which).</summary>
    public static string Embedded { get; } = EmbeddedGrammar is { } g ? FromEbnf(g) : "";

    static string? ReadEmbedded()
    {
        using var stream = typeof(GrammarCard).Assembly.GetManifestResourceStream(ResourceName);
        if (stream is null) return null;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>One line per rule. Accepts ISO-style (<c>name = body ;</c>) and W3C-style (<c>name ::= body</c>) EBNF.</summary>
    public static string FromEbnf(string ebnf)
    {
        var text = StripComments(ebnf);
        var rules = new List<(string Name, string Body)>();
        // A rule starts at a name at the start of a line followed by ::= or = (not ==).
        var starts = RuleStart().Matches(text);
        for (var i = 0; i < starts.Count; i++)
        {
            var m = starts[i];
            var bodyStart = m.Index + m.Length;
            var bodyEnd = i + 1 < starts.Count ? starts[i + 1].Index : text.Length;
            var body = Collapse(text[bodyStart..bodyEnd]);
            if (body.EndsWith(';') || body.EndsWith('.')) body = body[..^1].TrimEnd();
            if (body.Length > 0) rules.Add((m.Groups["name"].Value, body));
        }
        var sb = new StringBuilder();
        foreach (var (name, body) in rules) sb.Append(name).Append(" ::= ").Append(body).Append('\n');
        return sb.ToString();
    }

    /// <summary>Removes (* *), /* */ and // comments that are outside quoted terminals.</summary>
    static string StripComments(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '"' or '\'')
            {
                var end = text.IndexOf(c, i + 1);
                if (end < 0 || text.IndexOf('\n', i + 1) is var nl && nl >= 0 && nl < end) { sb.Append(c); continue; }
                sb.Append(text, i, end - i + 1);
                i = end;
            }
            else if (c == '(' && At(text, i + 1, '*'))
                i = Skip(text, i + 2, "*)");
            else if (c == '/' && At(text, i + 1, '*'))
                i = Skip(text, i + 2, "*/");
            else if (c == '/' && At(text, i + 1, '/'))
            {
                var end = text.IndexOf('\n', i);
                i = end < 0 ? text.Length : end - 1;
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    static bool At(string text, int index, char c) => index < text.Length && text[index] == c;

    static int Skip(string text, int from, string close)
    {
        var end = text.IndexOf(close, from, StringComparison.Ordinal);
        return end < 0 ? text.Length : end + close.Length - 1;
    }

    static string Collapse(string body) => Whitespace().Replace(body, " ").Trim();

    [GeneratedRegex(@"^[ \t]*(?<name>[A-Za-z_][A-Za-z0-9_\-]*)[ \t]*(::=|=(?!=))", RegexOptions.Multiline)]
    private static partial Regex RuleStart();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
