using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using CausalQL.Binding;
using CausalQL.Counterfactuals;
using CausalQL.Scm;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Sessions;

// Queries answered by a model rather than by data: an SCM (`use m` then `P(Y[X = 1] = 1 | X = 0)`)
// is evaluated exactly by enumeration; a model block of given probabilities answers through the
// effect formulas that its given terms support.
public static partial class Executor
{
    /// <summary>A number, or bounds when the model determines only an interval, with how it was found.</summary>
    sealed record Answer(double? Value, double? Lower, double? Upper, string How)
    {
        public static Answer Point(double v, string how) => new(v, null, null, how);
    }

    sealed class ModelError(string message) : Exception(message);

    static ExecutionOutcome EvaluateOnModel(QueryStatement s, SessionPorts ports, ImmutableList<Assumption> assumptions)
    {
        var source = s.Graph!.Source;
        try
        {
            Answer answer;
            switch (source)
            {
                case ScmSymbol scm:
                    {
                        var translation = ScmTranslator.Translate(scm.Syntax, scm.Source ?? new SourceText("", scm.Declared.File));
                        if (translation.HasErrors)
                            return new ExecutionOutcome([], [.. translation.Diagnostics.Where(d => d.IsError).Select(d => d.Location.File == s.Location.File ? d : d with { Location = s.Location, Message = $"in scm '{scm.Name}' ({d.Location}): {d.Message}" })]);
                        answer = translation.Discrete is { } discrete
                            ? OnScm(s.Query, new ScmEnumerator(discrete) { Cancellation = ports.Cancellation }, scm.Name)
                            : OnLinearScm(s.Query, new LinearGaussianEngine(translation.Linear!));
                        break;
                    }
                case ModelSymbol model:
                    {
                        var given = new GivenModel(s.Graph.Graph, model.Entries.Select(ToGiven));
                        var effectAssumptions = EffectAssumptions.None;
                        if (assumptions.Any(a => a.Name == "monotonicity")) effectAssumptions |= EffectAssumptions.Monotonicity;
                        if (assumptions.Any(a => a.Name == "linear")) effectAssumptions |= EffectAssumptions.Linear;
                        answer = OnGivenModel(s.Query, given, effectAssumptions);
                        break;
                    }
                default:
                    throw new System.Diagnostics.UnreachableException();
            }
            var text = answer.Value is { } v
                ? $"{s.Query} = {Number(v)}  ({answer.How}; {source.KindWord} {source.Name})"
                : $"{s.Query} in {source.KindWord} '{source.Name}' is not determined by the given probabilities; it lies in [{Number(answer.Lower!.Value)}, {Number(answer.Upper!.Value)}]  ({answer.How})";
            var json = new JsonObject
            {
                ["query"] = s.Query.ToString(),
                [source.KindWord] = source.Name,
                ["value"] = answer.Value,
                ["lower"] = answer.Lower,
                ["upper"] = answer.Upper,
                ["how"] = answer.How,
            };
            return ExecutionOutcome.Of(StatementResult.Create("value", text, s.Location, json));
        }
        catch (ModelError e)
        {
            return Failed(s.Location, $"{s.Query} in {source.KindWord} '{source.Name}': {e.Message}");
        }
    }

    // ------------------------------------------------------------------ SCMs

