using System.Text.RegularExpressions;
using CausalQL.Llm;
using CausalQL.Syntax;
using CausalQL.Tests;

namespace CausalQL.Server.Tests;

/// <summary>The pieces of the prompt and of the answer shown to the person: grammar card, examples, reading, config.</summary>
public sealed class PromptPartsTests
{
    [Fact]
    public void The_card_is_generated_from_the_embedded_grammar_with_every_rule()
    {
        var ebnf = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "grammar", "causalql.ebnf"));
        Assert.Equal(ebnf, GrammarCard.EmbeddedGrammar); // the build embedded the repository's grammar, not a copy
        var card = GrammarCard.Embedded;
        var defined = Regex.Matches(ebnf, @"^([a-z_]+)\s*=(?!=)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(defined);
        var lines = card.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(defined, lines.Select(l => l[..l.IndexOf(" ::= ", StringComparison.Ordinal)]).ToList());
        Assert.DoesNotContain("(*", card);
        Assert.True(card.Length < ebnf.Length, "the card is more compact than the grammar");
    }

    [Fact]
    public void Card_generation_handles_both_EBNF_styles_and_comments()
    {
        const string ebnf = """
            (* a comment with = signs and "quotes" *)
            a = "x" , b   (* trailing *)
              | "(*" ;   // not a comment start inside quotes
            b ::= "y"
                | 'z'
            """;
        Assert.Equal("a ::= \"x\" , b | \"(*\"\nb ::= \"y\" | 'z'\n", GrammarCard.FromEbnf(ebnf));
    }

    [Fact]
    public void The_worked_examples_in_the_prompt_parse()
    {
        var system = Prompt.System("");
        var blocks = Regex.Matches(system, "```cql\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(4, blocks.Count);
        foreach (var block in blocks)
        {
            var parsed = CqlParser.Parse(block);
            Assert.False(parsed.HasErrors, block + "\n" + string.Join("\n", parsed.Diagnostics));
        }
    }

    [Theory]
    [InlineData("identify P(Y = 1 | do(X = 0), Z = 1) in g", "Find a formula from observed data for the probability that Y = 1 if X were set to 0, among cases where Z = 1 in graph g.")]
    [InlineData("estimate ATE(X -> Y) in g using d", "Estimate the average causal effect of X on Y in graph g from data d.")]
    [InlineData("adjustment sets for X -> Y in g minimal", "List the minimal sets of variables to adjust for when estimating the effect of X on Y in graph g.")]
    [InlineData("estimate E[Y[X = 1] - Y[X = 0] | X = 1] in g using d", "Estimate the expected value of Y (had X been 1) minus Y (had X been 0) among cases where X = 1 in graph g from data d.")]
    [InlineData("use m\nNDE(X -> M -> Y)", "Use m from now on; then compute the natural direct effect of X on Y not through M.")]
    [InlineData("P(Y[X = 0] = 1 | X = 1, Y = 1)", "Compute the probability that Y (had X been 0) = 1 among cases where X = 1 and Y = 1.")]
    public void The_reading_is_built_from_the_tree(string script, string reading) =>
        Assert.Equal(reading, QueryReading.Describe(CqlParser.Parse(script).Script));

    [Fact]
    public void Reply_extraction_takes_fenced_code_or_a_missing_line()
    {
        Assert.Equal("identify P(Y | do(X))", Assert.IsType<ExtractedCode>(ReplyExtractor.Extract("Sure!\n```cql\nidentify P(Y | do(X))\n```\nDone.")).Code);
        Assert.Equal("P(Y)", Assert.IsType<ExtractedCode>(ReplyExtractor.Extract("  P(Y)  ")).Code);
        Assert.Equal(["Income", "Age"], Assert.IsType<ExtractedMissing>(ReplyExtractor.Extract("missing: `Income`, Age.")).Names);
    }

    [Fact]
    public void Config_files_are_strict()
    {
        var ok = LlmOptions.Load("""{ "endpoint": "http://h:1/v1", "model": "m", "maxRepairRounds": 1, "requestTimeoutSeconds": 5 }""");
        Assert.Null(ok.Error);
        Assert.Equal("http://h:1/v1", ok.Options!.Endpoint);
        Assert.Equal(TimeSpan.FromSeconds(5), ok.Options.RequestTimeout);
        Assert.StartsWith("unknown field 'modle'", LlmOptions.Load("""{ "modle": "m" }""").Error);
        Assert.Contains("wrong kind", LlmOptions.Load("""{ "maxRetries": "three" }""").Error);
        Assert.Contains("not an http(s) URL", LlmOptions.Load("""{ "endpoint": "file:///etc/passwd" }""").Error);
        Assert.StartsWith("the LLM config is not valid JSON", LlmOptions.Load("{").Error);
    }

    [Fact]
    public void Command_line_options_override_the_defaults()
    {
        var (options, rest, error) = LlmArgs.Parse(["ask-this", "--endpoint", "http://x:1/v1", "--model=phi", "--repair-rounds", "1", "--no-run"]);
        Assert.Null(error);
        Assert.Equal("http://x:1/v1", options!.Endpoint);
        Assert.Equal("phi", options.Model);
        Assert.Equal(1, options.MaxRepairRounds);
        Assert.Equal(["ask-this", "--no-run"], rest);
        Assert.Equal(LlmOptions.DefaultEndpoint, new LlmOptions().Endpoint);
        Assert.Contains("needs a value", LlmArgs.Parse(["--model"]).Error);
    }
}
