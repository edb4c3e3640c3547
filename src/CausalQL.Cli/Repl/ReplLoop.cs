using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Cli;

/// <summary>
/// `cql repl`: read an input (several lines while a bracket is open), run it in the session, print
/// results and diagnostics (with a caret under the typed line), repeat. Declarations persist.
/// </summary>
public sealed class ReplLoop(Session session, CliStreams io, IReplInput? input = null)
{
    const string Help = """
        Type CausalQL statements; an input continues while a bracket is open.
          graph g { X -> Y; Z -> {X, Y} }     declare a graph
          use g                                make it the default
          adjustment sets for X -> Y           ask about it
        Commands:
          :help         this text
          :load FILE    run a script file in this session
          :names        list what has been declared
          :reset        forget every declaration
          :quit         leave (also Ctrl+D)
        """;

    int _inputNumber;

    /// <summary>The next input line as an answer (for `run it? [y/N]`); on a pipe it is simply the next line.</summary>
    public string? ReadAnswer() => input?.ReadLine(continuation: true);

    public int Run()
    {
        var completion = new ReplCompletion(() => session.Symbols.Names.Concat(session.Symbols.AllVariables));
        input ??= io.InputIsTerminal && TerminalInput.IsSupported ? new TerminalInput(completion) : new PlainInput(io.In);
        if (io.InputIsTerminal) io.Out.WriteLine($"CausalQL {CliApp.Version} — :help for help, :quit to leave");
        var buffer = new System.Text.StringBuilder();
        while (true)
        {
            var line = input.ReadLine(continuation: buffer.Length > 0);
            if (line is null)
            {
                // End of input with an unfinished statement: run it so its error is shown.
                if (buffer.Length > 0) Execute(buffer.ToString());
                return ExitCodes.Ok;
            }
            if (buffer.Length == 0 && line.TrimStart().StartsWith(':'))
            {
                input.AddHistory(line);
                if (!Command(line.Trim())) return ExitCodes.Ok;
                continue;
            }
            if (buffer.Length == 0 && string.IsNullOrWhiteSpace(line)) continue;
            buffer.Append(line).Append('\n');
            var text = buffer.ToString();
            if (!InputCompleteness.IsComplete(text)) continue;
            buffer.Clear();
            input.AddHistory(text.TrimEnd('\n'));
            Execute(text);
        }
    }

    void Execute(string text)
    {
        _inputNumber++;
        var source = new SourceText(text, "<repl>");
        var result = Interrupt.During(cancel => session.Run(source, cancel));
        // The confirmation already showed each ask's query and reading; don't print them twice.
        if (session.Ports.ConfirmAsk is not null)
            result = result with { Entries = [.. result.Entries.Where(e => e is not ResultEntry { Result.Kind: "ask" })] };
        CliApp.Print(result, json: false, io);
    }

    /// <summary>Runs a :command; false means leave.</summary>
    bool Command(string line)
    {
        var space = line.IndexOf(' ');
        var name = space < 0 ? line : line[..space];
        var argument = space < 0 ? "" : line[(space + 1)..].Trim();
        switch (name)
        {
            case ":quit" or ":q" or ":exit":
                return false;
            case ":help" or ":h" or ":?":
                io.Out.WriteLine(Help);
                break;
            case ":reset":
                session.Reset();
                io.Out.WriteLine("session reset: all declarations forgotten");
                break;
            case ":names":
                var names = session.Symbols.Symbols.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
                if (names.Count == 0) io.Out.WriteLine("nothing declared yet");
                foreach (var s in names) io.Out.WriteLine($"{s.KindWord} {s.Name}");
                break;
            case ":load":
                if (argument.Length == 0)
                {
                    io.Error.WriteLine("error: :load needs a file name, e.g. :load examples/smoking.cql");
                    break;
                }
                var path = argument.Trim('"');
                var source = CliApp.Load(path, io, out _);
                if (source is not null) CliApp.Print(Interrupt.During(cancel => session.Run(source, cancel)), json: false, io);
                break;
            default:
                io.Error.WriteLine($"error: unknown command '{name}'; type :help for the list");
                break;
        }
        io.Out.Flush();
        io.Error.Flush();
        return true;
    }
}

/// <summary>
/// The REPL's guard for `ask "..."`: shows the translated query and its reading and runs it only on "y"/"yes".
/// End of input or anything else declines, so nothing a model wrote runs unseen.
/// </summary>
public sealed class ReplAskConfirmation(CliStreams io) : IAskConfirmation
{
    public Func<string?>? ReadAnswer { get; set; }

    public bool Confirm(string query, string reading)
    {
        var lines = query.Split('\n');
        io.Out.WriteLine($"query:   {lines[0]}");
        foreach (var line in lines.Skip(1)) io.Out.WriteLine($"         {line}");
        io.Out.WriteLine($"reading: {reading}");
        io.Out.Write("run it? [y/N] ");
        io.Out.Flush();
        var answer = ReadAnswer?.Invoke()?.Trim();
        if (!io.InputIsTerminal) io.Out.WriteLine(answer ?? "");
        var run = answer is not null && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase));
        if (!run) io.Out.WriteLine("not run");
        return run;
    }
}
