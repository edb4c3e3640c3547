using System.Collections.Immutable;
using CausalQL.Estimands;
using CausalQL.Graphs;

namespace CausalQL.Counterfactuals;

public enum CfVerdict
{
    /// <summary>An estimand in terms of interventional distributions P_x(...) was found.</summary>
    Identified,
    /// <summary>The events contradict each other: the probability is 0.</summary>
    Inconsistent,
    /// <summary>A hedge / conflicting district: no estimand exists from P* (all interventional distributions).</summary>
    NotIdentifiable,
    /// <summary>The conditioning event itself is inconsistent (probability 0): the conditional is undefined.</summary>
    Undefined,
    /// <summary>The query is malformed (unknown variable, ...).</summary>
    Invalid,
}

/// <summary>
/// The answer of ID* / IDC*. <see cref="Estimand"/> is set for Identified (and is <see cref="Est.Zero"/>
/// for Inconsistent). Its terms are <see cref="Prob"/> records whose <c>Intervened</c> set carries the
/// do() part; names with primes (X') are further values of the same variable, bound in
/// <see cref="Bindings"/> to the value codes the query used. Summed names are bound by their Sum.
/// </summary>
public sealed record CfIdentification(CfVerdict Verdict, Estimand? Estimand, ImmutableDictionary<string, int> Bindings, string Explanation)
{
    public bool IsIdentified => Verdict is CfVerdict.Identified or CfVerdict.Inconsistent;
}

/// <summary>
/// Counterfactual identification on an ADMG: make-cg (the counterfactual graph), ID* and IDC*
/// (Shpitser &amp; Pearl 2007, "What counterfactuals can be tested"; 2008 JMLR). Results are in
/// terms of interventional distributions; hand each term to the ID algorithm to reduce it to
/// observational quantities.
/// </summary>
public static class CounterfactualIdentification
{
    /// <summary>P(γ) for a conjunction of counterfactual events.</summary>
    public static CfIdentification IdStar(CausalGraph graph, IReadOnlyList<CfEvent> gamma)
    {
        if (Validate(graph, gamma) is { } error) return new(CfVerdict.Invalid, null, ImmutableDictionary<string, int>.Empty, error);
        var engine = new Engine(graph.ProjectLatents());
        var r = engine.IdStar([.. gamma.Select(Engine.FromEvent)]);
        return engine.Finish(r);
    }

    /// <summary>P(γ | δ) for conjunctions of counterfactual events.</summary>
    public static CfIdentification IdcStar(CausalGraph graph, IReadOnlyList<CfEvent> gamma, IReadOnlyList<CfEvent> delta)
    {
        if (Validate(graph, gamma.Concat(delta)) is { } error) return new(CfVerdict.Invalid, null, ImmutableDictionary<string, int>.Empty, error);
        var engine = new Engine(graph.ProjectLatents());
        var r = engine.IdcStar([.. gamma.Select(Engine.FromEvent)], [.. delta.Select(Engine.FromEvent)]);
        return engine.Finish(r);
    }

    static string? Validate(CausalGraph graph, IEnumerable<CfEvent> events)
    {
        foreach (var e in events)
        {
            if (!graph.Contains(e.Variable)) return $"'{e.Variable}' is not a variable of the graph";
            if (graph.IsLatent(e.Variable)) return $"'{e.Variable}' is latent: a counterfactual event must name an observed variable";
            foreach (var x in e.Interventions.Keys)
                if (!graph.Contains(x)) return $"cannot intervene on '{x}': it is not a variable of the graph";
        }
        if (!graph.IsAcyclic) return "the graph has a directed cycle";
        return null;
    }

    /// <summary>An event with symbolic values: concrete codes are their digits, summed values are "#k".</summary>
    internal sealed record SymEvent(string Variable, ImmutableSortedDictionary<string, string> Sub, string Value)
    {
        public string SubKey => string.Join(",", Sub.Select(kv => kv.Key + "=" + kv.Value));
        public override string ToString() => Sub.Count == 0 ? $"{Variable}={Value}" : $"{Variable}[{SubKey}]={Value}";
    }

    internal abstract record Res;
    internal sealed record ResOk(Estimand Estimand) : Res;
    internal sealed record ResZero(string Why) : Res;
    internal sealed record ResFail(string Why) : Res;
    internal sealed record ResUndefined(string Why) : Res;

