using CausalQL.Llm;
using CausalQL.Llm.Eval;
using CausalQL.Llm.Tools;
using CausalQL.Server;
using CausalQL.Sessions;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Cli.Commands;

/// <summary>
/// The commands that talk to a language model or serve other programs: `cql ask`, `cql eval-nl`, `cql serve`,
/// `cql mcp`. Each takes the arguments after its command word and returns an exit code (0 ok, 1 failure, 2 bad
/// command line). The work lives in CausalQL.Llm and CausalQL.Server; these are the command-line faces.
/// </summary>
public static class LlmCommands
{
    public const string Usage = """
          cql ask "QUESTION" [--context FILE.cql] [--no-run] [--json] [LLM options]
                                        natural language to checked CausalQL: prints the query and a plain
                                        reading, then runs it (--no-run: only print)
          cql eval-nl FILE.jsonl [--limit N] [LLM options]
                                        the translator over CLadder-format records, scored per query type
          cql serve [--urls URL] [--data-root DIR]... [--timeout SEC] [--max-request-bytes N] [LLM options]
                                        the HTTP API (see docs/API.md)
          cql mcp [--data-root DIR]... [--timeout SEC] [LLM options]
                                        a Model Context Protocol server on standard input/output
        LLM options:
        """ + "\n" + LlmArgs.Help;

    // ------------------------------------------------------------------ ask

    public static int Ask(string[] args, CliStreams io)
    {
        var (options, rest, error) = LlmArgs.Parse(args);
        if (options is null) return BadUsage(io, error!);
        string? question = null, contextFile = null;
        bool noRun = false, json = false;
        for (var i = 0; i < rest.Count; i++)
        {
            switch (rest[i])
            {
                case "--context" when i + 1 < rest.Count: contextFile = rest[++i]; break;
                case "--context": return BadUsage(io, "option '--context' needs a file");
                case "--no-run": noRun = true; break;
                case "--json": json = true; break;
                case var a when a.StartsWith("--"): return BadUsage(io, $"unknown option '{a}'");
                case var a when question is null: question = a; break;
                default: return BadUsage(io, $"expected one question (in quotes), found a second: '{rest[i]}'");
            }
        }
        if (question is null) return BadUsage(io, "missing the question, e.g. cql ask \"does smoking cause cancer?\" --context smoking.cql");

        var ports = CliPorts.Create();
        var context = TranslationContext.Empty with { Ports = ports };
        SourceText? contextSource = null;
        if (contextFile is not null)
        {
            contextSource = CliApp.Load(contextFile, io, out var loadCode);
            if (contextSource is null) return loadCode;
            var (bound, diagnostics) = TranslationContext.FromScript(contextSource, ports);
            if (diagnostics.Any(d => d.IsError))
            {
                foreach (var d in diagnostics) io.Error.Write(d.Render(contextSource));
                io.Error.WriteLine("cql ask: the context has errors; fix them first");
                return ExitCodes.ScriptErrors;
            }
            context = bound;
        }

        using var model = new SemanticKernelChatModel(options);
        var translation = new Translator(model, options).TranslateAsync(question, context).GetAwaiter().GetResult();
        if (!translation.Succeeded)
        {
            io.Error.WriteLine($"cql ask: {translation.Error}");
            if (translation.LastReply is { } reply && translation.Diagnostics.Any(d => d.IsError))
            {
                var code = ReplyExtractor.Extract(reply) is ExtractedCode c ? c.Code : reply;
                var source = new SourceText(code, Translator.ReplyFileName);
                foreach (var d in translation.Diagnostics.Where(d => d.IsError).Take(5)) io.Error.Write(d.Render(source));
            }
            return ExitCodes.ScriptErrors;
        }

        // What will run, shown before anything runs.
        var lines = translation.Query!.Split('\n');
        io.Out.WriteLine($"query:   {lines[0]}");
        foreach (var line in lines.Skip(1)) io.Out.WriteLine($"         {line}");
        io.Out.WriteLine($"reading: {translation.Reading}");
        if (noRun) return ExitCodes.Ok;
        io.Out.WriteLine();

        var session = new Session(ports);
        if (contextSource is not null) session.Run(DeclarationsOf(contextSource), contextSource); // nothing printed
        var result = session.Run(new SourceText(translation.Query!, Translator.ReplyFileName));
        CliApp.Print(result, json, io);
        return result.HasErrors ? ExitCodes.ScriptErrors : ExitCodes.Ok;
    }

    /// <summary>The context's declarations and defaults only: its own queries and exports are not re-run by ask.</summary>
    static CausalQL.Syntax.ScriptSyntax DeclarationsOf(SourceText context)
    {
        var script = CausalQL.Syntax.CqlParser.Parse(context).Script;
        return script with
        {
            Statements = script.Statements.Where(s => s is CausalQL.Syntax.GraphDeclarationSyntax or CausalQL.Syntax.DataDeclarationSyntax
                or CausalQL.Syntax.ModelDeclarationSyntax or CausalQL.Syntax.ScmDeclarationSyntax or CausalQL.Syntax.UseStatementSyntax
                or CausalQL.Syntax.AssumeStatementSyntax).ToSeq(),
        };
    }

    // ------------------------------------------------------------------ eval-nl

    public static int EvalNl(string[] args, CliStreams io)
    {
        var (options, rest, error) = LlmArgs.Parse(args);
        if (options is null) return BadUsage(io, error!);
        string? file = null;
        int? limit = null;
        for (var i = 0; i < rest.Count; i++)
        {
            switch (rest[i])
            {
                case "--limit" when i + 1 < rest.Count && int.TryParse(rest[i + 1], out var n) && n > 0: limit = n; i++; break;
                case "--limit": return BadUsage(io, "option '--limit' needs a positive whole number");
                case var a when a.StartsWith("--"): return BadUsage(io, $"unknown option '{a}'");
                case var a when file is null: file = a; break;
                default: return BadUsage(io, $"expected one file, found a second: '{rest[i]}'");
            }
        }
        if (file is null) return BadUsage(io, "missing FILE.jsonl (CLadder format, e.g. shared/data/nl/cladder-dev.jsonl)");
        var source = CliApp.Load(file, io, out var loadCode);
        if (source is null) return loadCode;
        using var model = new SemanticKernelChatModel(options);
        return CladderEval.RunAll(source.Text, new Translator(model, options), limit, io.Out, io.Error);
    }

    // ------------------------------------------------------------------ serve and mcp

    public static int Serve(string[] args, CliStreams io) =>
        ServeCommand.RunAsync(args, io.Out, io.Error).GetAwaiter().GetResult();

    public static int Mcp(string[] args, CliStreams io) =>
        ServeCommand.RunMcpAsync(args, Console.OpenStandardInput(), Console.OpenStandardOutput(), io.Error).GetAwaiter().GetResult();

    static int BadUsage(CliStreams io, string message)
    {
        io.Error.WriteLine($"cql: {message}");
        io.Error.WriteLine("run 'cql --help' for usage");
        return ExitCodes.BadCommandLine;
    }
}
