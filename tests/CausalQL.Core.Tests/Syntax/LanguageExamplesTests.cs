using System.Text.RegularExpressions;
using CausalQL.Syntax;
using CausalQL.Tests;
using CausalQL.Text;

namespace CausalQL.Core.Tests.Syntax;

/// <summary>Every example in the design's LANGUAGE.md parses exactly as written there.</summary>
public class LanguageExamplesTests
{
    static string LanguageMd => File.ReadAllText(Path.Combine(TestPaths.Shared, "design", "LANGUAGE.md"));

    public static TheoryData<string> CodeBlocks()
    {
        var data = new TheoryData<string>();
        foreach (Match m in Regex.Matches(LanguageMd, "```[a-z]*\\n(.*?)```", RegexOptions.Singleline))
            data.Add(m.Groups[1].Value);
        return data;
    }

    [Theory]
    [MemberData(nameof(CodeBlocks))]
    public void Code_block_parses_without_diagnostics(string code)
    {
        var result = CqlParser.Parse(new SourceText(code, "LANGUAGE.md"));
        Assert.True(result.Diagnostics.IsEmpty, string.Join("\n", result.Diagnostics.Select(d => d.Render(new SourceText(code, "LANGUAGE.md")))));
        Assert.NotEmpty(result.Script.Statements);
    }

    [Fact]
    public void There_are_code_blocks_to_check() => Assert.True(CodeBlocks().Count >= 3);

    // The query table's cells, one expression each.
    [Theory]
    [InlineData("P(Y)")]
    [InlineData("P(Y = 1 | X = 0)")]
    [InlineData("E[Y | X = 1]")]
    [InlineData("P(Y | do(X))")]
    [InlineData("P(Y = 1 | do(X = 1), Z = 0)")]
    [InlineData("P(Y, W | do(X, Z))")]
    [InlineData("ATE(X -> Y)")]
    [InlineData("ETT(X -> Y)")]
    [InlineData("NDE(X -> M -> Y)")]
    [InlineData("NIE(X -> M -> Y)")]
    [InlineData("P(Y[X = 1] = 1 | X = 0, Y = 0)")]
    [InlineData("Y_{X=1}")]
    [InlineData("PN(X -> Y)")]
    [InlineData("PS(X -> Y)")]
    [InlineData("PNS(X -> Y)")]
    public void Query_table_entry_parses(string text)
    {
        var result = CqlParser.ParseExpression(text);
        Assert.True(result.Diagnostics.IsEmpty, string.Join("\n", result.Diagnostics));
        Assert.NotNull(result.Expression);
    }

    // The statement table's forms with the optional parts filled in.
    [Theory]
    [InlineData("identify P(Y | do(X)) in G explain")]
    [InlineData("estimate P(Y | do(X)) in G using D with method = aipw, bootstrap = 200, seed = 3")]
    [InlineData("adjustment sets for X -> Y in G optimal")]
    [InlineData("instruments for X -> Y in G")]
    [InlineData("implications of G")]
    [InlineData("check G against D")]
    [InlineData("show G")]
    [InlineData("export G as dot")]
    [InlineData("use G")]
    [InlineData("use D")]
    [InlineData("assume monotonicity(X -> Y)")]
    [InlineData("assume linear")]
    [InlineData("identify Q in G verify")]
    [InlineData("ask \"does smoking cause cancer?\"")]
    public void Statement_table_entry_parses(string text)
    {
        var result = CqlParser.Parse(text);
        Assert.True(result.Diagnostics.IsEmpty, string.Join("\n", result.Diagnostics));
        Assert.Single(result.Script.Statements);
    }
}
