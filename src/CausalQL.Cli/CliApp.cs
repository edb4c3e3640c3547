using System.Reflection;
using System.Text.Json.Nodes;
using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Cli;

/// <summary>Exit codes: what a shell script calling `cql` can rely on.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The script has errors (or could not be read as UTF-8, or something unexpected happened).</summary>
    public const int ScriptErrors = 1;
    /// <summary>The command line is wrong: unknown command or option, missing or non-existent file.</summary>
    public const int BadCommandLine = 2;
}

/// <summary>The standard streams, passed in so tests can run commands in-process. <paramref name="OutputIsTerminal"/>: both
/// output streams are a terminal, so progress bars may be drawn (never when either is piped or redirected).</summary>
/// <param name="ProgressDelay">How long a task runs before it gets a bar; tests shorten it so that they do not depend on the machine's speed.</param>
public sealed record CliStreams(TextReader In, TextWriter Out, TextWriter Error, bool InputIsTerminal = false, bool OutputIsTerminal = false, TimeSpan? ProgressDelay = null);

/// <summary>`cql`: argument parsing and the commands. Thin: the work happens in Core's <see cref="Session"/>.</summary>
public static class CliApp
{
    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public const string Usage = """
        cql — the CausalQL command line

        usage:
          cql run FILE.cql [--json]     run every statement in order and print the results
                                        (--json: one JSON object per line, each with a "kind")
          cql check FILE.cql            parse and bind only: report errors, run nothing
          cql fmt FILE.cql [--write]    print the script in canonical form (--write: rewrite the file)
          cql repl                      an interactive session (:help inside for its commands)
          cql conformance FILE.jsonl [--json]
                                        identification conformance cases: a line per failure, then a summary
          cql bench cladder FILE.jsonl [--emit DIR] [--json] [--known FILE]
                                        run the CausalQL script written for each CLadder record and compare
                                        with the gold ('cql bench --help' for details)
          cql --help | --version

        FILE may be '-' to read the script from standard input.
        exit codes: 0 ok, 1 errors in the script, 2 bad command line
        """;

    public static int Run(string[] args, CliStreams io)
    {
        if (args.Length == 0)
        {
            io.Error.WriteLine("cql: missing command");
            io.Error.WriteLine(Usage);
            return ExitCodes.BadCommandLine;
        }
        var command = args[0];
        var rest = args[1..];
        switch (command)
        {
            case "--help" or "-h" or "help":
                io.Out.WriteLine(Usage);
                io.Out.WriteLine(Commands.LlmCommands.Usage); // ask, eval-nl, serve, mcp
                return ExitCodes.Ok;
            case "--version" or "version":
                io.Out.WriteLine($"cql {Version}");
                return ExitCodes.Ok;
            case "run":
                return WithFile(rest, ["--json"], io, (source, flags) => RunScript(source, flags.Contains("--json"), io));
            case "check":
                return WithFile(rest, ["--json"], io, (source, flags) => CheckScript(source, flags.Contains("--json"), io));
            case "fmt":
                return WithFile(rest, ["--write"], io, (source, flags) => Formatter.Format(source, flags.Contains("--write"), io));
            case "repl":
                if (rest.Length > 0) return BadUsage(io, $"'repl' takes no arguments, found '{rest[0]}'");
                var confirmation = new ReplAskConfirmation(io);
                var loop = new ReplLoop(new Session(CliPorts.Create() with { ConfirmAsk = confirmation }), io);
                confirmation.ReadAnswer = loop.ReadAnswer;
                return loop.Run();
            case "ask": return Commands.LlmCommands.Ask(rest, io);
            case "eval-nl": return Commands.LlmCommands.EvalNl(rest, io);
            case "serve": return Commands.LlmCommands.Serve(rest, io);
            case "mcp": return Commands.LlmCommands.Mcp(rest, io);
            case "conformance":
                return Commands.ConformanceCommand.Run(rest, io);
            case "bench":
                return Commands.CladderBenchCommand.Run(rest, io);
            default:
                return BadUsage(io, $"unknown command '{command}'" + (command.StartsWith('-') ? "" : "; expected run, check, fmt, repl, conformance, bench, ask, eval-nl, serve or mcp"));
        }
    }

    static int BadUsage(CliStreams io, string message)
    {
        io.Error.WriteLine($"cql: {message}");
        io.Error.WriteLine("run 'cql --help' for usage");
        return ExitCodes.BadCommandLine;
    }

