using System.Collections.Immutable;

namespace CausalQL.Graphs;

/// <summary>Every valid adjustment set (not only the minimal ones), sorted by size then names, up to a cap.</summary>
public sealed record AllAdjustmentSetsResult(ImmutableArray<VarSet> Sets, bool Complete, string? Note, bool Invalid = false);

public static class AllAdjustmentSets
{
    public const int DefaultCap = 1_000;

    /// <summary>Candidate sets checked before giving up; each check is a linear-time path search.</summary>
    public const int CandidateBudget = 200_000;

    /// <summary>
    /// Every valid set contains an inclusion-minimal valid set, so the valid sets are exactly the valid
    /// supersets (within the allowed covariates: observed, not X or Y, not forbidden) of the minimal sets.
    /// Validity is not monotone under adding nodes (a collider can open a path), so each superset is checked.
    /// Candidates are generated size by size, so the sets found before the cap are a prefix of the full sorted list.
    /// </summary>
    public static AllAdjustmentSetsResult Find(CausalGraph g, VarSet xs, VarSet ys, int cap = DefaultCap)
    {
        if (cap < 1) return new([], false, "the cap on the number of sets must be at least 1", Invalid: true);
        var minimal = Adjustment.Minimal(g, xs, ys);
        if (minimal.Status == SearchStatus.Invalid) return new([], false, minimal.Note, Invalid: true);
        if (minimal.Sets.IsEmpty)
            return new([], minimal.Exhausted, minimal.Exhausted ? minimal.Note : "the minimal-set search stopped early: " + minimal.Note);
        var allowed = VarSet.From(g.Nodes.Where(n => !g.IsLatent(n))).Except(xs).Except(ys).Except(Adjustment.Forbidden(g, xs, ys));
        var seen = new HashSet<VarSet>();
        var found = ImmutableArray.CreateBuilder<VarSet>();
        var smallest = minimal.Sets.Min(m => m.Count);
        for (var size = smallest; size <= allowed.Count; size++)
        {
            var candidates = new List<VarSet>();
            foreach (var m in minimal.Sets.Where(m => m.Count <= size))
            {
                var rest = allowed.Except(m).ToArray();
                foreach (var extra in Combinations(rest, size - m.Count))
                {
                    var candidate = m.Union(extra);
                    if (seen.Add(candidate)) candidates.Add(candidate);
                    if (seen.Count > CandidateBudget)
                        return Stopped(found, $"stopped after checking {CandidateBudget:N0} candidate sets; the sets listed are every valid set of size below {size}");
                }
            }
            candidates.Sort(CompareByNames);
            foreach (var candidate in candidates)
            {
                if (!Adjustment.IsValid(g, xs, ys, candidate)) continue;
                // One set past the cap proves there are more, so "cap reached" is never said of a complete list.
                if (found.Count == cap)
                    return new([.. found], false, $"cap reached: listed the first {cap:N0} valid sets (raise it with 'with max = N')");
                found.Add(candidate);
            }
        }
        var complete = minimal.Exhausted;
        return new(found.ToImmutable(), complete, complete ? null : "the minimal-set search stopped early, so some sets may be missing: " + minimal.Note);

        static AllAdjustmentSetsResult Stopped(ImmutableArray<VarSet>.Builder found, string note) => new(found.ToImmutable(), false, note);
    }

    /// <summary>Smaller sets first, then element-wise by name.</summary>
    public static int CompareByNames(VarSet a, VarSet b)
    {
        if (a.Count != b.Count) return a.Count.CompareTo(b.Count);
        using var ea = a.GetEnumerator();
        using var eb = b.GetEnumerator();
        while (ea.MoveNext() && eb.MoveNext())
        {
            var c = string.CompareOrdinal(ea.Current, eb.Current);
            if (c != 0) return c;
        }
        return 0;
    }

    static IEnumerable<string[]> Combinations(string[] items, int k)
    {
        if (k < 0 || k > items.Length) yield break;
        var idx = Enumerable.Range(0, k).ToArray();
        while (true)
        {
            yield return idx.Select(i => items[i]).ToArray();
            var p = k - 1;
            while (p >= 0 && idx[p] == items.Length - k + p) p--;
            if (p < 0) yield break;
            idx[p]++;
            for (var q = p + 1; q < k; q++) idx[q] = idx[q - 1] + 1;
        }
    }
}
