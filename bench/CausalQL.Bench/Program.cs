using System.Reflection;
using CausalQL.Bench;

// Each benchmark is a class implementing IBenchmark in its own file; `dotnet run -c Release
// --project bench/CausalQL.Bench -- NAME [args]` runs one, no argument lists them.
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();

if (args.Length == 0 || benchmarks.All(b => b.Name != args[0]))
{
    Console.WriteLine("usage: bench NAME [args]   (run from the repository root, -c Release)");
    foreach (var b in benchmarks) Console.WriteLine($"  {b.Name,-24} {b.Description}");
    return args.Length == 0 ? 0 : 2;
}
return benchmarks.First(b => b.Name == args[0]).Run(args[1..]);

namespace CausalQL.Bench
{
    public interface IBenchmark
    {
        string Name { get; }
        string Description { get; }
        /// <summary>Runs the benchmark, printing our figure beside the peer's or the floor's; returns an exit code.</summary>
        int Run(string[] args);
    }
}
