using System.Diagnostics;
using System.Globalization;
using CausalQL.Data;
using CausalQL.Execution;
using DuckDB.NET.Data;

namespace CausalQL.Bench;

/// <summary>
/// The executor against bench-peers.md: plug-in ATE on the binary data (in memory and from
/// Parquet) next to the bare DuckDB GROUP BY that counts the same cells; regression, IPW and AIPW
/// on the linear data at 1M and 10M rows next to DoWhy's figures and to the one-pass moments
/// floor measured here (the faster of DuckDB's SQL aggregates and our sums inside DuckDB's scan); peak working set per case, each case in its own process.
/// Usage: estimate [rows=10000000] [runs=3] [cases=plugin,regression,ipw,aipw]   |   estimate case NAME ROWS RUNS (internal).
/// With rows ≥ 10M the model cases also run at 1M. Each model case runs twice: from the Parquet file
/// (the data where it lies, every scan decodes it) and from a DuckDB table in memory (the data loaded
/// once, as `csv(...)` loads it and as DoWhy's figures are taken on a pandas DataFrame). The machine's load average is printed before
/// and after (the figures are only comparable on a quiet machine).
/// </summary>
public sealed class EstimationBenchmark : IBenchmark
{
    public string Name => "estimate";
    public string Description => "plug-in / regression / IPW / AIPW on 1M–10M rows vs DuckDB GROUP BY, moments floor, DoWhy";

    static readonly string Dir = Path.Combine(Path.GetTempPath(), "causalql-bench");
    static string BinaryParquet(long n) => Path.Combine(Dir, $"binary-{n}.parquet");
    static string LinearParquet(long n) => Path.Combine(Dir, $"linear-{n}.parquet");

    static readonly Dictionary<string, (double At1M, double At10M)> DoWhy = new()
    {
        ["regression"] = (0.83, 11.8), ["ipw"] = (0.70, 10.3), ["aipw"] = (0.98, 13.8),
    };

