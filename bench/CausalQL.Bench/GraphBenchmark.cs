using System.Diagnostics;
using System.Runtime.InteropServices;
using CausalQL.Graphs;

namespace CausalQL.Bench;

/// <summary>
/// Adjustment sets, instruments and implications on DAGitty-style random DAGs, beside DAGitty's
/// figures from shared/bench-peers.md. The graphs follow the formula given there (V1..Vn in
/// topological order, 2 or 3 parents with probability ½ each, uniform among earlier nodes; the
/// exposure from positions [n/4, n/2) with at least 2 parents, the outcome a descendant in the
/// second half; 5 seeds per size). The random stream is .NET's seeded Random, not DAGitty's, so
/// the graphs are of the same kind, not the same graphs. Times exclude parsing.
/// Usage: bench adjustment [--latent] [--sizes 10,20,...]
/// </summary>
public sealed class GraphBenchmark : IBenchmark
{
    public string Name => "adjustment";
    public string Description => "canonical set, all minimal adjustment sets, basis implications, conditional instruments vs DAGitty";

    // DAGitty JavaScript core, milliseconds, median over 5 graphs (bench-peers.md).
    static readonly Dictionary<int, (double Canonical, double Minimal, double Basis, double Instruments)> Peer = new()
    {
        [10] = (0.15, 0.20, 0.13, 0.19),
        [20] = (0.28, 0.31, 0.19, 0.66),
        [50] = (0.64, 1.9, 0.79, 8.4),
        [100] = (1.10, 9.4, 3.1, 24),
        [200] = (2.25, 399, 10.6, 82), // minimal sets at 200: first 1,000 sets (~0.35 ms per set)
    };

    const int Seeds = 5;
    const int CapAt200 = 1000;

    public int Run(string[] args)
    {
        var latent = args.Contains("--latent");
        var sizes = new[] { 10, 20, 50, 100, 200 };
        var sizesArg = Array.IndexOf(args, "--sizes");
        if (sizesArg >= 0 && sizesArg + 1 < args.Length)
            sizes = [.. args[sizesArg + 1].Split(',').Select(int.Parse)];

        Console.WriteLine($"adjustment benchmark: DAGitty-style random DAGs, {Seeds} seeds per size{(latent ? ", ~10% of other nodes latent" : "")}");
        Console.WriteLine("median over the graphs of the mean time per call after warm-up, measured as this thread's CPU time");
        Console.WriteLine("(the machine is shared, so wall time includes waiting for a core; wall-clock medians in the last column)");
        Console.WriteLine("alloc = bytes allocated per call (GC.GetAllocatedBytesForCurrentThread)");
        Console.WriteLine();
        Console.WriteLine($"{"n",4} {"operation",-24} {"ours ms",10} {"DAGitty ms",11} {"speed-up",9} {"alloc KB",9} {"wall ms",9}  notes");
        foreach (var n in sizes)
        {
            var cases = Enumerable.Range(1, Seeds).Select(seed => Generate(n, seed, latent)).ToList();
            var cap = n >= 200 ? CapAt200 : int.MaxValue;
            var peer = Peer.TryGetValue(n, out var p) ? p : (Canonical: double.NaN, Minimal: double.NaN, Basis: double.NaN, Instruments: double.NaN);

            var canonical = Measure(cases, c => Adjustment.Canonical(c.G, [c.X], [c.Y]));
            Row(n, "canonical set", canonical, peer.Canonical, "");

            var counts = cases.Select(c => Adjustment.Minimal(c.G, [c.X], [c.Y], new AdjustmentOptions { MaxSets = cap }).Sets.Length).ToList();
            var minimal = Measure(cases, c => Adjustment.Minimal(c.G, [c.X], [c.Y], new AdjustmentOptions { MaxSets = cap }));
            var perSet = cases.Select((c, i) => minimal.PerCase[i] / Math.Max(1, counts[i])).OrderBy(t => t).ToList();
            Row(n, "all minimal sets", minimal, peer.Minimal,
                $"sets per graph: {string.Join("/", counts)}{(cap < int.MaxValue ? $" (cap {cap})" : "")}; median {perSet[perSet.Count / 2] * 1000:F2} µs per set"
                + (n == 200 ? " (DAGitty ~350 µs per set)" : ""));

            var basis = Measure(cases, c => Implications.Basis(c.G));
            Row(n, "basis implications", basis, peer.Basis, "");

            var instruments = Measure(cases, c => Instruments.Conditional(c.G, c.X, c.Y));
            Row(n, "conditional instruments", instruments, peer.Instruments, "");
        }
        return 0;
    }

