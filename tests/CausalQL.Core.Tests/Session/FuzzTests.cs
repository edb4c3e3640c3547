using CausalQL.Binding;
using CausalQL.Sessions;
using CausalQL.Tests;
using CausalQL.Text;

namespace CausalQL.Tests.Sessions;

/// <summary>
/// Mutation fuzzing across parser and binder: 100,000 inputs made by cutting, splicing and
/// corrupting real scripts must produce diagnostics only — never an exception.
/// </summary>
public class FuzzTests
{
    static readonly string[] Fragments =
    [
        "graph", "dag", "data", "model", "scm", "identify", "estimate", "adjustment sets for", "instruments for",
        "implications of", "show", "export", "use", "assume", "refute", "ask", "in", "using", "with", "explain",
        "verify", "P(", "E[", "do(", "ATE(", "NDE(", "PN(", "->", "<-", "<->", "--", "=>", "-->", "{", "}", "(", ")",
        "[", "]", "|", "=", ":=", "~", ";", ",", "\n", "\"", "\"file.csv\"", "csv(", "dagitty(", "1", "0.5", "-3",
        "2s", "x'", "Y_{X=1}", "[latent]", "[exposure]", "X", "Y", "Z", "g", "h", "//", "/*", "*/", "\\", "\u00e9", "\t",
        "bernoulli(0.5)", "xor", "+", "-", "*", "/", "^", "==", "!=", "on", "as", "dot", "json", "minimal", "all",
    ];

    static IEnumerable<string> Corpus()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "examples"), "*.cql"))
            yield return File.ReadAllText(file);
        yield return """
            graph g {
              Z -> X -> Y
              Z -> {X, Y}
              X <-> Y
              U [latent]
              U -> {X, Y}
            }
            graph d = dag { x [exposure] y [outcome] u [latent] z -> x -> y; z -> y; u -> {z y} }
            model story on g { P(Z = 1) = 0.4 ; P(X = 1 | Z = 0) = 0.2 }
            scm m { U ~ bernoulli(0.5); X := U; Y := X xor bernoulli(0.1) }
            identify P(Y = 1 | do(X = 1), Z = 0) in g explain
            identify P(Y[X = 1] = 1 | X = 0, Y = 0) in g
            estimate E[Y | do(X = 1)] - E[Y | do(X = 0)] in g using obs with bootstrap = 100, seed = 7
            adjustment sets for X -> Y in g minimal
            use g
            NDE(X -> Z -> Y)
            PNS(X -> Y)
            """;
    }

    [Fact]
    public void Hundred_thousand_mutated_inputs_give_only_diagnostics()
    {
        const int inputs = 100_000;
        var corpus = Corpus().ToArray();
        var ports = new SessionPorts(new InMemoryFileReader(new Dictionary<string, string> { ["file.csv"] = "X,Y\n", ["model.txt"] = "dag { a -> b }" }));
        var diagnostics = 0L;
        string? failure = null;
        // Input i is a function of i alone, so a failure is reproducible whatever the scheduling.
        Parallel.For(0, inputs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, (i, state) =>
        {
            var random = new Random(20261128 + i);
            var text = Mutate(Slice(corpus[random.Next(corpus.Length)], random), random);
            try
            {
                var (entries, _) = Compilation.Run(new SourceText(text, "fuzz.cql"), SymbolTable.Empty, ports, execute: false);
                Interlocked.Add(ref diagnostics, entries.Count(e => e is DiagnosticEntry));
            }
            catch (Exception e)
            {
                failure ??= $"input {i} threw {e.GetType().Name}: {e.Message}\n--- input ---\n{text}\n--- stack ---\n{e.StackTrace}";
                state.Stop();
            }
        });
        Assert.True(failure is null, failure);
        // The mutations must actually exercise error paths, not only valid scripts.
        Assert.True(diagnostics > inputs / 2, $"only {diagnostics} diagnostics for {inputs} inputs");
    }

    /// <summary>A few consecutive lines: small inputs keep 100,000 runs fast and still cover every statement form.</summary>
    static string Slice(string script, Random random)
    {
        var lines = script.Split('\n');
        var start = random.Next(lines.Length);
        var count = 1 + random.Next(Math.Min(3, lines.Length - start));
        return string.Join('\n', lines.Skip(start).Take(count));
    }

    static string Mutate(string text, Random random)
    {
        var rounds = 1 + random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            var at = text.Length == 0 ? 0 : random.Next(text.Length + 1);
            switch (random.Next(6))
            {
                case 0: // insert a token
                    text = text.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 1: // delete a span
                    if (text.Length > 0) text = text.Remove(Math.Min(at, text.Length - 1), Math.Min(1 + random.Next(8), text.Length - Math.Min(at, text.Length - 1)));
                    break;
                case 2: // duplicate a span
                    if (text.Length > 0)
                    {
                        var start = random.Next(text.Length);
                        var length = Math.Min(1 + random.Next(20), text.Length - start);
                        text = text.Insert(at, text.Substring(start, length));
                    }
                    break;
                case 3: // replace one character with a random one
                    if (text.Length > 0)
                    {
                        var i = random.Next(text.Length);
                        text = text[..i] + (char)random.Next(1, 0x250) + text[(i + 1)..];
                    }
                    break;
                case 4: // truncate
                    text = text[..at];
                    break;
                default: // swap two halves
                    text = text[at..] + text[..at];
                    break;
            }
        }
        return text;
    }
}
