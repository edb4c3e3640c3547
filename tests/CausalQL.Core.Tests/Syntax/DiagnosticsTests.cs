using System.Text;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Core.Tests.Syntax;

/// <summary>Bad input gets a clear error with a position, never an exception.</summary>
public class DiagnosticsTests
{
    static Diagnostic Single(string text)
    {
        var result = CqlParser.Parse(new SourceText(text, "t.cql"));
        return Assert.Single(result.Diagnostics);
    }

    static void AssertAt(Diagnostic d, int line, int column, string message)
    {
        Assert.Equal(message, d.Message);
        Assert.Equal((line, column), (d.Location.Line, d.Location.Column));
        Assert.Equal("t.cql", d.Location.File);
        Assert.True(d.IsError);
    }

    [Fact]
    public void Fat_arrow_typo_names_the_previous_node()
    {
        var d = Single("graph smoking {\n  Smoking -> Tar => Cancer\n}");
        AssertAt(d, 2, 18, "expected '->' or '<->' after 'Tar', found '=>'");
        Assert.Equal(
            "t.cql:2:18: error: expected '->' or '<->' after 'Tar', found '=>'\n    Smoking -> Tar => Cancer\n                   ^~\n",
            d.Render(new SourceText("graph smoking {\n  Smoking -> Tar => Cancer\n}", "t.cql")));
    }

    [Fact]
    public void Long_arrow_typo() =>
        AssertAt(Single("graph g {\n  A --> B\n}"), 2, 5, "expected '->' or '<->' after 'A', found '-->'");

    [Fact]
    public void Arrow_typo_outside_graphs() =>
        AssertAt(Single("adjustment sets for X => Y"), 1, 23, "expected '->' or '<->' after 'X', found '=>'");

    [Fact]
    public void Unterminated_block_points_at_its_brace() =>
        AssertAt(Single("graph g {\n  A -> B\n"), 1, 9, "unterminated '{': missing '}' before the end of the input");

    [Fact]
    public void Unterminated_block_does_not_swallow_the_statements_after_it()
    {
        var result = CqlParser.Parse(new SourceText("graph g {\n  A -> B\n  show -> C\n\nidentify P(B | do(A)) in g\nuse g\n", "t.cql"));
        AssertAt(Assert.Single(result.Diagnostics), 1, 9, "unterminated '{': missing '}' before the next statement");
        Assert.Equal(2, result.Script.Statements.Count);
        Assert.IsType<IdentifyStatementSyntax>(result.Script.Statements[0]);
    }

    [Fact]
    public void Unterminated_string_and_the_next_line_still_parses()
    {
        var result = CqlParser.Parse(new SourceText("ask \"unterminated\nuse g", "t.cql"));
        AssertAt(Assert.Single(result.Diagnostics), 1, 5, "unterminated string: missing closing \" before the end of the line");
        Assert.IsType<UseStatementSyntax>(Assert.Single(result.Script.Statements));
    }

    [Fact]
    public void Unterminated_comment() =>
        AssertAt(Single("use g\n/* never closed\nuse h"), 2, 1, "unterminated comment: missing '*/'");

    [Fact]
    public void Unbalanced_brackets()
    {
        AssertAt(Single("identify P(Y | do(X))) in g"), 1, 22, "unexpected ')' with no matching opening bracket");
        AssertAt(Single("identify P(Y | do(X]) in g"), 1, 20, "expected ')' to close the '(' opened before, found ']'");
        AssertAt(Single("E[Y | do(X)"), 1, 2, "unterminated '[': missing ']' before the end of the input");
    }

    [Fact]
    public void Missing_pieces_say_what_was_expected()
    {
        AssertAt(Single("estimate P(Y) using"), 1, 20, "expected name after 'using', found end of input");
        AssertAt(Single("graph g { A -> }"), 1, 16, "expected node or {group} after '->', found '}'");
        AssertAt(Single("P(Y = 1 | X = )"), 1, 15, "expected expression after '=', found ')'");
        AssertAt(Single("model m { P(Y = 1) 0.3 }"), 1, 20, "expected '=' after ')', found number 0.3");
        AssertAt(Single("scm m { X = 1 }"), 1, 11, "expected '~' or ':=' after 'X', found '='");
        AssertAt(Single("use g h"), 1, 7, "expected end of statement (end of line or ';') after 'g', found 'h'");
        AssertAt(Single("use\n"), 1, 4, "expected name after 'use', found end of line");
        AssertAt(Single("identify"), 1, 9, "expected expression after 'identify', found end of input");
        AssertAt(Single("graph g { {A B} }"), 1, 17, "expected '->', '<-', '<->' or '--' after '}', found '}'");
    }

