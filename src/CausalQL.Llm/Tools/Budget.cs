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
/// caller gives up) and the engines stop at their next check, so an over-budget run ends and frees its thread
/// instead of being left behind. Work runs on the caller's thread (a thread-pool thread in the server): no thread
/// of its own, no blocking on async work. A cap on runs in flight keeps a burst from queueing without bound.
/// </summary>
public sealed class Budget(TimeSpan limit, int maxInFlight)
{
    readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);
    int _inFlight;
    long _cancelled;

    public TimeSpan Limit => limit;

    /// <summary>Runs started and not yet ended (an over-budget run counts until its engines have stopped).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Runs ended by their time budget since the start.</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>Synchronous engine work (parse, bind, identify, estimate), run here under the budget.</summary>
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
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(limit);
        try
        {
            var result = await work(budget.Token).ConfigureAwait(false);
            if (!budget.IsCancellationRequested) return result;
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _slots.Release();
        }
        cancellationToken.ThrowIfCancellationRequested(); // the client went away: nobody to answer
        Interlocked.Increment(ref _cancelled);
        throw new BudgetExceededException(limit);
    }
}
