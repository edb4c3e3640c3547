namespace CausalQL.Cli;

/// <summary>
/// Whether typed text is a whole input or still inside an open bracket: the REPL keeps reading
/// lines while (, [ or { is open, as a script's statement continues while a bracket is open.
/// Strings and comments are skipped; extra closing brackets count as complete (the parser reports them).
/// </summary>
public static class InputCompleteness
{
    public static bool IsComplete(string text) => OpenBrackets(text) <= 0;

    public static int OpenBrackets(string text)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '(' or '[' or '{': depth++; break;
                case ')' or ']' or '}': depth--; break;
                case '"':
                    // A string ends at its closing quote or, unterminated, at the end of the line.
                    for (i++; i < text.Length && text[i] != '"' && text[i] != '\n'; i++)
                        if (text[i] == '\\') i++;
                    break;
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    while (i < text.Length && text[i] != '\n') i++;
                    break;
                case '/' when i + 1 < text.Length && text[i + 1] == '*':
                    var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    // An open block comment keeps the input open too.
                    if (end < 0) return Math.Max(depth, 0) + 1;
                    i = end + 1;
                    break;
            }
        }
        return depth;
    }
}
