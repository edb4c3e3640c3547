using System.Diagnostics;
using System.Net;
using System.Text;
using CausalQL.Server;

namespace CausalQL.Bench;

/// <summary>
/// Bounded load on the HTTP API over loopback: N POST /v1/identify requests (front-door graph, P(Y | do(X)))
/// from C concurrent clients against the real server (Kestrel, strict JSON, time budget, identification).
/// Prints throughput, p50/p99 latency and the error count. `api [N=20000] [C=32]`.
/// </summary>
public sealed class ApiBenchmark : IBenchmark
{
    public string Name => "api";
    public string Description => "HTTP API load: N POST /v1/identify at C concurrent clients on loopback (default 20000 at 32)";

    const string Body = """{"context":"graph fd {\n  X -> M -> Y\n  X <-> Y\n  Z -> X\n}","query":"P(Y | do(X))","graph":"fd"}""";

    public int Run(string[] args)
    {
        var total = args.Length > 0 && int.TryParse(args[0], out var n) && n > 0 ? n : 20_000;
        var clients = args.Length > 1 && int.TryParse(args[1], out var c) && c > 0 ? c : 32;
        return RunAsync(total, clients).GetAwaiter().GetResult();
    }

    static async Task<int> RunAsync(int total, int clients)
    {
        var app = CqlServer.Build(new ServerOptions { Urls = ["http://127.0.0.1:0"], MaxConcurrentRuns = 256 });
        await app.StartAsync();
        try
        {
            var address = new Uri(app.Urls.First());
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            {
                BaseAddress = address,
                Timeout = TimeSpan.FromSeconds(60),
            };
            // Warm-up: JIT, connection pool, first identification.
            for (var i = 0; i < 200; i++) await Send(http);

            var loadBefore = LoadAverage();
            var latencies = new double[total];
            var errors = 0;
            var next = -1;
            var clock = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < total)
                {
                    var start = Stopwatch.GetTimestamp();
                    var ok = await Send(http);
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    if (!ok) Interlocked.Increment(ref errors);
                }
            })).ToArray();
            await Task.WhenAll(workers);
            var seconds = clock.Elapsed.TotalSeconds;
            Array.Sort(latencies);
            double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];

            Console.WriteLine($"api: {total:N0} POST /v1/identify at {clients} concurrent clients on loopback");
            Console.WriteLine($"  throughput  {total / seconds,10:N0} requests/s   ({seconds:0.00} s)");
            Console.WriteLine($"  latency     p50 {Percentile(0.50):0.00} ms   p99 {Percentile(0.99):0.00} ms   max {latencies[^1]:0.00} ms");
            Console.WriteLine($"  errors      {errors}");
            // The machine may be shared: the load around the run says how much of it the figures had.
            Console.WriteLine($"  load        {loadBefore} before, {LoadAverage()} after (1/5/15-minute averages; {Environment.ProcessorCount} cores)");
            Console.WriteLine("  peer        none published for an HTTP API; for scale, causaleffect (R) takes a median 26 ms per identification query in-process");
            return errors == 0 ? 0 : 1;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    static string LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(" ", fields.Take(3));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    static async Task<bool> Send(HttpClient http)
    {
        try
        {
            using var content = new StringContent(Body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/v1/identify", content);
            var text = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK && text.Contains("\"identifiable\"", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
