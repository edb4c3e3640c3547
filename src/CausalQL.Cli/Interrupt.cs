namespace CausalQL.Cli;

/// <summary>
/// Ctrl+C while a script runs cancels the run (the statements already finished still print, the one
/// interrupted says so); a second Ctrl+C, or one outside a run, ends the program as usual.
/// </summary>
public static class Interrupt
{
    static CancellationTokenSource? _current;
    static int _installed;

    /// <summary>Hooks Ctrl+C once per process; called first thing by the program, not by in-process tests.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        Console.CancelKeyPress += (_, e) =>
        {
            var run = Volatile.Read(ref _current);
            if (run is null || run.IsCancellationRequested) return;   // let the runtime end the process
            e.Cancel = true;
            run.Cancel();
        };
    }

    /// <summary>Runs <paramref name="work"/> with a token that Ctrl+C cancels.</summary>
    public static T During<T>(Func<CancellationToken, T> work)
    {
        using var run = new CancellationTokenSource();
        var outer = Interlocked.Exchange(ref _current, run);
        try { return work(run.Token); }
        finally { Interlocked.Exchange(ref _current, outer); }
    }
}