    static Answer OnScm(Query query, ScmEnumerator scm, string name)
    {
        const string how = "exact, by enumerating the SCM's noise";
        double Check(CfOutcome<double> outcome) => outcome.Ok ? outcome.Value : throw new ModelError(outcome.Error!);
        switch (query)
        {
            case ProbabilityQuery p when p.Outcomes.Concat(p.Conditions).Any(e => e.Variable.IsNested):
                {
                    // Nested counterfactuals (Y[X = 1, M = M[X = 0]] = 1): each term solved in its own world per noise state.
                    var doValues = Interventions(p.Interventions);
                    var events = p.Outcomes.Select(e => NestedEvent(e, doValues)).ToList();
                    var given = p.Conditions.Select(e => NestedEvent(e, doValues)).ToList();
                    return Answer.Point(Check(scm.NestedProbability(events, given)), how + " (nested counterfactual worlds)");
                }
            case ProbabilityQuery p:
                {
                    var doValues = Interventions(p.Interventions);
                    var events = p.Outcomes.Select(e => Event(e, doValues)).ToList();
                    var given = p.Conditions.Select(e => Event(e, doValues)).ToList();
                    if (Contradiction(events, given) is { } why)
                        return Answer.Point(0, $"inconsistent: {why}; the probability is 0 in every model");
                    return Answer.Point(Check(scm.Probability(events, given)), how);
                }
            case ExpectationQuery e:
                {
                    var doValues = Interventions(e.Interventions);
                    var given = e.Conditions.Select(c => NestedEvent(c, doValues)).ToList();
                    return Answer.Point(Expect(e.Target, doValues, given, scm), how);
                }
            case EffectQuery { Kind: var kind } f when f.Exposure.Count == 1 && f.Outcome.Count == 1:
                {
                    string x = f.Exposure.First(), y = f.Outcome.First();
                    var none = ImmutableDictionary.Create<string, int>(StringComparer.Ordinal);
                    var x1 = none.Add(x, 1);
                    var x0 = none.Add(x, 0);
                    CfEvent Y(ImmutableDictionary<string, int> world, int value) => new(y, world, value);
                    var factual = (string v, int value) => CfEvent.Factual(v, value);
                    return kind switch
                    {
                        EffectKind.ATE or EffectKind.TE => Answer.Point(Check(scm.Expectation(y, x1)) - Check(scm.Expectation(y, x0)), how),
                        EffectKind.ETT => Answer.Point(Check(scm.Expectation(y, x1, [factual(x, 1)])) - Check(scm.Expectation(y, x0, [factual(x, 1)])), how),
                        EffectKind.PN => Answer.Point(Check(scm.Probability([Y(x0, 0)], [factual(x, 1), factual(y, 1)])), how),
                        EffectKind.PS => Answer.Point(Check(scm.Probability([Y(x1, 1)], [factual(x, 0), factual(y, 0)])), how),
                        EffectKind.PNS => Answer.Point(Check(scm.Probability([Y(x1, 1), Y(x0, 0)])), how),
                        EffectKind.NDE or EffectKind.NIE => NaturalEffectOnScm(f, scm),
                        EffectKind.CDE => Answer.Point(
                            Check(scm.Expectation(y, ControlledMediators(f).SetItem(x, 1))) - Check(scm.Expectation(y, ControlledMediators(f).SetItem(x, 0))),
                            how),
                        _ => throw new ModelError($"{kind} is not evaluated on SCMs"),
                    };
                }
            case EffectQuery f:
                throw new ModelError($"{f.Kind} on an SCM is evaluated for one exposure and one outcome");
            default:
                return Combine(query, q => OnScm(q, scm, name));
        }
    }

    /// <summary>
    /// An asked event that the evidence contradicts by consistency (Pearl's axiom: where the evidence
    /// observes X = x, Y[X = x] is the observed Y): P(Y[X = 1] = 1 | X = 1, Y = 0) is 0 whatever the model.
    /// </summary>
    static string? Contradiction(IReadOnlyList<CfEvent> events, IReadOnlyList<CfEvent> given)
    {
        foreach (var e in events)
            foreach (var seen in given)
            {
                if (seen.Variable != e.Variable || seen.Value == e.Value) continue;
                // seen's world must be e's world with some interventions left out, each of them observed there at the same level.
                if (seen.Interventions.Any(kv => !e.Interventions.TryGetValue(kv.Key, out var v) || v != kv.Value)) continue;
                var extra = e.Interventions.Where(kv => !seen.Interventions.ContainsKey(kv.Key)).ToList();
                if (extra.All(kv => given.Contains(new CfEvent(kv.Key, seen.Interventions, kv.Value))))
                    return extra.Count == 0
                        ? $"{e} contradicts the evidence {seen}"
                        : $"the evidence observes {string.Join(", ", extra.Select(kv => $"{kv.Key} = {kv.Value}"))}, so {e.Variable}[{string.Join(", ", extra.Select(kv => $"{kv.Key} = {kv.Value}"))}] is the observed {seen}, not {e.Value}";
            }
        return null;
    }

