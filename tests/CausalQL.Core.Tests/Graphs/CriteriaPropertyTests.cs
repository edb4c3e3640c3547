using CausalQL.Graphs;

namespace CausalQL.Tests.Graphs;

/// <summary>The linear-time criteria against brute-force path enumeration on small random graphs.</summary>
public class CriteriaPropertyTests
{
    static IEnumerable<(Random Rng, CausalGraph G)> Graphs(int count, int seed, int minN = 3, int maxN = 7,
        double pBi = 0.15, double pLatent = 0.15)
    {
        var rng = new Random(seed);
        for (var k = 0; k < count; k++)
        {
            var n = rng.Next(minN, maxN + 1);
            yield return (rng, RandomGraphs.Admg(rng, n, rng.NextDouble() * 0.6 + 0.15, pBi, pLatent));
        }
    }

    static VarSet RandomSubset(Random rng, IEnumerable<string> from, double p) => VarSet.From(from.Where(_ => rng.NextDouble() < p));

    [Fact]
    public void M_separation_agrees_with_path_enumeration()
    {
        var checkedPairs = 0;
        var separatedSeen = 0;
        foreach (var (rng, g) in Graphs(400, 11, pBi: 0.2))
        {
            var nodes = g.Nodes.ToList();
            var x = nodes[rng.Next(nodes.Count)];
            var y = nodes[rng.Next(nodes.Count)];
            if (x == y) continue;
            var z = RandomSubset(rng, nodes.Where(v => v != x && v != y), 0.35);
            var expected = BruteForce.Separated(g, [x], [y], z);
            Assert.Equal(expected, Separation.AreSeparated(g, [x], [y], z));
            var reachable = Separation.ReachableFrom(g, [x], z);
            Assert.Equal(!expected, reachable.Contains(y));
            var path = Separation.OpenPath(g, [x], [y], z);
            Assert.Equal(expected, path is null);
            checkedPairs++;
            if (expected) separatedSeen++;
        }
        Assert.True(checkedPairs > 300);
        Assert.True(separatedSeen > 50 && separatedSeen < checkedPairs - 50, $"{separatedSeen} of {checkedPairs} separated");
    }

    [Fact]
    public void Set_separation_is_pairwise_separation()
    {
        foreach (var (rng, g) in Graphs(200, 12))
        {
            var nodes = g.Nodes.ToList();
            var x = RandomSubset(rng, nodes, 0.3);
            var y = RandomSubset(rng, nodes.Except(x), 0.3);
            var z = RandomSubset(rng, nodes.Except(x).Except(y), 0.3);
            if (x.IsEmpty || y.IsEmpty) continue;
            Assert.Equal(BruteForce.Separated(g, x, y, z), Separation.AreSeparated(g, x, y, z));
        }
    }

    [Fact]
    public void Adjustment_validity_agrees_with_the_path_form_of_the_criterion()
    {
        int valid = 0, total = 0;
        foreach (var (rng, g) in Graphs(300, 13))
        {
            var observed = g.Observed.ToList();
            if (observed.Count < 3) continue;
            var x = VarSet.Of(observed[rng.Next(observed.Count)]);
            var rest = observed.Where(v => !x.Contains(v)).ToList();
            var y = VarSet.Of(rest[rng.Next(rest.Count)]);
            if (rng.Next(4) == 0 && rest.Count > 2) x = x.Add(rest.First(v => !y.Contains(v)));
            var candidates = observed.Where(v => !x.Contains(v) && !y.Contains(v)).ToList();
            var oracle = new BruteForce.AdjustmentOracle(g, x, y);
            foreach (var z in BruteForce.Subsets(candidates))
            {
                var expected = oracle.IsValid(z);
                var check = Adjustment.Check(g, x, y, z);
                Assert.True(expected == check.IsValid, $"{g} X={x} Y={y} Z={z}: expected {expected}, got {check.IsValid} ({check.Reason})");
                if (!check.IsValid) Assert.False(string.IsNullOrEmpty(check.Reason));
                total++;
                if (expected) valid++;
            }
        }
        Assert.True(valid > 100 && valid < total - 100, $"{valid} of {total} valid");
    }

    [Fact]
    public void Minimal_sets_are_exactly_the_minimal_valid_sets()
    {
        int graphs = 0, withSets = 0, without = 0;
        foreach (var (rng, g) in Graphs(250, 14, maxN: 8))
        {
            var observed = g.Observed.ToList();
            if (observed.Count < 3) continue;
            var x = VarSet.Of(observed[rng.Next(observed.Count)]);
            var rest = observed.Where(v => !x.Contains(v)).ToList();
            var y = VarSet.Of(rest[rng.Next(rest.Count)]);
            if (rng.Next(5) == 0) y = y.Add(rest.FirstOrDefault(v => !y.Contains(v)) ?? y.First());
            var candidates = observed.Where(v => !x.Contains(v) && !y.Contains(v)).ToList();
            var oracle = new BruteForce.AdjustmentOracle(g, x, y);
            var validSets = BruteForce.Subsets(candidates).Where(oracle.IsValid).ToList();
            var minimal = validSets.Where(z => !validSets.Any(o => o.Count < z.Count && o.IsSubsetOf(z))).ToHashSet();
            var result = Adjustment.Minimal(g, x, y);
            Assert.Equal(SearchStatus.Complete, result.Status);
            Assert.True(minimal.SetEquals(result.Sets), $"{g} X={x} Y={y}: expected {string.Join(" ", minimal)} got {string.Join(" ", result.Sets)}");
            Assert.Equal(result.Sets.Length, result.Sets.Distinct().Count());
            var canonical = Adjustment.Canonical(g, x, y);
            Assert.Equal(minimal.Count > 0, canonical.Exists);
            if (canonical.Exists) Assert.Contains(canonical.Set!, validSets);
            else Assert.False(string.IsNullOrEmpty(result.Note));
            graphs++;
            if (minimal.Count > 0) withSets++; else without++;
        }
        Assert.True(withSets > 40 && without > 20, $"{withSets} with sets, {without} without, of {graphs}");
    }

