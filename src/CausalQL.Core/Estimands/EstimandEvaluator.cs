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
        var names = bindings.Keys.ToArray();
        var compiled = Compile(e, names, source);
        var values = new int[names.Length];
        for (var i = 0; i < names.Length; i++) values[i] = bindings[names[i]];
        return compiled.Evaluate(values);
    }

    /// <summary>
    /// Compiles once for many evaluations: <paramref name="names"/> are the names the caller binds, in
    /// the order of the values later passed to <see cref="CompiledEstimand.Evaluate"/>. Sub-expressions
    /// (sums and quotients) are memoised on the values of their free names, so repeated evaluation
    /// (every row and outcome value of a check) shares work.
    /// </summary>
    public static CompiledEstimand Compile(Estimand e, IReadOnlyList<string> names, IMarginalSource source)
    {
        var compiler = new Compiler(source);
        var root = compiler.CompileRoot(e, names);
        return new CompiledEstimand(root, compiler.SlotCount, names.Count);
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

    internal delegate double Node(int[] env);

    /// <summary>Turns an estimand into closures over a slot array, so a sum's inner loop does no dictionary lookups.</summary>
    sealed class Compiler(IMarginalSource source)
    {
        const int MaxMemoEntries = 1 << 18;
        int _slots;
        readonly List<int> _slotDomain = []; // domain size of each slot, or -1 when unknown
        public int SlotCount => _slots;

        int NewSlot(string name)
        {
            var column = ColumnOf(name);
            _slotDomain.Add(source.Variables.Contains(column) ? source.Domain(column).Count : -1);
            return _slots++;
        }

        public Node CompileRoot(Estimand e, IReadOnlyList<string> names)
        {
            var scope = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var name in names) scope[name] = NewSlot(name);
            return Compile(e, scope);
        }

        Node Compile(Estimand e, Dictionary<string, int> scope) => e switch
        {
            OneEstimand => _ => 1.0,
            ZeroEstimand => _ => 0.0,
            Prob p => CompileProb(p, scope),
            Sum s => Memo(s, scope, CompileSum(s, scope)),
            Product p => CompileProduct(p, scope),
            Fraction f => Memo(f, scope, CompileFraction(f, scope)),
            _ => throw new EstimandEvaluationException($"cannot evaluate {e.GetType().Name}"),
        };

        /// <summary>Caches a node's value on the values of its free names (dense table, small domains).</summary>
        Node Memo(Estimand e, Dictionary<string, int> scope, Node inner)
        {
            var free = FreeVariables(e).ToArray();
            var slots = new int[free.Length];
            var sizes = new int[free.Length];
            long size = 1;
            for (var i = 0; i < free.Length; i++)
            {
                slots[i] = Slot(free[i], scope);
                sizes[i] = _slotDomain[slots[i]];
                if (sizes[i] <= 0) return inner;
                size *= sizes[i];
                if (size > MaxMemoEntries) return inner;
            }
            var cache = new double[size];
            var known = new bool[size];
            return env =>
            {
                var key = 0;
                for (var i = 0; i < slots.Length; i++)
                {
                    var v = env[slots[i]];
                    if ((uint)v >= (uint)sizes[i]) return inner(env);
                    key = key * sizes[i] + v;
                }
                if (known[key]) return cache[key];
                var value = inner(env);
                cache[key] = value;
                known[key] = true;
                return value;
            };
        }
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
            // Fast path for an exact table: index the cached marginal tables directly.
            if (source is JointTable table
                && table.TryGetMarginalView(jointColumns, out var jt, out var js, out var jc)
                && table.TryGetMarginalView(givenColumns, out var gt, out var gs, out var gc))
            {
                return env =>
                {
                    var offset = 0;
                    for (var i = 0; i < jointSlots.Length; i++)
                    {
                        var v = env[jointSlots[i]];
                        if ((uint)v >= (uint)jc[i]) return 0.0;
                        offset += v * js[i];
                    }
                    var numerator = jt[offset];
                    if (givenSlots.Length == 0) return numerator;
                    offset = 0;
                    for (var i = 0; i < givenSlots.Length; i++) offset += env[givenSlots[i]] * gs[i];
                    var denominator = gt[offset];
                    return denominator == 0.0 ? 0.0 : numerator / denominator;
                };
            }
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
                slots[i] = NewSlot(over[i]);
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

/// <summary>An estimand compiled against a source; evaluate it for many value assignments of its bound names.</summary>
public sealed class CompiledEstimand
{
    readonly EstimandEvaluator.Node _root;
    readonly int _slots;
    readonly int _names;

    internal CompiledEstimand(EstimandEvaluator.Node root, int slots, int names)
    {
        _root = root;
        _slots = slots;
        _names = names;
    }

    /// <summary>The value with the compiled names bound to <paramref name="values"/> (same order).</summary>
    public double Evaluate(ReadOnlySpan<int> values)
    {
        if (values.Length != _names) throw new ArgumentException($"expected {_names} values", nameof(values));
        var env = new int[_slots];
        values.CopyTo(env);
        return _root(env);
    }
}
