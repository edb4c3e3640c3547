using System.Diagnostics;
using System.Globalization;
using CausalQL.Data;
using CausalQL.Execution;

namespace CausalQL.Bench;

/// <summary>
/// The per-row arithmetic of the block-sums kernel alone, without decoding: the term lists of each
/// scan an estimator takes (IPW, AIPW, regression on the linear bench data) are recorded, then each is
/// replayed on one thread through a <see cref="BlockSumsWorker"/> over the rows held in memory, in
/// DuckDB-sized vectors read in place (as DuckDB's are), beside the 36 moments of the one-pass X'X. The figures are CPU time of the
/// kernel per scan, comparable across builds on a shared machine far better than whole estimates. The rows
/// handed over cycle through the first 64k (as DuckDB's vectors, just decoded, they come from cache).
/// Usage: blocksums [rows=1000000] [repeats=5] [methods=ipw,aipw].
/// </summary>
public sealed class BlockSumsBenchmark : IBenchmark
{
    public string Name => "blocksums";
    public string Description => "block-sums kernel alone (no decoding): each scan's terms of IPW / AIPW replayed on rows in memory";

    const int Window = 65536;

    public int Run(string[] args)
    {
        if (args.Length >= 1 && args[0] == "estimate") return Estimates(args[1..]);
        var rows = args.Length >= 1 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var repeats = args.Length >= 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var methods = args.Length >= 3 ? args[2].Split(',') : ["ipw", "aipw"];
        var path = Path.Combine(Path.GetTempPath(), "causalql-bench", $"linear-{rows}.parquet");
        if (!File.Exists(path)) { Console.WriteLine($"{path} is missing: run `estimate {rows}` once to generate it"); return 1; }
        var opened = DuckDbSources.Parquet(path);
        if (!opened.IsOk) { Console.WriteLine(opened.Error!.Message); return 1; }
        using var source = opened.Value;
        var names = new[] { "W1", "W2", "W3", "W4", "W5", "T", "Y" };
        var data = names.ToDictionary(n => n, _ => new List<double>());
        var read = source.Rows(names.Select(Expr.Col).ToList(), null, 65536, b =>
        {
            for (var i = 0; i < names.Length; i++) data[names[i]].AddRange(b.Columns[i].AsSpan(0, b.Count));
        });
        if (!read.IsOk) { Console.WriteLine(read.Error!.Message); return 1; }
        // Pinned, so that the worker reads them in place as it reads DuckDB's vectors (see DuckDbBlockSums.OnVector).
        var columns = data.ToDictionary(kv => kv.Key, kv =>
        {
            var pinned = GC.AllocateUninitializedArray<double>(kv.Value.Count, pinned: true);
            kv.Value.CopyTo(pinned);
            return pinned;
        });
        StorageType? StorageOf(string c) => source.Column(c)?.Storage;

        var x = new[] { Expr.One }.Concat(names.Select(Expr.Col)).ToList();
        var moments = new List<Expr>();
        for (var i = 0; i < x.Count; i++) for (var j = i; j < x.Count; j++) moments.Add(x[i] * x[j]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"scan",-28} {"terms",6} {"ms / 10M rows (best of " + repeats + ")",28}  checksum"));
        Replay("X'X of 8 columns (floor)", moments);
        foreach (var m in methods)
        {
            var recorder = new Recorder(source);
            var request = new EstimationRequest("T", "Y")
            {
                Method = m switch { "ipw" => EstimationMethod.Ipw, "aipw" => EstimationMethod.Aipw, _ => EstimationMethod.Regression },
                Adjustment = ["W1", "W2", "W3", "W4", "W5"],
            };
            var estimate = Estimation.Estimate(request, recorder);
            if (!estimate.IsOk) { Console.WriteLine(estimate.Error.Message); return 1; }
            for (var s = 0; s < recorder.Scans.Count; s++)
                if (recorder.Scans[s].Count > 0)
                {
                    Replay($"{m} scan {s + 1}", recorder.Scans[s]);
                    if (Environment.GetEnvironmentVariable("BLOCKSUMS_TERMS") is { } pick && s == 0)
                        foreach (var set in pick.Split(';'))
                            Replay($"{m} scan {s + 1} [{set}]", set.Split(',').Select(i => recorder.Scans[s][int.Parse(i, CultureInfo.InvariantCulture)]).ToList());
                }
        }
        return 0;

        void Replay(string label, IReadOnlyList<Expr> terms)
        {
            if (Environment.GetEnvironmentVariable("BLOCKSUMS_SHOW") is "1")
                foreach (var t in terms) Console.WriteLine($"    {t}");
            var plan = BlockSumsPlan.Create(terms, StorageOf, null, 2048);
            if (plan is null) { Console.WriteLine($"{label}: not evaluable in the kernel"); return; }
            var inputs = plan.Inputs.Select(e => e is ColumnRef c ? columns[c.Name] : throw new InvalidOperationException($"input {e}")).ToArray();
            var best = double.PositiveInfinity;
            double checksum = 0;
            for (var r = 0; r <= repeats; r++)
            {
                var worker = plan.NewWorker();
                var n = 0;
                var sw = Stopwatch.StartNew();
                for (long start = 0; start < rows; start += n)
                {
                    n = (int)Math.Min(plan.Capacity, rows - start);
                    // The engine hands over vectors it has just decoded (in cache): the rows cycle over the first 64k.
                    var from = (int)(start % Window);
                    n = Math.Min(n, Window - from);
                    for (var i = 0; i < inputs.Length; i++) worker.Bind(i, System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(inputs[i], from));
                    worker.Add(n);
                }
                var t = sw.Elapsed.TotalSeconds;
                if (r > 0) best = Math.Min(best, t);
                checksum = plan.Merge([worker]).Sums.Sum();
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-28} {terms.Count,6} {best * 1000 * 10_000_000 / rows,28:0.0}  {checksum:R}"));
        }
    }

