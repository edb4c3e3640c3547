using CausalQL.Syntax;
namespace CausalQL.Bench;
public sealed class Probe : IBenchmark
{
    public string Name => "probe";
    public string Description => "temp";
    public int Run(string[] args)
    {
        string[] cases = ["use g", "x", "P(Y)", "1 + 2 * 3", "graph g { A -> B }", "graph g { A -> B -> {C, D} }", "graph g {\n A -> B\n C -> D\n}", "identify P(Y | do(X = 1), Z = 0) in g explain", "estimate E[Y | do(X = 1)] in g using d with a = 1, b = 2"];
        foreach (var c in cases)
        {
            for (var i = 0; i < 100; i++) CqlParser.Parse(c);
            var tokensBefore = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++) CqlTokenizer.Tokenize(c);
            var tok = (GC.GetAllocatedBytesForCurrentThread() - tokensBefore) / 1000;
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++) CqlParser.Parse(c);
            Console.WriteLine($"{(GC.GetAllocatedBytesForCurrentThread() - before) / 1000,8} B total, {tok,6} B tokenize  {c.Replace("\n", "\\n")}");
        }
        return 0;
    }
}
