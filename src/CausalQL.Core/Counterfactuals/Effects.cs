using System.Collections.Immutable;
using CausalQL.Graphs;

namespace CausalQL.Counterfactuals;

/// <summary>
/// An effect's answer: a point value, or bounds when the given information only brackets it, or
/// a reason it is not identifiable / which term is missing. Strategy names the estimand used.
/// </summary>
public sealed record EffectResult(double? Value, double? Lower, double? Upper, string Strategy, string Explanation, bool NotIdentifiable = false)
{
    public bool HasValue => Value is not null;
    public bool HasBounds => Lower is not null && Upper is not null;
    public static EffectResult Point(double v, string strategy, string explanation) => new(v, null, null, strategy, explanation);
    public static EffectResult Bounds(double lo, double hi, string strategy, string explanation) => new(null, lo, hi, strategy, explanation);
    public static EffectResult Missing(string explanation) => new(null, null, null, "", explanation);
    public static EffectResult Unidentifiable(string explanation) => new(null, null, null, "", explanation, true);
}

/// <summary>Modelling assumptions some estimands need (<c>assume monotonicity(X -> Y)</c>, <c>assume linear</c>).</summary>
[Flags]
public enum EffectAssumptions { None = 0, Monotonicity = 1, Linear = 2 }

/// <summary>
/// Effects as first-class queries for binary treatment and outcome: ATE, ETT, NDE, NIE, CDE and the
/// probabilities of causation, each tried through every valid estimand (back-door sets, front-door,
/// instruments, mediation formula) against a probability oracle that may lack terms — a
/// <see cref="GivenModel"/> or an exact joint. The first estimand whose terms all exist answers;
/// otherwise the missing terms are listed.
/// </summary>
public sealed class Effects(CausalGraph graph, Func<Assignment, Assignment, double?> probability, EffectAssumptions assumptions = EffectAssumptions.None)
{
    readonly List<string> _missing = [];

    public static Effects Over(GivenModel model, EffectAssumptions assumptions = EffectAssumptions.None) =>
        new(model.Graph, model.TryProbability, assumptions);

    /// <summary>Effects on an exact or counted distribution (a joint table, a data engine's contingency table).</summary>
    public static Effects Over(CausalGraph graph, Estimands.IMarginalSource source, EffectAssumptions assumptions = EffectAssumptions.None) =>
        new(graph, (a, c) =>
        {
            var all = new Dictionary<string, int>(c.Values, StringComparer.Ordinal);
            foreach (var (k, v) in a.Values)
            {
                if (all.TryGetValue(k, out var old) && old != v) return 0;
                all[k] = v;
            }
            if (all.Keys.Any(k => !source.Variables.Contains(k))) return null; // not measured
            var den = c.Count == 0 ? 1 : source.Marginal([.. c.Values.Keys], [.. c.Values.Values]);
            return den <= 0 ? null : source.Marginal([.. all.Keys], [.. all.Values]) / den;
        }, assumptions);

    double? P(Assignment a, Assignment c)
    {
        var v = probability(a, c);
        if (v is null) { var t = GivenModel.Term(a, c); if (!_missing.Contains(t)) _missing.Add(t); }
        return v;
    }

    double? P(string y, int yv, params (string, int)[] given) => P(Assignment.Of((y, yv)), Assignment.Of(given));

    string MissingText() => _missing.Count == 0 ? "" : " (missing " + string.Join("; ", _missing.Take(6)) + ")";

    VarSet Observed => VarSet.From(graph.Nodes.Where(n => !graph.IsLatent(n)));

    static IEnumerable<ImmutableArray<string>> Subsets(IReadOnlyList<string> items)
    {
        for (var size = 0; size <= items.Count; size++)
            foreach (var s in Combinations(items, size)) yield return s;
    }

    static IEnumerable<ImmutableArray<string>> Combinations(IReadOnlyList<string> items, int size, int start = 0)
    {
        if (size == 0) { yield return []; yield break; }
        for (var i = start; i <= items.Count - size; i++)
            foreach (var rest in Combinations(items, size - 1, i + 1)) yield return rest.Insert(0, items[i]);
    }

