using RadLine;
using Spectre.Console;

namespace CausalQL.Cli;

/// <summary>Where the REPL's lines come from: a terminal with line editing, or plain lines from a pipe.</summary>
public interface IReplInput
{
    /// <summary>The next line, or null at the end of input. <paramref name="continuation"/> asks for the "more" prompt.</summary>
    string? ReadLine(bool continuation);

    void AddHistory(string entry);
}

/// <summary>Plain lines with no prompt and no echo, for when standard input is not a terminal.</summary>
public sealed class PlainInput(TextReader reader) : IReplInput
{
    public string? ReadLine(bool continuation) => reader.ReadLine();
    public void AddHistory(string entry) { }
}

/// <summary>A terminal: RadLine's line editor gives cursor movement, history (up/down) and tab completion.</summary>
public sealed class TerminalInput : IReplInput
{
    // Two editors (RadLine's prompt is set once), sharing one history so up-arrow recalls whole inputs.
    readonly LineEditor _first, _more;

    public TerminalInput(ITextCompletion completion)
    {
        _first = new LineEditor { MultiLine = false, Completion = completion, Prompt = new LineEditorPrompt("[blue]cql>[/]", "[grey]...>[/]") };
        _more = new LineEditor { MultiLine = false, Completion = completion, Prompt = new LineEditorPrompt("[grey]...>[/]", "[grey]...>[/]") };
    }

    public static bool IsSupported => LineEditor.IsSupported(AnsiConsole.Console);

    public string? ReadLine(bool continuation) =>
        (continuation ? _more : _first).ReadLine(CancellationToken.None).GetAwaiter().GetResult();

    public void AddHistory(string entry) => _first.History.Add(entry);
}

/// <summary>Tab completion: the language's keywords, the REPL's commands, and every name the session has declared.</summary>
public sealed class ReplCompletion(Func<IEnumerable<string>> declaredNames) : ITextCompletion
{
    public static readonly string[] Keywords =
    [
        "graph", "dag", "dagitty", "data", "csv", "parquet", "sql", "sample", "model", "on", "scm",
        "identify", "estimate", "in", "using", "with", "explain", "verify", "adjustment", "sets", "for",
        "minimal", "all", "optimal", "canonical", "instruments", "implications", "of", "check", "against",
        "show", "as", "export", "to", "use", "assume", "refute", "plot", "ask", "do", "P", "E",
        "ATE", "ETT", "NDE", "NIE", "CDE", "TE", "PN", "PS", "PNS", "latent", "exposure", "outcome", "adjusted",
        "dot", "json", "text", "svg", "png", "monotonicity", "linear", "bootstrap", "balance",
    ];

    public static readonly string[] Commands = [":help", ":load", ":reset", ":quit", ":names"];

    public IEnumerable<string> GetCompletions(string context, string word, string suffix) =>
        Complete(context, word);

    public IEnumerable<string> Complete(string context, string word)
    {
        IEnumerable<string> pool = context.Trim().Length == 0 && word.StartsWith(':')
            ? Commands
            : Keywords.Concat(declaredNames());
        return pool.Where(k => k.StartsWith(word, StringComparison.Ordinal) && k != word)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(k => k, StringComparer.Ordinal)
            .ToList();
    }
}
