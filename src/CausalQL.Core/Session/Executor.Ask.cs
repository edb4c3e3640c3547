using System.Collections.Immutable;
using System.Text.Json.Nodes;
using CausalQL.Binding;
using CausalQL.Text;

namespace CausalQL.Sessions;

public static partial class Executor
{
    internal const string NoTranslatorMessage =
        "ask needs a natural-language translator, and none is configured here; the command line (cql run, cql repl) " +
        "uses an OpenAI-compatible model set by $CQL_LLM_CONFIG (a JSON file with endpoint, model, apiKeyVariable) " +
        "or the default local Ollama endpoint; or translate first with 'cql ask \"...\" --context FILE --no-run'";

    /// <summary>
    /// <c>ask "question"</c>: the translator port turns the question into CausalQL checked against the symbols in scope;
    /// the query and its reading come first, then the translated statements run in this session through the normal
    /// passes. Their results and diagnostics are placed at the ask statement, since their own positions are in the
    /// translation, not the script. A failed or declined translation runs nothing.
    /// </summary>
    public static (ImmutableArray<RunEntry> Entries, SymbolTable Symbols) Ask(AskStatement ask, SymbolTable scope, SessionPorts ports)
    {
        if (ports.Translator is null)
            return ([new DiagnosticEntry(Diagnostic.Error(ask.Location, NoTranslatorMessage))], scope);

        var translation = ports.Translator.Translate(ask.Question, scope, ports.Cancellation);
        if (translation.Query is null || translation.Reading is null)
        {
            var message = $"ask: {translation.Error ?? "the translator gave no query"}; nothing was run";
            if (translation.Problems.Count > 0) message += " (" + string.Join("; ", translation.Problems.Take(3)) + ")";
            return ([new DiagnosticEntry(Diagnostic.Error(ask.Location, message))], scope);
        }

        var run = ports.ConfirmAsk?.Confirm(translation.Query, translation.Reading) ?? true;
        var lines = translation.Query.Split('\n');
        var text = $"query:   {lines[0]}" + string.Concat(lines.Skip(1).Select(l => $"\n         {l}")) + $"\nreading: {translation.Reading}"
            + (run ? "" : "\nnot run");
        var entries = ImmutableArray.CreateBuilder<RunEntry>();
        entries.Add(new ResultEntry(StatementResult.Create("ask", text, ask.Location, new JsonObject
        {
            ["question"] = ask.Question,
            ["query"] = translation.Query,
            ["reading"] = translation.Reading,
            ["ran"] = run,
        })));
        if (!run) return (entries.ToImmutable(), scope);

        var source = new SourceText(translation.Query, "<ask>");
        var (translated, after) = Compilation.Run(source, scope, ports);
        foreach (var entry in translated)
        {
            entries.Add(entry switch
            {
                ResultEntry r => new ResultEntry(r.Result with { Location = ask.Location }),
                DiagnosticEntry d => new DiagnosticEntry(d.Diagnostic with
                {
                    Location = ask.Location,
                    Message = $"in the translated query at line {d.Diagnostic.Location.Line}, column {d.Diagnostic.Location.Column}: {d.Diagnostic.Message}",
                }),
                _ => entry,
            });
        }
        return (entries.ToImmutable(), after);
    }
}