    static IEnumerable<Assignment> Configurations(IReadOnlyList<string> vars)
    {
        for (var code = 0; code < 1 << vars.Count; code++)
            yield return new Assignment(vars.Select((v, i) => (v, (code >> i) & 1)).ToImmutableSortedDictionary(t => t.v, t => t.Item2, StringComparer.Ordinal));
    }

    /// <summary>Valid back-door adjustment sets of observed variables, smallest first.</summary>
    public IEnumerable<ImmutableArray<string>> BackdoorSets(string x, IReadOnlyCollection<string> y)
    {
        var descendants = graph.Descendants([x]);
        var candidates = Observed.Where(n => n != x && !y.Contains(n) && !descendants.Contains(n)).ToList();
        return Subsets(candidates).Where(z => MSeparation.IsBackdoorSet(graph, [x], y, z));
    }

    /// <summary>Sets M satisfying the front-door criterion for X → Y.</summary>
    public IEnumerable<ImmutableArray<string>> FrontdoorSets(string x, string y)
    {
        var candidates = Observed.Where(n => n != x && n != y).ToList();
        foreach (var m in Subsets(candidates))
        {
            if (m.Length == 0) continue;
            var without = graph.Subgraph(graph.Nodes.Except(m));
            if (without.Descendants([x]).Contains(y)) continue; // a directed path avoids M
            if (!MSeparation.IsBackdoorSet(graph, [x], m, [])) continue;
            if (!MSeparation.IsBackdoorSet(graph, m, [y], [x])) continue;
            yield return m;
        }
    }

    /// <summary>E[Y | do(X = x)] (binary Y) by back-door adjustment or the front-door formula.</summary>
    public EffectResult InterventionalMean(string x, int xv, string y)
    {
        if (!graph.Descendants([x]).Contains(y))
            return P(y, 1) is { } py ? EffectResult.Point(py, "no directed path", $"{x} is not an ancestor of {y}: E[{y} | do({x})] = E[{y}]") : EffectResult.Missing("needs P(" + y + " = 1)" + MissingText());
        foreach (var z in BackdoorSets(x, [y]))
        {
            double total = 0; var ok = true;
            foreach (var zc in Configurations(z))
            {
                var pz = P(zc, Assignment.Empty);
                if (pz is null) { ok = false; break; }
                if (pz == 0) continue;
                var py = P(Assignment.Of((y, 1)), zc.With(x, xv));
                if (py is null) { ok = false; break; }
                total += py.Value * pz.Value;
            }
            if (ok) return EffectResult.Point(total, $"back-door adjustment for {{{string.Join(", ", z)}}}", $"E[{y} | do({x})] = Σ_z P({y} | {x}, z) P(z), z = {{{string.Join(", ", z)}}}");
        }
        foreach (var m in FrontdoorSets(x, y))
        {
            double total = 0; var ok = true;
            foreach (var mc in Configurations(m))
            {
                var pm = P(mc, Assignment.Of((x, xv)));
                if (pm is null) { ok = false; break; }
                double inner = 0;
                foreach (var xp in new[] { 0, 1 })
                {
                    var px = P(x, xp);
                    var py = P(Assignment.Of((y, 1)), mc.With(x, xp));
                    if (px is null || py is null) { ok = false; break; }
                    inner += py.Value * px.Value;
                }
                if (!ok) break;
                total += pm.Value * inner;
            }
            if (ok) return EffectResult.Point(total, $"front-door through {{{string.Join(", ", m)}}}", $"E[{y} | do({x})] = Σ_m P(m | {x}) Σ_x' P({y} | x', m) P(x')");
        }
        return EffectResult.Missing($"E[{y} | do({x} = {xv})]: no back-door or front-door estimand has all its terms" + MissingText());
    }

