using System.Collections.Immutable;

namespace CausalQL.Graphs;

/// <summary><see cref="Instrument"/> is an instrumental variable for X -> Y once <see cref="Given"/> is conditioned on.</summary>
public sealed record ConditionalInstrument(string Instrument, VarSet Given)
{
    public override string ToString() => Given.IsEmpty ? Instrument : $"{Instrument} | {string.Join(", ", Given)}";
}

/// <summary>The conditional instruments for one exposure and one outcome, or a note when the question is not well posed.</summary>
public sealed record InstrumentResult(ImmutableArray<ConditionalInstrument> Instruments, string? Error)
{
    public bool IsValid => Error is null;
}

/// <summary>
/// Conditional instrumental variables (van der Zander, Textor &amp; Liśkiewicz 2015), listed as
/// DAGitty's conditionalInstruments does: for each observed candidate Z, the separating set W is
/// the minimal separator of Y and Z nearest to Y in the back-door graph (mediators, latent nodes,
/// X and descendants of Y never in W); Z is an instrument given W when W exists and X and Z are
/// m-connected given W there. Each answer is an "ancestral instrument": when Z is an instrument
/// given some set, it is one given this W.
/// </summary>
public static class Instruments
{
    /// <remarks>One separator search per candidate node: <paramref name="ct"/> is checked per candidate.</remarks>
    public static InstrumentResult Conditional(CausalGraph g, string exposure, string outcome, CancellationToken ct = default)
    {
        var x = VarSet.Of(exposure); var y = VarSet.Of(outcome);
        if (Adjustment.Problem(g, x, y, VarSet.Empty, VarSet.Empty) is { } problem) return new([], problem);
        int xi = g.IndexOf(exposure), yi = g.IndexOf(outcome), n = g.Count;
        var ctx = new Adjustment.Context(g, x, y);
        // Mediators (descendants of X that are ancestors of Y, X and Y excluded) may never be conditioned on.
        var deX = GraphCore.Descendants(g, ctx.X);
        var anY = GraphCore.Ancestors(g, ctx.Y);
        var blockable = new bool[n];
        for (var i = 0; i < n; i++)
            blockable[i] = !ctx.Latent[i] && !(deX[i] && anY[i]) && i != yi;
        var deY = GraphCore.Descendants(g, ctx.Y, ctx.Cut);
        var result = ImmutableArray.CreateBuilder<ConditionalInstrument>();
        for (var z = 0; z < n; z++)
        {
            ct.ThrowIfCancellationRequested();
            if (z == xi || z == yi || ctx.Latent[z]) continue;
            var w = NearestSeparator(g, ctx.Cut, yi, z, blockable);
            if (w is null) continue;
            var bad = false;
            foreach (var v in w) if (deY[v] || v == xi) { bad = true; break; }
            if (bad) continue;
            var given = new bool[n];
            foreach (var v in w) given[v] = true;
            var target = new bool[n]; target[z] = true;
            GraphCore.Reach(g, ctx.X, given, ctx.Cut, target, out var connected);
            if (connected) result.Add(new ConditionalInstrument(g.Nodes[z], GraphCore.ToSet(g, w)));
        }
        return new(result.ToImmutable(), null);
    }

    /// <summary>
    /// The minimal separator of <paramref name="a"/> and <paramref name="b"/> nearest to a, drawn from
    /// the blockable ancestors of {a, b}, or null when no such separator exists.
    /// </summary>
    static int[]? NearestSeparator(CausalGraph g, EdgeCut cut, int a, int b, bool[] blockable)
    {
        var n = g.Count;
        var start = new bool[n]; start[a] = true; start[b] = true;
        var keep = GraphCore.Ancestors(g, start, cut);
        var h = UndirectedGraph.Augmented(g, keep, cut);
        var allowed = new bool[n];
        var removed = new bool[n];
        for (var i = 0; i < n; i++)
        {
            allowed[i] = keep[i] && blockable[i] && i != a && i != b;
            removed[i] = !keep[i];
        }
        var side = new bool[n]; side[a] = true;
        var other = new bool[n]; other[b] = true;
        return new MinimalSeparatorSearch(h, allowed, removed, side, other).CloseToX();
    }
}
