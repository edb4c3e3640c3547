using CausalQL.Binding;
using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Llm;

/// <summary>
/// The session's <see cref="INlTranslator"/> port over <see cref="Translator"/>: script-level <c>ask "..."</c> is translated
/// against the session's symbols exactly as <c>cql ask</c> translates against its context. Bound with the session's
/// own ports so data columns and file checks see what the script sees.
/// </summary>
public sealed class SessionTranslator(LlmOptions options, SessionPorts ports) : INlTranslator, IDisposable
{
    readonly Lazy<SemanticKernelChatModel> _model = new(() => new SemanticKernelChatModel(options));

    public NlTranslation Translate(string question, SymbolTable scope, CancellationToken cancellationToken)
    {
        var context = new TranslationContext(scope, ports);
        // The command line's session is synchronous (one user, one run); the server translates asynchronously instead.
        var translation = new Translator(_model.Value, options).TranslateAsync(question, context, cancellationToken).GetAwaiter().GetResult();
        return ToNlTranslation(translation);
    }

    /// <summary>A translator's outcome as the session's ask statement reports it (problems quoted from the model's reply).</summary>
    public static NlTranslation ToNlTranslation(Translation translation)
    {
        if (translation.Succeeded) return NlTranslation.Success(translation.Query!, translation.Reading!);
        var reply = translation.LastReply is { } r && ReplyExtractor.Extract(r) is ExtractedCode c ? c.Code : translation.LastReply ?? "";
        var source = new SourceText(reply, Translator.ReplyFileName);
        var problems = translation.Diagnostics.Where(d => d.IsError)
            .Select(d => $"line {d.Location.Line}, column {d.Location.Column}: {d.Message} [in: {source.Line(d.Location.Line).Trim()}]")
            .ToList();
        return NlTranslation.Failure(translation.Error ?? $"translation failed ({translation.Status})", problems);
    }

    public void Dispose()
    {
        if (_model.IsValueCreated) _model.Value.Dispose();
    }
}

/// <summary>A translator port that only reports why none could be configured (e.g. an unreadable $CQL_LLM_CONFIG).</summary>
public sealed class UnconfiguredTranslator(string reason) : INlTranslator
{
    public NlTranslation Translate(string question, SymbolTable scope, CancellationToken cancellationToken) =>
        NlTranslation.Failure($"the language model is not configured: {reason}");
}
