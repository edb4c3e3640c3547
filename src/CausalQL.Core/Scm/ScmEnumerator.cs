using System.Collections.Immutable;
using CausalQL.Counterfactuals;
using CausalQL.Estimands;

namespace CausalQL.Scm;

/// <summary>
/// Exact rung-1/2/3 evaluation on a discrete SCM by enumerating the joint exogenous states:
/// abduction (weight each state by its probability and keep the states consistent with the
/// evidence), action (one world per distinct intervention set, all sharing the noise: the
/// parallel-worlds construction) and prediction (read the queried values in their worlds).
/// </summary>
public sealed class ScmEnumerator
{
    /// <summary>Default bound on the joint exogenous states visited (about a second of work).</summary>
    public const double DefaultBudget = 4_000_000;

    readonly DiscreteScm _model;
    readonly double _budget;
    readonly Dictionary<string, int> _slot = new(StringComparer.Ordinal);
    readonly int _noiseCount;
    readonly Func<double[], double>[] _compiled;

    /// <summary>Stops enumeration and sampling early (checked every few thousand states or rows).</summary>
    public CancellationToken Cancellation { get; init; }

    public ScmEnumerator(DiscreteScm model, double budget = DefaultBudget)
    {
        _model = model;
        _budget = budget;
        _noiseCount = model.Noise.Length;
        for (var i = 0; i < model.Noise.Length; i++) _slot[model.Noise[i].Name] = i;
        for (var i = 0; i < model.Mechanisms.Length; i++) _slot[model.Mechanisms[i].Variable] = _noiseCount + i;
        _compiled = [.. model.Mechanisms.Select(m => Compile(m.Value))];
    }

    /// <summary>Turns an expression into a closure over slot indices, so enumeration does no name lookups.</summary>
    Func<double[], double> Compile(ScmExpr e)
    {
        switch (e)
        {
            case TableExpr t:
                var slots = t.Inputs.Select(n => _slot[n]).ToArray();
                var rows = new Dictionary<long, double>();
                foreach (var (key, value) in t.Rows)
                {
                    var parts = key.Split(',');
                    long code = 0;
                    for (var i = parts.Length - 1; i >= 0; i--) code = code * 64 + long.Parse(parts[i]);
                    rows[code] = value;
                }
                var fallback = t.Default;
                return v =>
                {
                    long code = 0;
                    for (var i = slots.Length - 1; i >= 0; i--) code = code * 64 + (long)Math.Round(v[slots[i]]);
                    return rows.TryGetValue(code, out var r) ? r : fallback;
                };
            case RefExpr r:
                var slot = _slot[r.Name];
                return v => v[slot];
            case ConstExpr c:
                var constant = c.Value;
                return _ => constant;
            default:
                return v => ScmExprs.Evaluate(e, name => v[_slot[name]]);
        }
    }

    public DiscreteScm Model => _model;

    string? BudgetError() => _model.StateCount > _budget
        ? $"the SCM has {_model.StateCount:G4} joint exogenous states ({_model.Noise.Length} noise terms), more than the enumeration budget of {_budget:G4} states; raise the budget or sample from the model instead"
        : null;

    string? UnknownVariable(IEnumerable<CfEvent> events)
    {
        foreach (var e in events)
        {
            if (!_slot.ContainsKey(e.Variable) || _slot[e.Variable] < _noiseCount) return $"'{e.Variable}' is not an endogenous variable of the SCM";
            foreach (var v in e.Interventions.Keys)
                if (!_slot.ContainsKey(v) || _slot[v] < _noiseCount) return $"cannot intervene on '{v}': it is not an endogenous variable of the SCM";
        }
        return null;
    }

