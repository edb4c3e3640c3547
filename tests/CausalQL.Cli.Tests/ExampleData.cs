using System.Globalization;
using System.Text;

namespace CausalQL.Tests.Cli;

/// <summary>
/// The generators behind examples/data/*.csv: small, deterministic draws from stated SCMs, so the
/// examples' numbers can be checked against the truth. A test regenerates each file and compares
/// (CAUSALQL_ACCEPT=1 rewrites them).
/// </summary>
public static class ExampleData
{
    /// <summary>SplitMix64: a tiny generator whose stream is fixed by its seed on every platform and .NET version.</summary>
    sealed class SplitMix64(ulong seed)
    {
        ulong _state = seed;

        public double NextDouble()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }

        public int Bernoulli(double p) => NextDouble() < p ? 1 : 0;
    }

    /// <summary>
    /// Pearl's front-door story. Genotype G is never recorded.
    ///   G       ~ Bernoulli(0.5)
    ///   Smoking ~ Bernoulli(0.2 + 0.6 G)
    ///   Tar     ~ Bernoulli(0.1 + 0.7 Smoking)
    ///   Cancer  ~ Bernoulli(0.1 + 0.4 Tar + 0.4 G)
    /// Truth: P(Cancer = 1 | do(Smoking = 1)) = 0.1 + 0.4 * 0.8 + 0.4 * 0.5 = 0.62,
    ///        P(Cancer = 1 | do(Smoking = 0)) = 0.1 + 0.4 * 0.1 + 0.4 * 0.5 = 0.34.
    /// </summary>
    public static string Smoking(int rows = 10000, ulong seed = 20050429)
    {
        var random = new SplitMix64(seed);
        var csv = new StringBuilder("Smoking,Tar,Cancer\n");
        for (var i = 0; i < rows; i++)
        {
            var genotype = random.Bernoulli(0.5);
            var smoking = random.Bernoulli(0.2 + 0.6 * genotype);
            var tar = random.Bernoulli(0.1 + 0.7 * smoking);
            var cancer = random.Bernoulli(0.1 + 0.4 * tar + 0.4 * genotype);
            csv.Append(smoking).Append(',').Append(tar).Append(',').Append(cancer).Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>
    /// An encouragement trial (instrumental variable). Lifestyle L is never recorded.
    ///   L             ~ Normal(0, 1)
    ///   Encouragement ~ Bernoulli(0.5)                      (randomised)
    ///   Exercise      = 1.0 Encouragement + 0.8 L + Normal(0, 1)
    ///   Health        = 0.5 Exercise + 1.0 L + Normal(0, 1)
    /// Truth: the effect of one unit of Exercise on Health is 0.5; regressing Health on Exercise is biased upwards by L.
    /// </summary>
    public static string Encouragement(int rows = 2000, ulong seed = 1996)
    {
        var random = new SplitMix64(seed);
        double Normal() // Box-Muller; two uniforms per draw keep the stream simple.
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        var csv = new StringBuilder("Encouragement,Exercise,Health\n");
        for (var i = 0; i < rows; i++)
        {
            var lifestyle = Normal();
            var encouragement = random.Bernoulli(0.5);
            var exercise = 1.0 * encouragement + 0.8 * lifestyle + Normal();
            var health = 0.5 * exercise + 1.0 * lifestyle + Normal();
            csv.Append(encouragement).Append(',')
               .Append(exercise.ToString("0.####", CultureInfo.InvariantCulture)).Append(',')
               .Append(health.ToString("0.####", CultureInfo.InvariantCulture)).Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>
    /// Mediation: does a job-training programme raise employment directly, or through skills?
    ///   Motivation ~ Bernoulli(0.5)                                  (recorded)
    ///   Training   ~ Bernoulli(0.3 + 0.4 Motivation)
    ///   Skills     ~ Bernoulli(0.2 + 0.5 Training + 0.2 Motivation)
    ///   Employed   ~ Bernoulli(0.1 + 0.2 Training + 0.4 Skills + 0.2 Motivation)
    /// Truth (binary, no interactions): NDE = 0.2, NIE = 0.4 * 0.5 = 0.2, ATE = 0.4.
    /// </summary>
    public static string Training(int rows = 5000, ulong seed = 1978)
    {
        var random = new SplitMix64(seed);
        var csv = new StringBuilder("Motivation,Training,Skills,Employed\n");
        for (var i = 0; i < rows; i++)
        {
            var motivation = random.Bernoulli(0.5);
            var training = random.Bernoulli(0.3 + 0.4 * motivation);
            var skills = random.Bernoulli(0.2 + 0.5 * training + 0.2 * motivation);
            var employed = random.Bernoulli(0.1 + 0.2 * training + 0.4 * skills + 0.2 * motivation);
            csv.Append(motivation).Append(',').Append(training).Append(',').Append(skills).Append(',').Append(employed).Append('\n');
        }
        return csv.ToString();
    }

    public static IEnumerable<(string File, Func<string> Generate)> All =>
    [
        ("smoking.csv", () => Smoking()),
        ("encouragement.csv", () => Encouragement()),
        ("training.csv", () => Training()),
    ];
}
