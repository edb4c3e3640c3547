using System.Collections.Immutable;
using CausalQL.Binding;
using CausalQL.Sessions;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Llm;

public enum TranslationStatus
{
    /// <summary>The model's CausalQL parsed and bound cleanly in the user's context.</summary>
    Translated,
    EmptyQuestion,
    QuestionTooLong,
    /// <summary>The model's output would read or write files or declare data: refused, nothing runs.</summary>
    Refused,
    /// <summary>The question needs variables that are not in scope; they are reported, never invented.</summary>
    NotInScope,
    /// <summary>The model's output still had errors after the last repair round.</summary>
    RepairBudgetExhausted,
    /// <summary>The model could not be reached, timed out or answered with an HTTP error.</summary>
    ModelFailed,
}

/// <summary>
/// The outcome of one translation. <see cref="Query"/> is the canonical CausalQL (printed by <see cref="CqlPrinter"/>)
/// and <see cref="Reading"/> its plain-English reading; both are set only when <see cref="Status"/> is Translated.
/// <see cref="Diagnostics"/> are those of the model's last attempt, positioned in <see cref="LastReply"/>.
/// </summary>
public sealed record Translation(
    TranslationStatus Status,
    string? Query,
    string? Reading,
    ImmutableArray<Diagnostic> Diagnostics,
    ImmutableArray<string> MissingVariables,
    string? Error,
    int Attempts,
    string? LastReply)
{
    public bool Succeeded => Status == TranslationStatus.Translated;
}

/// <summary>What the user has declared, against which the model's query is bound.</summary>
public sealed record TranslationContext(SymbolTable Symbols, SessionPorts Ports, ScopeCard.ColumnLookup? Columns = null)
{
    public static readonly TranslationContext Empty = new(SymbolTable.Empty, SessionPorts.None);

    /// <summary>Binds a context script (declarations only run nothing) and returns the context plus the script's diagnostics.</summary>
    public static (TranslationContext Context, ImmutableArray<Diagnostic> Diagnostics) FromScript(SourceText script, SessionPorts? ports = null)
    {
        ports ??= SessionPorts.None;
        var parsed = CqlParser.Parse(script);
        var (entries, symbols) = Compilation.Execute(parsed.Script, script, SymbolTable.Empty, ports, execute: false);
        var diagnostics = parsed.Diagnostics.AddRange(entries.OfType<DiagnosticEntry>().Select(e => e.Diagnostic));
        return (new TranslationContext(symbols, ports), diagnostics);
    }
}

/// <summary>
/// Natural language to checked CausalQL. The model's reply is extracted, parsed, screened (no file or data access,
/// no invented variables) and bound in the user's context; any diagnostics go back to the model for at most
/// <see cref="LlmOptions.MaxRepairRounds"/> repair rounds. Nothing is run here.
/// </summary>
public sealed class Translator(IChatModel model, LlmOptions options, string? grammarCard = null)
{
    public const string ReplyFileName = "<translation>";

    readonly string _grammarCard = grammarCard ?? GrammarCard.Embedded;

    public async Task<Translation> TranslateAsync(string question, TranslationContext context, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(question))
            return Fail(TranslationStatus.EmptyQuestion, "the question is empty; ask something like \"does smoking cause cancer?\"", 0);
        if (question.Length > options.MaxQuestionLength)
            return Fail(TranslationStatus.QuestionTooLong,
                $"the question is {question.Length:N0} characters long; the limit is {options.MaxQuestionLength:N0}", 0);

        var scopeVariables = ScopeCard.Variables(context.Symbols);
        var declarationsAllowed = !context.Symbols.Symbols.Values.Any(s => s is GraphSymbol or ModelSymbol or ScmSymbol);
        var conversation = new List<ChatTurn>
        {
            new(ChatRole.System, Prompt.System(_grammarCard)),
            new(ChatRole.User, Prompt.User(ScopeCard.Describe(context.Symbols, context.Columns), question)),
        };