    /// <summary>P(events | given) where every event may carry its own interventions (parallel worlds).</summary>
    public CfOutcome<double> Probability(IReadOnlyList<CfEvent> events, IReadOnlyList<CfEvent>? given = null)
    {
        given ??= [];
        if ((BudgetError() ?? UnknownVariable(events.Concat(given))) is { } error) return CfOutcome<double>.Failure(error);
        var worlds = new WorldSet(this, events.Concat(given));
        double num = 0, den = 0;
        ForEachState((values, weight) =>
        {
            worlds.Compute(values);
            if (!given.All(worlds.Holds)) return;
            den += weight;
            if (events.All(worlds.Holds)) num += weight;
        });
        if (den <= 0) return CfOutcome<double>.Failure("the conditioning event has probability 0 in this model");
        return CfOutcome<double>.Success(num / den);
    }

    /// <summary>E[variable[interventions] | given].</summary>
    public CfOutcome<double> Expectation(string variable, ImmutableDictionary<string, int> interventions, IReadOnlyList<CfEvent>? given = null)
    {
        given ??= [];
        var target = new CfEvent(variable, interventions, 0);
        if ((BudgetError() ?? UnknownVariable(given.Append(target))) is { } error) return CfOutcome<double>.Failure(error);
        var worlds = new WorldSet(this, given.Append(target));
        double num = 0, den = 0;
        ForEachState((values, weight) =>
        {
            worlds.Compute(values);
            if (!given.All(worlds.Holds)) return;
            den += weight;
            num += weight * worlds.Value(target);
        });
        if (den <= 0) return CfOutcome<double>.Failure("the conditioning event has probability 0 in this model");
        return CfOutcome<double>.Success(num / den);
    }

    /// <summary>
    /// P(events | given) where the terms may nest (Y[X = 1, M = M[X = 0]] = 1): for each noise state
    /// the inner terms are solved first and their values become the outer interventions.
    /// </summary>
    public CfOutcome<double> NestedProbability(IReadOnlyList<(CfTerm Term, int Value)> events, IReadOnlyList<(CfTerm Term, int Value)>? given = null)
    {
        given ??= [];
        if ((BudgetError() ?? UnknownVariable(events.Concat(given).Select(e => e.Term))) is { } error) return CfOutcome<double>.Failure(error);
        var compiledEvents = events.Select(e => (Term: CompileTerm(e.Term), e.Value)).ToArray();
        // P(events | given) = E[1(events) | given].
        return ConditionalMean(given, values => compiledEvents.All(e => Math.Abs(EvaluateTerm(e.Term, values) - e.Value) < 1e-9) ? 1 : 0);
    }

    /// <summary>E[target | given] where the terms may nest, e.g. E[Y[X = 1, M = M[X = 0]]] for the natural direct effect.</summary>
    public CfOutcome<double> NestedExpectation(CfTerm target, IReadOnlyList<(CfTerm Term, int Value)>? given = null)
    {
        given ??= [];
        if ((BudgetError() ?? UnknownVariable(given.Select(e => e.Term).Append(target))) is { } error) return CfOutcome<double>.Failure(error);
        var compiledTarget = CompileTerm(target);
        return ConditionalMean(given, values => EvaluateTerm(compiledTarget, values));
    }

    /// <summary>E[value | given] over the noise states, the given terms (which may nest) holding.</summary>
    CfOutcome<double> ConditionalMean(IReadOnlyList<(CfTerm Term, int Value)> given, Func<double[], double> value)
    {
        var compiledGiven = given.Select(e => (Term: CompileTerm(e.Term), e.Value)).ToArray();
        double num = 0, den = 0;
        ForEachState((values, weight) =>
        {
            foreach (var (term, level) in compiledGiven)
                if (Math.Abs(EvaluateTerm(term, values) - level) >= 1e-9) return;
            den += weight;
            num += weight * value(values);
        });
        if (den <= 0) return CfOutcome<double>.Failure("the conditioning event has probability 0 in this model");
        return CfOutcome<double>.Success(num / den);
    }