    sealed record Case(CausalGraph G, string X, string Y);

    sealed record Measurement(double MedianMs, double AllocKb, double WallMs, double[] PerCase);

    static void Row(int n, string what, Measurement m, double peer, string notes)
    {
        var ratio = double.IsNaN(peer) ? "" : $"{peer / m.MedianMs:F1}x";
        Console.WriteLine($"{n,4} {what,-24} {m.MedianMs,10:F4} {(double.IsNaN(peer) ? "" : peer.ToString("G4")),11} {ratio,9} {m.AllocKb,9:F1} {m.WallMs,9:F4}  {notes}");
    }

    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    static extern int ClockGetTime(int clock, out TimeSpec time);

    const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID

    /// <summary>This thread's CPU time in ms (Linux), or wall time where that is not available.</summary>
    static double CpuMs(Stopwatch fallback)
    {
        try
        {
            if (OperatingSystem.IsLinux() && ClockGetTime(ThreadCpuClock, out var t) == 0) return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
        }
        catch (DllNotFoundException) { }
        return fallback.Elapsed.TotalMilliseconds;
    }

    /// <summary>Per case: warm up, then repeat until at least 100 ms have passed; mean time and allocation per call.</summary>
    static Measurement Measure(List<Case> cases, Func<Case, object> op)
    {
        var times = new double[cases.Count];
        var walls = new double[cases.Count];
        var allocs = new double[cases.Count];
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            // Warm-up long enough for tiered compilation to reach optimised code.
            var warm = Stopwatch.StartNew();
            var warmReps = 0;
            while (warm.ElapsedMilliseconds < 150 || warmReps < 50) { op(c); warmReps++; }
            var reps = 0;
            var bytes0 = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            var cpu0 = CpuMs(sw);
            do { op(c); reps++; } while (sw.ElapsedMilliseconds < 200 || reps < 5);
            var cpu = CpuMs(sw) - cpu0;
            sw.Stop();
            allocs[i] = (GC.GetAllocatedBytesForCurrentThread() - bytes0) / (double)reps / 1024;
            walls[i] = sw.Elapsed.TotalMilliseconds / reps;
            times[i] = cpu / reps;
        }
        static double Median(double[] v) { var s = v.OrderBy(t => t).ToArray(); return s[s.Length / 2]; }
        return new Measurement(Median(times), Median(allocs), Median(walls), times);
    }

    /// <summary>One benchmark graph by the formula of bench-peers.md.</summary>
    static Case Generate(int n, int seed, bool latent)
    {
        var rng = new Random(seed * 7919 + n);
        while (true)
        {
            var parents = new List<int>[n];
            var directed = new List<(string, string)>();
            for (var i = 0; i < n; i++)
            {
                parents[i] = [];
                if (i == 0) continue;
                var k = Math.Min(i, rng.Next(2) == 0 ? 2 : 3);
                var chosen = new HashSet<int>();
                while (chosen.Count < k) chosen.Add(rng.Next(i));
                foreach (var p in chosen.Order()) { parents[i].Add(p); directed.Add(($"V{p + 1}", $"V{i + 1}")); }
            }
            var g = CausalGraph.Create(Enumerable.Range(1, n).Select(i => $"V{i}"), directed);
            var exposures = Enumerable.Range(n / 4, Math.Max(1, n / 2 - n / 4)).Where(i => parents[i].Count >= 2).ToList();
            if (exposures.Count == 0) continue;
            var x = exposures[rng.Next(exposures.Count)];
            var outcomes = g.Descendants([$"V{x + 1}"]).Select(v => int.Parse(v[1..]) - 1).Where(i => i != x && i >= n / 2).Order().ToList();
            if (outcomes.Count == 0) continue;
            var y = outcomes[rng.Next(outcomes.Count)];
            var roles = new Dictionary<string, NodeRole> { [$"V{x + 1}"] = NodeRole.Exposure, [$"V{y + 1}"] = NodeRole.Outcome };
            if (latent)
            {
                var others = Enumerable.Range(0, n).Where(i => i != x && i != y).OrderBy(_ => rng.Next()).ToList();
                foreach (var i in others.Take(Math.Max(1, (int)Math.Round(others.Count * 0.1)))) roles[$"V{i + 1}"] = NodeRole.Latent;
            }
            return new Case(g.WithRoles(roles), $"V{x + 1}", $"V{y + 1}");
        }
    }
}
