using CausalQL.Binding;

namespace CausalQL.Sessions;

/// <summary>
/// The outside world as a session sees it. Core does no I/O: the CLI, the server and tests pass
/// in what they allow. A null port means "not available here" and statements that need it say so.
/// <see cref="Cancellation"/> stops a run early (the server's time budget, Ctrl+C): the run checks it between
/// statements and the engines inside long loops; a cancelled run ends with one diagnostic, never an exception.
/// <see cref="TimeBudget"/>, when the cancellation is a time budget, is named in that diagnostic.
/// </summary>
public sealed record SessionPorts(
    IFileReader? Files = null, IOutputFiles? Output = null, IGraphDrawer? Drawer = null, IDataOpener? Data = null,
    INlTranslator? Translator = null, IAskConfirmation? ConfirmAsk = null, IPlotRenderer? Plotter = null, IProgressSink? Progress = null,
    CancellationToken Cancellation = default, TimeSpan? TimeBudget = null, Action<RunEntry>? Finished = null)
{
    public static readonly SessionPorts None = new();

    /// <summary>What a cancelled run reports, at the statement it stopped in.</summary>
    public string CancelledMessage => TimeBudget is { } budget
        ? $"the run was cancelled after the time budget of {budget.TotalSeconds:0.###} s; this statement and the ones after it did not finish"
        : "the run was cancelled; this statement and the ones after it did not finish";
}

/// <summary>Writes files a script asks for (<c>export g as dot to "g.dot"</c>); paths resolve like <see cref="IFileReader"/>'s.</summary>
public interface IOutputFiles
{
    /// <summary>Null on success, else why it failed.</summary>
    string? Write(string path, string relativeTo, string content);
}

/// <summary>Draws a graph given as DOT (e.g. with Graphviz) for <c>show g as svg|png</c>.</summary>
public interface IGraphDrawer
{
    DrawResult Draw(string dot, string format, string fileName, string relativeTo);
}

/// <summary>Where the drawing was written, or why there is none.</summary>
public sealed record DrawResult(string? Path, string? Error);

/// <summary>
/// Natural language to checked CausalQL for <c>ask "..."</c>. Implemented outside Core (CausalQL.Llm talks to a model);
/// the translation is parsed, screened and bound against <c>scope</c> there, and nothing is run by the translator.
/// </summary>
public interface INlTranslator
{
    NlTranslation Translate(string question, SymbolTable scope, CancellationToken cancellationToken);
}

/// <summary>
/// A translation: on success the canonical CausalQL <see cref="Query"/> and its plain-English <see cref="Reading"/>;
/// otherwise <see cref="Error"/> says why (refused, not in scope, model unreachable) and <see cref="Problems"/>
/// lists the last attempt's errors, already rendered as text (they are positioned in the model's reply, not the script).
/// </summary>
public sealed record NlTranslation(string? Query, string? Reading, string? Error, IReadOnlyList<string> Problems)
{
    public static NlTranslation Success(string query, string reading) => new(query, reading, null, []);
    public static NlTranslation Failure(string error, IReadOnlyList<string>? problems = null) => new(null, null, error, problems ?? []);
}

/// <summary>Asks the user whether a translated query may run (the REPL's <c>run it? [y/N]</c>); absent means run.</summary>
public interface IAskConfirmation
{
    bool Confirm(string query, string reading);
}

/// <summary>Draws a <see cref="Plot"/> Core has computed (<c>plot bootstrap of e to "boot.svg"</c>) as "png" or "svg";
/// the path resolves like <see cref="IFileReader"/>'s, against the script's folder.</summary>
public interface IPlotRenderer
{
    DrawResult Render(Plot plot, string format, string path, string relativeTo);
}

/// <summary>
/// Hears how far long work has got (bootstrap replicates, IRLS scans) so a terminal can show a bar. Called from the
/// working thread at coarse steps (never per row); implementations must be cheap and must not throw.
/// </summary>
public interface IProgressSink
{
    /// <summary><paramref name="done"/> of <paramref name="total"/> steps of <paramref name="task"/>; total 0 means "unknown".</summary>
    void Report(string task, long done, long total);

    /// <summary>The task is over (finished or failed).</summary>
    void Finish(string task);
}

/// <summary>Names the statement a task belongs to ("e: bootstrap"), so a bar says whose loop it is.</summary>
public sealed class LabelledProgress(IProgressSink inner, string label) : IProgressSink
{
    public void Report(string task, long done, long total) => inner.Report($"{label}: {task}", done, total);

    public void Finish(string task) => inner.Finish($"{label}: {task}");
}
