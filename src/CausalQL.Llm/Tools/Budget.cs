namespace CausalQL.Llm.Tools;

/// <summary>Thrown when work did not finish within its time budget (the caller turns it into a clear error).</summary>
public sealed class BudgetExceededException(TimeSpan budget)
    : Exception($"the run was cancelled after the time budget of {budget.TotalSeconds:0.###} s")
{
    public TimeSpan Budget { get; } = budget;
}

/// <summary>Thrown when too many runs are already in flight.</summary>
public sealed class BusyException() : Exception("the server is busy with other scripts; try again shortly");

/// <summary>
/// Runs engine work under a time budget: the work gets a cancellation token that fires at the budget (or when the
/// caller gives up), and the engines stop at their next check, so an over-budget run ends and frees its thread.
/// Work runs on the thread pool (no thread of its own). As a safety net for work that does not check the token
/// often enough, the caller is answered at the budget plus a short grace whatever the work does; such a run stays
/// counted in <see cref="InFlight"/> and holds its slot until it ends. A cap on runs in flight bounds the load.
/// </summary>
public sealed class Budget(TimeSpan limit, int maxInFlight)
{
    /// <summary>How long past the budget the caller waits for the work to notice its cancellation.</summary>
    static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);
    int _inFlight;
    long _cancelled;

    public TimeSpan Limit => limit;

    /// <summary>Runs started and not yet ended (an over-budget run counts until its engines have stopped).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Runs ended by their time budget since the start.</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>Synchronous engine work (parse, bind, identify, estimate), run on the thread pool under the budget.</summary>
    public Task<T> RunAsync<T>(Func<CancellationToken, T> work, CancellationToken cancellationToken) =>
        RunAsync(token => Task.FromResult(work(token)), cancellationToken);

    /// <summary>
    /// Work that awaits (a run whose <c>ask</c> statements call a model). The result of work that saw its budget run out
    /// is not returned: it may be partial, so the caller gets <see cref="BudgetExceededException"/> instead.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (!await _slots.WaitAsync(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false)) throw new BusyException();
        Interlocked.Increment(ref _inFlight);
        var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(limit);
        // On a pool thread of its own even when the work is synchronous up to its end (most scripts are), so the
        // caller can be answered at the deadline.
        var running = Task.Run(() => work(budget.Token), CancellationToken.None);
        // The slot and the count are given back when the work really ends, whether or not anyone still waits for it.
        _ = running.ContinueWith(_ =>
        {
            Interlocked.Decrement(ref _inFlight);
            _slots.Release();
            budget.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var deadline = Task.Delay(limit + Grace, wait.Token);
            await Task.WhenAny(running, deadline).ConfigureAwait(false);
            wait.Cancel(); // the timer is not needed any more
        }
        if (running.IsCompletedSuccessfully && !budget.IsCancellationRequested) return running.Result;
        if (running.IsFaulted && running.Exception!.InnerException is not OperationCanceledException)
            return await running.ConfigureAwait(false); // a failure of its own: rethrown as it is
        cancellationToken.ThrowIfCancellationRequested(); // the client went away: nobody to answer
        Interlocked.Increment(ref _cancelled);
        throw new BudgetExceededException(limit);
    }
}