    sealed class Engine(CausalGraph g)
    {
        readonly ImmutableArray<string> _topo = g.TopologicalOrder() ?? g.Nodes;
        readonly Dictionary<(string Var, string Sym), string> _names = [];
        readonly Dictionary<string, int> _bindings = new(StringComparer.Ordinal);
        int _fresh;

        public static SymEvent FromEvent(CfEvent e) => new(e.Variable,
            e.Interventions.ToImmutableSortedDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal),
            e.Value.ToString());

        static bool IsConcrete(string sym) => !sym.StartsWith('#');

        string Fresh() => "#" + (++_fresh);

        /// <summary>The estimand name for a variable at a symbolic value: X, X', X'', ... in order of first use.</summary>
        string Name(string variable, string sym)
        {
            if (_names.TryGetValue((variable, sym), out var n)) return n;
            var used = _names.Keys.Count(k => k.Var == variable);
            n = variable + new string('\'', used);
            _names[(variable, sym)] = n;
            if (IsConcrete(sym)) _bindings[n] = int.Parse(sym);
            return n;
        }

        public CfIdentification Finish(Res r) => r switch
        {
            ResOk ok => new(CfVerdict.Identified, ok.Estimand, _bindings.ToImmutableDictionary(StringComparer.Ordinal), "identified by ID*/IDC* in terms of interventional distributions"),
            ResZero z => new(CfVerdict.Inconsistent, Est.Zero, ImmutableDictionary<string, int>.Empty, "inconsistent: " + z.Why + "; the probability is 0"),
            ResUndefined u => new(CfVerdict.Undefined, null, ImmutableDictionary<string, int>.Empty, u.Why),
            ResFail f => new(CfVerdict.NotIdentifiable, null, ImmutableDictionary<string, int>.Empty, "not identifiable: " + f.Why),
            _ => throw new InvalidOperationException(),
        };

        /// <summary>Drops interventions that cannot affect the variable (not its ancestors once the intervened nodes lose their parents).</summary>
        SymEvent Reduce(SymEvent e)
        {
            if (e.Sub.Count == 0) return e;
            var ancestors = g.RemoveIncoming(e.Sub.Keys).Ancestors([e.Variable]);
            return e with { Sub = e.Sub.Where(kv => ancestors.Contains(kv.Key)).ToImmutableSortedDictionary(StringComparer.Ordinal) };
        }

        // ------------------------------------------------------------ make-cg

        sealed class Cg
        {
            public readonly List<string> Var = [];
            public readonly List<ImmutableSortedDictionary<string, string>> Rep = [];
            public readonly List<HashSet<int>> Parents = [];
            public readonly Dictionary<int, string> Observed = [];
            public readonly List<int> Nodes = []; // the nodes kept (ancestors of the events)
            public readonly Dictionary<string, int> EventNode = new(StringComparer.Ordinal); // "V|sub" of each (reduced) event -> node
            public CausalGraph Graph = CausalGraph.Create([], []);
            public string? Inconsistent;
            public string? Clash;
            public static string Label(int n) => "n" + n;
        }

