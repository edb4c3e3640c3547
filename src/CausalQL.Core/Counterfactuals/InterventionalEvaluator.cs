using CausalQL.Estimands;

namespace CausalQL.Counterfactuals;

/// <summary>
/// Evaluates an estimand whose terms may be interventional (P_x(...), a <see cref="Prob"/> with
/// a non-empty Intervened set) against a source of interventional probabilities — an SCM, a
/// table of experiments, or an observational source when nothing is intervened. A name with
/// primes (X') reads variable X at the value bound to that name.
/// </summary>
public static class InterventionalEvaluator
{
    /// <summary>P(events | do(assignments)).</summary>
    public delegate double InterventionalProbability(IReadOnlyList<(string Variable, int Value)> events, IReadOnlyList<(string Variable, int Value)> intervention);

    public static string Column(string name) => name.TrimEnd('\'');

    public static double Evaluate(Estimand estimand, IReadOnlyDictionary<string, int> bindings, Func<string, IReadOnlyList<int>> domain, InterventionalProbability probability)
    {
        var env = new Dictionary<string, int>(bindings, StringComparer.Ordinal);
        return Eval(estimand, env, domain, probability);
    }

    static double Eval(Estimand e, Dictionary<string, int> env, Func<string, IReadOnlyList<int>> domain, InterventionalProbability p)
    {
        switch (e)
        {
            case OneEstimand: return 1;
            case ZeroEstimand: return 0;
            case Product prod:
                var result = 1.0;
                foreach (var f in prod.Factors) { result *= Eval(f, env, domain, p); if (result == 0) break; }
                return result;
            case Fraction frac:
                var den = Eval(frac.Denominator, env, domain, p);
                return den == 0 ? 0 : Eval(frac.Numerator, env, domain, p) / den;
            case Sum sum:
                var over = sum.Over.ToList();
                var saved = over.Select(n => env.TryGetValue(n, out var v) ? (int?)v : null).ToList();
                var total = 0.0;
                void Loop(int i)
                {
                    if (i == over.Count) { total += Eval(sum.Body, env, domain, p); return; }
                    foreach (var v in domain(Column(over[i]))) { env[over[i]] = v; Loop(i + 1); }
                }
                Loop(0);
                for (var i = 0; i < over.Count; i++)
                    if (saved[i] is { } s) env[over[i]] = s; else env.Remove(over[i]);
                return total;
            case Prob prob:
                (string, int) Bind(string name) => env.TryGetValue(name, out var v)
                    ? (Column(name), v)
                    : throw new InvalidOperationException($"'{name}' is not bound");
                var intervention = prob.Intervened.Select(Bind).ToList();
                var joint = prob.Vars.Concat(prob.Given).Select(Bind).ToList();
                var numerator = p(joint, intervention);
                if (prob.Given.IsEmpty) return numerator;
                var given = p(prob.Given.Select(Bind).ToList(), intervention);
                return given == 0 ? 0 : numerator / given;
            default:
                throw new InvalidOperationException("unknown estimand " + e.GetType().Name);
        }
    }
}