    /// <summary>Parses `FILE [flags]`, reads the file strictly as UTF-8 and hands it on.</summary>
    static int WithFile(string[] args, string[] allowedFlags, CliStreams io, Func<SourceText, HashSet<string>, int> action)
    {
        var flags = new HashSet<string>(StringComparer.Ordinal);
        string? file = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--"))
            {
                if (!allowedFlags.Contains(arg)) return BadUsage(io, $"unknown option '{arg}'");
                flags.Add(arg);
            }
            else if (file is null) file = arg;
            else return BadUsage(io, $"expected one file, found a second: '{arg}'");
        }
        if (file is null) return BadUsage(io, "missing FILE.cql");
        var source = Load(file, io, out var exitCode);
        if (source is null) return exitCode;
        if (string.IsNullOrWhiteSpace(source.Text))
        {
            // Almost always a wrong or truncated file; saying so beats silently succeeding.
            io.Error.WriteLine($"{source.FileName}:1:1: error: {source.FileName} is empty: there is nothing to run");
            return ExitCodes.ScriptErrors;
        }
        return action(source, flags);
    }

    /// <summary>The script as a <see cref="SourceText"/>, or null after printing why it could not be read.</summary>
    public static SourceText? Load(string file, CliStreams io, out int exitCode)
    {
        SourceFiles.ReadResult read;
        if (file == "-")
        {
            var text = io.In.ReadToEnd();
            read = new SourceFiles.Read(text);
            file = "<stdin>";
        }
        else read = SourceFiles.ReadUtf8(file);
        switch (read)
        {
            case SourceFiles.Read r:
                exitCode = ExitCodes.Ok;
                return new SourceText(r.Text, file);
            case SourceFiles.NotFound n:
                io.Error.WriteLine($"cql: {n.Message}");
                exitCode = ExitCodes.BadCommandLine;
                return null;
            case SourceFiles.Unreadable u:
                io.Error.WriteLine($"cql: error: {u.Message}");
                exitCode = ExitCodes.ScriptErrors;
                return null;
            default:
                throw new System.Diagnostics.UnreachableException();
        }
    }

    static int RunScript(SourceText source, bool json, CliStreams io)
    {
        // Each statement's results are printed as soon as it finishes, so a long script shows its progress.
        var ports = CliPorts.Create() with { Finished = entry => PrintEntry(entry, source, json, io) };
        // Bars only for a person watching a terminal: never with --json, never into a pipe or file.
        var result = Interrupt.During(cancel => io.OutputIsTerminal && !json
            ? TerminalProgress.Run(io.Error, progress => new Session(ports with { Progress = progress }).Run(source, cancel), io.ProgressDelay)
            : new Session(ports).Run(source, cancel));
        io.Out.Flush();
        io.Error.Flush();
        return result.HasErrors ? ExitCodes.ScriptErrors : ExitCodes.Ok;
    }

    static int CheckScript(SourceText source, bool json, CliStreams io)
    {
        var session = new Session(CliPorts.Create());
        var result = session.Check(source);
        Print(result, json, io);
        var errors = result.Diagnostics.Count(d => d.IsError);
        if (!json) io.Error.WriteLine(errors == 0 ? $"{source.FileName}: no errors" : $"{source.FileName}: {errors} error{(errors == 1 ? "" : "s")}");
        return errors > 0 ? ExitCodes.ScriptErrors : ExitCodes.Ok;
    }

    /// <summary>Results to standard output, diagnostics (with source line and caret) to standard error, in the order they happened.</summary>
    public static void Print(RunResult result, bool json, CliStreams io)
    {
        foreach (var entry in result.Entries) PrintEntry(entry, result.Source, json, io);
        io.Out.Flush();
        io.Error.Flush();
    }

    static void PrintEntry(RunEntry entry, SourceText source, bool json, CliStreams io)
    {
        switch (entry)
        {
            case ResultEntry r when json:
                io.Out.WriteLine(r.Result.JsonLine);
                break;
            case ResultEntry r:
                io.Out.WriteLine(r.Result.Text);
                break;
            case DiagnosticEntry d:
                if (json) io.Out.WriteLine(DiagnosticJson(d.Diagnostic));
                io.Error.Write(d.Diagnostic.Render(source));
                break;
        }
        // Out and error interleave in the order things happened, also when both go to one pipe.
        io.Out.Flush();
        io.Error.Flush();
    }

    public static string DiagnosticJson(Diagnostic d) => new JsonObject
    {
        ["kind"] = "diagnostic",
        ["severity"] = d.Severity.ToString().ToLowerInvariant(),
        ["file"] = d.Location.File,
        ["line"] = d.Location.Line,
        ["column"] = d.Location.Column,
        ["message"] = d.Message,
    }.ToJsonString();
}