    /// <summary>ATE = E[Y | do(X=1)] − E[Y | do(X=0)]; with an instrument, the Wald ratio under `assume linear`/`monotonicity`.</summary>
    public EffectResult Ate(string x, string y)
    {
        var one = InterventionalMean(x, 1, y);
        var zero = InterventionalMean(x, 0, y);
        if (one.Value is { } a && zero.Value is { } b && one.Strategy == zero.Strategy)
            return EffectResult.Point(a - b, one.Strategy, $"ATE = E[{y} | do({x} = 1)] − E[{y} | do({x} = 0)] by {one.Strategy}");
        foreach (var z in Instruments(x, y))
        {
            if (assumptions == EffectAssumptions.None)
                return EffectResult.Unidentifiable($"ATE({x} -> {y}) is not identified from observations; {z} is an instrument, and the Wald estimand needs `assume linear` (or `assume monotonicity({z} -> {x})`, which gives the complier effect)");
            var y1 = P(y, 1, (z, 1)); var y0 = P(y, 1, (z, 0)); var x1 = P(x, 1, (z, 1)); var x0 = P(x, 1, (z, 0));
            if (y1 is null || y0 is null || x1 is null || x0 is null) continue;
            if (Math.Abs(x1.Value - x0.Value) < 1e-12) return EffectResult.Missing($"the instrument {z} does not move {x}: the Wald ratio is undefined");
            return EffectResult.Point((y1.Value - y0.Value) / (x1.Value - x0.Value), $"instrument {z} (Wald)",
                $"ATE = [P({y}=1|{z}=1) − P({y}=1|{z}=0)] / [P({x}=1|{z}=1) − P({x}=1|{z}=0)] under `assume {(assumptions.HasFlag(EffectAssumptions.Linear) ? "linear" : "monotonicity")}`");
        }
        return one.Value is null ? one : zero;
    }

    /// <summary>Observed Z with an effect on X, no back-door path to Y and no path to Y except through X.</summary>
    public IEnumerable<string> Instruments(string x, string y) =>
        Observed.Where(z => z != x && z != y && graph.Descendants([z]).Contains(x) &&
                            MSeparation.Separated(graph.RemoveOutgoing([x]), [z], [y], []));

    /// <summary>ETT = E[Y_{x1} − Y_{x0} | X = x1] (Shpitser &amp; Pearl 2009): back-door, then front-door, then the binary-X identity.</summary>
    public EffectResult Ett(string x, string y)
    {
        (double Lo, double Hi, string Z)? bounds = null;
        foreach (var z in BackdoorSets(x, [y]))
        {
            double total = 0; var ok = true;
            var specific = new List<double>();
            var weightsMissing = false;
            foreach (var zc in Configurations(z))
            {
                var y1 = P(Assignment.Of((y, 1)), zc.With(x, 1));
                var y0 = P(Assignment.Of((y, 1)), zc.With(x, 0));
                if (y1 is null || y0 is null) { ok = false; break; }
                specific.Add(y1.Value - y0.Value);
                var w = P(zc, Assignment.Of((x, 1)));
                if (w is null) { weightsMissing = true; continue; }
                total += w.Value * (y1.Value - y0.Value);
            }
            if (ok && !weightsMissing)
                return EffectResult.Point(total, $"back-door adjustment for {{{string.Join(", ", z)}}}", $"ETT = Σ_z [E({y}|{x}=1,z) − E({y}|{x}=0,z)] P(z | {x}=1)");
            if (ok && weightsMissing && z.Length > 0 && bounds is null)
                bounds = (specific.Min(), specific.Max(), string.Join(", ", z));
        }
        foreach (var m in FrontdoorSets(x, y))
        {
            double total = 0; var ok = true;
            foreach (var mc in Configurations(m))
            {
                var py = P(Assignment.Of((y, 1)), mc.With(x, 1));
                var m1 = P(mc, Assignment.Of((x, 1)));
                var m0 = P(mc, Assignment.Of((x, 0)));
                if (py is null || m1 is null || m0 is null) { ok = false; break; }
                total += py.Value * (m1.Value - m0.Value);
            }
            if (ok) return EffectResult.Point(total, $"front-door through {{{string.Join(", ", m)}}}", $"ETT = Σ_m E({y}|{x}=1,m) [P(m|{x}=1) − P(m|{x}=0)]");
        }
        // Binary X: P(Y_{x0}=1, X=1) = P(Y_{x0}=1) − P(Y=1, X=0).
        var doZero = InterventionalMean(x, 0, y);
        var px1 = P(x, 1); var ey1 = P(y, 1, (x, 1)); var ey0 = P(y, 1, (x, 0));
        if (doZero.Value is { } d0 && px1 is > 0 && ey1 is not null && ey0 is not null)
            return EffectResult.Point(ey1.Value - (d0 - ey0.Value * (1 - px1.Value)) / px1.Value, "binary-treatment identity via " + doZero.Strategy,
                $"ETT = E[{y}|{x}=1] − (E[{y}|do({x}=0)] − E[{y}|{x}=0] P({x}=0)) / P({x}=1)");
        if (bounds is { } b)
            return EffectResult.Bounds(b.Lo, b.Hi, $"back-door for {{{b.Z}}} with unknown weights",
                $"ETT = Σ_z P(z | {x}=1) [z-specific effect]; P(z | {x}=1) is not given, so ETT lies between the smallest and largest z-specific effects{MissingText()}");
        return EffectResult.Missing($"ETT({x} -> {y}): no estimand has all its terms{MissingText()}");
    }

