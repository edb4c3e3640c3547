using CausalQL.Syntax;

namespace CausalQL.Core.Tests.Syntax;

public class TokenizerTests
{
    static (CqlToken Kind, string Text)[] Lex(string text) =>
        [.. CqlTokenizer.Tokenize(text).Select(t => (t.Kind, t.ToStringValue()))];

    [Theory]
    [InlineData("x'", CqlToken.Identifier)]
    [InlineData("x''", CqlToken.Identifier)]
    [InlineData("smoking_status", CqlToken.Identifier)]
    [InlineData("αβ", CqlToken.Identifier)]
    [InlineData("\"blood pressure\"", CqlToken.String)]
    [InlineData("\"a \\\" b\"", CqlToken.String)]
    [InlineData("`x y`", CqlToken.BacktickName)]
    [InlineData("2s", CqlToken.Duration)]
    [InlineData("500ms", CqlToken.Duration)]
    [InlineData("1.5min", CqlToken.Duration)]
    [InlineData("1e-5", CqlToken.Number)]
    [InlineData(".3", CqlToken.Number)]
    [InlineData("<->", CqlToken.BiArrow)]
    [InlineData("-->", CqlToken.LongArrow)]
    [InlineData("=>", CqlToken.FatArrow)]
    [InlineData("--", CqlToken.UndirectedEdge)]
    [InlineData(":=", CqlToken.ColonEquals)]
    [InlineData("...", CqlToken.Ellipsis)]
    [InlineData("\"open", CqlToken.UnterminatedString)]
    [InlineData("/* open", CqlToken.UnterminatedComment)]
    [InlineData("\uFFFD", CqlToken.Invalid)]
    public void Single_tokens(string text, CqlToken kind) => Assert.Equal([(kind, text)], Lex(text));

    [Fact]
    public void Underscore_brace_opens_a_subscript()
    {
        Assert.Equal(
            [(CqlToken.Identifier, "Y"), (CqlToken.SubscriptOpen, "_{"), (CqlToken.Identifier, "X"), (CqlToken.Equals, "="),
             (CqlToken.Number, "1"), (CqlToken.RBrace, "}")],
            Lex("Y_{X=1}"));
    }

    [Fact]
    public void Newlines_are_tokens_comments_and_spaces_are_not()
    {
        Assert.Equal(
            [(CqlToken.Identifier, "a"), (CqlToken.Newline, "\n"), (CqlToken.Identifier, "b"), (CqlToken.Identifier, "c")],
            Lex("a // note\r\n  b /* x\ny */ c"));
    }

    [Fact]
    public void A_unit_glued_to_a_name_is_not_a_duration() =>
        Assert.Equal([(CqlToken.Number, "2"), (CqlToken.Identifier, "sx")], Lex("2sx"));

    [Fact]
    public void Fast_path_agrees_with_the_superpower_tokenizer()
    {
        var random = new Random(11);
        const string alphabet = "ab_'\"`{}()[]<->=!:;,.|~^*/+ \n\t0123456789eEsmh\uFFFD/*é";
        for (var i = 0; i < 2000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 60)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var fast = CqlTokenizer.Tokenize(text);
            var viaSuperpower = CqlTokenizer.Instance.TryTokenize(text);
            Assert.True(viaSuperpower.HasValue);
            Assert.Equal(
                viaSuperpower.Value.Select(t => (t.Kind, t.Span.Position.Absolute, t.Span.Position.Line, t.Span.Position.Column, t.Span.Length)),
                fast.Select(t => (t.Kind, t.Span.Position.Absolute, t.Span.Position.Line, t.Span.Position.Column, t.Span.Length)));
        }
    }
}
