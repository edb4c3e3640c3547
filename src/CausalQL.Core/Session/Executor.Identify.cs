using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using CausalQL.Binding;
using CausalQL.Estimands;
using CausalQL.Graphs;
using CausalQL.Identification;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Sessions;

// identify: a query's interventional probabilities, each turned into an estimand over the
// observational distribution by the identification engine (back-door, front-door, ID/IDC).
public static partial class Executor
{
    /// <summary>P(y | do(x), z) as the identification engine sees it: names only, values do not matter.</summary>
    public sealed record IdQuestion(VarSet Y, VarSet X, VarSet Z)
    {
        public override string ToString() => Identifier.QueryText(Y, X, Z);
    }

    /// <summary>
    /// The interventional distributions a query is built from, or an error naming why it cannot be
    /// identified this way (counterfactual parts need counterfactual identification).
    /// </summary>
    public static (ImmutableArray<IdQuestion> Questions, string? Problem) Questions(Query query)
    {
        var questions = new List<IdQuestion>();
        string? problem = null;
        void Walk(Query q)
        {
            if (problem is not null) return;
            switch (q)
            {
                case ProbabilityQuery p when p.IsCounterfactual:
                    problem = $"{p} is counterfactual";
                    break;
                case ProbabilityQuery p:
                    Add(new IdQuestion(p.OutcomeNames, p.InterventionNames, p.ConditionNames));
                    break;
                case ExpectationQuery e when e.IsCounterfactual:
                    problem = $"{e} is counterfactual";
                    break;
                case ExpectationQuery e:
                    Add(new IdQuestion(e.Target.Variables, VarSet.From(e.Interventions.Select(i => i.Variable)),
                        VarSet.From(e.Conditions.Select(c => c.Variable.Name))));
                    break;
                case EffectQuery { Kind: EffectKind.ATE or EffectKind.TE or EffectKind.CDE } f:
                    // ATE compares two interventions on X: both are read off P(Y | do(X)); a controlled
                    // direct effect also holds the mediators fixed.
                    Add(new IdQuestion(f.Outcome, f.Kind == EffectKind.CDE ? f.Exposure.Union(f.Mediators) : f.Exposure, VarSet.Empty));
                    break;
                case EffectQuery f:
                    problem = $"{f.Kind} is a counterfactual quantity";
                    break;
                case ArithmeticQuery a:
                    Walk(a.Left);
                    Walk(a.Right);
                    break;
                case NegateQuery n:
                    Walk(n.Operand);
                    break;
                case ConstantQuery:
                    break;
                case VariableQuery v:
                    problem = $"'{v}' is a variable, not a probability or expectation";
                    break;
            }
        }
        void Add(IdQuestion q)
        {
            if (!questions.Contains(q)) questions.Add(q);
        }
        Walk(query);
        return ([.. questions], problem);
    }

