using System.Diagnostics;
using CausalQL.Execution;

namespace CausalQL.Bench;

/// <summary>
/// Row bootstrap of IPW / AIPW on an in-memory table (default 20,000 rows, 100 replicates): the
/// time of the point estimate alone and with the bootstrap, so the per-replicate cost shows.
/// </summary>
public sealed class BootstrapBenchmark : IBenchmark
{
    public string Name => "bootstrap";
    public string Description => "ipw/aipw with bootstrap = 100 on 20,000 in-memory rows [rows] [replicates]";

    public int Run(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0]) : 20_000;
        var replicates = args.Length > 1 ? int.Parse(args[1]) : 100;
        var table = Data(n, 7);
        string[] ws = ["W1", "W2", "W3", "W4", "W5"];
        foreach (var method in new[] { EstimationMethod.Ipw, EstimationMethod.Aipw })
        {
            var request = new EstimationRequest("T", "Y") { Method = method, Adjustment = ws };
            Estimation.Estimate(request, table);   // warm up (JIT)
            var clock = Stopwatch.StartNew();
            var point = Estimation.Estimate(request, table);
            var pointMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var boot = Estimation.Estimate(request with { Options = new() { Bootstrap = replicates, Seed = 11 } }, table);
            var bootMs = clock.Elapsed.TotalMilliseconds;
            if (!point.IsOk || !boot.IsOk) { Console.WriteLine($"{method}: failed: {(point.Error ?? boot.Error)!.Message}"); return 1; }
            Console.WriteLine($"{method,-5} n={n}: point {pointMs,8:F1} ms; bootstrap {replicates}: {bootMs,9:F1} ms ({(bootMs - pointMs) / replicates:F1} ms/replicate); " +
                $"value {point.Value.Value:G8}, interval [{boot.Value.Interval!.Lo:G8}, {boot.Value.Interval!.Hi:G8}]");
        }
        return 0;
    }

    static InMemoryTable Data(int n, int seed)
    {
        var r = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
        var w = Enumerable.Range(0, 5).Select(_ => new double[n]).ToArray();
        var t = new double[n];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < 5; k++) w[k][i] = Normal();
            var eta = 0.2 + 0.8 * w[0][i] - 0.6 * w[1][i] + 0.5 * w[2][i] + 0.3 * w[3][i] - 0.4 * w[4][i];
            t[i] = r.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0;
            y[i] = 1 + 2 * t[i] + w[0][i] - 0.5 * w[1][i] + 0.8 * w[2][i] + 0.3 * w[3][i] - 0.6 * w[4][i] + Normal();
        }
        return InMemoryTable.FromNumbers(new Dictionary<string, double[]>
        {
            ["W1"] = w[0], ["W2"] = w[1], ["W3"] = w[2], ["W4"] = w[3], ["W5"] = w[4], ["T"] = t, ["Y"] = y,
        });
    }
}