    /// <summary>Natural direct (NDE) or indirect (NIE) effect of X on Y through the mediators M (Pearl's mediation formula).</summary>
    public EffectResult Mediation(string x, IReadOnlyList<string> mediators, string y, bool direct)
    {
        var name = direct ? "NDE" : "NIE";
        var withoutM = graph.Subgraph(graph.Nodes.Except(mediators));
        if (!withoutM.Descendants([x]).Contains(y))
        {
            // Every causal path runs through M: Y_{x,m} = Y_m, so NIE = ATE and NDE = 0.
            if (direct) return EffectResult.Point(0, "no direct path", $"every directed path from {x} to {y} passes through {{{string.Join(", ", mediators)}}}, so NDE = 0");
            var ate = Ate(x, y);
            return ate with { Strategy = "NIE = ATE (no direct path); " + ate.Strategy };
        }
        var found = false;
        foreach (var w in MediationCovariateSets(x, mediators, y))
        {
            found = true;
            double total = 0; var ok = true;
            foreach (var wc in Configurations(w))
            {
                var pw = P(wc, Assignment.Empty);
                if (pw is null) { ok = false; break; }
                foreach (var mc in Configurations(mediators))
                {
                    var cond = new Assignment(wc.Values.AddRange(mc.Values));
                    var y1 = P(Assignment.Of((y, 1)), cond.With(x, 1));
                    var y0 = P(Assignment.Of((y, 1)), cond.With(x, 0));
                    var m0 = P(mc, wc.With(x, 0));
                    var m1 = direct ? 0 : P(mc, wc.With(x, 1));
                    if (y0 is null || m0 is null || m1 is null || (direct && y1 is null)) { ok = false; break; }
                    total += pw.Value * (direct ? (y1!.Value - y0.Value) * m0.Value : y0.Value * (m1.Value - m0.Value));
                }
                if (!ok) break;
            }
            if (ok)
                return EffectResult.Point(total, $"mediation formula, covariates {{{string.Join(", ", w)}}}",
                    direct ? $"NDE = Σ_w P(w) Σ_m P(m|{x}=0,w) [E({y}|{x}=1,m,w) − E({y}|{x}=0,m,w)]"
                           : $"NIE = Σ_w P(w) Σ_m E({y}|{x}=0,m,w) [P(m|{x}=1,w) − P(m|{x}=0,w)]");
        }
        if (!found)
            return EffectResult.Unidentifiable($"{name}({x} -> {string.Join(", ", mediators)} -> {y}) is not identifiable: no set of observed pre-treatment covariates blocks every back-door path between {x}, the mediators and {y} (the mediator–outcome relation is confounded, e.g. by an unobserved common cause)");
        return EffectResult.Missing($"{name}: the mediation formula is valid but needs terms that are not given{MissingText()}");
    }

    /// <summary>
    /// Observed pre-treatment covariate sets W under which the mediation formula identifies the natural
    /// effects (Pearl 2001): W blocks the back-door paths X–Y and X–M, and W ∪ {X} those M–Y. Smallest first.
    /// </summary>
    public IEnumerable<ImmutableArray<string>> MediationCovariateSets(string x, IReadOnlyList<string> mediators, string y)
    {
        var descendants = graph.Descendants([x]);
        var candidates = Observed.Where(n => n != x && n != y && !mediators.Contains(n) && !descendants.Contains(n)).ToList();
        return Subsets(candidates).Where(w =>
            MSeparation.IsBackdoorSet(graph, [x], [y], w) && MSeparation.IsBackdoorSet(graph, [x], mediators, w) &&
            MSeparation.IsBackdoorSet(graph, mediators, [y], [.. w, x]));
    }

