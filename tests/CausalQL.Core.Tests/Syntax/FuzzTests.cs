using System.Text;
using System.Text.RegularExpressions;
using CausalQL.Syntax;
using CausalQL.Tests;
using CausalQL.Text;

namespace CausalQL.Core.Tests.Syntax;

/// <summary>
/// Generated and mutated inputs (over 100,000 across these tests, deterministic seeds): the front end answers
/// every one with a tree and/or positioned diagnostics, never an exception; whatever parses cleanly prints
/// to text that parses back to the same tree.
/// </summary>
public class FuzzTests
{
    const int PerTest = 26_000;

    static readonly string[] Snippets =
    [
        "graph g {\n  Z -> X -> Y\n  Z -> {X, Y}\n  X <-> Y\n  U [latent]\n  U -> {X, Y}\n}",
        "graph d = dag {\n  x [exposure, pos=\"1,2\"]\n  y [outcome]\n  u -> {z y} ; bb=\"0,0,1,1\"\n  a -- b <- c [beta=.3]\n}",
        "graph h = dagitty(\"model.txt\")",
        "data survey = csv(\"data/smoking.csv\")",
        "data s = sample(m, n = 1000, seed = 1)",
        "model story on g {\n  P(Z = 1) = 0.4\n  P(X = 1 | Z = 0) = 0.2 ;  P(X = 1 | Z = 1) = 0.7\n  P(Y = 1 | X = 0, Z = 0) = 0.1 ; ...\n}",
        "scm m {\n  U ~ bernoulli(0.5)\n  X := U and not Z or W\n  Y := X xor bernoulli(0.1) + 2 * normal(0, 1) >= 1\n}",
        "identify P(Cancer | do(Smoking)) in smoking explain verify with timeout = 2s",
        "estimate e = E[Cancer | do(Smoking = 1)] - E[Cancer | do(Smoking = 0)]\n         in smoking using survey with bootstrap = 1000, seed = 7",
        "estimate ATE(qsmk -> wt82) using nhefs with outcome_model = ~ qsmk + sex + I(age^2) + qsmk:smokeintensity",
        "P(Y[X = 1] = 1 | X = x', Y = 0) + P(Y_{X=1} = 1) * NDE(X -> M -> Y) / PNS(X -> Y)",
        "E[Y[X = 1, M = M[X = 0]] - Y[X = 0] | X = 1]",
        "adjustment sets for {X1, X2} -> Y in g optimal with max = 10",
        "instruments for X -> Y in g ; implications of g ; check g against d",
        "show g as svg ; export g as dot to \"g.dot\" ; use g",
        "assume monotonicity(X -> Y) ; assume linear ; refute e with placebo, runs = 10",
        "ask \"does smoking cause cancer?\"",
        "P(\"blood pressure\" = 1 | do(`salt intake` = 2)) - -E[\"blood pressure\"]",
    ];

    static readonly string[] Vocabulary =
    [
        "graph", "data", "model", "scm", "identify", "estimate", "adjustment", "sets", "for", "instruments", "implications",
        "of", "check", "against", "show", "as", "export", "to", "use", "assume", "refute", "ask", "in", "using", "with",
        "explain", "verify", "on", "do", "P", "E", "ATE", "NDE", "PN", "and", "or", "xor", "not", "dag", "X", "Y", "x'",
        "{", "}", "(", ")", "[", "]", "_{", "->", "<-", "<->", "--", "-->", "=>", "=", "==", "!=", "<", "<=", ">", ">=",
        "+", "-", "*", "/", "^", ":", ":=", "~", "|", ",", ";", "\n", "...", "1", "0.5", "1e400", "2s", "\"s\"", "\"",
        "`q`", "`", "//c\n", "/*", "*/", "\uFFFD", "@", "\0", "é",
    ];

    static readonly char[] Alphabet = "{}()[]\"`';,.-<>=|~:_^*/+\n \tXYZ019eé\uFFFD#@\\".ToCharArray();

    // LANGUAGE.md's examples cut into statements (small inputs keep 100,000 runs to seconds), its whole blocks, and the snippets.
    static IEnumerable<string> Seeds()
    {
        var md = File.ReadAllText(Path.Combine(TestPaths.Shared, "design", "LANGUAGE.md"));
        foreach (Match m in Regex.Matches(md, "```[a-z]*\\n(.*?)```", RegexOptions.Singleline))
        {
            var block = m.Groups[1].Value;
            yield return block;
            foreach (var statement in CqlParser.Parse(block).Script.Statements)
            {
                TextSpan span = statement.Span;
                yield return block.Substring(span.Start, span.Length);
            }
        }
        foreach (var s in Snippets) yield return s;
    }

