using CausalQL.Graphs;

namespace CausalQL.Estimands;

/// <summary>Raised when an estimand cannot be evaluated on a source (an unbound name, an interventional term, an unknown variable).</summary>
public sealed class EstimandEvaluationException(string message) : Exception(message);

/// <summary>
/// Evaluates an observational estimand on a distribution.
/// <list type="bullet">
/// <item>Free names are bound by the caller's bindings; a <see cref="Sum"/> rebinds its variables to
/// every value of their domains (shadowing outer bindings).</item>
/// <item>A name with trailing primes (X', X'') is its own binding but reads the column and domain of X.</item>
/// <item>P(A | B) is P(A, B) / P(B), both marginals of the source.</item>
/// <item>0/0 and x/0: a ratio whose denominator is 0 evaluates to 0. Why: a stratum of zero probability
/// contributes nothing to any sum-product the identification algorithms build (every such term is
/// multiplied by a factor that is 0 on the same stratum), which is the usual convention for
/// conditionals on null events. Strictly positive tables never meet this case.</item>
/// </list>
/// </summary>
public static class EstimandEvaluator
{
    public static double Evaluate(Estimand e, IReadOnlyDictionary<string, int> bindings, IMarginalSource source)
    {
        var compiler = new Compiler(source);
        var root = compiler.Compile(e, bindings);
        var env = new int[compiler.SlotCount];
        foreach (var (slot, value) in compiler.BoundValues) env[slot] = value;
        return root(env);
    }

    /// <summary>Like <see cref="Evaluate"/>, with problems as an error message instead of an exception.</summary>
    public static bool TryEvaluate(Estimand e, IReadOnlyDictionary<string, int> bindings, IMarginalSource source,
        out double value, out string? error)
    {
        try
        {
            value = Evaluate(e, bindings, source);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is EstimandEvaluationException or ArgumentException)
        {
            value = double.NaN;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>The variable column a (possibly primed) name reads: X' and X'' read X.</summary>
    public static string ColumnOf(string name) => name.TrimEnd('\'');

    /// <summary>Names occurring free in <paramref name="e"/> (not bound by an enclosing sum).</summary>
    public static VarSet FreeVariables(Estimand e)
    {
        var free = new HashSet<string>(StringComparer.Ordinal);
        Collect(e, VarSet.Empty, free);
        return VarSet.From(free);

        static void Collect(Estimand e, VarSet bound, HashSet<string> free)
        {
            switch (e)
            {
                case Prob p:
                    foreach (var v in p.Vars.Union(p.Given).Union(p.Intervened)) if (!bound.Contains(v)) free.Add(v);
                    break;
                case Sum s: Collect(s.Body, bound.Union(s.Over), free); break;
                case Product p: foreach (var f in p.Factors) Collect(f, bound, free); break;
                case Fraction f: Collect(f.Numerator, bound, free); Collect(f.Denominator, bound, free); break;
            }
        }
    }

    delegate double Node(int[] env);

    /// <summary>Turns an estimand into closures over a slot array, so a sum's inner loop does no dictionary lookups.</summary>
    sealed class Compiler(IMarginalSource source)
    {
        int _slots;
        public int SlotCount => _slots;
        public List<(int Slot, int Value)> BoundValues { get; } = [];

        public Node Compile(Estimand e, IReadOnlyDictionary<string, int> bindings)
        {
            var scope = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (name, value) in bindings)
            {
                var slot = _slots++;
                scope[name] = slot;
                BoundValues.Add((slot, value));
            }
            return Compile(e, scope);
        }

        Node Compile(Estimand e, Dictionary<string, int> scope) => e switch
        {
            OneEstimand => _ => 1.0,
            ZeroEstimand => _ => 0.0,
            Prob p => CompileProb(p, scope),
            Sum s => CompileSum(s, scope),
            Product p => CompileProduct(p, scope),
            Fraction f => CompileFraction(f, scope),
            _ => throw new EstimandEvaluationException($"cannot evaluate {e.GetType().Name}"),
        };

        Node CompileProb(Prob p, Dictionary<string, int> scope)
        {
            if (!p.Intervened.IsEmpty)
                throw new EstimandEvaluationException($"{p} is an interventional term; only observational estimands can be evaluated on data");
            var joint = p.Vars.Union(p.Given).ToArray();
            var given = p.Given.ToArray();
            var jointSlots = joint.Select(n => Slot(n, scope)).ToArray();
            var givenSlots = given.Select(n => Slot(n, scope)).ToArray();
            var jointColumns = joint.Select(Column).ToArray();
            var givenColumns = given.Select(Column).ToArray();
            var jointValues = new int[joint.Length];
            var givenValues = new int[given.Length];
            return env =>
            {
                for (var i = 0; i < jointSlots.Length; i++) jointValues[i] = env[jointSlots[i]];
                var numerator = source.Marginal(jointColumns, jointValues);
                if (givenSlots.Length == 0) return numerator;
                for (var i = 0; i < givenSlots.Length; i++) givenValues[i] = env[givenSlots[i]];
                var denominator = source.Marginal(givenColumns, givenValues);
                return denominator == 0.0 ? 0.0 : numerator / denominator;
            };
        }

        Node CompileSum(Sum s, Dictionary<string, int> scope)
        {
            var inner = new Dictionary<string, int>(scope, StringComparer.Ordinal);
            var over = s.Over.ToArray();
            var slots = new int[over.Length];
            var domains = new int[over.Length][];
            for (var i = 0; i < over.Length; i++)
            {
                slots[i] = _slots++;
                inner[over[i]] = slots[i];
                domains[i] = [.. source.Domain(Column(over[i]))];
                if (domains[i].Length == 0) return _ => 0.0;
            }
            var body = Compile(s.Body, inner);
            return env =>
            {
                // Odometer over the summed variables' domains.
                var position = new int[over.Length];
                for (var i = 0; i < over.Length; i++) env[slots[i]] = domains[i][0];
                var total = 0.0;
                while (true)
                {
                    total += body(env);
                    var k = over.Length - 1;
                    for (; k >= 0; k--)
                    {
                        if (++position[k] < domains[k].Length) { env[slots[k]] = domains[k][position[k]]; break; }
                        position[k] = 0;
                        env[slots[k]] = domains[k][0];
                    }
                    if (k < 0) return total;
                }
            };
        }

        Node CompileProduct(Product p, Dictionary<string, int> scope)
        {
            var factors = p.Factors.Select(f => Compile(f, scope)).ToArray();
            return env =>
            {
                var result = 1.0;
                foreach (var f in factors)
                {
                    result *= f(env);
                    if (result == 0.0) return 0.0;
                }
                return result;
            };
        }

        Node CompileFraction(Fraction f, Dictionary<string, int> scope)
        {
            var numerator = Compile(f.Numerator, scope);
            var denominator = Compile(f.Denominator, scope);
            return env =>
            {
                var d = denominator(env);
                return d == 0.0 ? 0.0 : numerator(env) / d;
            };
        }

        static int Slot(string name, Dictionary<string, int> scope) =>
            scope.TryGetValue(name, out var slot) ? slot
                : throw new EstimandEvaluationException($"'{name}' is free in the estimand but has no value");

        string Column(string name)
        {
            var column = ColumnOf(name);
            if (!source.Variables.Contains(column))
                throw new EstimandEvaluationException($"the data has no variable '{column}'");
            return column;
        }
    }
}
