namespace CausalQL.Execution;

public static partial class Estimation
{
    /// <summary>Tells the request's progress sink (if any) how far a loop has got; one virtual call, cheap enough per replicate.</summary>
    static void Progress(EstimationRequest r, string task, long done, long total) => r.Options.Progress?.Report(task, done, total);

    static void Done(EstimationRequest r, string task) => r.Options.Progress?.Finish(task);
}
