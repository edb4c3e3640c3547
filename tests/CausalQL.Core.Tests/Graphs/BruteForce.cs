using CausalQL.Graphs;

namespace CausalQL.Tests.Graphs;

/// <summary>
/// Slow, obviously-correct reference versions of the graph criteria, by enumerating every simple
/// path: used to cross-check the linear-time algorithms on small random graphs.
/// </summary>
public static class BruteForce
{
    /// <summary>A step of a path: the node reached and whether the edge has an arrowhead at its start and at its end.</summary>
    public readonly record struct Step(string Node, bool HeadAtStart, bool HeadAtEnd, bool Directed);

    /// <summary>Every simple path from <paramref name="from"/> to <paramref name="to"/> (as edge steps), avoiding <paramref name="avoid"/> inside.</summary>
    public static List<List<Step>> Paths(CausalGraph g, string from, string to, ISet<string>? avoid = null)
    {
        var result = new List<List<Step>>();
        var path = new List<Step>();
        var onPath = new HashSet<string> { from };
        void Walk(string at)
        {
            if (at == to) { result.Add([.. path]); return; }
            if (at != from && avoid is not null && avoid.Contains(at)) return;
            foreach (var step in Steps(g, at))
            {
                if (!onPath.Add(step.Node)) continue;
                path.Add(step);
                Walk(step.Node);
                path.RemoveAt(path.Count - 1);
                onPath.Remove(step.Node);
            }
        }
        Walk(from);
        return result;
    }

    static IEnumerable<Step> Steps(CausalGraph g, string at)
    {
        foreach (var c in g.Children(at)) yield return new Step(c, false, true, true);
        foreach (var p in g.Parents(at)) yield return new Step(p, true, false, true);
        foreach (var s in g.Siblings(at)) yield return new Step(s, true, true, false);
    }

    /// <summary>An m-connecting path: every non-collider outside Z, every collider an ancestor of Z.</summary>
    public static bool IsOpen(CausalGraph g, string from, List<Step> path, ISet<string> z)
    {
        var anZ = g.Ancestors(z);
        for (var k = 0; k + 1 < path.Count; k++)
        {
            var node = path[k].Node;
            var collider = path[k].HeadAtEnd && path[k + 1].HeadAtStart;
            if (collider ? !anZ.Contains(node) : z.Contains(node)) return false;
        }
        return true;
    }

    public static bool Separated(CausalGraph g, IEnumerable<string> xs, IEnumerable<string> ys, IEnumerable<string> zs)
    {
        var z = zs.ToHashSet();
        foreach (var x in xs)
            foreach (var y in ys)
            {
                if (z.Contains(x) || z.Contains(y)) continue;
                if (x == y) return false;
                if (Paths(g, x, y).Any(p => IsOpen(g, x, p, z))) return false;
            }
        return true;
    }

    static bool IsCausal(List<Step> path) => path.All(s => s.Directed && s.HeadAtEnd);

    /// <summary>Nodes (other than X) on proper causal paths from X to Y, found by listing directed paths.</summary>
    public static HashSet<string> CausalNodes(CausalGraph g, VarSet xs, VarSet ys)
    {
        var nodes = new HashSet<string>();
        foreach (var x in xs)
            foreach (var y in ys)
                foreach (var p in Paths(g, x, y, xs.ToHashSet()).Where(IsCausal))
                    foreach (var s in p) nodes.Add(s.Node);
        return nodes;
    }

    /// <summary>
    /// The generalised adjustment criterion in its path form (Shpitser et al. 2010; Perković et al.
    /// 2018): no element of Z descends from a node on a proper causal path, and every proper
    /// non-causal path from X to Y is blocked by Z.
    /// </summary>
    public static bool IsAdjustmentSet(CausalGraph g, VarSet xs, VarSet ys, VarSet z) => new AdjustmentOracle(g, xs, ys).IsValid(z);

    /// <summary>The path form of the criterion with the paths listed once for many candidate sets.</summary>
    public sealed class AdjustmentOracle
    {
        readonly CausalGraph _g;
        readonly VarSet _x, _y, _forb;
        readonly List<(string From, List<Step> Path)> _nonCausal = [];

        public AdjustmentOracle(CausalGraph g, VarSet xs, VarSet ys)
        {
            _g = g; _x = xs; _y = ys;
            _forb = g.Descendants(CausalNodes(g, xs, ys));
            foreach (var x in xs)
                foreach (var y in ys)
                    foreach (var p in Paths(g, x, y, xs.ToHashSet()))
                        if (!IsCausal(p)) _nonCausal.Add((x, p));
        }

        public bool IsValid(VarSet z)
        {
            if (z.Overlaps(_x) || z.Overlaps(_y) || z.Any(_g.IsLatent) || z.Overlaps(_forb)) return false;
            var zset = z.ToHashSet();
            return !_nonCausal.Any(p => IsOpen(_g, p.From, p.Path, zset));
        }
    }

    public static IEnumerable<VarSet> Subsets(IReadOnlyList<string> items)
    {
        for (var mask = 0; mask < 1 << items.Count; mask++)
            yield return VarSet.From(Enumerable.Range(0, items.Count).Where(i => (mask >> i & 1) == 1).Select(i => items[i]));
    }
}

/// <summary>Seeded random graphs for property tests.</summary>
public static class RandomGraphs
{
    /// <summary>An ADMG on V1..Vn in topological order, with optional bidirected edges and latent nodes.</summary>
    public static CausalGraph Admg(Random rng, int n, double pDirected, double pBidirected, double pLatent)
    {
        var nodes = Enumerable.Range(1, n).Select(i => "V" + i).ToList();
        var directed = new List<(string, string)>();
        var bidirected = new List<(string, string)>();
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
            {
                if (rng.NextDouble() < pDirected) directed.Add((nodes[i], nodes[j]));
                if (rng.NextDouble() < pBidirected) bidirected.Add((nodes[i], nodes[j]));
            }
        var roles = nodes.Where(_ => rng.NextDouble() < pLatent).ToDictionary(v => v, _ => NodeRole.Latent);
        return CausalGraph.Create(nodes, directed, bidirected, roles);
    }

    /// <summary>DAGitty-style benchmark DAG: node i takes 2 or 3 parents uniformly among earlier nodes.</summary>
    public static CausalGraph DagittyStyle(Random rng, int n)
    {
        var nodes = Enumerable.Range(1, n).Select(i => "V" + i).ToList();
        var directed = new List<(string, string)>();
        for (var i = 1; i < n; i++)
        {
            var k = Math.Min(i, rng.Next(2) == 0 ? 2 : 3);
            foreach (var p in Enumerable.Range(0, i).OrderBy(_ => rng.Next()).Take(k)) directed.Add((nodes[p], nodes[i]));
        }
        return CausalGraph.Create(nodes, directed);
    }
}