        ImmutableArray<Diagnostic> lastDiagnostics = [];
        ImmutableArray<string> lastUnknown = [];
        string? reply = null;
        var attempts = 0;
        for (var round = 0; round <= options.MaxRepairRounds; round++)
        {
            attempts++;
            try
            {
                reply = await model.CompleteAsync(conversation, cancellationToken).ConfigureAwait(false);
            }
            catch (LlmException e)
            {
                return Fail(TranslationStatus.ModelFailed, e.Message, attempts) with { Diagnostics = lastDiagnostics, LastReply = reply };
            }
            conversation.Add(new ChatTurn(ChatRole.Assistant, reply));

            if (ReplyExtractor.Extract(reply) is ExtractedMissing missing)
            {
                var names = missing.Names.Where(n => !scopeVariables.Contains(n)).ToImmutableArray();
                return Fail(TranslationStatus.NotInScope, NotInScopeMessage(names, scopeVariables), attempts)
                    with { MissingVariables = names, LastReply = reply };
            }

            var code = ((ExtractedCode)ReplyExtractor.Extract(reply)).Code;
            var source = new SourceText(code, ReplyFileName);
            var parsed = CqlParser.Parse(source);
            var refusals = TranslationGuard.Refusals(parsed.Script, declarationsAllowed);
            if (refusals.Count > 0)
                return Fail(TranslationStatus.Refused, "refused: " + string.Join("; ", refusals.Select(r => r.Message)), attempts)
                    with { LastReply = reply };

            var problems = new List<string>();
            var diagnostics = parsed.Diagnostics;
            if (parsed.Script.Statements.IsEmpty && !parsed.HasErrors)
                diagnostics = diagnostics.Add(Diagnostic.Error(source.Location(new TextSpan(0, 0)), "the reply contains no CausalQL statement"));
            var unknown = TranslationGuard.UnknownVariables(parsed.Script, scopeVariables).ToImmutableArray();
            if (!parsed.Script.Statements.IsEmpty)
            {
                var (entries, _) = Compilation.Execute(parsed.Script, source, context.Symbols, context.Ports, execute: false);
                diagnostics = diagnostics.AddRange(entries.OfType<DiagnosticEntry>().Select(e => e.Diagnostic));
            }
            lastDiagnostics = diagnostics;
            lastUnknown = unknown;
            if (!diagnostics.Any(d => d.IsError) && unknown.IsEmpty)
            {
                return new Translation(TranslationStatus.Translated, CqlPrinter.Print(parsed.Script).TrimEnd(),
                    QueryReading.Describe(parsed.Script), diagnostics, [], null, attempts, reply);
            }

            problems.AddRange(diagnostics.Where(d => d.IsError).Select(d => Render(d, source)));
            if (!unknown.IsEmpty)
                problems.Add($"not in scope: {string.Join(", ", unknown)} (use only the variables in scope, or reply `missing: ...`)");
            conversation.Add(new ChatTurn(ChatRole.User, Prompt.Repair(problems, string.Join(", ", scopeVariables.Order(StringComparer.Ordinal)))));
        }

        if (!lastUnknown.IsEmpty && lastDiagnostics.All(d => !d.IsError || lastUnknown.Any(u => d.Message.Contains($"'{u}'"))))
            return Fail(TranslationStatus.NotInScope, NotInScopeMessage(lastUnknown, scopeVariables), attempts)
                with { MissingVariables = lastUnknown, Diagnostics = lastDiagnostics, LastReply = reply };
        var first = lastDiagnostics.FirstOrDefault(d => d.IsError);
        var summary = first is not null ? $"; first: {first}" : lastUnknown.IsEmpty ? "" : $"; not in scope: {string.Join(", ", lastUnknown)}";
        return Fail(TranslationStatus.RepairBudgetExhausted,
            $"the model's CausalQL still had errors after {options.MaxRepairRounds} repair round{(options.MaxRepairRounds == 1 ? "" : "s")} " +
            $"({attempts} attempts){summary}", attempts)
            with { Diagnostics = lastDiagnostics, MissingVariables = lastUnknown, LastReply = reply };
    }

    static string NotInScopeMessage(IReadOnlyList<string> names, IReadOnlySet<string> scope) =>
        names.Count == 0
            ? "the model says the question needs variables that are not in scope"
            : $"the question needs {(names.Count == 1 ? "a variable" : "variables")} not in scope: {string.Join(", ", names)}" +
              (scope.Count > 0 ? $" (in scope: {string.Join(", ", scope.Order(StringComparer.Ordinal))})" : " (nothing is declared)");

    static string Render(Diagnostic d, SourceText source)
    {
        var line = source.Line(d.Location.Line).Trim();
        return $"line {d.Location.Line}, column {d.Location.Column}: {d.Message}" + (line.Length > 0 ? $"  [in: {line}]" : "");
    }

    static Translation Fail(TranslationStatus status, string error, int attempts) =>
        new(status, null, null, [], [], error, attempts, null);
}
