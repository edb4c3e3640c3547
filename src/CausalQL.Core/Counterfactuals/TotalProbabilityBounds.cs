namespace CausalQL.Counterfactuals;

/// <summary>
/// Bounds for a term the given probabilities do not determine but bracket: when P(a | c) is missing
/// and P(a | c, w) is given for every level of some variable W, total probability makes P(a | c) the
/// mixture Σ_w P(a | c, w) P(w | c) with unknown weights, so it lies between the smallest and the largest
/// w-specific value, and every point of that interval is attained by some weights (the bounds are sharp).
/// </summary>
public static class TotalProbabilityBounds
{
    static readonly int[] Levels = [0, 1];

    /// <summary>P(a | c); when it is not derivable, total probability over <paramref name="over"/> with unknown weights brackets it.</summary>
    public static EffectResult Mixture(GivenModel model, Assignment a, Assignment c, string over)
    {
        var exact = model.Probability(a, c);
        if (exact.Ok) return EffectResult.Point(exact.Value, "given terms", GivenModel.Term(a, c));
        if (a.Values.ContainsKey(over) || c.Values.ContainsKey(over)) return EffectResult.Missing(exact.Error!);
        var parts = Levels.Select(v => model.TryProbability(a, c.With(over, v))).ToList();
        if (parts.Any(p => p is null)) return EffectResult.Missing(exact.Error!);
        return EffectResult.Bounds(parts.Min()!.Value, parts.Max()!.Value, "total probability with unknown weights",
            $"{GivenModel.Term(a, c)} = Σ_{over} {GivenModel.Term(a, c.With(over, 0)).Replace($"{over} = 0", over)} P({over} | {c}); P({over} | {c}) is not given, so it lies between the {over}-specific values");
    }

    /// <summary>
    /// P(a | c) exactly, or bounded by the first observed variable of the graph (in name order) whose
    /// levels split it into given terms, or the missing-term error when no variable does.
    /// </summary>
    public static EffectResult Bracket(GivenModel model, Assignment a, Assignment c)
    {
        var exact = model.Probability(a, c);
        if (exact.Ok) return EffectResult.Point(exact.Value, "given terms", GivenModel.Term(a, c));
        foreach (var w in model.Graph.Observed)
        {
            var mixture = Mixture(model, a, c, w);
            if (mixture.HasBounds) return mixture;
        }
        return EffectResult.Missing(exact.Error!);
    }

    /// <summary>a − b, where either may be a point or bounds (interval arithmetic).</summary>
    public static EffectResult Difference(EffectResult a, EffectResult b)
    {
        if (!a.HasValue && !a.HasBounds) return a;
        if (!b.HasValue && !b.HasBounds) return b;
        if (a.Value is { } av && b.Value is { } bv) return EffectResult.Point(av - bv, "difference", a.Explanation + " − " + b.Explanation);
        var (alo, ahi) = (a.Value ?? a.Lower!.Value, a.Value ?? a.Upper!.Value);
        var (blo, bhi) = (b.Value ?? b.Lower!.Value, b.Value ?? b.Upper!.Value);
        return EffectResult.Bounds(alo - bhi, ahi - blo, "difference of bounded terms", a.Explanation + " − " + b.Explanation);
    }
}