    static ExecutionOutcome Identify(IdentifyStatement s, CancellationToken cancellation)
    {
        if (s.Query is ProbabilityQuery { IsCounterfactual: true } counterfactual) return IdentifyCounterfactual(s, counterfactual);
        if (s.Query is EffectQuery { Kind: EffectKind.NDE or EffectKind.NIE, Exposure.Count: 1, Outcome.Count: 1 } natural) return IdentifyNaturalEffect(s, natural);
        var (questions, problem) = Questions(s.Query);
        if (problem is not null)
            return Missing(s.Location, $"identify {s.Query}", $"counterfactual identification (ID*/IDC*), since {problem}");
        var text = new StringBuilder();
        var answers = new JsonArray();
        var allIdentifiable = true;
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var q in questions)
        {
            // `with timeout = 2s`: a wall-clock budget on top of the identifier's own step budget.
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            // CancelAfter(0) fires on a timer thread, so a spent budget is cancelled here, at once.
            if (s.Options.Duration("timeout") is { } timeout)
            {
                if (timeout <= TimeSpan.Zero) budget.Cancel();
                else budget.CancelAfter(timeout);
            }
            var result = Identifier.Identify(s.Graph.Graph, q.Y, q.X, q.Z, new IdentifyOptions(Explain: s.Explain), budget.Token);
            if (text.Length > 0) text.Append('\n');
            var answer = new JsonObject { ["query"] = q.ToString(), ["status"] = result.Status.ToString() };
            // Whether X can affect Y at all: without a directed path X -> ... -> Y, P(Y | do(X)) = P(Y) (rule 3)
            // whatever the numbers; with one, the effect is non-zero for generic models on the graph.
            answer["causal_path"] = s.Graph.Graph.Descendants(q.X).Except(q.X).Overlaps(q.Y);
            switch (result.Status)
            {
                case IdStatus.Identifiable:
                    text.Append($"{q} in {s.Graph.Name} is identifiable ({Describe(result.Strategy)}):\n  = {result.Estimand}");
                    answer["identifiable"] = true;
                    answer["strategy"] = Describe(result.Strategy);
                    answer["estimand"] = result.Estimand!.ToString();
                    answer["estimand_tree"] = EstimandJson.ToJson(result.Estimand!);
                    if (s.Verify)
                    {
                        var (models, checks, failure) = Verify(s.Graph.Graph, q, result.Estimand!, cancellation);
                        answer["verified"] = failure is null;
                        if (failure is null)
                            text.Append($"\n  verified: equals the interventional truth on {models} random models consistent with {s.Graph.Name} ({checks} checks)");
                        else
                            diagnostics.Add(Diagnostic.Error(s.Location, $"identify {q} in {s.Graph.Name} verify: the estimand failed the numerical check: {failure}"));
                    }
                    break;
                case IdStatus.NotIdentifiable:
                    allIdentifiable = false;
                    text.Append($"{q} in {s.Graph.Name} is not identifiable: {result.Hedge}");
                    answer["identifiable"] = false;
                    answer["hedge"] = result.Hedge?.ToString();
                    break;
                default:
                    allIdentifiable = false;
                    var why = budget.IsCancellationRequested && s.Options.Duration("timeout") is { } limit
                        ? $"ran out of its time budget (timeout = {limit.TotalMilliseconds:0.###} ms); raise it with 'with timeout = ...'"
                        : result.Error;
                    diagnostics.Add(Diagnostic.Error(s.Location, $"identify {q} in {s.Graph.Name}: {why}"));
                    continue;
            }
            foreach (var note in result.Notes) text.Append($"\n  note: {note}");
            if (s.Explain && !result.Derivation.IsEmpty)
            {
                text.Append("\n  derivation:");
                var number = 0;
                foreach (var step in result.Derivation)
                {
                    var indent = new string(' ', 4 + 2 * step.Depth);
                    text.Append($"\n{indent}{++number}. {step.Rule}: {step.Justification}");
                    if (step.Result is { } r) text.Append($"\n{indent}   => {r}");
                }
                answer["derivation"] = Array(result.Derivation.Select(step => (JsonNode)new JsonObject
                {
                    ["rule"] = step.Rule,
                    ["justification"] = step.Justification,
                    ["result"] = step.Result?.ToString(),
                    ["depth"] = step.Depth,
                }));
            }
            if (!result.Notes.IsEmpty) answer["notes"] = Array(result.Notes);
            answers.Add(answer);
        }
        if (answers.Count == 0) return new ExecutionOutcome([], diagnostics.ToImmutable());
        var json = new JsonObject
        {
            ["query"] = s.Query.ToString(),
            ["graph"] = s.Graph.Name,
            ["identifiable"] = allIdentifiable,
            ["answers"] = answers,
        };
        return new ExecutionOutcome([StatementResult.Create("identification", text.ToString(), s.Location, json)], diagnostics.ToImmutable());
    }

    /// <summary>
    /// identify NDE/NIE: the mediation formula with the first valid covariate set, or "not identifiable"
    /// with the reason. Every directed path through the mediators makes NDE 0 and NIE the total effect.
    /// </summary>
    static ExecutionOutcome IdentifyNaturalEffect(IdentifyStatement s, EffectQuery f)
    {
        var graph = s.Graph.Graph.ProjectLatents();
        string x = f.Exposure.First(), y = f.Outcome.First();
        var mediators = f.Mediators.ToList();
        var direct = f.Kind == EffectKind.NDE;
        var json = new JsonObject { ["query"] = f.ToString(), ["graph"] = s.Graph.Name };
        string text;
        var withoutMediators = graph.Subgraph(graph.Nodes.Except(mediators));
        var effects = new Counterfactuals.Effects(graph, (_, _) => null);
        if (!withoutMediators.Descendants([x]).Contains(y))
        {
            json["identifiable"] = true;
            json["strategy"] = "no direct path";
            text = direct
                ? $"{f} in {s.Graph.Name} = 0: every directed path from {x} to {y} passes through {Show(f.Mediators)}"
                : $"{f} in {s.Graph.Name} equals the total effect ATE({x} -> {y}): every directed path from {x} to {y} passes through {Show(f.Mediators)}";
        }
        else if (effects.MediationCovariateSets(x, mediators, y).FirstOrDefault() is { IsDefault: false } w)
        {
            var ms = string.Join(", ", mediators.Select(m => m.ToLowerInvariant()));
            var ws = w.Length == 0 ? "" : ", " + string.Join(", ", w.Select(v => v.ToLowerInvariant()));
            var sumW = w.Length == 0 ? "" : $"Σ_{{{string.Join(", ", w)}}} P({string.Join(", ", w.Select(v => v.ToLowerInvariant()))}) ";
            var formula = direct
                ? $"{sumW}Σ_{{{string.Join(", ", mediators)}}} P({ms} | {x} = 0{ws}) [E({y} | {x} = 1, {ms}{ws}) - E({y} | {x} = 0, {ms}{ws})]"
                : $"{sumW}Σ_{{{string.Join(", ", mediators)}}} E({y} | {x} = 0, {ms}{ws}) [P({ms} | {x} = 1{ws}) - P({ms} | {x} = 0{ws})]";
            json["identifiable"] = true;
            json["strategy"] = "mediation formula";
            json["covariates"] = Array(w);
            json["estimand"] = formula;
            text = $"{f} in {s.Graph.Name} is identifiable (mediation formula, Pearl 2001; covariates {{{string.Join(", ", w)}}}):\n  = {formula}";
        }
        else
        {
            json["identifiable"] = false;
            text = $"{f} in {s.Graph.Name} is not identifiable by the mediation formula: no set of observed pre-treatment covariates blocks every back-door path between {x} and {y}, {x} and {Show(f.Mediators)}, and {Show(f.Mediators)} and {y} (given {x})";
        }
        return ExecutionOutcome.Of(StatementResult.Create("identification", text, s.Location, json));
    }

    static string Describe(Strategy? strategy) => strategy switch
    {
        Strategy.BackDoor b => b.Set.IsEmpty ? "no confounding: adjust for nothing" : $"back-door adjustment for {Show(b.Set)}",
        Strategy.FrontDoor f => $"front-door via {Show(f.Set)}",
        null => "unknown",
        var other => other.ToString()!,
    };
}