    string? UnknownVariable(IEnumerable<CfTerm> terms)
    {
        bool Endogenous(string v) => _slot.TryGetValue(v, out var slot) && slot >= _noiseCount;
        foreach (var t in terms)
        {
            if (!Endogenous(t.Variable)) return $"'{t.Variable}' is not an endogenous variable of the SCM";
            foreach (var s in t.Settings)
                if (!Endogenous(s.Variable)) return $"cannot intervene on '{s.Variable}': it is not an endogenous variable of the SCM";
            if (t.Settings.GroupBy(s => s.Variable).FirstOrDefault(g => g.Count() > 1) is { } twice)
                return $"{t} sets '{twice.Key}' twice";
            if (UnknownVariable(t.Settings.Where(s => s.Nested is not null).Select(s => s.Nested!)) is { } inner) return inner;
        }
        return null;
    }

    /// <summary>A term ready for per-state evaluation: its own solve buffers, and which mechanisms it holds fixed.</summary>
    sealed class CompiledTerm(int slot, (int Mechanism, double Value, CompiledTerm? Nested)[] settings, int slots, int mechanisms)
    {
        public readonly int Slot = slot;
        public readonly (int Mechanism, double Value, CompiledTerm? Nested)[] Settings = settings;
        public readonly double[] Values = new double[slots];
        public readonly double[] Fixed = Enumerable.Repeat(double.NaN, mechanisms).ToArray();
    }

    CompiledTerm CompileTerm(CfTerm term) => new(
        _slot[term.Variable],
        [.. term.Settings.Select(s => (_slot[s.Variable] - _noiseCount, s.Value, s.Nested is null ? null : CompileTerm(s.Nested)))],
        _slot.Count,
        _model.Mechanisms.Length);

    /// <summary>The term's value in the world its settings define, for the noise state in the first slots of <paramref name="noise"/>.</summary>
    double EvaluateTerm(CompiledTerm term, double[] noise)
    {
        foreach (var (mechanism, value, nested) in term.Settings)
            term.Fixed[mechanism] = nested is null ? value : Math.Round(EvaluateTerm(nested, noise));
        var values = term.Values;
        Array.Copy(noise, values, _noiseCount);
        for (var i = 0; i < _compiled.Length; i++)
            values[_noiseCount + i] = double.IsNaN(term.Fixed[i]) ? _compiled[i](values) : term.Fixed[i];
        return values[term.Slot];
    }

    /// <summary>The exact observational joint of the endogenous variables, as a marginal source.</summary>
    public CfOutcome<JointTable> ObservationalJoint() => Joint(ImmutableDictionary.Create<string, int>(StringComparer.Ordinal));

    /// <summary>The exact joint of the endogenous variables under do(interventions), flat and row-major (first variable slowest).</summary>
    public CfOutcome<JointTable> Joint(ImmutableDictionary<string, int> interventions)
    {
        if (BudgetError() is { } error) return CfOutcome<JointTable>.Failure(error);
        var names = _model.Endogenous;
        var rows = new List<(int[] Values, double P)>();
        var world = new WorldSet(this, names.Select(n => new CfEvent(n, interventions, 0)));
        ForEachState((values, weight) =>
        {
            world.Compute(values);
            rows.Add((names.Select(n => (int)Math.Round(world.Value(new CfEvent(n, interventions, 0)))).ToArray(), weight));
        });
        if (rows.SelectMany(r => r.Values).Any(v => v < 0))
            return CfOutcome<JointTable>.Failure("a variable takes a negative value; joint tables need value codes 0..k-1");
        var cardinality = names.Select((_, i) => Math.Max(2, rows.Max(r => r.Values[i]) + 1)).ToArray();
        var p = new double[cardinality.Aggregate(1, (a, k) => a * k)];
        foreach (var (row, weight) in rows)
        {
            var index = 0;
            for (var i = 0; i < row.Length; i++) index = index * cardinality[i] + row[i];
            p[index] += weight;
        }
        return CfOutcome<JointTable>.Success(new JointTable(names, cardinality, p));
    }

