using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using CausalQL.Binding;
using CausalQL.Counterfactuals;
using CausalQL.Estimands;
using CausalQL.Text;

namespace CausalQL.Sessions;

// identify on a counterfactual probability such as P(Y[X = 1] = 1 | X = 0): ID* / IDC* on the
// graph, then each interventional term reduced to the observational distribution where ID can.
public static partial class Executor
{
    static ExecutionOutcome IdentifyCounterfactual(IdentifyStatement s, ProbabilityQuery p)
    {
        if (!p.Interventions.IsEmpty)
            return Failed(s.Location, $"identify {p}: write interventions as subscripts in a counterfactual query (Y[X = 1]), not do()");
        // Symbolic levels (x, x') get distinct codes per variable, in order of first use; numbers keep their value.
        var codes = new Dictionary<(string, string), int>();
        string? problem = null;
        int Code(string variable, Value? value)
        {
            switch (value)
            {
                case NumberValue n when n.Number >= 0 && n.Number == Math.Floor(n.Number) && n.Number < 1_000_000:
                    return (int)n.Number;
                case SymbolValue sym:
                    var key = (variable, sym.Name);
                    if (!codes.TryGetValue(key, out var code))
                        codes[key] = code = 1000 + codes.Keys.Count(k => k.Item1 == variable);
                    return code;
                case CounterfactualValue nested:
                    problem ??= $"'{variable} = {nested}' is a nested counterfactual, which ID*/IDC* do not take; ask NDE(...)/NIE(...) for natural effects, or evaluate it on an scm";
                    return 0;
                default:
                    problem ??= value is null
                        ? $"'{variable}' needs a value in a counterfactual query (for example {variable} = 1)"
                        : $"'{variable} = {value}' is not a level (use a whole number or a symbol such as x')";
                    return 0;
            }
        }
        CfEvent Event(QueryEvent e) => new(e.Variable.Name,
            e.Variable.Subscript.ToImmutableDictionary(i => i.Variable, i => Code(i.Variable, i.Value), StringComparer.Ordinal),
            Code(e.Variable.Name, e.Value));
        var gamma = p.Outcomes.Select(Event).ToList();
        var delta = p.Conditions.Select(Event).ToList();
        if (problem is not null) return Failed(s.Location, $"identify {p}: {problem}");

        var graph = s.Graph.Graph;
        var id = delta.Count == 0
            ? CounterfactualIdentification.IdStar(graph, gamma)
            : CounterfactualIdentification.IdcStar(graph, gamma, delta);
        var json = new JsonObject
        {
            ["query"] = p.ToString(),
            ["graph"] = s.Graph.Name,
            ["counterfactual"] = true,
            ["verdict"] = id.Verdict.ToString(),
            ["explanation"] = id.Explanation,
        };
        string text;
        switch (id.Verdict)
        {
            case CfVerdict.Identified:
                {
                    var (estimand, complete, notes) = CounterfactualReduction.ToObservational(id, graph);
                    json["identifiable"] = true;
                    json["estimand"] = estimand.ToString();
                    json["estimand_tree"] = EstimandJson.ToJson(estimand);
                    json["observational"] = complete;
                    json["bindings"] = new JsonObject(id.Bindings.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
                    text = $"{p} in {s.Graph.Name} is identifiable (ID*/IDC*, Shpitser & Pearl 2008):\n  = {estimand}";
                    if (!id.Bindings.IsEmpty)
                        text += "\n  where " + string.Join(", ", id.Bindings.Select(kv => $"{kv.Key} = {Level(kv.Key, kv.Value)}"));
                    if (!complete) text += "\n  note: some terms stay interventional (they need an experiment, not observational data)";
                    foreach (var note in notes) text += $"\n  note: {note}";
                    break;
                }
            case CfVerdict.Inconsistent:
                json["identifiable"] = true;
                json["value"] = 0;
                text = $"{p} in {s.Graph.Name} = 0: the events contradict each other ({id.Explanation})";
                break;
            case CfVerdict.NotIdentifiable:
                json["identifiable"] = false;
                text = $"{p} in {s.Graph.Name} is not identifiable: {TrimVerdict(id.Explanation)}";
                break;
            case CfVerdict.Undefined:
                json["identifiable"] = false;
                text = $"{p} in {s.Graph.Name} is undefined: the conditioning event has probability 0 ({id.Explanation})";
                break;
            default:
                return Failed(s.Location, $"identify {p} in {s.Graph.Name}: {id.Explanation}");
        }
        if (s.Verify) text += "\n  note: 'verify' checks interventional estimands; counterfactual ones are checked by the test suite against enumeration";
        return ExecutionOutcome.Of(StatementResult.Create("identification", text, s.Location, json));

        static string TrimVerdict(string explanation) =>
            explanation.StartsWith("not identifiable: ", StringComparison.Ordinal) ? explanation["not identifiable: ".Length..] : explanation;

        // A bound name such as X' reads variable X; symbolic codes are per variable.
        string Level(string name, int code) =>
            code >= 1000 && codes.FirstOrDefault(kv => kv.Key.Item1 == name.TrimEnd('\'') && kv.Value == code).Key is { } key && key.Item2 is not null
                ? key.Item2
                : code.ToString(CultureInfo.InvariantCulture);
    }
}