    /// <summary>
    /// NDE = E[Y[X = 1, M = M[X = 0]]] − E[Y[X = 0]] and NIE = E[Y[X = 0, M = M[X = 1]]] − E[Y[X = 0]] (Pearl 2001),
    /// enumerated exactly; beside it, the mediation formula on the model's own observational
    /// distribution, so the reader sees whether the identified estimand recovers the truth.
    /// </summary>
    static Answer NaturalEffectOnScm(EffectQuery f, ScmEnumerator scm)
    {
        double Check(CfOutcome<double> outcome) => outcome.Ok ? outcome.Value : throw new ModelError(outcome.Error!);
        string x = f.Exposure.First(), y = f.Outcome.First();
        var direct = f.Kind == EffectKind.NDE;
        var (treated, mediatorWorld) = direct ? (1, 0) : (0, 1);
        var nested = new CfTerm(y, [CfSetting.Fixed(x, treated), .. f.Mediators.Select(m => CfSetting.From(m, CfTerm.Of(m, CfSetting.Fixed(x, mediatorWorld))))]);
        var baseline = CfTerm.Of(y, CfSetting.Fixed(x, 0));
        var value = Check(scm.NestedExpectation(nested)) - Check(scm.NestedExpectation(baseline));
        var how = $"exact, by enumerating the SCM's noise: E[{nested}] - E[{baseline}]";
        return Answer.Point(value, how + MediationFormulaOnScm(f, scm));
    }

    /// <summary>The mediation formula evaluated on the SCM's observational joint (binary variables only), as a cross-check.</summary>
    static string MediationFormulaOnScm(EffectQuery f, ScmEnumerator scm)
    {
        var joint = scm.ObservationalJoint();
        if (!joint.Ok || joint.Value!.Cardinality.Any(k => k != 2)) return "";
        var graph = scm.Model.Graph();
        var result = Effects.Over(graph, joint.Value).Mediation(f.Exposure.First(), [.. f.Mediators], f.Outcome.First(), f.Kind == EffectKind.NDE);
        return result switch
        {
            { Value: { } v } => $"; the identified estimand ({result.Strategy}) on its observational distribution gives {Number(v)}",
            { NotIdentifiable: true } => $"; from its observational distribution alone it is not identifiable: {AfterVerdict(result.Explanation)}",
            _ => "",
        };
    }

    static string AfterVerdict(string explanation) =>
        explanation.IndexOf("is not identifiable: ", StringComparison.Ordinal) is var at and >= 0 ? explanation[(at + "is not identifiable: ".Length)..] : explanation;

