using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CausalQL.Counterfactuals;
using CausalQL.Graphs;
using CausalQL.Scm;

namespace CausalQL.Cladder;

public enum CladderStatus
{
    /// <summary>Our exact value equals the gold (within 1e-6), or the set / yes-no agrees.</summary>
    Passed,
    /// <summary>Our value differs from the gold.</summary>
    Failed,
    /// <summary>The given terms only bracket the query; the gold lies inside our bounds.</summary>
    Bounded,
    /// <summary>The query is not identifiable from the graph (reason in the explanation).</summary>
    NotIdentifiable,
    /// <summary>A term the estimands need is not among the given probabilities.</summary>
    Missing,
    /// <summary>The record contradicts itself (e.g. a mechanism reads a variable the graph does not make its parent).</summary>
    InconsistentRecord,
    /// <summary>The record could not be read.</summary>
    Error,
}

/// <summary>One CLadder record solved: the CausalQL script we wrote for it, our answer and the gold.</summary>
public sealed record CladderOutcome(string DescId, string QueryType, string GraphId, string Script, CladderStatus Status,
    double? Computed, double? Lower, double? Upper, string Gold, string Explanation)
{
    public string ComputedText => Computed is { } v ? v.ToString("G10", CultureInfo.InvariantCulture)
        : Lower is { } lo && Upper is { } hi ? $"[{lo.ToString("G6", CultureInfo.InvariantCulture)}, {hi.ToString("G6", CultureInfo.InvariantCulture)}]" : "—";
}

/// <summary>
/// Solves CLadder records (Jin et al. 2023) from their structured fields only — graph_edges,
/// unobserved, meta.given_info, meta.formal_form, meta.treatment/outcome, mediators, collider,
/// the query-specific meta keys, and for det-counterfactual the mechanisms of reasoning.step4.
/// It never reads <c>answer</c> or <c>reasoning.step5</c>. For each record it writes a CausalQL
/// script (graph, model block, query) and computes the value with the Core engines directly.
/// </summary>
public static class CladderHarness
{
    public const double Tolerance = 1e-6;

    public static CladderOutcome Run(string jsonLine)
    {
        string descId = "?", queryType = "?", graphId = "?";
        try
        {
            using var doc = JsonDocument.Parse(jsonLine);
            var root = doc.RootElement;
            descId = root.GetProperty("desc_id").GetString() ?? "?";
            var meta = root.GetProperty("meta");
            queryType = meta.GetProperty("query_type").GetString() ?? "?";
            graphId = meta.GetProperty("graph_id").GetString() ?? "?";
            var record = new Record(descId, queryType, graphId, root, meta);
            return Solve(record);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return new CladderOutcome(descId, queryType, graphId, "", CladderStatus.Error, null, null, null, "", "cannot read the record: " + e.Message);
        }
    }

    sealed record Record(string DescId, string QueryType, string GraphId, JsonElement Root, JsonElement Meta)
    {
        public string Treatment => Meta.GetProperty("treatment").GetString()!;
        public string Outcome => Meta.GetProperty("outcome").GetString()!;
    }

    static CausalGraph Graph(Record r)
    {
        var edges = r.Root.GetProperty("graph_edges").GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(e => e.Split("->", StringSplitOptions.TrimEntries)).Select(p => (p[0], p[1])).ToList();
        var latent = r.Root.TryGetProperty("unobserved", out var u) && u.ValueKind == JsonValueKind.Array
            ? u.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
        var nodes = edges.SelectMany(e => new[] { e.Item1, e.Item2 }).Distinct().ToList();
        return CausalGraph.Create(nodes, edges, null, latent.ToDictionary(l => l, _ => NodeRole.Latent));
    }

    // ------------------------------------------------------------ given_info → model entries

    static readonly Regex TermPattern = new(@"^\s*[Pp]\((?<event>[^|]*?)(\|(?<given>.*))?\)\s*$", RegexOptions.Compiled);