    /// <summary>Controlled direct effect E[Y | do(X=1, M=m)] − E[Y | do(X=0, M=m)] by adjustment for the joint treatment.</summary>
    public EffectResult Cde(string x, IReadOnlyList<string> mediators, Assignment m, string y)
    {
        var treatment = mediators.Append(x).ToList();
        var descendants = graph.Descendants(treatment);
        var candidates = Observed.Where(n => !treatment.Contains(n) && n != y && !descendants.Contains(n)).ToList();
        foreach (var z in Subsets(candidates))
        {
            // Sequential back-door for the joint intervention (simple case: one set blocks all back-door paths of every treatment).
            if (!treatment.All(t => MSeparation.IsBackdoorSet(graph.RemoveIncoming(treatment.Where(o => o != t)), [t], [y], z))) continue;
            double total = 0; var ok = true;
            foreach (var zc in Configurations(z))
            {
                var pz = P(zc, Assignment.Empty);
                var c = new Assignment(zc.Values.AddRange(m.Values));
                var y1 = P(Assignment.Of((y, 1)), c.With(x, 1));
                var y0 = P(Assignment.Of((y, 1)), c.With(x, 0));
                if (pz is null || y1 is null || y0 is null) { ok = false; break; }
                total += pz.Value * (y1.Value - y0.Value);
            }
            if (ok) return EffectResult.Point(total, $"adjustment for {{{string.Join(", ", z)}}}", $"CDE = Σ_z P(z) [E({y}|{x}=1,{m},z) − E({y}|{x}=0,{m},z)]");
        }
        return EffectResult.Missing($"CDE: no adjustment estimand has all its terms{MissingText()}");
    }

    /// <summary>
    /// Probabilities of causation (Tian &amp; Pearl 2000) from P(x, y) and the experimental P(y_x):
    /// bounds in general, point values under monotonicity.
    /// </summary>
    public static EffectResult CausationProbability(string kind, double pYdo1, double pYdo0, double pX1Y1, double pX1Y0, double pX0Y1, double pX0Y0, bool monotone)
    {
        var pY = pX1Y1 + pX0Y1;
        switch (kind)
        {
            case "PNS":
                if (monotone) return EffectResult.Point(pYdo1 - pYdo0, "monotonicity", "PNS = P(y_x) − P(y_x')");
                return EffectResult.Bounds(
                    new[] { 0, pYdo1 - pYdo0, pY - pYdo0, pYdo1 - pY }.Max(),
                    new[] { pYdo1, 1 - pYdo0, pX1Y1 + pX0Y0, pYdo1 - pYdo0 + pX1Y0 + pX0Y1 }.Min(), "Tian–Pearl bounds", "PNS bounds from observational and experimental data");
            case "PN":
                if (pX1Y1 <= 0) return EffectResult.Missing("PN is undefined: P(x, y) = 0");
                if (monotone) return EffectResult.Point((pY - pYdo0) / pX1Y1, "monotonicity", "PN = [P(y) − P(y_x')] / P(x, y)");
                return EffectResult.Bounds(Math.Max(0, (pY - pYdo0) / pX1Y1), Math.Min(1, (1 - pYdo0 - pX0Y0) / pX1Y1), "Tian–Pearl bounds", "PN bounds from observational and experimental data");
            case "PS":
                if (pX0Y0 <= 0) return EffectResult.Missing("PS is undefined: P(x', y') = 0");
                if (monotone) return EffectResult.Point((pYdo1 - pY) / pX0Y0, "monotonicity", "PS = [P(y_x) − P(y)] / P(x', y')");
                return EffectResult.Bounds(Math.Max(0, (pYdo1 - pY) / pX0Y0), Math.Min(1, (pYdo1 - pX1Y1) / pX0Y0), "Tian–Pearl bounds", "PS bounds from observational and experimental data");
            default:
                return EffectResult.Missing("unknown probability of causation " + kind);
        }
    }
}