    [Fact]
    public void Forced_and_forbidden_covariates_restrict_the_minimal_sets()
    {
        var cases = 0;
        foreach (var (rng, g) in Graphs(200, 15, minN: 5, maxN: 8, pBi: 0.05, pLatent: 0.1))
        {
            var observed = g.Observed.ToList();
            if (observed.Count < 5) continue;
            var x = VarSet.Of(observed[rng.Next(observed.Count)]);
            var rest = observed.Where(v => !x.Contains(v)).ToList();
            var y = VarSet.Of(rest[rng.Next(rest.Count)]);
            var candidates = observed.Where(v => !x.Contains(v) && !y.Contains(v)).ToList();
            var forced = RandomSubset(rng, candidates, 0.2);
            var forbidden = RandomSubset(rng, candidates.Except(forced), 0.25);
            // Minimal relative to the forced set: valid, within the constraints, and no proper
            // subset that still contains the forced set is valid.
            var oracle = new BruteForce.AdjustmentOracle(g, x, y);
            var valid = BruteForce.Subsets(candidates)
                .Where(z => forced.IsSubsetOf(z) && !z.Overlaps(forbidden) && oracle.IsValid(z)).ToList();
            var expected = valid.Where(z => !valid.Any(o => o.Count < z.Count && o.IsSubsetOf(z))).ToHashSet();
            var options = new AdjustmentOptions { Forced = forced, Forbidden = forbidden };
            var result = Adjustment.Minimal(g, x, y, options);
            Assert.True(expected.SetEquals(result.Sets), $"{g} X={x} Y={y} forced={forced} forbidden={forbidden}: expected {string.Join(" ", expected)} got {string.Join(" ", result.Sets)} ({result.Note})");
            Assert.Equal(expected.Count > 0, Adjustment.Canonical(g, x, y, options).Exists);
            cases++;
        }
        Assert.True(cases > 100);
    }

    [Fact]
    public void Latent_nodes_and_their_projection_give_the_same_adjustment_sets()
    {
        var compared = 0;
        foreach (var (rng, g) in Graphs(300, 16, minN: 4, maxN: 9, pBi: 0.1, pLatent: 0.25))
        {
            if (g.Latents.IsEmpty) continue;
            var projected = g.ProjectLatents();
            var observed = g.Observed.ToList();
            if (observed.Count < 3) continue;
            var x = VarSet.Of(observed[rng.Next(observed.Count)]);
            var rest = observed.Where(v => !x.Contains(v)).ToList();
            var y = VarSet.Of(rest[rng.Next(rest.Count)]);
            var a = Adjustment.Minimal(g, x, y).Sets.ToHashSet();
            var b = Adjustment.Minimal(projected, x, y).Sets.ToHashSet();
            Assert.True(a.SetEquals(b), $"{g} vs projected {projected}, X={x} Y={y}: {string.Join(" ", a)} vs {string.Join(" ", b)}");
            compared++;
        }
        Assert.True(compared > 100);
    }

    [Fact]
    public void Enumerated_sets_never_contain_a_descendant_of_a_mediator_on_benchmark_style_graphs()
    {
        // The pgmpy failure mode: sets containing mediators or their descendants. Every set we list
        // must pass the validity test and avoid the forbidden nodes, and no proper subset may be valid.
        var rng = new Random(17);
        var listed = 0;
        for (var k = 0; k < 50; k++)
        {
            var n = rng.Next(10, 40);
            var g = RandomGraphs.DagittyStyle(rng, n);
            var x = "V" + rng.Next(n / 4 + 1, n / 2 + 1);
            var de = g.Descendants([x]).Where(v => v != x).ToList();
            if (de.Count == 0) continue;
            var y = de[rng.Next(de.Count)];
            var forbidden = Adjustment.Forbidden(g, [x], [y]);
            var result = Adjustment.Minimal(g, [x], [y], new AdjustmentOptions { MaxSets = 200 });
            foreach (var set in result.Sets)
            {
                Assert.False(set.Overlaps(forbidden));
                Assert.True(Adjustment.IsValid(g, [x], [y], set));
                foreach (var v in set) Assert.False(Adjustment.IsValid(g, [x], [y], set.Remove(v)), $"{set} minus {v} is still valid");
                listed++;
            }
        }
        Assert.True(listed > 50);
    }
}
