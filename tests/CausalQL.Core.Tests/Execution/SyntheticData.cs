using CausalQL.Execution;

namespace CausalQL.Core.Tests.Execution;

/// <summary>The generators of shared/bench-peers.md (same formulas), plus IV and front-door designs with a known effect.</summary>
static class SyntheticData
{
    static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
    static double Expit(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>Linear data: true ATE 2.0, naive difference ≈ 3.1.</summary>
    public static InMemoryTable Linear(int n, int seed)
    {
        var r = new Random(seed);
        var w = Enumerable.Range(0, 5).Select(_ => new double[n]).ToArray();
        var t = new double[n];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < 5; k++) w[k][i] = Normal(r);
            w[1][i] = 0.5 * w[0][i] + Math.Sqrt(0.75) * w[1][i];   // corr(W1, W2) = 0.5
            t[i] = r.NextDouble() < Expit(0.2 + 0.8 * w[0][i] - 0.6 * w[1][i] + 0.5 * w[2][i] + 0.3 * w[3][i] - 0.4 * w[4][i]) ? 1 : 0;
            y[i] = 1 + 2 * t[i] + 1.0 * w[0][i] - 0.5 * w[1][i] + 0.8 * w[2][i] + 0.3 * w[3][i] - 0.6 * w[4][i] + Normal(r);
        }
        return InMemoryTable.FromNumbers(new Dictionary<string, double[]>
        {
            ["W1"] = w[0], ["W2"] = w[1], ["W3"] = w[2], ["W4"] = w[3], ["W5"] = w[4], ["T"] = t, ["Y"] = y,
        });
    }

    /// <summary>Binary data: true ATE 0.25.</summary>
    public static InMemoryTable Binary(int n, int seed)
    {
        var r = new Random(seed);
        double B(double p) => r.NextDouble() < p ? 1 : 0;
        var z1 = new double[n]; var z2 = new double[n]; var z3 = new double[n]; var t = new double[n]; var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            z1[i] = B(0.4);
            z2[i] = B(0.3 + 0.3 * z1[i]);
            z3[i] = B(0.5);
            t[i] = B(0.2 + 0.3 * z1[i] + 0.2 * z2[i] + 0.1 * z3[i]);
            y[i] = B(0.1 + 0.2 * t[i] + 0.25 * z1[i] + 0.15 * z2[i] + 0.1 * z3[i] + 0.1 * t[i] * z3[i]);
        }
        return InMemoryTable.FromNumbers(new Dictionary<string, double[]> { ["Z1"] = z1, ["Z2"] = z2, ["Z3"] = z3, ["T"] = t, ["Y"] = y });
    }

    /// <summary>Instrument Z → T → Y with a hidden U → T, Y; effect of T is 1.5.</summary>
    public static InMemoryTable Instrument(int n, int seed)
    {
        var r = new Random(seed);
        var z = new double[n]; var t = new double[n]; var y = new double[n]; var w = new double[n];
        for (var i = 0; i < n; i++)
        {
            var u = Normal(r);
            w[i] = Normal(r);
            z[i] = Normal(r);
            t[i] = 0.8 * z[i] + u + 0.5 * w[i] + Normal(r);
            y[i] = 1.5 * t[i] - 2 * u + 0.7 * w[i] + Normal(r);
        }
        return InMemoryTable.FromNumbers(new Dictionary<string, double[]> { ["Z"] = z, ["T"] = t, ["Y"] = y, ["W"] = w });
    }

    /// <summary>Front door T → M → Y with a hidden U → T, Y; effect 0.9 · 1.2 = 1.08.</summary>
    public static InMemoryTable FrontDoor(int n, int seed)
    {
        var r = new Random(seed);
        var t = new double[n]; var m = new double[n]; var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            var u = Normal(r);
            t[i] = u + Normal(r);
            m[i] = 0.9 * t[i] + Normal(r);
            y[i] = 1.2 * m[i] + 2 * u + Normal(r);
        }
        return InMemoryTable.FromNumbers(new Dictionary<string, double[]> { ["T"] = t, ["M"] = m, ["Y"] = y });
    }
}
