namespace CausalQL.Tests;

/// <summary>
/// The scm many session tests sample from: Z confounds X and Y, and every noise term is non-degenerate, so the
/// naive difference is biased, adjustment and weighting fix it, and regression fits on every bootstrap replicate.
/// </summary>
public static class ConfoundedSample
{
    /// <summary>Seven lines (the scm, graph G, data d), each ending in a newline: statements appended start on line 8.</summary>
    public static string Script(int rows) => $$"""
        scm m {
          Z := bernoulli(0.5)
          X := (Z and bernoulli(0.8)) or (not Z and bernoulli(0.2))
          Y := (X and bernoulli(0.6)) or (Z and bernoulli(0.5))
        }
        graph G { Z -> X; Z -> Y; X -> Y }
        data d = sample(m, n = {{rows}}, seed = 7)

        """;
}