        Cg MakeCg(IReadOnlyList<SymEvent> events)
        {
            var cg = new Cg();
            var worlds = events.Select(e => e.Sub).DistinctBy(s => string.Join(",", s.Select(kv => kv.Key + "=" + kv.Value))).ToList();
            var keyToNode = new Dictionary<string, int>(StringComparer.Ordinal);
            // node[(V, world)] = node id, or -1 when V is fixed by that world's intervention.
            var node = new Dictionary<(string, int), int>();
            string EffKey(string p, int w)
            {
                var n = node[(p, w)];
                if (n < 0) return p + "=" + worlds[w][p];
                return cg.Observed.TryGetValue(n, out var v) ? p + "=" + v : "#" + n;
            }
            foreach (var v in _topo)
            {
                for (var w = 0; w < worlds.Count; w++)
                {
                    if (worlds[w].ContainsKey(v)) { node[(v, w)] = -1; continue; }
                    var key = v + "(" + string.Join(",", g.Parents(v).Select(p => EffKey(p, w))) + ")";
                    if (!keyToNode.TryGetValue(key, out var id))
                    {
                        id = cg.Var.Count;
                        keyToNode[key] = id;
                        cg.Var.Add(v);
                        cg.Rep.Add(worlds[w]);
                        cg.Parents.Add([]);
                    }
                    else if (Reduce(new SymEvent(v, worlds[w], "")).Sub.Count < Reduce(new SymEvent(v, cg.Rep[id], "")).Sub.Count)
                        cg.Rep[id] = worlds[w];
                    node[(v, w)] = id;
                    foreach (var p in g.Parents(v))
                        if (node[(p, w)] is var pn and >= 0) cg.Parents[id].Add(pn);
                }
                foreach (var e in events.Where(e => e.Variable == v))
                {
                    var id = node[(v, worlds.FindIndex(s => s == e.Sub || s.SequenceEqual(e.Sub)))];
                    if (cg.Observed.TryGetValue(id, out var old) && old != e.Value)
                    {
                        if (IsConcrete(old) && IsConcrete(e.Value))
                            cg.Inconsistent ??= $"{e} and {v} = {old} are the same random variable in the counterfactual graph but take different values";
                        else cg.Clash ??= $"{e} and another copy of {v} are the same variable with different symbolic values";
                    }
                    else cg.Observed[id] = e.Value;
                    cg.EventNode[e.Variable + "|" + e.SubKey] = id;
                }
            }
            if (cg.Inconsistent is not null || cg.Clash is not null) return cg;
            var keep = new HashSet<int>();
            var stack = new Stack<int>(events.Select(e => node[(e.Variable, worlds.FindIndex(s => s.SequenceEqual(e.Sub)))]));
            while (stack.Count > 0)
            {
                var n = stack.Pop();
                if (!keep.Add(n)) continue;
                foreach (var p in cg.Parents[n]) stack.Push(p);
            }
            cg.Nodes.AddRange(keep.Order());
            var bidirected = new List<(string, string)>();
            for (var i = 0; i < cg.Nodes.Count; i++)
                for (var j = i + 1; j < cg.Nodes.Count; j++)
                {
                    string a = cg.Var[cg.Nodes[i]], b = cg.Var[cg.Nodes[j]];
                    if (a == b || g.HasBidirected(a, b)) bidirected.Add((Cg.Label(cg.Nodes[i]), Cg.Label(cg.Nodes[j])));
                }
            cg.Graph = CausalGraph.Create(cg.Nodes.Select(Cg.Label),
                cg.Nodes.SelectMany(n => cg.Parents[n].Where(keep.Contains).Select(p => (Cg.Label(p), Cg.Label(n)))), bidirected);
            return cg;
        }

        static int NodeOf(string label) => int.Parse(label[1..]);

        // ------------------------------------------------------------ ID*

        int _depth;

        public Res IdStar(IReadOnlyList<SymEvent> gamma)
        {
            if (_depth > 64) return new ResFail("ID* recursion limit reached");
            _depth++;
            try { return IdStarCore(gamma); }
            finally { _depth--; }
        }