    public int Run(string[] args)
    {
        if (args.Length >= 1 && args[0] == "case") return RunCase(args[1], long.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
        var rows = args.Length >= 1 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
        var runs = args.Length >= 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var cases = args.Length >= 3 ? args[2].Split(',') : ["plugin", "regression", "ipw", "aipw"];
        Directory.CreateDirectory(Dir);
        Console.WriteLine($"load average before: {LoadAverage()}");
        var sizes = rows >= 10_000_000 ? new[] { 1_000_000L, rows } : [rows];
        foreach (var n in sizes) Generate(n);
        Console.WriteLine($"{"case",-34} {"rows",11} {"ours (median)",14} {"reference",28} {"ratio",8} {"estimate",12} {"peak WS",9}");
        var failed = 0;
        foreach (var n in sizes)
        {
            if (n == rows && cases.Contains("plugin")) { failed += Spawn("plugin-memory", n, runs); failed += Spawn("plugin-parquet", n, runs); }
            foreach (var m in new[] { "regression", "ipw", "aipw" }.Where(cases.Contains))
            {
                failed += Spawn(m, n, runs);
                failed += Spawn(m + "-memory", n, runs);
            }
        }
        Console.WriteLine($"load average after: {LoadAverage()}");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>1, 5 and 15-minute load averages (Linux), or a note where the system does not tell.</summary>
    static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + $" on {Environment.ProcessorCount} cores" : "unknown";

    /// <summary>Each case in a fresh process, so its peak working set is its own.</summary>
    static int Spawn(string name, long n, int runs)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = false, UseShellExecute = false };
        // Started as `dotnet CausalQL.Bench.dll`, the process path is dotnet itself: pass the assembly on.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            psi.ArgumentList.Add(typeof(EstimationBenchmark).Assembly.Location);
        foreach (var a in new[] { "estimate", "case", name, n.ToString(CultureInfo.InvariantCulture), runs.ToString(CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode == 0 ? 0 : 1;
    }

    // ------------------------------------------------------------------ data (bench-peers.md generators, in DuckDB SQL)

    static void Generate(long n)
    {
        using var c = new DuckDBConnection("Data Source=:memory:");
        c.Open();
        if (!File.Exists(BinaryParquet(n)))
            Exec(c, $"""
                SELECT setseed(0.42);
                COPY (
                  WITH a AS (SELECT (random() < 0.4)::INT AS Z1, random() AS u2, (random() < 0.5)::INT AS Z3, random() AS ut, random() AS uy FROM range({n})),
                       b AS (SELECT Z1, (u2 < 0.3 + 0.3 * Z1)::INT AS Z2, Z3, ut, uy FROM a),
                       c AS (SELECT Z1, Z2, Z3, (ut < 0.2 + 0.3 * Z1 + 0.2 * Z2 + 0.1 * Z3)::INT AS T, uy FROM b)
                  SELECT Z1::TINYINT AS Z1, Z2::TINYINT AS Z2, Z3::TINYINT AS Z3, T::TINYINT AS T,
                         (uy < 0.1 + 0.2 * T + 0.25 * Z1 + 0.15 * Z2 + 0.1 * Z3 + 0.1 * T * Z3)::TINYINT AS Y FROM c
                ) TO '{BinaryParquet(n)}' (FORMAT parquet)
                """);
        if (!File.Exists(LinearParquet(n)))
            // Box–Muller normals; W2 = 0.5·W1 + √0.75·e gives corr(W1, W2) = 0.5.
            Exec(c, $"""
                SELECT setseed(0.43);
                COPY (
                  WITH u AS (SELECT random() AS a1, random() AS a2, random() AS b1, random() AS b2, random() AS c1, random() AS c2,
                                    random() AS d1, random() AS d2, random() AS e1, random() AS e2, random() AS f1, random() AS f2, random() AS ut FROM range({n})),
                       w AS (SELECT sqrt(-2 * ln(1 - a1)) * cos(2 * pi() * a2) AS W1, sqrt(-2 * ln(1 - b1)) * cos(2 * pi() * b2) AS e,
                                    sqrt(-2 * ln(1 - c1)) * cos(2 * pi() * c2) AS W3, sqrt(-2 * ln(1 - d1)) * cos(2 * pi() * d2) AS W4,
                                    sqrt(-2 * ln(1 - e1)) * cos(2 * pi() * e2) AS W5, sqrt(-2 * ln(1 - f1)) * cos(2 * pi() * f2) AS eps, ut FROM u),
                       x AS (SELECT W1, 0.5 * W1 + sqrt(0.75) * e AS W2, W3, W4, W5, eps, ut FROM w),
                       t AS (SELECT *, (ut < 1 / (1 + exp(-(0.2 + 0.8 * W1 - 0.6 * W2 + 0.5 * W3 + 0.3 * W4 - 0.4 * W5))))::DOUBLE AS T FROM x)
                  SELECT W1, W2, W3, W4, W5, T, 1 + 2 * T + 1.0 * W1 - 0.5 * W2 + 0.8 * W3 + 0.3 * W4 - 0.6 * W5 + eps AS Y FROM t
                ) TO '{LinearParquet(n)}' (FORMAT parquet)
                """);
    }

    static void Exec(DuckDBConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    // ------------------------------------------------------------------ one case

    static int RunCase(string name, long n, int runs)
    {
        switch (name)
        {
            case "plugin-memory" or "plugin-parquet":
                {
                    var memory = name == "plugin-memory";
                    var load = memory ? $"CREATE TABLE t AS SELECT * FROM read_parquet('{BinaryParquet(n)}')" : $"CREATE VIEW t AS SELECT * FROM read_parquet('{BinaryParquet(n)}')";
                    var opened = DuckDbSources.FromSetup("binary", load, "t");
                    if (!opened.IsOk) { Console.WriteLine(opened.Error!.Message); return 1; }
                    using var src = opened.Value;
                    var request = new EstimationRequest("T", "Y") { Method = EstimationMethod.Plugin, Adjustment = ["Z1", "Z2", "Z3"] };
                    EstimateResult? last = null;
                    var ours = Median(runs, () => last = Estimation.Estimate(request, src).Value);
                    // Our peak before the bare engine loads its own copy of the table (its memory is not ours).
                    var oursPeak = Process.GetCurrentProcess().PeakWorkingSet64;
                    // The bare engine on the same data: a second in-process DuckDB holding the same table.
                    using var bare = new DuckDBConnection("Data Source=:memory:");
                    bare.Open();
                    Exec(bare, load);
                    var floor = Median(runs, () =>
                    {
                        using var cmd = bare.CreateCommand();
                        cmd.CommandText = "SELECT T, Y, Z1, Z2, Z3, COUNT(*) FROM t GROUP BY T, Y, Z1, Z2, Z3";
                        using var r = cmd.ExecuteReader();
                        while (r.Read()) { }
                    });
                    Print($"plug-in ATE ({(memory ? "in memory" : "Parquet")})", n, ours, $"DuckDB GROUP BY {Ms(floor)}", ours / floor, last!.Value, peak: oursPeak);
                    Print("  (pgmpy fit + 2 do-queries)", n, ours, $"pgmpy {(n >= 10_000_000 ? "5.07 s" : "0.356 s @1M")}", (n >= 10_000_000 ? 5.07 : 0.356) / ours, last.Value, inverse: true, peak: oursPeak);
                    return 0;
                }
            case "regression-memory" or "ipw-memory" or "aipw-memory":
                return ModelInMemory(name[..name.IndexOf('-')], n, runs);
            default:
                {
                    var opened = DuckDbSources.Parquet(LinearParquet(n));
                    if (!opened.IsOk) { Console.WriteLine(opened.Error!.Message); return 1; }
                    using var src = opened.Value;
                    using var bare = new DuckDBConnection("Data Source=:memory:");
                    bare.Open();
                    Exec(bare, $"CREATE VIEW t AS SELECT * FROM read_parquet('{LinearParquet(n)}')");
                    void SqlFloor()
                    {
                        using var cmd = bare.CreateCommand();
                        cmd.CommandText = FloorQuery;
                        using var r = cmd.ExecuteReader();
                        while (r.Read()) { }
                    }
                    // The same moments summed in C# inside DuckDB's scan (the block-sums path our estimators use),
                    // on a second source of its own: the floor is the faster of the two, measured now.
                    var kernelOpened = DuckDbSources.Parquet(LinearParquet(n));
                    if (!kernelOpened.IsOk) { Console.WriteLine(kernelOpened.Error!.Message); return 1; }
                    using var kernelSource = kernelOpened.Value;
                    void KernelFloor() => Moments(kernelSource);
                    var sqlFloorTime = Median(runs, SqlFloor);
                    var kernelFloorTime = Median(runs, KernelFloor);
                    var kernelFloor = kernelFloorTime < sqlFloorTime;
                    Action Floor = kernelFloor ? KernelFloor : SqlFloor;
                    var floorName = kernelFloor ? "block-sums X'X" : "DuckDB X'X";
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  (one-pass X'X of 8 columns at {n:N0} rows from Parquet: DuckDB SQL {Ms(sqlFloorTime)}, summed in C# inside the scan {Ms(kernelFloorTime)}; floor = the faster)"));
                    EstimateResult? last = null;
                    // Floor and ours alternate, so that a shared machine's changing load falls on both alike.
                    var (floor, ours, floorBest, oursBest) = Interleaved(runs, Floor, () => last = Estimate(name, src));
                    PrintModel(name, "Parquet", n, runs, ours, oursBest, floorName, floor, floorBest, last!.Value, null);
                    return 0;
                }
        }
    }

    static readonly string[] MomentColumnNames = ["1", "W1", "W2", "W3", "W4", "W5", "T", "Y"];

    /// <summary>The SQL floor: every product of two of the 8 columns (the constant 1 among them) summed by DuckDB in one query.</summary>
    static string FloorQuery
    {
        get
        {
            var products = new List<string>();
            for (var i = 0; i < MomentColumnNames.Length; i++)
                for (var j = i; j < MomentColumnNames.Length; j++) products.Add($"SUM({MomentColumnNames[i]} * {MomentColumnNames[j]})");
            return $"SELECT {string.Join(", ", products)} FROM t";
        }
    }

    /// <summary>The kernel floor: the same moments summed in C# inside DuckDB's scan (the block-sums path our estimators use).</summary>
    static void Moments(IDataSource source)
    {
        var m = source.Moments([Expr.One, .. MomentColumnNames.Skip(1).Select(Expr.Col)], null);
        if (!m.IsOk) throw new InvalidOperationException(m.Error.Message);
    }

    static EstimateResult Estimate(string method, IDataSource source)
    {
        var request = new EstimationRequest("T", "Y")
        {
            Method = method switch { "regression" => EstimationMethod.Regression, "ipw" => EstimationMethod.Ipw, _ => EstimationMethod.Aipw },
            Adjustment = ["W1", "W2", "W3", "W4", "W5"],
        };
        var r = Estimation.Estimate(request, source);
        if (!r.IsOk) throw new InvalidOperationException(r.Error.Message);
        return r.Value;
    }

    /// <summary>
    /// A model case on the linear data loaded into a DuckDB table first (the load is not timed, as DoWhy's
    /// figures leave out pandas reading its file). The floor is the block-sums X'X on the same table,
    /// alternating with ours; DuckDB's own SQL aggregates are timed afterwards on a second copy (their
    /// memory is not ours), and printed for comparison.
    /// </summary>
    static int ModelInMemory(string method, long n, int runs)
    {
        var load = $"CREATE TABLE t AS SELECT * FROM read_parquet('{LinearParquet(n)}')";
        double ours, oursBest, floor, floorBest;
        long peak;
        EstimateResult? last = null;
        {
            var opened = DuckDbSources.FromSetup("linear (in memory)", load, "t");
            if (!opened.IsOk) { Console.WriteLine(opened.Error!.Message); return 1; }
            using var src = opened.Value;
            (floor, ours, floorBest, oursBest) = Interleaved(runs, () => Moments(src), () => last = Estimate(method, src));
            peak = Process.GetCurrentProcess().PeakWorkingSet64;
        }
        double sqlFloor;
        {
            using var bare = new DuckDBConnection("Data Source=:memory:");
            bare.Open();
            Exec(bare, load);
            sqlFloor = Median(runs, () =>
            {
                using var cmd = bare.CreateCommand();
                cmd.CommandText = FloorQuery;
                using var r = cmd.ExecuteReader();
                while (r.Read()) { }
            });
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  (one-pass X'X of 8 columns at {n:N0} rows in memory: DuckDB SQL {Ms(sqlFloor)}, summed in C# inside the scan {Ms(floor)}; floor = the faster)"));
        var kernelFaster = floor <= sqlFloor;
        PrintModel(method, "in memory", n, runs, ours, oursBest, kernelFaster ? "block-sums X'X" : "DuckDB X'X",
            kernelFaster ? floor : sqlFloor, kernelFaster ? floorBest : sqlFloor, last!.Value, peak);
        return 0;
    }

    static void PrintModel(string method, string where, long n, int runs, double ours, double oursBest, string floorName, double floor, double floorBest, double estimate, long? peak)
    {
        var dowhy = n >= 10_000_000 ? DoWhy[method].At10M : n >= 1_000_000 ? DoWhy[method].At1M : double.NaN;
        Print($"{method} ({where})", n, ours, $"DoWhy {dowhy.ToString("0.##", CultureInfo.InvariantCulture)} s", dowhy / ours, estimate, inverse: true, peak: peak);
        Print($"  vs one-pass moments floor", n, ours, $"{floorName} {Ms(floor)}", ours / floor, estimate, peak: peak);
        Print($"  best of {runs} (ours / floor)", n, oursBest, $"{floorName} {Ms(floorBest)}", oursBest / floorBest, estimate, peak: peak);
    }

    static double Median(int runs, Action action)
    {
        action();   // warm-up
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Medians and minima of two actions timed alternately after one warm-up each.</summary>
    static (double MedianA, double MedianB, double BestA, double BestB) Interleaved(int runs, Action a, Action b)
    {
        a();
        b();
        var ta = new List<double>();
        var tb = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            a();
            ta.Add(sw.Elapsed.TotalSeconds);
            sw.Restart();
            b();
            tb.Add(sw.Elapsed.TotalSeconds);
        }
        ta.Sort();
        tb.Sort();
        return (ta[ta.Count / 2], tb[tb.Count / 2], ta[0], tb[0]);
    }

    static string Ms(double seconds) => seconds < 1 ? $"{seconds * 1000:0.0} ms" : $"{seconds:0.00} s";

    /// <summary><paramref name="peak"/>: the working set to print when the process's peak also holds a reference engine's copy of the data.</summary>
    static void Print(string label, long n, double ours, string reference, double ratio, double estimate, bool inverse = false, long? peak = null)
    {
        var peakMb = (peak ?? Process.GetCurrentProcess().PeakWorkingSet64) / (1024.0 * 1024);
        var ratioText = inverse ? $"{ratio:0.0}x faster" : $"{ratio:0.00}x";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-34} {n,11:N0} {Ms(ours),14} {reference,28} {ratioText,8} {estimate,12:0.0000} {peakMb,6:0} MB"));
    }
}