    [Fact]
    public void One_file_reports_all_its_errors_and_keeps_the_good_statements()
    {
        var result = CqlParser.Parse(new SourceText("use g\nuse\nshow g\n@@\nidentify\nimplications of g", "t.cql"));
        Assert.Equal(new[] { 2, 4, 5 }, result.Diagnostics.Select(d => d.Location.Line));
        Assert.Equal(3, result.Script.Statements.Count);
        Assert.Equal("unexpected character '@'", result.Diagnostics[1].Message);
    }

    [Fact]
    public void Replacement_character_from_a_non_utf8_file()
    {
        var bytes = new byte[] { (byte)'u', (byte)'s', (byte)'e', (byte)' ', 0xFF, (byte)'\n', (byte)'u', (byte)'s', (byte)'e', (byte)' ', (byte)'h' };
        var text = Encoding.UTF8.GetString(bytes); // invalid sequence decodes to U+FFFD
        var result = CqlParser.Parse(new SourceText(text, "t.cql"));
        var d = Assert.Single(result.Diagnostics);
        AssertAt(d, 1, 5, "unexpected character U+FFFD (a byte that is not valid UTF-8; is the file UTF-8?)");
        Assert.Single(result.Script.Statements);
    }

    [Theory]
    [InlineData("use \u0000g", "unexpected character U+0000")]
    [InlineData("use g\u200B", "unexpected character U+200B")]
    [InlineData("use #g", "unexpected character '#'")]
    public void Odd_characters(string text, string message) => Assert.Equal(message, Single(text).Message);

    [Fact]
    public void Unicode_letters_and_whitespace_are_fine()
    {
        var result = CqlParser.Parse("graph g {\u00A0Rauchen -> Teer -> Krebs\u2003; α -> β }\r\nuse g\r\n");
        Assert.Empty(result.Diagnostics);
        Assert.Equal(2, result.Script.Statements.Count);
    }

    [Fact]
    public void Ten_thousand_nested_brackets_are_reported_not_recursed()
    {
        var text = new string('(', 10_000) + "x" + new string(')', 10_000);
        var d = Single(text);
        AssertAt(d, 1, CqlParser.MaxNestingDepth + 1, $"nesting too deep: more than {CqlParser.MaxNestingDepth} levels of brackets");
        var unclosed = CqlParser.Parse(new string('[', 10_000));
        Assert.Single(unclosed.Diagnostics);
        Assert.Contains("nesting too deep", CqlParser.ParseExpression(new string('(', 10_000)).Diagnostics.Single().Message);
        Assert.Contains("nesting too deep", CqlParser.Parse("graph g {" + new string('{', 10_000)).Diagnostics.Single().Message);
    }

    [Fact]
    public void Nesting_up_to_the_limit_parses()
    {
        var depth = CqlParser.MaxNestingDepth;
        var text = new string('(', depth) + "P(Y)" + new string(')', depth);
        // P( adds one level, so the outer parentheses stop one short of the limit.
        var ok = CqlParser.ParseExpression(new string('(', depth - 1) + "P(Y)" + new string(')', depth - 1));
        Assert.Empty(ok.Diagnostics);
        Assert.IsType<ProbabilitySyntax>(ok.Expression);
        Assert.Single(CqlParser.ParseExpression(text).Diagnostics);
    }