        Res IdStarCore(IReadOnlyList<SymEvent> gamma)
        {
            var kept = new List<SymEvent>();
            foreach (var e in gamma)
            {
                if (e.Sub.TryGetValue(e.Variable, out var forced))
                {
                    if (forced == e.Value) continue; // line 3: x_x is a tautology
                    if (IsConcrete(forced) && IsConcrete(e.Value))
                        return new ResZero($"{e} asks {e.Variable} to differ from the value its own intervention sets"); // line 2
                    return new ResFail($"{e}: symbolic values cannot be compared");
                }
                var r = Reduce(e);
                if (!kept.Contains(r)) kept.Add(r);
            }
            if (kept.Count == 0) return new ResOk(Est.One); // line 1
            var cg = MakeCg(kept);
            if (cg.Inconsistent is not null) return new ResZero(cg.Inconsistent); // line 5
            if (cg.Clash is not null) return new ResFail(cg.Clash);
            var districts = cg.Graph.Districts();
            if (districts.Length > 1)
            {
                // line 6: Σ over the non-event nodes of Π over districts.
                var value = new Dictionary<int, string>(cg.Observed.Where(kv => cg.Nodes.Contains(kv.Key)));
                var summed = new List<string>();
                foreach (var n in cg.Nodes)
                    if (!value.ContainsKey(n))
                    {
                        value[n] = Fresh();
                        summed.Add(Name(cg.Var[n], value[n]));
                    }
                var factors = new List<Estimand>();
                foreach (var district in districts)
                {
                    var members = district.Select(NodeOf).ToHashSet();
                    var sub = new List<SymEvent>();
                    foreach (var n in members)
                    {
                        var s = cg.Rep[n].ToBuilder();
                        foreach (var p in cg.Parents[n])
                            if (!members.Contains(p) && cg.Nodes.Contains(p)) s[cg.Var[p]] = value[p];
                        sub.Add(new SymEvent(cg.Var[n], s.ToImmutable(), value[n]));
                    }
                    switch (IdStar(sub))
                    {
                        case ResOk ok: factors.Add(ok.Estimand); break;
                        case var other: return other;
                    }
                }
                return new ResOk(Est.Sum(Est.Product(factors), VarSet.From(summed)));
            }
            // lines 7–9: one district S.
            var nodes = cg.Nodes;
            var subS = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var n in nodes)
                foreach (var (x, v) in Reduce(new SymEvent(cg.Var[n], cg.Rep[n], "")).Sub)
                {
                    if (subS.TryGetValue(x, out var other) && other != v)
                        return new ResFail(Hedge(cg, $"the district needs {x} set to two values ({other} and {v}) at once"));
                    subS[x] = v;
                }
            var seenVar = new HashSet<string>(StringComparer.Ordinal);
            var vars = new List<string>();
            foreach (var n in nodes)
            {
                var variable = cg.Var[n];
                if (!seenVar.Add(variable)) return new ResFail(Hedge(cg, $"two copies of {variable} from different worlds share a district"));
                if (subS.TryGetValue(variable, out var sv) && (!cg.Observed.TryGetValue(n, out var ov) || ov != sv))
                    return new ResFail(Hedge(cg, $"{variable} is intervened on (= {sv}) and observed (= {(cg.Observed.TryGetValue(n, out var o) ? o : "free")}) in the same district"));
                if (cg.Observed.TryGetValue(n, out var value)) vars.Add(Name(variable, value));
            }
            return new ResOk(Est.P(VarSet.From(vars), VarSet.Empty, VarSet.From(subS.Select(kv => Name(kv.Key, kv.Value)))));
        }

        static string Hedge(Cg cg, string why) =>
            $"{why}; district {{{string.Join(", ", cg.Nodes.Select(n => cg.Rep[n].Count == 0 ? cg.Var[n] : $"{cg.Var[n]}[{string.Join(",", cg.Rep[n].Select(kv => kv.Key + "=" + kv.Value))}]"))}}} of the counterfactual graph (a hedge for P*)";

        // ------------------------------------------------------------ IDC*

        public Res IdcStar(IReadOnlyList<SymEvent> gamma, IReadOnlyList<SymEvent> delta)
        {
            // line 1: an impossible condition makes the conditional undefined.
            if (IdStar(delta) is ResZero z) return new ResUndefined("the conditioning event has probability 0 (" + z.Why + "), so the conditional probability is undefined");
            if (delta.Count == 0) return IdStar(gamma);
            var all = gamma.Concat(delta).ToList();
            var cg = MakeCg(all.Where(e => !e.Sub.ContainsKey(e.Variable)).Select(Reduce).Distinct().ToList());
            if (cg.Inconsistent is not null) return new ResZero(cg.Inconsistent); // line 3
            if (IdStar(all) is ResZero z2) return z2;
            // γ' and δ' as nodes of the counterfactual graph.
            List<(int Node, SymEvent Event)> Nodes(IReadOnlyList<SymEvent> events)
            {
                var list = new List<(int, SymEvent)>();
                foreach (var e in events)
                {
                    if (e.Sub.ContainsKey(e.Variable)) continue;
                    var r = Reduce(e);
                    var n = cg.EventNode[r.Variable + "|" + r.SubKey];
                    // Keep the event's own form: a merged node's representative is only valid alongside the evidence that merged it.
                    if (!list.Any(t => t.Item1 == n)) list.Add((n, r));
                }
                return list;
            }
            // A γ event on the same node as a δ event (and, as the joint is consistent, the same value) is implied by δ.
            var deltaNodes = Nodes(delta);
            var gammaNodes = Nodes(gamma).Where(t => !deltaNodes.Any(d => d.Node == t.Node)).ToList();
            if (gammaNodes.Count == 0) return new ResOk(Est.One);
            // line 4: move a condition into the subscripts when it is separated from γ' once its outgoing edges are cut.
            foreach (var (dn, de) in deltaNodes)
            {
                var rest = deltaNodes.Where(d => d.Node != dn).Select(d => Cg.Label(d.Node));
                var cut = cg.Graph.RemoveOutgoing([Cg.Label(dn)]);
                if (MSeparation.Separated(cut, [Cg.Label(dn)], gammaNodes.Select(t => Cg.Label(t.Node)), rest))
                {
                    // A world that already fixes the variable keeps its own intervention.
                    var newGamma = gammaNodes.Select(t => t.Event.Sub.ContainsKey(de.Variable) ? t.Event : t.Event with { Sub = t.Event.Sub.Add(de.Variable, de.Value) }).ToList();
                    return IdcStar(newGamma, [.. deltaNodes.Where(d => d.Node != dn).Select(d => d.Event)]);
                }
            }
            // lines 5–6: P(γ' ∧ δ') / P(δ').
            var gd = gammaNodes.Select(t => t.Event).Concat(deltaNodes.Select(t => t.Event)).ToList();
            var numerator = IdStar(gd);
            if (numerator is not ResOk num) return numerator;
            var denominator = IdStar([.. deltaNodes.Select(t => t.Event)]);
            if (denominator is ResOk den) return new ResOk(Est.Fraction(num.Estimand, den.Estimand));
            // P(δ') = Σ_γ' P(γ' ∧ δ'): re-run with the γ' values summed.
            var freshGamma = gammaNodes.Select(t => t.Event with { Value = Fresh() }).ToList();
            var joint = IdStar([.. freshGamma, .. deltaNodes.Select(t => t.Event)]);
            if (joint is not ResOk j) return new ResFail("the denominator P(δ) is not identifiable");
            return new ResOk(Est.Fraction(num.Estimand, Est.Sum(j.Estimand, VarSet.From(freshGamma.Select(e => Name(e.Variable, e.Value))))));
        }
    }
}

