namespace CausalQL.Llm.Tools;

/// <summary>Thrown when work did not finish within its time budget (the caller turns it into a clear error).</summary>
public sealed class BudgetExceededException(TimeSpan budget)
    : Exception($"the work did not finish within its time budget of {budget.TotalSeconds:0.###} s and was stopped")
{
    public TimeSpan Budget { get; } = budget;
}

/// <summary>Thrown when too many runs are still in flight (typically runs that outlived their budget).</summary>
public sealed class BusyException() : Exception("the server is busy with other scripts; try again shortly");

/// <summary>
/// Runs synchronous engine work under a time budget. The work gets a cancellation token that fires at the budget
/// (engines that take one stop promptly); work that does not observe it is abandoned on its own thread when the
/// budget passes, so the caller answers on time and the process stays up. A cap on work in flight keeps abandoned
/// runs from piling up.
/// </summary>
public sealed class Budget(TimeSpan limit, int maxInFlight)
{
    readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);

    public TimeSpan Limit => limit;

    public async Task<T> RunAsync<T>(Func<CancellationToken, T> work, CancellationToken cancellationToken)
    {
        if (!await _slots.WaitAsync(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false)) throw new BusyException();
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(limit);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        // A thread of its own with a roomy stack: deep input meets the parser's limits, not the runtime's, and a
        // run that ignores cancellation can be left behind without holding a thread-pool thread.
        var thread = new Thread(() =>
        {
            try { completion.TrySetResult(work(cts.Token)); }
            catch (OperationCanceledException) when (cts.IsCancellationRequested) { completion.TrySetException(new BudgetExceededException(limit)); }
            catch (Exception e) { completion.TrySetException(e); }
            finally
            {
                _slots.Release();
                cts.Dispose();
            }
        }, maxStackSize: 64 * 1024 * 1024) { IsBackground = true, Name = "cql-run" };
        thread.Start();
        var deadline = Task.Delay(limit, cancellationToken);
        var first = await Task.WhenAny(completion.Task, deadline).ConfigureAwait(false);
        if (first == completion.Task) return await completion.Task.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        throw new BudgetExceededException(limit);
    }
}
