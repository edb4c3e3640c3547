using Superpower.Display;

namespace CausalQL.Syntax;

/// <summary>Token kinds. Keywords are lexed as <see cref="Identifier"/> and recognised by the parser, so a variable
/// may share a keyword's spelling where that is unambiguous and errors read "expected 'in'" rather than
/// "unexpected keyword". The Example strings are what error messages show.</summary>
public enum CqlToken
{
    None,

    [Token(Category = "name", Description = "name")] Identifier,
    [Token(Category = "string", Description = "string")] String,
    [Token(Category = "name", Description = "`quoted name`")] BacktickName,
    [Token(Category = "number", Description = "number")] Number,
    [Token(Category = "duration", Description = "duration")] Duration,

    [Token(Category = "separator", Description = "end of line")] Newline,
    [Token(Category = "separator", Example = ";")] Semicolon,
    [Token(Category = "separator", Example = ",")] Comma,
    [Token(Category = "bracket", Example = "(")] LParen,
    [Token(Category = "bracket", Example = ")")] RParen,
    [Token(Category = "bracket", Example = "[")] LBracket,
    [Token(Category = "bracket", Example = "]")] RBracket,
    [Token(Category = "bracket", Example = "{")] LBrace,
    [Token(Category = "bracket", Example = "}")] RBrace,
    /// <summary><c>_{</c> opening a counterfactual subscript, as in <c>Y_{X=1}</c>.</summary>
    [Token(Category = "bracket", Example = "_{")] SubscriptOpen,

    [Token(Category = "arrow", Example = "->")] Arrow,
    [Token(Category = "arrow", Example = "<-")] ReverseArrow,
    [Token(Category = "arrow", Example = "<->")] BiArrow,
    [Token(Category = "arrow", Example = "--")] UndirectedEdge,
    /// <summary>Typos lexed on purpose so the error can say "found '-->'" instead of a puzzling split.</summary>
    [Token(Category = "arrow", Example = "-->")] LongArrow,
    [Token(Category = "arrow", Example = "=>")] FatArrow,

    [Token(Category = "operator", Example = "=")] Equals,
    [Token(Category = "operator", Example = "==")] DoubleEquals,
    [Token(Category = "operator", Example = "!=")] NotEquals,
    [Token(Category = "operator", Example = "<")] Less,
    [Token(Category = "operator", Example = "<=")] LessOrEqual,
    [Token(Category = "operator", Example = ">")] Greater,
    [Token(Category = "operator", Example = ">=")] GreaterOrEqual,
    [Token(Category = "operator", Example = "+")] Plus,
    [Token(Category = "operator", Example = "-")] Minus,
    [Token(Category = "operator", Example = "*")] Star,
    [Token(Category = "operator", Example = "/")] Slash,
    [Token(Category = "operator", Example = "^")] Caret,
    [Token(Category = "operator", Example = ":")] Colon,
    [Token(Category = "operator", Example = ":=")] ColonEquals,
    [Token(Category = "operator", Example = "~")] Tilde,
    [Token(Category = "operator", Example = "|")] Bar,
    [Token(Category = "punctuation", Example = "...")] Ellipsis,

    // Lexical errors are tokens, not tokenizer failures, so one bad character does not hide the rest of the file.
    [Token(Category = "error", Description = "unterminated string")] UnterminatedString,
    [Token(Category = "error", Description = "unterminated comment")] UnterminatedComment,
    [Token(Category = "error", Description = "invalid character")] Invalid,
}