    static readonly string[] AllSeeds = [.. Seeds()];

    static string MutateChars(string text, Random random)
    {
        var sb = new StringBuilder(text);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var at = sb.Length == 0 ? 0 : random.Next(sb.Length);
            switch (random.Next(4))
            {
                case 0 when sb.Length > 0: sb.Remove(at, Math.Min(random.Next(1, 6), sb.Length - at)); break;
                case 1: sb.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                case 2 when sb.Length > 0: sb[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                default:
                    var length = Math.Min(random.Next(1, 10), sb.Length - at);
                    if (length > 0) sb.Insert(random.Next(sb.Length), sb.ToString(at, length));
                    break;
            }
        }
        return sb.ToString();
    }

    static string MutateTokens(string text, Random random)
    {
        var tokens = CqlTokenizer.Tokenize(text).Select(t => t.ToStringValue()).ToList();
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var at = tokens.Count == 0 ? 0 : random.Next(tokens.Count);
            switch (random.Next(4))
            {
                case 0 when tokens.Count > 0: tokens.RemoveAt(at); break;
                case 1: tokens.Insert(at, Vocabulary[random.Next(Vocabulary.Length)]); break;
                case 2 when tokens.Count > 1:
                    var other = random.Next(tokens.Count);
                    (tokens[at], tokens[other]) = (tokens[other], tokens[at]);
                    break;
                default:
                    if (tokens.Count > 0) tokens.Insert(random.Next(tokens.Count), tokens[at]);
                    break;
            }
        }
        return string.Join(" ", tokens);
    }

    static string Generate(Random random)
    {
        var count = random.Next(1, 30);
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++) sb.Append(Vocabulary[random.Next(Vocabulary.Length)]).Append(random.Next(3) == 0 ? "" : " ");
        return sb.ToString();
    }

    /// <summary>The checks every input gets.</summary>
    static void Check(string text)
    {
        var source = new SourceText(text, "fuzz.cql");
        var result = CqlParser.Parse(source);
        Assert.True(result.Diagnostics.Length <= CqlParser.MaxDiagnostics + 1);
        foreach (var d in result.Diagnostics)
        {
            Assert.True(d.Location.Line >= 1 && d.Location.Column >= 1, text);
            Assert.InRange(d.Location.Span.Start, 0, text.Length);
            Assert.InRange(d.Location.Span.End, 0, text.Length);
            Assert.False(string.IsNullOrWhiteSpace(d.Message));
            d.Render(source);
        }
        foreach (var statement in result.Script.Statements)
        {
            TextSpan span = statement.Span;
            Assert.InRange(span.End, span.Start, text.Length);
            // What parsed prints to text that parses back to the same statement.
            var printed = CqlPrinter.Print(statement);
            var again = CqlParser.Parse(printed);
            Assert.True(again.Diagnostics.IsEmpty, $"input:\n{text}\nprinted:\n{printed}\n{string.Join("\n", again.Diagnostics)}");
            Assert.Equal(statement, Assert.Single(again.Script.Statements));
        }
    }

    static void Run(int seed, Func<Random, string> input)
    {
        var random = new Random(seed);
        for (var i = 0; i < PerTest; i++) Check(input(random));
    }

    [Fact]
    public void Character_mutations_of_examples() =>
        Run(1, random => MutateChars(AllSeeds[random.Next(AllSeeds.Length)], random));

    [Fact]
    public void Token_mutations_of_examples() =>
        Run(2, random => MutateTokens(AllSeeds[random.Next(AllSeeds.Length)], random));

    [Fact]
    public void Generated_token_soup() => Run(3, Generate);

    [Fact]
    public void Expressions_and_dagitty_files_from_mutations()
    {
        var random = new Random(4);
        for (var i = 0; i < PerTest; i++)
        {
            var text = random.Next(2) == 0
                ? MutateChars(Snippets[random.Next(9, Snippets.Length)], random)
                : MutateTokens(Snippets[1][(Snippets[1].IndexOf('=') + 2)..], random);
            var expression = CqlParser.ParseExpression(new SourceText(text));
            Assert.True(expression.Expression is not null || !expression.Diagnostics.IsEmpty);
            var dagitty = CqlParser.ParseDagitty(new SourceText(text));
            Assert.True(dagitty.Graph is not null || !dagitty.Diagnostics.IsEmpty);
        }
    }
}
