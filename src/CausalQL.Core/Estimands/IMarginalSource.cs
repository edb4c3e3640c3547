namespace CausalQL.Estimands;

/// <summary>
/// What an estimand evaluator needs from a distribution over discrete variables: the domain of
/// each variable and the probability of any partial assignment. An exact joint table, a
/// contingency table counted by a data engine, or a partly given model can each stand behind it.
/// Values are the codes 0..k-1 of each variable's levels.
/// </summary>
public interface IMarginalSource
{
    /// <summary>The variables this source knows.</summary>
    IReadOnlyList<string> Variables { get; }

    /// <summary>The value codes a variable takes.</summary>
    IReadOnlyList<int> Domain(string variable);

    /// <summary>P(variables[i] = values[i] for all i); an empty assignment has probability 1.</summary>
    double Marginal(IReadOnlyList<string> variables, IReadOnlyList<int> values);
}