    /// <summary>Reads meta.given_info: "P(X)": p, "P(Y | X)": [p0, p1], "p(Y | V1, X)": [[..],[..]], "P(Y=1, X=0)": p.</summary>
    internal static List<GivenEntry> Entries(JsonElement givenInfo)
    {
        var entries = new List<GivenEntry>();
        if (givenInfo.ValueKind != JsonValueKind.Object) return entries;
        foreach (var prop in givenInfo.EnumerateObject())
        {
            var m = TermPattern.Match(prop.Name);
            if (!m.Success || prop.Name.Contains(" - ")) continue; // e.g. a stated difference: not a probability
            static List<(string Var, int? Value)> Parts(string text) => [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => p.Split('=', StringSplitOptions.TrimEntries)).Select(p => (p[0], p.Length > 1 ? (int?)int.Parse(p[1], CultureInfo.InvariantCulture) : null))];
            var ev = Parts(m.Groups["event"].Value);
            var given = m.Groups["given"].Success ? Parts(m.Groups["given"].Value) : [];
            // Free (unvalued) conditioning variables index the nested arrays, in the order written.
            var free = given.Where(g => g.Value is null).Select(g => g.Var).ToList();
            void Emit(JsonElement value, int depth, ImmutableSortedDictionary<string, int> cond)
            {
                if (value.ValueKind == JsonValueKind.Array)
                {
                    var items = value.EnumerateArray().ToList();
                    if (depth < free.Count)
                        for (var i = 0; i < items.Count; i++) Emit(items[i], depth + 1, cond.SetItem(free[depth], i));
                    else if (items.Count == 1) Emit(items[0], depth, cond); // "p(V1)": [p]
                    return;
                }
                var eventValues = ev.ToImmutableSortedDictionary(e => e.Var, e => e.Value ?? 1, StringComparer.Ordinal);
                entries.Add(new GivenEntry(new Assignment(eventValues), new Assignment(cond), value.GetDouble()));
            }
            var fixedCond = given.Where(g => g.Value is not null).ToImmutableSortedDictionary(g => g.Var, g => g.Value!.Value, StringComparer.Ordinal);
            Emit(prop.Value, 0, fixedCond);
        }
        return entries;
    }

    // ------------------------------------------------------------ the script

    static string F(double v) => v.ToString("0.##########", CultureInfo.InvariantCulture);

    static string GraphBlock(CausalGraph g)
    {
        var sb = new StringBuilder("graph g {\n");
        foreach (var (a, b) in g.Directed) sb.Append($"  {a} -> {b}\n");
        foreach (var l in g.Latents) sb.Append($"  {l} [latent]\n");
        return sb.Append("}\n").ToString();
    }

    static string ModelBlock(IEnumerable<GivenEntry> entries)
    {
        var sb = new StringBuilder("model story on g {\n");
        foreach (var e in entries)
            sb.Append("  ").Append(e.Condition.Count == 0 ? $"P({e.Event})" : $"P({e.Event} | {e.Condition})").Append(" = ").Append(F(e.Value)).Append('\n');
        return sb.Append("}\n").ToString();
    }

    // ------------------------------------------------------------ solving

    static CladderOutcome Solve(Record r)
    {
        var g = Graph(r);
        var header = $"// CLadder {r.DescId} ({r.QueryType}, graph {r.GraphId}); written from the structured fields only\n";
        var x = r.Treatment;
        var y = r.Outcome;
        switch (r.QueryType)
        {
            case "backadj": return Backadj(r, g, header);
            case "collider_bias": return ColliderBias(r, g, header);
            case "det-counterfactual": return DetCounterfactual(r, g, header);
        }
        var entries = Entries(r.Meta.GetProperty("given_info"));
        var model = new GivenModel(g, entries);
        var script = header + GraphBlock(g) + ModelBlock(entries);
        var gold = r.Meta.GetProperty("groundtruth").GetDouble();
        EffectResult result;
        string query;
        switch (r.QueryType)
        {
            case "marginal":
                query = $"P({y} = 1)";
                result = Prob(model, Assignment.Of((y, 1)), Assignment.Empty);
                break;
            case "correlation":
                query = $"P({y} = 1 | {x} = 1) - P({y} = 1 | {x} = 0)";
                result = Difference(Prob(model, Assignment.Of((y, 1)), Assignment.Of((x, 1))), Prob(model, Assignment.Of((y, 1)), Assignment.Of((x, 0))));
                break;
            case "exp_away":
            {
                var collider = r.Meta.GetProperty("collider").GetString()!;
                query = $"P({y} = 1 | {x} = 1, {collider} = 1) - P({y} = 1 | {collider} = 1)";
                result = Difference(Prob(model, Assignment.Of((y, 1)), Assignment.Of((x, 1), (collider, 1))),
                    Mixture(model, Assignment.Of((y, 1)), Assignment.Of((collider, 1)), x));
                break;
            }
            case "ate":
            {
                query = $"ATE({x} -> {y})";
                result = Effects.Over(model).Ate(x, y);
                if (result.NotIdentifiable && Effects.Over(model).Instruments(x, y).Any())
                {
                    // CLadder answers IV questions with the Wald ratio: the ATE under effect homogeneity.
                    query = "assume linear\n" + query;
                    result = Effects.Over(model, EffectAssumptions.Linear).Ate(x, y);
                }
                break;
            }
            case "ett":
                query = $"ETT({x} -> {y})";
                result = Effects.Over(model).Ett(x, y);
                break;
            case "nde" or "nie":
            {
                var mediators = r.Meta.GetProperty("mediators").EnumerateArray().Select(m => m.GetString()!).ToList();
                var path = mediators.Count == 1 ? mediators[0] : "{" + string.Join(", ", mediators) + "}";
                query = $"{r.QueryType.ToUpperInvariant()}({x} -> {path} -> {y})";
                result = Effects.Over(model).Mediation(x, mediators, y, direct: r.QueryType == "nde");
                break;
            }
            default:
                return new CladderOutcome(r.DescId, r.QueryType, r.GraphId, script, CladderStatus.Error, null, null, null, F(gold), "unknown query type " + r.QueryType);
        }
        // A model block is queried by making it the session's default, then asking the bare query.
        script += "use story\n" + query + "\n";
        return Judge(r, script, result, gold);
    }

    static CladderOutcome Judge(Record r, string script, EffectResult result, double gold)
    {
        var goldText = F(gold);
        if (result.Value is { } v)
            return new(r.DescId, r.QueryType, r.GraphId, script, Math.Abs(v - gold) <= Tolerance ? CladderStatus.Passed : CladderStatus.Failed, v, null, null, goldText, result.Strategy + ": " + result.Explanation);
        if (result.Lower is { } lo && result.Upper is { } hi)
            return new(r.DescId, r.QueryType, r.GraphId, script, gold >= lo - Tolerance && gold <= hi + Tolerance ? CladderStatus.Bounded : CladderStatus.Failed, null, lo, hi, goldText, result.Strategy + ": " + result.Explanation);
        return new(r.DescId, r.QueryType, r.GraphId, script, result.NotIdentifiable ? CladderStatus.NotIdentifiable : CladderStatus.Missing, null, null, null, goldText, result.Explanation);
    }

    static EffectResult Prob(GivenModel model, Assignment a, Assignment c)
    {
        var p = model.Probability(a, c);
        return p.Ok ? EffectResult.Point(p.Value, "given terms", GivenModel.Term(a, c)) : EffectResult.Missing(p.Error!);
    }

    // exp_away's bounds come from the engine the session uses too, so the script and this computation agree.
    static EffectResult Mixture(GivenModel model, Assignment a, Assignment c, string over) => TotalProbabilityBounds.Mixture(model, a, c, over);

    static EffectResult Difference(EffectResult a, EffectResult b) => TotalProbabilityBounds.Difference(a, b);

    static CladderOutcome Backadj(Record r, CausalGraph g, string header)
    {
        var x = r.Treatment; var y = r.Outcome;
        var candidates = r.Meta.GetProperty("given_info").EnumerateArray().Select(s => s.EnumerateArray().Select(v => v.GetString()!).ToImmutableArray()).ToList();
        // The candidate that is a minimal valid adjustment set: valid, and no proper subset is valid
        // (a valid superset of a valid set adds nothing; DAGitty's minimal sets make the same choice).
        // CLadder asks the graphical question, whether or not a candidate is measured, so latent marks are dropped here.
        var plain = g.WithRoles(new Dictionary<string, NodeRole>());
        bool Valid(IReadOnlyCollection<string> z) => Adjustment.IsValid(plain, [x], [y], z);
        bool Minimal(ImmutableArray<string> z) => Enumerable.Range(0, z.Length).All(i => !Valid(z.RemoveAt(i))) && (z.Length == 0 || !Valid([]));
        var valid = candidates.Where(c => Valid(c) && Minimal(c)).ToList();
        var gold = r.Meta.GetProperty("groundtruth").EnumerateArray().Select(v => v.GetString()!).ToList();
        var sets = string.Join(" and ", candidates.Select(c => "{" + string.Join(", ", c) + "}"));
        var script = header + GraphBlock(plain) + $"// candidates: {sets}; which is a valid back-door adjustment set?\nadjustment sets for {x} -> {y} in g\n";
        var ours = valid.Count == 1 ? "{" + string.Join(", ", valid[0]) + "}" : valid.Count == 0 ? "none" : "both";
        var passed = valid.Count == 1 && VarSet.From(valid[0]).SetEquals(gold);
        return new(r.DescId, r.QueryType, r.GraphId, script, passed ? CladderStatus.Passed : CladderStatus.Failed, null, null, null,
            "{" + string.Join(", ", gold) + "}", $"minimal valid adjustment set among {sets}: {ours}");
    }

    static CladderOutcome ColliderBias(Record r, CausalGraph g, string header)
    {
        var x = r.Treatment; var y = r.Outcome;
        var collider = r.Meta.GetProperty("collider").GetString()!;
        var affects = g.Descendants([x]).Contains(y);
        // polarity true asks "does X affect Y?", false asks "does X not affect Y?".
        var polarity = r.Meta.GetProperty("polarity").GetBoolean();
        var answer = (affects == polarity) ? "yes" : "no";
        var gold = r.Meta.GetProperty("groundtruth").GetString()!;
        var script = header + GraphBlock(g) + $"// selecting on {collider} = 1 opens {x} -> {collider} <- {y}; whether {x} affects {y} is whether P({y} | do({x})) depends on {x}\nidentify P({y} | do({x})) in g\n";
        return new(r.DescId, r.QueryType, r.GraphId, script, answer == gold ? CladderStatus.Passed : CladderStatus.Failed, affects ? double.NaN : 0, null, null, gold,
            $"{x} {(affects ? "is" : "is not")} an ancestor of {y}: the effect is {(affects ? "non-zero in general" : "0")}; answer {answer}");
    }

    static readonly Regex CounterfactualForm = new(@"^\s*(?<y>\w+)_\{(?<x>\w+)\s*=\s*(?<a>\d+)\}\s*=\s*(?<v>\d+)", RegexOptions.Compiled);

    static CladderOutcome DetCounterfactual(Record r, CausalGraph g, string header)
    {
        var step4 = r.Root.GetProperty("reasoning").GetProperty("step4").GetString()!;
        var form = CounterfactualForm.Match(r.Meta.GetProperty("formal_form").GetString()!);
        if (!form.Success) throw new FormatException("formal_form is not of the form Y_{X=a} = v");
        var (y, x) = (form.Groups["y"].Value, form.Groups["x"].Value);
        var action = r.Meta.TryGetProperty("action", out var act) ? act.GetInt32() : int.Parse(form.Groups["a"].Value, CultureInfo.InvariantCulture);
        var target = int.Parse(form.Groups["v"].Value, CultureInfo.InvariantCulture);
        var mechanisms = new List<Mechanism>();
        string? inconsistency = null;
        var scmText = new StringBuilder("scm m {\n");
        foreach (var line in step4.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var name = line[..eq].Trim();
            mechanisms.Add(new Mechanism(name, BooleanParser.Parse(line[(eq + 1)..])));
            scmText.Append($"  {name} := {line[(eq + 1)..].Trim()}\n");
        }
        // A mechanism that reads a variable the graph does not make its parent contradicts the record's own graph.
        foreach (var m in mechanisms)
            foreach (var reference in ScmExprs.References(m.Value).Distinct())
                if (g.Contains(m.Variable) && g.Contains(reference) && !g.HasEdge(reference, m.Variable))
                    inconsistency ??= $"reasoning.step4 gives {m.Variable} a mechanism reading {reference}, but graph_edges has no edge {reference} -> {m.Variable}";
        // Variables no mechanism defines are fair coins: the query must not depend on them.
        var defined = mechanisms.Select(m => m.Variable).ToHashSet();
        var noise = new List<NoiseTerm>();
        foreach (var n in g.Nodes.Where(n => !defined.Contains(n)))
        {
            noise.Add(NoiseTerm.Bernoulli("U." + n, 0.5));
            mechanisms.Add(new Mechanism(n, new RefExpr("U." + n)));
            scmText.Append($"  {n} := bernoulli(0.5)\n");
        }
        scmText.Append("}\n");
        var evidence = r.Meta.GetProperty("given_info").EnumerateObject().Select(p => CfEvent.Factual(p.Name, p.Value.GetInt32())).ToList();
        var ordered = Order(mechanisms);
        var engine = new ScmEnumerator(new DiscreteScm([.. noise], [.. ordered]));
        var query = CfEvent.Of(y, target, (x, action));
        var p = engine.Probability([query], evidence);
        var gold = r.Meta.GetProperty("groundtruth").GetDouble();
        var cond = evidence.Count == 0 ? "" : " | " + string.Join(", ", evidence.Select(e => $"{e.Variable} = {e.Value}"));
        var script = header + GraphBlock(g) + scmText + $"use m\nP({y}[{x} = {action}] = {target}{cond})\n";
        if (!p.Ok) return new(r.DescId, r.QueryType, r.GraphId, script, CladderStatus.Missing, null, null, null, F(gold), p.Error!);
        if (inconsistency is not null && Math.Abs(p.Value - gold) > Tolerance)
            return new(r.DescId, r.QueryType, r.GraphId, script, CladderStatus.InconsistentRecord, p.Value, null, null, F(gold), inconsistency + $"; evaluating the mechanisms as written gives {F(p.Value)}");
        return new(r.DescId, r.QueryType, r.GraphId, script, Math.Abs(p.Value - gold) <= Tolerance ? CladderStatus.Passed : CladderStatus.Failed, p.Value, null, null, F(gold),
            $"P({query}{cond}) = {F(p.Value)} by evaluating the mechanisms under do({x} = {action})");
    }

    static List<Mechanism> Order(List<Mechanism> mechanisms)
    {
        var byName = mechanisms.ToDictionary(m => m.Variable);
        var done = new HashSet<string>();
        var order = new List<Mechanism>();
        void Visit(string n, int depth)
        {
            if (done.Contains(n) || !byName.ContainsKey(n) || depth > byName.Count) return;
            foreach (var r in ScmExprs.References(byName[n].Value)) Visit(r, depth + 1);
            if (done.Add(n)) order.Add(byName[n]);
        }
        foreach (var m in mechanisms) Visit(m.Variable, 0);
        return order;
    }

    /// <summary>Reads CLadder's mechanism notation: names, 0/1, not, and, xor, or, parentheses (that precedence).</summary>
    internal static class BooleanParser
    {
        public static ScmExpr Parse(string text)
        {
            var tokens = Regex.Matches(text, @"\w+|\(|\)").Select(m => m.Value).ToList();
            var pos = 0;
            ScmExpr Or()
            {
                var left = Xor();
                while (pos < tokens.Count && tokens[pos] == "or") { pos++; left = new BinaryExpr(ScmOp.Or, left, Xor()); }
                return left;
            }
            ScmExpr Xor()
            {
                var left = And();
                while (pos < tokens.Count && tokens[pos] == "xor") { pos++; left = new BinaryExpr(ScmOp.Xor, left, And()); }
                return left;
            }
            ScmExpr And()
            {
                var left = Not();
                while (pos < tokens.Count && tokens[pos] == "and") { pos++; left = new BinaryExpr(ScmOp.And, left, Not()); }
                return left;
            }
            ScmExpr Not()
            {
                if (pos < tokens.Count && tokens[pos] == "not") { pos++; return new UnaryExpr(ScmOp.Not, Not()); }
                if (pos < tokens.Count && tokens[pos] == "(") { pos++; var inner = Or(); pos++; return inner; }
                if (pos >= tokens.Count) throw new FormatException($"unexpected end of mechanism '{text}'");
                var t = tokens[pos++];
                return int.TryParse(t, out var v) ? new ConstExpr(v) : new RefExpr(t);
            }
            var e = Or();
            if (pos != tokens.Count) throw new FormatException($"unexpected '{tokens[pos]}' in mechanism '{text}'");
            return e;
        }
    }
}