    /// <summary>`blocksums estimate ROWS RUNS METHOD`: whole estimates only (nothing else in the process, for a profiler), each run's time.</summary>
    static int Estimates(string[] args)
    {
        var rows = long.Parse(args[0], CultureInfo.InvariantCulture);
        var runs = int.Parse(args[1], CultureInfo.InvariantCulture);
        var opened = DuckDbSources.Parquet(Path.Combine(Path.GetTempPath(), "causalql-bench", $"linear-{rows}.parquet"));
        if (!opened.IsOk) { Console.WriteLine(opened.Error!.Message); return 1; }
        using var source = opened.Value;
        var request = new EstimationRequest("T", "Y")
        {
            Method = args[2] switch { "ipw" => EstimationMethod.Ipw, "aipw" => EstimationMethod.Aipw, _ => EstimationMethod.Regression },
            Adjustment = ["W1", "W2", "W3", "W4", "W5"],
        };
        for (var r = 0; r < runs; r++)
        {
            var sw = Stopwatch.StartNew();
            var e = Estimation.Estimate(request, source);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{args[2]} {rows:N0}: {sw.Elapsed.TotalMilliseconds:0.0} ms  {(e.IsOk ? $"{e.Value.Value:R} se {e.Value.StandardError:R}" : e.Error.Message)}"));
        }
        return 0;
    }

    /// <summary>Passes everything to the source and keeps the terms of every Sums scan.</summary>
    sealed class Recorder(IDataSource inner) : IDataSource
    {
        public List<IReadOnlyList<Expr>> Scans { get; } = [];
        public string Description => inner.Description;
        public IReadOnlyList<ColumnSchema> Schema => inner.Schema;
        public string? WeightColumn => inner.WeightColumn;
        public bool SamplesCheaply => inner.SamplesCheaply;
        public Result<TableProfile> Profile(IReadOnlyList<string> columns, Expr? filter, CancellationToken ct = default) => inner.Profile(columns, filter, ct);
        public Result<ContingencyTable> Counts(IReadOnlyList<string> variables, Expr? filter, CancellationToken ct = default) => inner.Counts(variables, filter, ct);
        public Result<SumsResult> Sums(IReadOnlyList<Expr> terms, Expr? filter, CancellationToken ct = default)
        {
            Scans.Add(terms.ToList());
            return inner.Sums(terms, filter, ct);
        }
        public Result<long> Rows(IReadOnlyList<Expr> columns, Expr? filter, int batchSize, Action<RowBatch> onBatch, CancellationToken ct = default) =>
            inner.Rows(columns, filter, batchSize, onBatch, ct);
        public Result<long> SampleRows(IReadOnlyList<Expr> columns, Expr? filter, long rows, long minimumRows, Action<RowBatch> onBatch, CancellationToken ct = default) =>
            inner.SampleRows(columns, filter, rows, minimumRows, onBatch, ct);
        public void Dispose() { }
    }
}
