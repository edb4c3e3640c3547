using System.Text;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Cli;

/// <summary>`cql fmt`: the script printed in canonical form by Core's printer.</summary>
public static class Formatter
{
    public static int Format(SourceText source, bool write, CliStreams io)
    {
        var parsed = CqlParser.Parse(source);
        if (parsed.HasErrors)
        {
            // Formatting a script that does not parse would drop the broken statements.
            foreach (var d in parsed.Diagnostics) io.Error.Write(d.Render(source));
            io.Error.WriteLine($"cql: {source.FileName} has syntax errors; not formatted");
            return ExitCodes.ScriptErrors;
        }
        var formatted = CqlPrinter.Print(parsed.Script);
        if (!formatted.EndsWith('\n') && formatted.Length > 0) formatted += "\n";
        var comments = CountComments(source.Text);
        if (!write)
        {
            io.Out.Write(formatted);
            if (comments > 0) io.Error.WriteLine($"cql: note: the canonical form does not keep comments ({comments} in {source.FileName})");
            return ExitCodes.Ok;
        }
        if (source.FileName.StartsWith('<'))
        {
            io.Error.WriteLine("cql: --write needs a file, not standard input");
            return ExitCodes.BadCommandLine;
        }
        if (comments > 0)
        {
            // Rewriting would silently delete the author's comments; refuse instead.
            io.Error.WriteLine($"cql: error: not rewriting {source.FileName}: the canonical form does not keep comments, and it has {comments}");
            return ExitCodes.ScriptErrors;
        }
        if (formatted != source.Text) File.WriteAllText(source.FileName, formatted, new UTF8Encoding(false));
        io.Error.WriteLine(formatted == source.Text ? $"{source.FileName}: already formatted" : $"{source.FileName}: formatted");
        return ExitCodes.Ok;
    }

    /// <summary>Comments (// and /* */) outside strings.</summary>
    public static int CountComments(string text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '"':
                    for (i++; i < text.Length && text[i] != '"' && text[i] != '\n'; i++)
                        if (text[i] == '\\') i++;
                    break;
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    count++;
                    while (i < text.Length && text[i] != '\n') i++;
                    break;
                case '/' when i + 1 < text.Length && text[i + 1] == '*':
                    count++;
                    var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    i = end < 0 ? text.Length : end + 1;
                    break;
            }
        }
        return count;
    }
}