    [Theory]
    [InlineData("+")]
    [InlineData("*")]
    [InlineData("and")]
    public void Binary_chains_longer_than_the_operator_limit_are_reported_not_recursed(string op)
    {
        var limit = CqlParser.MaxOperatorsPerExpression;
        string Chain(int operators) => string.Join($" {op} ", Enumerable.Repeat("x", operators + 1));
        Assert.Empty(CqlParser.ParseExpression(Chain(limit)).Diagnostics);
        var d = Assert.Single(CqlParser.ParseExpression(Chain(20_000)).Diagnostics);
        Assert.Equal($"expression too long: more than {limit:N0} operators in one expression; split it into parts", d.Message);
        Assert.Contains("expression too long", Single($"identify {Chain(20_000)} in g").Message);
    }

    [Fact]
    public void Prefix_operator_chains_count_toward_the_limit_and_commas_and_items_start_afresh()
    {
        var limit = CqlParser.MaxOperatorsPerExpression;
        Assert.Contains("expression too long", Single("identify " + string.Concat(Enumerable.Repeat("- ", 20_000)) + "P(Y) in g").Message);
        Assert.Contains("expression too long", Single("scm m {\n  A := " + string.Concat(Enumerable.Repeat("not ", 20_000)) + "U\n}").Message);
        // Many short expressions are fine: the limit is per expression, not per statement.
        var half = string.Join(" + ", Enumerable.Repeat("U", limit / 2 + 1));
        Assert.Empty(CqlParser.Parse($"scm m {{\n  A := {half}\n  B := {half}\n  C := {half}\n}}").Diagnostics);
        Assert.Empty(CqlParser.ParseExpression($"P(Y | do(X), Z = {half}, W = {half}, V = {half})").Diagnostics);
    }

    [Fact]
    public void A_megabyte_of_random_characters_gives_capped_diagnostics()
    {
        var random = new Random(20261128);
        var chars = new char[1 << 20];
        for (var i = 0; i < chars.Length; i++) chars[i] = (char)random.Next(0, 0x3000);
        var result = CqlParser.Parse(new SourceText(new string(chars), "noise.cql"));
        Assert.InRange(result.Diagnostics.Length, 1, CqlParser.MaxDiagnostics + 1);
        Assert.All(result.Diagnostics, d => Assert.True(d.Location.Line >= 1 && d.Location.Column >= 1));
    }

    [Fact]
    public void Errors_are_capped_with_a_final_note()
    {
        var text = string.Concat(Enumerable.Repeat("use\n", 500));
        var result = CqlParser.Parse(new SourceText(text, "t.cql"));
        Assert.Equal(CqlParser.MaxDiagnostics + 1, result.Diagnostics.Length);
        Assert.Equal($"too many errors ({CqlParser.MaxDiagnostics}); stopping here", result.Diagnostics[^1].Message);
    }

    [Fact]
    public void A_megabyte_of_random_bytes_gives_capped_diagnostics()
    {
        var random = new Random(7);
        var bytes = new byte[1 << 20];
        random.NextBytes(bytes);
        var result = CqlParser.Parse(new SourceText(Encoding.UTF8.GetString(bytes), "noise.cql"));
        Assert.NotEmpty(result.Diagnostics);
        Assert.True(result.Diagnostics.Length <= CqlParser.MaxDiagnostics + 1);
    }

    [Fact]
    public void ParseExpression_reports_trailing_text_and_empty_input()
    {
        var trailing = CqlParser.ParseExpression("P(Y) P(X)");
        Assert.Null(trailing.Expression);
        Assert.Equal("expected end of statement (end of line or ';') after ')', found 'P'", trailing.Diagnostics.Single().Message);
        Assert.Equal("expected an expression, found end of input", CqlParser.ParseExpression("  ").Diagnostics.Single().Message);
    }
}

public class NumberRangeTests
{
    [Fact]
    public void A_number_beyond_double_range_is_an_error_not_infinity()
    {
        var result = CqlParser.Parse(new SourceText("model m { P(Y = 1) = 1e400 }", "t.cql"));
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(22, d.Location.Column);
        Assert.Equal("number 1e400 is out of range (beyond ±1.8e308)", d.Message);
        Assert.Equal("duration 1e999s is out of range (beyond ±1.8e308)", CqlParser.Parse("identify P(Y) with timeout = 1e999s").Diagnostics.Single().Message);
    }
}
