using CausalQL.Binding;

namespace CausalQL.Sessions;

/// <summary>
/// The outside world as a session sees it. Core does no I/O: the CLI, the server and tests pass
/// in what they allow. A null port means "not available here" and statements that need it say so.
/// </summary>
public sealed record SessionPorts(IFileReader? Files = null, IOutputFiles? Output = null, IGraphDrawer? Drawer = null, IDataOpener? Data = null)
{
    public static readonly SessionPorts None = new();
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
