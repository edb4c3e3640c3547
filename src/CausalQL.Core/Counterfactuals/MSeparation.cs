using CausalQL.Graphs;

namespace CausalQL.Counterfactuals;

/// <summary>
/// m-separation (delegating to <see cref="Separation"/>) and Pearl's back-door criterion, as the
/// counterfactual engines use them.
/// </summary>
public static class MSeparation
{
    public static bool Separated(CausalGraph g, IEnumerable<string> x, IEnumerable<string> y, IEnumerable<string> z) =>
        Separation.AreSeparated(g, x, y, z);

    /// <summary>
    /// Pearl's back-door criterion: no member of Z descends from X, and Z blocks every path
    /// from X to Y that starts with an arrow into X (checked in G with X's outgoing edges removed).
    /// </summary>
    public static bool IsBackdoorSet(CausalGraph g, IEnumerable<string> x, IEnumerable<string> y, IEnumerable<string> z)
    {
        var xs = VarSet.From(x);
        var zs = VarSet.From(z);
        if (zs.Overlaps(g.Descendants(xs)) || zs.Overlaps(xs) || zs.Overlaps(y)) return false;
        return Separated(g.RemoveOutgoing(xs), xs, y, zs);
    }
}
