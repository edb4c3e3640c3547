using System.Collections.Immutable;
using CausalQL.Graphs;

namespace CausalQL.Counterfactuals;

/// <summary>An assignment of value codes to variables, ordered by name.</summary>
public sealed record Assignment(ImmutableSortedDictionary<string, int> Values)
{
    public static readonly Assignment Empty = new(ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal));
    public static Assignment Of(params (string Variable, int Value)[] values) =>
        new(values.ToImmutableSortedDictionary(v => v.Variable, v => v.Value, StringComparer.Ordinal));
    public Assignment With(string variable, int value) => new(Values.SetItem(variable, value));
    public Assignment Without(string variable) => new(Values.Remove(variable));
    public int Count => Values.Count;
    public bool Equals(Assignment? other) => other is not null && Values.SequenceEqual(other.Values);
    public override int GetHashCode() => Values.Aggregate(0, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value));
    public override string ToString() => string.Join(", ", Values.Select(kv => $"{kv.Key} = {kv.Value}"));
}

/// <summary>One stated probability: P(Event | Condition) = Value.</summary>
public sealed record GivenEntry(Assignment Event, Assignment Condition, double Value)
{
    public override string ToString() => Condition.Count == 0 ? $"P({Event}) = {Value}" : $"P({Event} | {Condition}) = {Value}";
}

/// <summary>
/// A partly given distribution (<c>model NAME on G { P(...) = ... }</c>): exactly the stated
/// probabilities, nothing invented. A term is derived from them only by valid rules — the
/// complement P(Y=0|c) = 1 − P(Y=1|c), the chain rule, P(a|c) = P(a,w|c')/P(w|c'), total
/// probability Σ_w P(a|c,w)P(w|c), and dropping or adding conditions that the graph makes
/// irrelevant (m-separation). When no rule applies the term is missing and is named.
/// </summary>
public sealed class GivenModel
{
    readonly CausalGraph _graph;
    readonly ImmutableArray<GivenEntry> _entries;
    readonly Dictionary<string, double?> _memo = new(StringComparer.Ordinal);
    readonly HashSet<string> _active = new(StringComparer.Ordinal);

    public GivenModel(CausalGraph graph, IEnumerable<GivenEntry> entries)
    {
        _graph = graph;
        _entries = [.. entries];
    }

    public CausalGraph Graph => _graph;
    public ImmutableArray<GivenEntry> Entries => _entries;

    static IReadOnlyList<int> Domain => [0, 1];

