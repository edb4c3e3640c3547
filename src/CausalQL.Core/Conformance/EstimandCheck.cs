using CausalQL.Estimands;

namespace CausalQL.Conformance;

/// <summary>The outcome of checking an estimand numerically against a case's ground truth.</summary>
public sealed record EstimandCheckResult(bool Passed, double MaxError, int Evaluations, string? Message);

/// <summary>
/// Step 2 of the README: evaluate the estimand on the observational joint for every interventional
/// row (binding treatment and condition to the row's values and the outcome to each of its
/// values), and for every value of any extra free variable, and compare with the enumerated truth.
/// </summary>
public static class EstimandCheck
{
    public const double Tolerance = 1e-9;

    public static EstimandCheckResult Check(Estimand estimand, JointTable observational, InterventionalTruth truth, CancellationToken ct = default)
    {
        var outcome = truth.Outcome;
        var cardinality = outcome.Select(v => observational.Domain(v).Count).ToArray();
        var free = EstimandEvaluator.FreeVariables(estimand);
        var maxError = 0.0;
        var evaluations = 0;
        string? worst = null;
        CompiledEstimand? compiled = null;
        string[]? compiledNames = null;
        foreach (var row in truth.Rows)
        {
            ct.ThrowIfCancellationRequested();
            var fixedNames = new HashSet<string>(outcome, StringComparer.Ordinal);
            fixedNames.UnionWith(row.Do.Keys);
            fixedNames.UnionWith(row.Given.Keys);
            var extra = free.Where(n => !fixedNames.Contains(n)).ToArray();
            foreach (var n in extra)
                if (!observational.Variables.Contains(EstimandEvaluator.ColumnOf(n)))
                    return new EstimandCheckResult(false, double.PositiveInfinity, evaluations, $"the estimand's free name '{n}' is not a variable of the data");
            var extraDomains = extra.Select(n => observational.Domain(EstimandEvaluator.ColumnOf(n)).Count).ToArray();
            // Names in a fixed order: outcome, treatment, condition, extra free names.
            var names = outcome.Concat(row.Do.Keys.Order(StringComparer.Ordinal)).Concat(row.Given.Keys.Order(StringComparer.Ordinal))
                .Distinct(StringComparer.Ordinal).Concat(extra).ToArray();
            if (compiledNames is null || !compiledNames.SequenceEqual(names))
            {
                try { compiled = EstimandEvaluator.Compile(estimand, names, observational); }
                catch (Exception ex) when (ex is EstimandEvaluationException or ArgumentException)
                {
                    return new EstimandCheckResult(false, double.PositiveInfinity, evaluations, ex.Message);
                }
                compiledNames = names;
            }
            var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
            var values = new int[names.Length];
            foreach (var (k, v) in row.Do) values[index[k]] = v;
            foreach (var (k, v) in row.Given) values[index[k]] = v;
            for (var flat = 0; flat < row.P.Length; flat++)
            {
                // Decode the outcome assignment (row-major, last outcome fastest).
                var rest = flat;
                for (var i = outcome.Length - 1; i >= 0; i--) { values[index[outcome[i]]] = rest % cardinality[i]; rest /= cardinality[i]; }
                foreach (var extraValues in Assignments(extraDomains))
                {
                    for (var i = 0; i < extra.Length; i++) values[index[extra[i]]] = extraValues[i];
                    double value;
                    try { value = compiled!.Evaluate(values); }
                    catch (Exception ex) when (ex is EstimandEvaluationException or ArgumentException)
                    {
                        return new EstimandCheckResult(false, double.PositiveInfinity, evaluations, ex.Message);
                    }
                    evaluations++;
                    var diff = Math.Abs(value - row.P[flat]);
                    if (double.IsNaN(diff)) diff = double.PositiveInfinity;
                    if (diff > maxError)
                    {
                        maxError = diff;
                        worst = $"at {string.Join(", ", names.Select((n, i) => $"{n}={values[i]}"))}: estimand {value:R}, truth {row.P[flat]:R}";
                    }
                }
            }
        }
        var passed = maxError <= Tolerance;
        return new EstimandCheckResult(passed, maxError, evaluations, passed ? null : $"max error {maxError:G3} {worst}");
    }

    static IEnumerable<int[]> Assignments(int[] domains)
    {
        var values = new int[domains.Length];
        while (true)
        {
            yield return values;
            var k = domains.Length - 1;
            for (; k >= 0; k--)
            {
                if (++values[k] < domains[k]) break;
                values[k] = 0;
            }
            if (k < 0) yield break;
        }
    }
}
