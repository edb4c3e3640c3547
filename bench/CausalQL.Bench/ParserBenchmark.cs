using System.Diagnostics;
using System.Text;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Bench;

/// <summary>
/// Parser throughput on a large generated script of graph blocks, queries and statements: MB/s for the
/// tokenizer alone and for the whole parse, and bytes allocated per input byte; then DAGitty-syntax graphs
/// generated as bench-peers.md describes (n = 10..200), parse time per graph beside the DAGitty JS core's.
/// Rates are given per CPU second as well as per wall-clock second: the machine is shared.
/// `bench parser [MB]` (default 20).
/// </summary>
public sealed class ParserBenchmark : IBenchmark
{
    public string Name => "parser";
    public string Description => "tokenizer and parser throughput (MB/s, allocations) on a generated script";

    public int Run(string[] args)
    {
        var megabytes = args.Length > 0 && int.TryParse(args[0], out var mb) && mb > 0 ? mb : 20;
        var text = Generate(megabytes * 1_000_000, seed: 1);
        var size = Encoding.UTF8.GetByteCount(text) / 1e6;
        Console.WriteLine($"script: {size:F1} MB, {text.Count(c => c == '\n'):N0} lines");

        // Warm up on a slice so the JIT has compiled the combinators.
        CqlParser.Parse(new SourceText(text[..Math.Min(text.Length, 200_000)]));

        var (tokenSeconds, tokenCpu, tokenBytes) = Measure(() => CqlTokenizer.Tokenize(text).Length);
        var statements = 0;
        var errors = 0;
        var (parseSeconds, parseCpu, parseBytes) = Measure(() =>
        {
            var result = CqlParser.Parse(new SourceText(text, "bench.cql"));
            statements = result.Script.Statements.Count;
            errors = result.Diagnostics.Length;
            return statements;
        });

        Console.WriteLine($"tokenize : {size / tokenSeconds,8:F2} MB/s wall  {size / tokenCpu,8:F2} MB/s cpu  {tokenBytes / (size * 1e6),6:F1} bytes allocated per input byte");
        Console.WriteLine($"parse    : {size / parseSeconds,8:F2} MB/s wall  {size / parseCpu,8:F2} MB/s cpu  {parseBytes / (size * 1e6),6:F1} bytes allocated per input byte  ({statements:N0} statements, {errors} diagnostics)");

        Console.WriteLine();
        Console.WriteLine("DAGitty graphs (median of 5 seeds, each parsed 20 times; peer = DAGitty JS core, bench-peers.md)");
        Console.WriteLine($"{"n",5} {"chars",7} {"ours ms (cpu)",14} {"peer ms",8}");
        foreach (var (n, peer) in new[] { (10, 0.07), (20, 0.14), (50, 0.37), (100, 0.69), (200, 1.56) })
        {
            var times = new List<double>();
            var length = 0;
            for (var seed = 1; seed <= 5; seed++)
            {
                var dag = RandomDag(n, seed);
                length = dag.Length;
                var source = new SourceText(dag);
                CqlParser.ParseDagitty(source);
                var (_, cpu, _) = Measure(() =>
                {
                    for (var r = 0; r < 20; r++)
                        if (CqlParser.ParseDagitty(source).Graph is null) throw new InvalidOperationException("generated DAG did not parse");
                    return 0;
                });
                times.Add(cpu / 20 * 1000);
            }
            times.Sort();
            Console.WriteLine($"{n,5} {length,7} {times[2],14:F3} {peer,8:F2}");
        }
        return errors == 0 ? 0 : 1;
    }

    static (double Seconds, double CpuSeconds, long Bytes) Measure(Func<int> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        action();
        watch.Stop();
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        return (watch.Elapsed.TotalSeconds, Math.Max(cpu, 1e-6), GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>bench-peers.md's random DAG: V1..Vn in topological order, each node 2 or 3 parents (½ each)
    /// drawn uniformly from earlier nodes, written in DAGitty's syntax.</summary>
    static string RandomDag(int n, int seed)
    {
        var random = new Random(seed);
        var sb = new StringBuilder("dag {\n");
        for (var v = 1; v <= n; v++)
        {
            sb.Append('V').Append(v).Append('\n');
            var earlier = Enumerable.Range(1, v - 1).ToList();
            var parents = Math.Min(earlier.Count, random.Next(2) == 0 ? 2 : 3);
            for (var p = 0; p < parents; p++)
            {
                var k = random.Next(earlier.Count);
                sb.Append('V').Append(earlier[k]).Append(" -> V").Append(v).Append('\n');
                earlier.RemoveAt(k);
            }
        }
        return sb.Append("}\n").ToString();
    }

    /// <summary>A script of roughly <paramref name="chars"/> characters mixing every statement kind.</summary>
    public static string Generate(int chars, int seed)
    {
        var random = new Random(seed);
        var sb = new StringBuilder(chars + 1000);
        var graphNo = 0;
        string V() => "V" + random.Next(0, 40);
        while (sb.Length < chars)
        {
            var g = "g" + graphNo++;
            sb.Append("graph ").Append(g).Append(" {\n");
            for (var i = 0; i < 12; i++)
                sb.Append("  ").Append(V()).Append(" -> ").Append(V()).Append(" -> {").Append(V()).Append(", ").Append(V()).Append("}\n");
            sb.Append("  ").Append(V()).Append(" <-> ").Append(V()).Append("\n  U [latent]\n}\n");
            sb.Append("identify P(").Append(V()).Append(" | do(").Append(V()).Append(" = 1), ").Append(V()).Append(" = 0) in ").Append(g).Append(" explain\n");
            sb.Append("estimate E[").Append(V()).Append(" | do(").Append(V()).Append(" = 1)] - E[").Append(V()).Append(" | do(").Append(V())
                .Append(" = 0)]\n  in ").Append(g).Append(" using d with bootstrap = 1000, seed = 7, outcome_model = ~ a + b + I(c^2) + a:b\n");
            sb.Append("P(").Append(V()).Append("[").Append(V()).Append(" = 1] = 1 | ").Append(V()).Append(" = 0) ; NDE(X -> M -> Y) + 2 * ATE(X -> Y)\n");
            sb.Append("adjustment sets for ").Append(V()).Append(" -> ").Append(V()).Append(" in ").Append(g).Append(" minimal\n");
            sb.Append("scm m").Append(graphNo).Append(" {\n  U ~ bernoulli(0.5)\n  X := U xor (Z and not W)\n  Y := 0.3 * X + normal(0, 1)\n}\n");
        }
        return sb.ToString();
    }
}
