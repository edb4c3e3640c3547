using System.Diagnostics;
using CausalQL.Conformance;
using CausalQL.Graphs;
using CausalQL.Identification;

namespace CausalQL.Bench;

/// <summary>
/// ID speed against causaleffect's figures (../shared/bench-peers.md): per-query median and max on the
/// generated-dev graphs (plain ID, as the peer runs, and the facade with back-door/front-door first),
/// and on random ADMGs of 20, 30, 50 and 100 nodes; with allocated bytes per query.
/// Usage: bench identify [repeats]
/// </summary>
public sealed class IdentificationBenchmark : IBenchmark
{
    public string Name => "identify";
    public string Description => "ID/IDC per query: generated-dev and random ADMGs of 20-100 nodes vs causaleffect";

    public int Run(string[] args)
    {
        var repeats = args.Length > 0 && int.TryParse(args[0], out var r) ? r : 5;
        var shared = Environment.GetEnvironmentVariable("CAUSALQL_SHARED") ?? FindShared();
        if (shared is null)
        {
            Console.Error.WriteLine("shared/conformance not found (set CAUSALQL_SHARED)");
            return 2;
        }
        var (cases, errors) = ConformanceCase.ParseLines(File.ReadAllText(Path.Combine(shared, "conformance", "generated-dev.jsonl")));
        if (!errors.IsEmpty) Console.Error.WriteLine($"{errors.Length} unreadable cases");
        var queries = cases.Select(c => (c.Graph, c.Outcome, c.Treatment, c.Condition)).ToList();

        Console.WriteLine($"identify: {repeats} timed runs per query after a warm-up; times per query");
        Console.WriteLine($"{"graphs",-34} {"median",10} {"max",10} {"alloc/q",10} {"peer median",12} {"peer max",9}");
        Report("generated-dev, ID/IDC only", queries, new IdentifyOptions(PreferCriteria: false), repeats, "26 ms", "180 ms");
        Report("generated-dev, facade (criteria first)", queries, IdentifyOptions.Default, repeats, "-", "-");
        var peers = new Dictionary<int, (string, string)> { [20] = ("80 ms", "90 ms"), [30] = ("70 ms", "130 ms"), [50] = ("110 ms", "160 ms"), [100] = ("190 ms", "240 ms") };
        foreach (var n in new[] { 20, 30, 50, 100 })
        {
            var random = RandomQueries(n, count: 20, seed: 1000 + n);
            Report($"random ADMG n={n}, ID only", random, new IdentifyOptions(PreferCriteria: false), repeats, peers[n].Item1, peers[n].Item2);
            if (n == 100)
                Report($"random ADMG n={n}, ID, unsimplified", random, new IdentifyOptions(PreferCriteria: false, Simplify: false), repeats, peers[n].Item1, peers[n].Item2);
        }
        return 0;
    }

    static void Report(string label, List<(CausalGraph G, VarSet Y, VarSet X, VarSet Z)> queries, IdentifyOptions options, int repeats, string peerMedian, string peerMax)
    {
        foreach (var q in queries) Identifier.Identify(q.G, q.Y, q.X, q.Z, options); // warm-up
        var times = new List<double>();
        long allocated = 0;
        var identifiable = 0;
        var unanswered = 0;
        foreach (var q in queries)
        {
            var best = double.MaxValue;
            for (var k = 0; k < repeats; k++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                var result = Identifier.Identify(q.G, q.Y, q.X, q.Z, options);
                sw.Stop();
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
                best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
                if (k == 0 && result.Identifiable) identifiable++;
                if (k == 0 && result.Status is IdStatus.BudgetExhausted or IdStatus.InvalidQuery) unanswered++;
            }
            // The fastest of the repeats: the steady-state cost of the query on a busy shared machine.
            times.Add(best);
        }
        times.Sort();
        var median = times[times.Count / 2];
        var max = times[^1];
        var perQuery = allocated / (double)(queries.Count * repeats);
        Console.WriteLine($"{label,-34} {median,8:F3}ms {max,8:F3}ms {perQuery / 1024,8:F1}KB {peerMedian,12} {peerMax,9}   ({queries.Count} queries, {identifiable} identifiable, {unanswered} unanswered)");
    }

    /// <summary>
    /// Random ADMGs: nodes V1..Vn in topological order, each directed edge i -> j (i &lt; j) with
    /// probability min(0.5, 5/n), each bidirected edge with probability min(0.4, 3/n); the outcome is the last
    /// node and the treatment a random ancestor of it (seeded).
    /// </summary>
    internal static List<(CausalGraph, VarSet, VarSet, VarSet)> RandomQueries(int n, int count, int seed)
    {
        var random = new Random(seed);
        var list = new List<(CausalGraph, VarSet, VarSet, VarSet)>();
        while (list.Count < count)
        {
            var directed = new List<(string, string)>();
            var bidirected = new List<(string, string)>();
            var pDir = Math.Min(0.5, 2.5 / n * 2);
            var pBi = Math.Min(0.4, 1.5 / n * 2);
            for (var i = 1; i <= n; i++)
                for (var j = i + 1; j <= n; j++)
                {
                    if (random.NextDouble() < pDir) directed.Add(($"V{i}", $"V{j}"));
                    if (random.NextDouble() < pBi) bidirected.Add(($"V{i}", $"V{j}"));
                }
            var g = CausalGraph.Create(Enumerable.Range(1, n).Select(i => $"V{i}"), directed, bidirected);
            var y = $"V{n}";
            var ancestors = g.Ancestors([y]).Remove(y).ToList();
            if (ancestors.Count == 0) continue;
            var x = ancestors[random.Next(ancestors.Count)];
            list.Add((g, VarSet.Of(y), VarSet.Of(x), VarSet.Empty));
        }
        return list;
    }

    static string? FindShared()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "conformance"))) return candidate;
            var sibling = Path.Combine(dir.FullName, "..", "shared");
            if (Directory.Exists(Path.Combine(sibling, "conformance"))) return Path.GetFullPath(sibling);
        }
        return null;
    }
}