    /// <summary>
    /// Checks the entries: each probability in [0, 1]; for each condition, the stated values of one
    /// variable sum to at most 1 (exactly 1 when every level is given); contradictory duplicates.
    /// Returns messages naming the entries (index into the entries list).
    /// </summary>
    public static ImmutableArray<(int Entry, string Message)> Validate(IReadOnlyList<GivenEntry> entries, CausalGraph? graph = null)
    {
        var problems = new List<(int, string)>();
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (double.IsNaN(e.Value) || e.Value < 0 || e.Value > 1) problems.Add((i, $"probability {e.Value} of {Term(e.Event, e.Condition)} is outside [0, 1]"));
            if (graph is not null)
                foreach (var v in e.Event.Values.Keys.Concat(e.Condition.Values.Keys))
                    if (!graph.Contains(v)) problems.Add((i, $"'{v}' in {Term(e.Event, e.Condition)} is not a variable of the graph"));
            for (var j = 0; j < i; j++)
                if (entries[j].Event.Equals(e.Event) && entries[j].Condition.Equals(e.Condition) && Math.Abs(entries[j].Value - e.Value) > 1e-12)
                    problems.Add((i, $"{Term(e.Event, e.Condition)} is given twice with different values ({entries[j].Value} and {e.Value})"));
        }
        // Levels each variable takes anywhere in the entries: a binary variable's two given levels must sum to exactly 1.
        var levels = entries.SelectMany(e => e.Event.Values.Concat(e.Condition.Values))
            .GroupBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(kv => kv.Value).ToHashSet(), StringComparer.Ordinal);
        foreach (var group in entries.Select((e, i) => (e, i)).Where(t => t.e.Event.Count == 1)
                     .GroupBy(t => t.e.Event.Values.Keys.First() + "|" + t.e.Condition))
        {
            var variable = group.First().e.Event.Values.Keys.First();
            var distinct = group.DistinctBy(t => t.e.Event.Values.Values.First()).ToList();
            var sum = distinct.Sum(t => t.e.Value);
            var given = group.First().e.Condition.Count == 0 ? "" : $" given {group.First().e.Condition}";
            if (sum > 1 + 1e-6)
                problems.Add((group.Last().i, $"the probabilities of {variable}{given} sum to {sum:G6}, more than 1"));
            else if (distinct.Count == 2 && levels[variable].SetEquals([0, 1]) && sum < 1 - 1e-6)
                problems.Add((group.Last().i, $"the probabilities of {variable} = 0 and {variable} = 1{given} sum to {sum:G6}, not 1"));
        }
        return [.. problems];
    }

    public static string Term(Assignment a, Assignment c) => c.Count == 0 ? $"P({a})" : $"P({a} | {c})";

    /// <summary>P(a | c) from the given terms, or the reason it cannot be derived.</summary>
    public CfOutcome<double> Probability(Assignment a, Assignment c)
    {
        var v = P(a, c, 0);
        return v is { } p ? CfOutcome<double>.Success(p) : CfOutcome<double>.Failure($"missing term: no given probability determines {Term(a, c)}");
    }

    public double? TryProbability(Assignment a, Assignment c) => P(a, c, 0);

    double? P(Assignment a, Assignment c, int depth)
    {
        // Events already decided by the condition.
        var rest = new List<KeyValuePair<string, int>>();
        foreach (var kv in a.Values)
        {
            if (c.Values.TryGetValue(kv.Key, out var cv)) { if (cv != kv.Value) return 0; }
            else rest.Add(kv);
        }
        if (rest.Count == 0) return 1;
        a = new Assignment(rest.ToImmutableSortedDictionary(StringComparer.Ordinal));
        var key = Term(a, c);
        if (_memo.TryGetValue(key, out var known)) return known;
        if (depth > 7 || !_active.Add(key)) return null;
        try
        {
            var result = Derive(a, c, depth);
            // Only successes are final; a failure inside a cycle may succeed from another route.
            if (result is not null || depth == 0) _memo[key] = result;
            return result;
        }
        finally { _active.Remove(key); }
    }

    double? Derive(Assignment a, Assignment c, int depth)
    {
        if (Lookup(a, c) is { } direct) return direct;
        if (a.Count == 1)
        {
            var (v, value) = a.Values.First();
            var others = 0.0;
            var ok = true;
            foreach (var other in Domain.Where(x => x != value))
            {
                if (Lookup(Assignment.Of((v, other)), c) is { } p) others += p;
                else { ok = false; break; }
            }
            if (ok) return 1 - others;
        }
        // Chain rule over the events.
        if (a.Count > 1)
            foreach (var v in a.Values.Keys)
            {
                var first = P(Assignment.Of((v, a.Values[v])), new Assignment(c.Values.AddRange(a.Without(v).Values)), depth + 1);
                if (first is null) continue;
                if (first == 0) return 0;
                var remainder = P(a.Without(v), c, depth + 1);
                if (remainder is not null) return first * remainder;
            }
        // Division: P(a | c) = P(a, w | c \ w) / P(w | c \ w).
        foreach (var w in c.Values.Keys)
        {
            var smaller = c.Without(w);
            var den = P(Assignment.Of((w, c.Values[w])), smaller, depth + 1);
            if (den is null or <= 0) continue;
            var num = P(a.With(w, c.Values[w]), smaller, depth + 1);
            if (num is not null) return num / den;
        }
        // Total probability over a variable the given terms mention.
        var mentioned = _entries.SelectMany(e => e.Condition.Values.Keys.Concat(e.Event.Values.Keys))
            .Where(w => !a.Values.ContainsKey(w) && !c.Values.ContainsKey(w)).Distinct().Order(StringComparer.Ordinal);
        foreach (var w in mentioned)
        {
            var total = 0.0;
            var ok = true;
            foreach (var value in Domain)
            {
                var pw = P(Assignment.Of((w, value)), c, depth + 1);
                if (pw is null) { ok = false; break; }
                if (pw == 0) continue;
                var pa = P(a, c.With(w, value), depth + 1);
                if (pa is null) { ok = false; break; }
                total += pa.Value * pw.Value;
            }
            if (ok) return total;
        }
        return null;
    }

    /// <summary>A stated term equal to P(a | c): the same event, with conditions that differ only by variables the graph makes irrelevant.</summary>
    double? Lookup(Assignment a, Assignment c)
    {
        foreach (var e in _entries)
        {
            if (!e.Event.Equals(a)) continue;
            if (e.Condition.Equals(c)) return e.Value;
            if (e.Condition.Values.Any(kv => c.Values.TryGetValue(kv.Key, out var v) && v != kv.Value)) continue;
            var shared = e.Condition.Values.Keys.Where(c.Values.ContainsKey).ToList();
            var extraInQuery = c.Values.Keys.Except(shared).ToList();
            var extraInEntry = e.Condition.Values.Keys.Except(shared).ToList();
            if (!_graph.Nodes.Any()) continue;
            if (a.Values.Keys.Concat(c.Values.Keys).Concat(e.Condition.Values.Keys).Any(n => !_graph.Contains(n))) continue;
            // P(a | c) = P(a | shared) when a ⊥ (c \ shared) | shared; and P(a | shared) = P(a | e.Condition) when a ⊥ (entry extras) | shared.
            if ((extraInQuery.Count == 0 || MSeparation.Separated(_graph, a.Values.Keys, extraInQuery, shared)) &&
                (extraInEntry.Count == 0 || MSeparation.Separated(_graph, a.Values.Keys, extraInEntry, shared)))
                return e.Value;
        }
        return null;
    }
}
