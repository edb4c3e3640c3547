using CausalQL.Binding;

namespace CausalQL.Sessions;

/// <summary>
/// The outside world as a session sees it. Core does no I/O: the CLI, the server and tests pass
/// in what they allow. A null port means "not available here" and statements that need it say so.
/// </summary>
public sealed record SessionPorts(IFileReader? Files = null)
{
    public static readonly SessionPorts None = new();
}