    /// <summary>The mediator levels of CDE(X -> M -> Y, M = m); every mediator needs one.</summary>
    static ImmutableDictionary<string, int> ControlledMediators(EffectQuery f)
    {
        var levels = ImmutableDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var m in f.Mediators)
        {
            var option = f.Options.FirstOrDefault(o => o.Name == m)
                ?? throw new ModelError($"CDE needs the level to hold {m} at, e.g. CDE({f.Exposure.First()} -> {m} -> {f.Outcome.First()}, {m} = 0)");
            levels[m] = option.Value is NumberOption { Value: var v } && v == Math.Floor(v) && Math.Abs(v) < int.MaxValue
                ? (int)v
                : throw new ModelError($"the level of {m} in CDE must be a whole number");
        }
        return levels.ToImmutable();
    }

    static double Expect(Query target, ImmutableDictionary<string, int> doValues, IReadOnlyList<(CfTerm Term, int Value)> given, ScmEnumerator scm)
    {
        double Check(CfOutcome<double> outcome) => outcome.Ok ? outcome.Value : throw new ModelError(outcome.Error!);
        // Expectation is linear: E[a - b] = E[a] - E[b], so counterfactual contrasts evaluate term by term.
        return target switch
        {
            VariableQuery v => Check(scm.NestedExpectation(Term(v.Variable, doValues), given)),
            ConstantQuery c => c.Value,
            NegateQuery n => -Expect(n.Operand, doValues, given, scm),
            ArithmeticQuery { Operator: ArithmeticOperator.Add } a => Expect(a.Left, doValues, given, scm) + Expect(a.Right, doValues, given, scm),
            ArithmeticQuery { Operator: ArithmeticOperator.Subtract } a => Expect(a.Left, doValues, given, scm) - Expect(a.Right, doValues, given, scm),
            _ => throw new ModelError($"E[{target}] is evaluated for sums and differences of variables"),
        };
    }

    /// <summary>A (possibly nested) counterfactual variable as an enumerator term; do() applies in every world it mentions.</summary>
    static CfTerm Term(CfVariable v, ImmutableDictionary<string, int> doValues) =>
        Term(v, doValues.Select(kv => (kv.Key, (double)kv.Value)), (value, variable) => Level(value, variable));

    /// <summary>Shared by discrete and linear models; only how a written value becomes a number differs.</summary>
    static CfTerm Term(CfVariable v, IEnumerable<(string Variable, double Value)> doValues, Func<Value, string, double> number)
    {
        var own = v.Subscript.Select(i => i.Variable).ToHashSet(StringComparer.Ordinal);
        var settings = doValues.Where(kv => !own.Contains(kv.Variable)).OrderBy(kv => kv.Variable, StringComparer.Ordinal)
            .Select(kv => CfSetting.Fixed(kv.Variable, kv.Value)).ToList();
        foreach (var i in v.Subscript)
            settings.Add(i.Value switch
            {
                CounterfactualValue nested => CfSetting.From(i.Variable, Term(nested.Variable, doValues, number)),
                null => throw new ModelError($"'{i.Variable}' in {v} needs a value to be evaluated on a model, e.g. {i.Variable} = 1"),
                var value => CfSetting.Fixed(i.Variable, number(value, i.Variable)),
            });
        return new CfTerm(v.Name, [.. settings]);
    }

    static (CfTerm Term, int Value) NestedEvent(QueryEvent e, ImmutableDictionary<string, int> doValues) =>
        e.Value is null
            ? throw new ModelError($"'{e.Variable}' needs a value to be evaluated on a model, e.g. {e.Variable.Name} = 1")
            : (Term(e.Variable, doValues), Level(e.Value, e.Variable.Name));

    // ------------------------------------------------------------------ linear-Gaussian SCMs

    /// <summary>Means in closed form: interventional, conditional and counterfactual (nested included) by Gaussian abduction.</summary>
    static Answer OnLinearScm(Query query, LinearGaussianEngine scm)
    {
        const string how = "closed form, linear-Gaussian SCM";
        double Check(CfOutcome<double> outcome) => outcome.Ok ? outcome.Value : throw new ModelError(outcome.Error!);
        switch (query)
        {
            case ProbabilityQuery:
                throw new ModelError("the variables of a linear-Gaussian SCM are continuous, so P(V = v) is 0 for every value; ask for a mean instead, e.g. E[Y | do(X = 1)]");
            case ExpectationQuery e:
                {
                    var doValues = RealInterventions(e.Interventions);
                    var evidence = e.Conditions.Select(c => c.Value is null
                        ? throw new ModelError($"'{c.Variable}' needs a value to condition on, e.g. {c.Variable.Name} = 1")
                        : (LinearTerm(c.Variable, doValues), Real(c.Value, c.Variable.Name))).ToList();
                    double Mean(Query target) => target switch
                    {
                        VariableQuery v => Check(scm.ConditionalMean(LinearTerm(v.Variable, doValues), evidence)),
                        ConstantQuery c => c.Value,
                        NegateQuery n => -Mean(n.Operand),
                        ArithmeticQuery { Operator: ArithmeticOperator.Add } a => Mean(a.Left) + Mean(a.Right),
                        ArithmeticQuery { Operator: ArithmeticOperator.Subtract } a => Mean(a.Left) - Mean(a.Right),
                        ArithmeticQuery { Operator: ArithmeticOperator.Multiply, Left: ConstantQuery k } a => k.Value * Mean(a.Right),
                        ArithmeticQuery { Operator: ArithmeticOperator.Multiply, Right: ConstantQuery k } a => k.Value * Mean(a.Left),
                        _ => throw new ModelError($"E[{target}] is evaluated for linear combinations of variables"),
                    };
                    return Answer.Point(Mean(e.Target), evidence.Count > 0 ? how + ", Gaussian conditioning of the noise" : how);
                }
            case EffectQuery f when f.Exposure.Count == 1 && f.Outcome.Count == 1:
                {
                    string x = f.Exposure.First(), y = f.Outcome.First();
                    double Mean(CfTerm t, params (CfTerm, double)[] evidence) => Check(scm.ConditionalMean(t, evidence));
                    var y1 = CfTerm.Of(y, CfSetting.Fixed(x, 1));
                    var y0 = CfTerm.Of(y, CfSetting.Fixed(x, 0));
                    switch (f.Kind)
                    {
                        case EffectKind.ATE or EffectKind.TE:
                            return Answer.Point(Mean(y1) - Mean(y0), how + $": E[{y1}] - E[{y0}]");
                        case EffectKind.ETT:
                            var treated = (CfTerm.Of(x), 1.0);
                            return Answer.Point(Mean(y1, treated) - Mean(y0, treated), how + $", Gaussian conditioning on {x} = 1");
                        case EffectKind.NDE or EffectKind.NIE:
                            {
                                var (treatedLevel, mediatorLevel) = f.Kind == EffectKind.NDE ? (1, 0) : (0, 1);
                                var nested = new CfTerm(y, [CfSetting.Fixed(x, treatedLevel), .. f.Mediators.Select(m => CfSetting.From(m, CfTerm.Of(m, CfSetting.Fixed(x, mediatorLevel))))]);
                                return Answer.Point(Mean(nested) - Mean(y0), how + $": E[{nested}] - E[{y0}]");
                            }
                        case EffectKind.CDE:
                            {
                                var held = ControlledMediators(f).Select(kv => CfSetting.Fixed(kv.Key, kv.Value)).ToList();
                                return Answer.Point(Mean(new CfTerm(y, [CfSetting.Fixed(x, 1), .. held])) - Mean(new CfTerm(y, [CfSetting.Fixed(x, 0), .. held])), how);
                            }
                        default:
                            throw new ModelError($"{f.Kind} is a probability of causation for a binary exposure and outcome; a linear-Gaussian SCM has continuous variables");
                    }
                }
            case EffectQuery f:
                throw new ModelError($"{f.Kind} on an SCM is evaluated for one exposure and one outcome");
            default:
                return Combine(query, q => OnLinearScm(q, scm));
        }
    }

    static double Real(Value value, string variable) => value switch
    {
        NumberValue { Number: var n } => n,
        _ => throw new ModelError($"the value of '{variable}' must be a number on a linear-Gaussian model, found {value}"),
    };

    static CfTerm LinearTerm(CfVariable v, ImmutableDictionary<string, double> doValues) =>
        Term(v, doValues.Select(kv => (kv.Key, kv.Value)), Real);

    static CfEvent Event(QueryEvent e, ImmutableDictionary<string, int> doValues) =>
        e.Value is null
            ? throw new ModelError($"'{e.Variable}' needs a value to be evaluated on a model, e.g. {e.Variable.Name} = 1")
            : new CfEvent(e.Variable.Name, doValues.SetItems(Interventions(e.Variable.Subscript)), Level(e.Value, e.Variable.Name));

    /// <summary>The do() settings as levels of a discrete model.</summary>
    static ImmutableDictionary<string, int> Interventions(IEnumerable<Intervention> interventions) => Interventions(interventions, Level);

    /// <summary>The do() settings as real values of a linear-Gaussian model.</summary>
    static ImmutableDictionary<string, double> RealInterventions(IEnumerable<Intervention> interventions) => Interventions(interventions, Real);

    static ImmutableDictionary<string, T> Interventions<T>(IEnumerable<Intervention> interventions, Func<Value, string, T> value) =>
        interventions.ToImmutableDictionary(
            i => i.Variable,
            i => i.Value is null ? throw new ModelError($"do({i.Variable}) needs a value to be evaluated on a model, e.g. do({i.Variable} = 1)") : value(i.Value, i.Variable),
            StringComparer.Ordinal);

    static int Level(Value value, string variable) => value switch
    {
        NumberValue { Number: var n } when n == Math.Floor(n) && Math.Abs(n) < int.MaxValue => (int)n,
        _ => throw new ModelError($"the value of '{variable}' must be a whole number on a discrete model, found {value}"),
    };

    static Answer Combine(Query query, Func<Query, Answer> evaluate)
    {
        double PointOf(Query q)
        {
            var a = evaluate(q);
            return a.Value ?? throw new ModelError($"{q} is only bounded ([{Number(a.Lower!.Value)}, {Number(a.Upper!.Value)}]), so it cannot enter arithmetic");
        }
        return query switch
        {
            ConstantQuery c => Answer.Point(c.Value, "a constant"),
            NegateQuery n => Answer.Point(-PointOf(n.Operand), "arithmetic"),
            ArithmeticQuery a => Answer.Point(a.Operator switch
            {
                ArithmeticOperator.Add => PointOf(a.Left) + PointOf(a.Right),
                ArithmeticOperator.Subtract => PointOf(a.Left) - PointOf(a.Right),
                ArithmeticOperator.Multiply => PointOf(a.Left) * PointOf(a.Right),
                _ => PointOf(a.Left) / PointOf(a.Right),
            }, "arithmetic over exact values"),
            VariableQuery v => throw new ModelError($"'{v}' is a variable; ask for P(...) or E[...]"),
            _ => throw new ModelError("this query is not evaluated on models"),
        };
    }

    // ------------------------------------------------------------------ given models

    static GivenEntry ToGiven(ModelEntry entry)
    {
        if (entry.Term is not ProbabilityQuery { IsCounterfactual: false, Interventions.Count: 0 } p)
            throw new ModelError($"the model entry {entry.Term} is not an observational probability");
        return new GivenEntry(Assign(p.Outcomes), Assign(p.Conditions), entry.Value);
    }

    static Assignment Assign(IEnumerable<QueryEvent> events) =>
        new(events.ToImmutableSortedDictionary(
            e => e.Variable.Name,
            e => e.Value is null ? throw new ModelError($"'{e.Variable}' needs a value") : Level(e.Value, e.Variable.Name),
            StringComparer.Ordinal));

    static Answer OnGivenModel(Query query, GivenModel model, EffectAssumptions assumptions)
    {
        var effects = Effects.Over(model, assumptions);
        Answer From(EffectResult r) => r switch
        {
            { Value: { } v } => Answer.Point(v, r.Strategy.Length > 0 ? r.Strategy : r.Explanation),
            { Lower: { } lo, Upper: { } hi } => new Answer(null, lo, hi, r.Strategy),
            _ => throw new ModelError(r.Explanation),
        };
        switch (query)
        {
            case ProbabilityQuery { IsCounterfactual: true } or ExpectationQuery { IsCounterfactual: true }:
                throw new ModelError("given probabilities do not determine a counterfactual by themselves; identify it on the graph ('identify ... in G') or evaluate it on an scm");
            case ProbabilityQuery { IsCounterfactual: false, Interventions.Count: 0 } p:
                {
                    return BracketOnGivenModel(p, model);
                }
            case ProbabilityQuery { IsCounterfactual: false, Outcomes.Count: 1, Interventions.Count: 1, Conditions.Count: 0 } p
                when p.Outcomes[0].Value is NumberValue { Number: 0 or 1 } yv:
                {
                    var x = p.Interventions[0];
                    var mean = From(effects.InterventionalMean(x.Variable, x.Value is null ? 1 : Level(x.Value, x.Variable), p.Outcomes[0].Variable.Name));
                    return yv.Number == 1 || mean.Value is null ? mean : mean with { Value = 1 - mean.Value };
                }
            case EffectQuery f when f.Exposure.Count == 1 && f.Outcome.Count == 1:
                {
                    string x = f.Exposure.First(), y = f.Outcome.First();
                    switch (f.Kind)
                    {
                        case EffectKind.ATE or EffectKind.TE: return From(effects.Ate(x, y));
                        case EffectKind.ETT: return From(effects.Ett(x, y));
                        case EffectKind.NDE or EffectKind.NIE: return From(effects.Mediation(x, [.. f.Mediators], y, f.Kind == EffectKind.NDE));
                        case EffectKind.PN or EffectKind.PS or EffectKind.PNS:
                            {
                                var yDo1 = From(effects.InterventionalMean(x, 1, y)).Value ?? throw new ModelError($"P({y} = 1 | do({x} = 1)) is only bounded");
                                var yDo0 = From(effects.InterventionalMean(x, 0, y)).Value ?? throw new ModelError($"P({y} = 1 | do({x} = 0)) is only bounded");
                                double Joint(int xv, int yv) => model.TryProbability(Assignment.Of((x, xv), (y, yv)), Assignment.Empty)
                                    ?? throw new ModelError($"the model does not determine P({x} = {xv}, {y} = {yv})");
                                return From(Effects.CausationProbability(f.Kind.ToString(), yDo1, yDo0, Joint(1, 1), Joint(1, 0), Joint(0, 1), Joint(0, 0),
                                    assumptions.HasFlag(EffectAssumptions.Monotonicity)));
                            }
                        default: throw new ModelError($"{f.Kind} is not evaluated on given models");
                    }
                }
            default:
                return CombineBounded(query, q => OnGivenModel(q, model, assumptions));
        }
    }
}
