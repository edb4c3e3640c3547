using System.Collections.Immutable;
using CausalQL.Counterfactuals;

namespace CausalQL.Scm;

/// <summary>
/// A counterfactual variable whose subscript values may themselves be counterfactual, as in the
/// natural direct effect's <c>Y[X = 1, M = M[X = 0]]</c>: Y had X been 1 and M been what it would
/// have been had X been 0. Plain subscripts (<c>Y[X = 1]</c>) are the special case without nesting.
/// </summary>
public sealed record CfTerm(string Variable, ImmutableArray<CfSetting> Settings)
{
    public static CfTerm Of(string variable, params CfSetting[] settings) => new(variable, [.. settings]);

    /// <summary>The term of a flat event's variable (Y[X = 1] of Y[X = 1] = 0).</summary>
    public static CfTerm From(CfEvent e) =>
        new(e.Variable, [.. e.Interventions.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => CfSetting.Fixed(kv.Key, kv.Value))]);

    public bool IsNested => Settings.Any(s => s.Nested is not null);

    /// <summary>Every variable the term mentions, nested terms included.</summary>
    public IEnumerable<string> Variables => Settings.SelectMany(s => s.Nested is { } n ? n.Variables.Prepend(s.Variable) : [s.Variable]).Prepend(Variable);

    public override string ToString() => Settings.IsEmpty ? Variable : $"{Variable}[{string.Join(", ", Settings)}]";
}

/// <summary>
/// One subscript entry: a fixed value (<c>X = 1</c>; a level code on discrete models, a real number
/// on linear ones) or the value of another counterfactual term (<c>M = M[X = 0]</c>).
/// </summary>
public sealed record CfSetting(string Variable, double Value, CfTerm? Nested)
{
    public static CfSetting Fixed(string variable, double value) => new(variable, value, null);
    public static CfSetting From(string variable, CfTerm nested) => new(variable, 0, nested);
    public override string ToString() => $"{Variable} = {(Nested is { } n ? n.ToString() : Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture))}";
}