    /// <summary>n draws of the observational variables (seeded), one column per endogenous variable.</summary>
    public ImmutableDictionary<string, int[]> Sample(int n, int seed)
    {
        var rng = new Random(seed);
        var names = _model.Endogenous;
        var columns = names.ToDictionary(x => x, _ => new int[n], StringComparer.Ordinal);
        var values = new double[_slot.Count];
        var empty = ImmutableDictionary.Create<string, int>(StringComparer.Ordinal);
        for (var row = 0; row < n; row++)
        {
            if ((row & 0xFFF) == 0) Cancellation.ThrowIfCancellationRequested();
            for (var i = 0; i < _noiseCount; i++) values[i] = Draw(_model.Noise[i].Probabilities, rng);
            Solve(values, empty);
            for (var i = 0; i < names.Length; i++) columns[names[i]][row] = (int)Math.Round(values[_noiseCount + i]);
        }
        return columns.ToImmutableDictionary(StringComparer.Ordinal);
    }

    static int Draw(ImmutableArray<double> p, Random rng)
    {
        var r = rng.NextDouble();
        for (var k = 0; k < p.Length; k++) { r -= p[k]; if (r < 0) return k; }
        return p.Length - 1;
    }

    /// <summary>Visits every joint noise state with its probability (states of probability 0 are skipped).</summary>
    void ForEachState(Action<double[], double> visit)
    {
        var values = new double[_slot.Count];
        var digits = new int[_noiseCount];
        for (var visited = 0L; ; visited++)
        {
            if ((visited & 0xFFF) == 0) Cancellation.ThrowIfCancellationRequested();
            var weight = 1.0;
            for (var i = 0; i < _noiseCount; i++) { values[i] = digits[i]; weight *= _model.Noise[i].Probabilities[digits[i]]; }
            if (weight > 0) visit(values, weight);
            var k = 0;
            while (k < _noiseCount && ++digits[k] == _model.Noise[k].Probabilities.Length) { digits[k] = 0; k++; }
            if (k == _noiseCount) return;
        }
    }

    /// <summary>Fills the endogenous slots from the noise slots, holding intervened variables fixed.</summary>
    void Solve(double[] values, ImmutableDictionary<string, int> interventions)
    {
        for (var i = 0; i < _model.Mechanisms.Length; i++)
        {
            var m = _model.Mechanisms[i];
            values[_noiseCount + i] = interventions.TryGetValue(m.Variable, out var fixedValue)
                ? fixedValue
                : _compiled[i](values);
        }
    }

    /// <summary>The distinct worlds (intervention sets) a query mentions, solved for one noise state at a time.</summary>
    sealed class WorldSet
    {
        readonly ScmEnumerator _owner;
        readonly List<ImmutableDictionary<string, int>> _worlds = [];
        readonly List<double[]> _values = [];

        public WorldSet(ScmEnumerator owner, IEnumerable<CfEvent> events)
        {
            _owner = owner;
            foreach (var e in events)
                if (IndexOf(e.Interventions) < 0) { _worlds.Add(e.Interventions); _values.Add(new double[owner._slot.Count]); }
        }

        int IndexOf(ImmutableDictionary<string, int> w)
        {
            for (var i = 0; i < _worlds.Count; i++)
                if (_worlds[i].Count == w.Count && w.All(kv => _worlds[i].TryGetValue(kv.Key, out var v) && v == kv.Value)) return i;
            return -1;
        }

        public void Compute(double[] noise)
        {
            for (var w = 0; w < _worlds.Count; w++)
            {
                Array.Copy(noise, _values[w], _owner._noiseCount);
                _owner.Solve(_values[w], _worlds[w]);
            }
        }

        readonly Dictionary<CfEvent, (int World, int Slot)> _where = [];

        public double Value(CfEvent e)
        {
            if (!_where.TryGetValue(e, out var at)) _where[e] = at = (IndexOf(e.Interventions), _owner._slot[e.Variable]);
            return _values[at.World][at.Slot];
        }
        public bool Holds(CfEvent e) => Math.Abs(Value(e) - e.Value) < 1e-9;
    }
}

