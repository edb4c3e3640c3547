using System.Collections.Immutable;
using CausalQL.Estimands;
using CausalQL.Graphs;

namespace CausalQL.Identification;

/// <summary>
/// The witness of non-identifiability found on ID's line 5: the graph pair (F, F') with F' = F minus
/// the step's treatments, both single C-components and F ancestral to the step's outcome — by
/// Shpitser &amp; Pearl (2006, Theorem 4) it contains a hedge for the query.
/// </summary>
public sealed record Hedge(VarSet F, VarSet FPrime, VarSet Y, VarSet X)
{
    public override string ToString() =>
        $"hedge: F = {F}, F' = {FPrime} (at the sub-query P({string.Join(", ", Y)} | do({string.Join(", ", X)})))";
}

/// <summary>One step of a derivation a person can follow.</summary>
/// <param name="Rule">The rule, criterion or algorithm line ("ID line 3", "do-calculus rule 2", "back-door criterion").</param>
/// <param name="Justification">The graph fact that licenses the step (a d-separation, an ancestral set, a district).</param>
/// <param name="Result">The expression the step produces (null when the step only rewrites the query).</param>
/// <param name="Depth">Nesting depth in the recursion, for indentation.</param>
public sealed record DerivationStep(string Rule, string Justification, Estimand? Result, int Depth = 0);

/// <summary>How an estimand was found.</summary>
public abstract record Strategy
{
    public sealed record Trivial(string Reason) : Strategy { public override string ToString() => $"trivial ({Reason})"; }
    public sealed record BackDoor(VarSet Set) : Strategy { public override string ToString() => $"back-door adjustment for {Set}"; }
    public sealed record FrontDoor(VarSet Set) : Strategy { public override string ToString() => $"front-door via {Set}"; }
    public sealed record Id : Strategy { public override string ToString() => "ID (Shpitser & Pearl 2006)"; }
    public sealed record Idc : Strategy { public override string ToString() => "IDC (Shpitser & Pearl 2006, conditional)"; }
}

public enum IdStatus
{
    Identifiable,
    NotIdentifiable,
    /// <summary>The search ran out of its step budget or was cancelled.</summary>
    BudgetExhausted,
    /// <summary>The query or graph is malformed (unknown variable, cycle, X overlapping Y...).</summary>
    InvalidQuery,
}

/// <summary>An alternative estimand for the same query (another adjustment set, another strategy).</summary>
public sealed record IdAlternative(Strategy Strategy, Estimand Estimand);

/// <summary>The answer to an identification query. Failure of any kind is a value, never an exception.</summary>
public sealed record IdResult(
    IdStatus Status,
    Estimand? Estimand,
    Strategy? Strategy,
    Hedge? Hedge,
    ImmutableArray<IdAlternative> Alternatives,
    ImmutableArray<DerivationStep> Derivation,
    ImmutableArray<string> Notes,
    string? Error)
{
    public bool Identifiable => Status == IdStatus.Identifiable;

    /// <summary>Work units ID/IDC spent (recursion steps weighted by graph size, plus terms built); 0 when they did not run.</summary>
    public long WorkUsed { get; init; }

    internal static IdResult Invalid(string error) =>
        new(IdStatus.InvalidQuery, null, null, null, [], [], [], error);
}

/// <summary>Options of an identification query.</summary>
/// <param name="Explain">Record the derivation.</param>
/// <param name="MaxSteps">Work budget (recursion steps plus terms built); running out is a result.</param>
/// <param name="PreferCriteria">Try back-door and front-door before ID when those searches are available.</param>
/// <param name="Simplify">Simplify the final estimand (value-preserving rewrites).</param>
public sealed record IdentifyOptions(bool Explain = false, long MaxSteps = 2_000_000, bool PreferCriteria = true, bool Simplify = true)
{
    public static readonly IdentifyOptions Default = new();
}
