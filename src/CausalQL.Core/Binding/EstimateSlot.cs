using CausalQL.Execution;

namespace CausalQL.Binding;

/// <summary>
/// What a labelled estimate ran on, kept with its symbol so that <c>refute label with ...</c>
/// re-runs the same request on the same data. Empty until the estimate has succeeded.
/// </summary>
public sealed class EstimateSlot
{
    public EstimationRequest? Request { get; set; }
    public DataSymbol? Data { get; set; }
    public EstimateResult? Result { get; set; }
}
