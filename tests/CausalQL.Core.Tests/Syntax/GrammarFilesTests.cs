using System.Text.Json;
using System.Text.RegularExpressions;
using CausalQL.Syntax;
using CausalQL.Tests;

namespace CausalQL.Core.Tests.Syntax;

/// <summary>grammar/causalql.ebnf and the TextMate grammar stay in step with the parser.</summary>
public class GrammarFilesTests
{
    static string Grammar(string file) => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "grammar", file));

    // The EBNF without its (* comments *).
    static string EbnfRules => Regex.Replace(Grammar("causalql.ebnf"), @"\(\*.*?\*\)", " ", RegexOptions.Singleline);

    static IEnumerable<string> Terminals =>
        Regex.Matches(EbnfRules, "\"([^\"]+)\"|'([^']+)'").Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).Distinct();

    static readonly string[] StatementKeywords =
        ["graph", "data", "model", "scm", "identify", "estimate", "adjustment", "instruments", "implications", "check", "show", "export", "use", "assume", "refute", "plot", "ask"];

    // The syntactic rules (from `script` on); the lexical ones above spell tokens character by character.
    static IEnumerable<string> SyntaxTerminals =>
        Regex.Matches(EbnfRules[EbnfRules.IndexOf("script", StringComparison.Ordinal)..], "\"([^\"]+)\"|'([^']+)'")
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).Distinct();

    [Fact]
    public void Every_terminal_of_the_syntax_rules_is_one_token()
    {
        Assert.True(SyntaxTerminals.Count() > 60);
        foreach (var terminal in SyntaxTerminals)
        {
            var tokens = CqlTokenizer.Tokenize(terminal);
            Assert.True(tokens.Length == 1 && tokens[0].Kind is not (CqlToken.Invalid or CqlToken.UnterminatedString),
                $"'{terminal}' is not a single token: {string.Join(" ", tokens.Select(t => t.Kind))}");
        }
    }

    [Fact]
    public void Every_keyword_the_parser_knows_is_in_the_ebnf()
    {
        var terminals = Terminals.ToHashSet();
        foreach (var keyword in StatementKeywords.Concat(["in", "using", "with", "explain", "verify", "on", "of", "against", "as", "to",
                     "sets", "for", "minimal", "all", "optimal", "canonical", "do", "P", "E", "and", "or", "xor", "not", "..."])
                     .Concat(Enum.GetNames<EffectKind>()))
            Assert.Contains(keyword, terminals);
    }

    [Fact]
    public void Every_statement_rule_starts_with_its_keyword()
    {
        var rules = EbnfRules;
        foreach (var keyword in StatementKeywords)
            Assert.Matches(new Regex($"=\\s*\"{keyword}\"\\s*,"), rules);
    }

    [Fact]
    public void Every_rule_used_is_defined_once()
    {
        var rules = EbnfRules;
        var defined = Regex.Matches(rules, @"^([a-z_]+)\s+=(?!=)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(defined.Count, defined.Distinct().Count());
        var withoutTerminals = Regex.Replace(rules, "\"[^\"]*\"|'[^']*'", " ");
        var used = Regex.Matches(withoutTerminals, @"\b[a-z_]+\b").Select(m => m.Value).ToHashSet();
        string[] primitives = ["letter", "digit", "character", "newline"];
        foreach (var name in used.Except(defined).Except(primitives))
            Assert.Fail($"rule '{name}' is used but not defined");
    }

    [Fact]
    public void TextMate_grammar_is_json_with_the_keywords()
    {
        using var json = JsonDocument.Parse(Grammar("causalql.tmLanguage.json"));
        Assert.Equal("source.cql", json.RootElement.GetProperty("scopeName").GetString());
        var text = json.RootElement.GetRawText();
        foreach (var keyword in StatementKeywords.Concat(["using", "explain", "verify", "do", "xor"]).Concat(Enum.GetNames<EffectKind>()))
            Assert.Contains(keyword, text);
        // Every "match"/"begin" is a valid regular expression (.NET's dialect is close enough to Oniguruma for these).
        foreach (var pattern in Regex.Matches(text, "\"(match|begin|end)\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").Select(m => JsonSerializer.Deserialize<string>("\"" + m.Groups[2].Value + "\"")!))
            _ = new Regex(pattern);
    }
}
