using System.Collections.Immutable;

namespace CausalQL.Counterfactuals;

/// <summary>
/// One counterfactual event: <c>Variable[Interventions] = Value</c>, e.g. Y[X=1] = 0. An empty
/// intervention map is a factual (observational) event. Values are level codes 0..k-1.
/// </summary>
public sealed record CfEvent(string Variable, ImmutableDictionary<string, int> Interventions, int Value)
{
    public static CfEvent Factual(string variable, int value) =>
        new(variable, ImmutableDictionary.Create<string, int>(StringComparer.Ordinal), value);

    public static CfEvent Of(string variable, int value, params (string Variable, int Value)[] interventions) =>
        new(variable, interventions.ToImmutableDictionary(i => i.Variable, i => i.Value, StringComparer.Ordinal), value);

    public bool Equals(CfEvent? other) =>
        other is not null && Variable == other.Variable && Value == other.Value &&
        Interventions.Count == other.Interventions.Count &&
        Interventions.All(kv => other.Interventions.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public override int GetHashCode() => HashCode.Combine(Variable, Value, Interventions.Count);

    public override string ToString() => Interventions.Count == 0
        ? $"{Variable} = {Value}"
        : $"{Variable}[{string.Join(", ", Interventions.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} = {kv.Value}"))}] = {Value}";
}

/// <summary>A value or a reason it could not be computed. Errors are values, never exceptions.</summary>
public sealed record CfOutcome<T>(T? Value, string? Error)
{
    public bool Ok => Error is null;
    public static CfOutcome<T> Success(T value) => new(value, null);
    public static CfOutcome<T> Failure(string error) => new(default, error);
}