/// <summary>Reduces the interventional terms of an ID*/IDC* answer to observational ones with the ID engine.</summary>
public static class CounterfactualReduction
{
    /// <summary>
    /// Replaces each P_x(...) term by its ID estimand over the observed variables. When a term is
    /// not identifiable from observations (it needs an experiment), the answer keeps that term and
    /// says so; <c>Complete</c> is then false.
    /// </summary>
    public static (Estimand Estimand, bool Complete, ImmutableArray<string> Notes) ToObservational(CfIdentification id, CausalGraph graph)
    {
        if (id.Estimand is null) return (Est.Zero, false, ["no estimand to reduce: " + id.Explanation]);
        var notes = ImmutableArray.CreateBuilder<string>();
        var complete = true;
        var reserved = VarSet.From(AllNames(id.Estimand));
        Estimand Reduce(Estimand e)
        {
            switch (e)
            {
                case Prob { Intervened.IsEmpty: false } p:
                {
                    string Col(string n) => InterventionalEvaluator.Column(n);
                    var result = Identification.Identifier.Identify(graph, VarSet.From(p.Vars.Select(Col)), VarSet.From(p.Intervened.Select(Col)), VarSet.From(p.Given.Select(Col)));
                    if (!result.Identifiable || result.Estimand is null)
                    {
                        complete = false;
                        notes.Add($"{p} is not identifiable from observational data; it needs an experiment");
                        return p;
                    }
                    var est = BoundNames.PrimeShadowed(result.Estimand, reserved);
                    // ID may leave a variable free whose value does not matter (Y ⊥ D | ...): average it over P(D),
                    // which is exact, so the answer has no free names beyond the query's.
                    var own = VarSet.From(p.Vars.Concat(p.Intervened).Concat(p.Given).Select(Col));
                    foreach (var extra in EstimandEvaluator.FreeVariables(est).Except(own))
                    {
                        var fresh = extra + "'";
                        while (reserved.Contains(fresh) || AllNames(est).Contains(fresh)) fresh += "'";
                        reserved = reserved.Add(fresh);
                        est = Est.Sum(Est.Product(Est.P(VarSet.Of(fresh)), BoundNames.Rename(est, extra, fresh)), VarSet.Of(fresh));
                    }
                    foreach (var n in p.Vars.Concat(p.Intervened).Concat(p.Given))
                        if (Col(n) != n) est = BoundNames.Rename(est, Col(n), n);
                    return est;
                }
                case Sum s: return Est.Sum(Reduce(s.Body), s.Over);
                case Product prod: return Est.Product(prod.Factors.Select(Reduce).ToList());
                case Fraction f: return Est.Fraction(Reduce(f.Numerator), Reduce(f.Denominator));
                default: return e;
            }
        }
        return (Reduce(id.Estimand), complete, notes.ToImmutable());
    }

    static IEnumerable<string> AllNames(Estimand e) => e switch
    {
        Prob p => p.Vars.Concat(p.Given).Concat(p.Intervened),
        Sum s => s.Over.Concat(AllNames(s.Body)),
        Product p => p.Factors.SelectMany(AllNames),
        Fraction f => AllNames(f.Numerator).Concat(AllNames(f.Denominator)),
        _ => [],
    };
}
