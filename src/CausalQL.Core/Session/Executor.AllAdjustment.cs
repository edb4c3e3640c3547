using System.Text.Json.Nodes;
using CausalQL.Binding;
using CausalQL.Graphs;

namespace CausalQL.Sessions;

// adjustment sets for X -> Y in G all [with max = N]: every valid adjustment set, not only minimal ones.
public static partial class Executor
{
    static ExecutionOutcome AllAdjustmentSetsFor(AdjustmentSetsStatement s, string question)
    {
        foreach (var option in s.Options)
            if (!string.Equals(option.Name, "max", StringComparison.OrdinalIgnoreCase))
                return Failed(s.Location, $"adjustment sets ... all takes the option 'max', not '{option.Name}'");
        var max = s.Options.Number("max") ?? AllAdjustmentSets.DefaultCap;
        if (!(max >= 1 && max <= int.MaxValue && max == Math.Floor(max)))
            return Failed(s.Location, $"max must be a whole number of at least 1, not {Number(max)}");
        var result = AllAdjustmentSets.Find(s.Graph.Graph, s.Exposures, s.Outcomes, (int)max);
        if (result.Invalid) return Failed(s.Location, $"adjustment sets for {question}: {result.Note}");
        var json = new JsonObject
        {
            ["graph"] = s.Graph.Name,
            ["exposures"] = Array(s.Exposures),
            ["outcomes"] = Array(s.Outcomes),
            ["mode"] = "all",
            ["sets"] = Array(result.Sets.Select(set => (JsonNode)Array(set))),
            ["exists"] = result.Sets.Length > 0,
            ["complete"] = result.Complete,
        };
        if (result.Note is not null) json["note"] = result.Note;
        string text;
        if (result.Sets.IsEmpty)
            text = $"no adjustment set exists for {question}" + (result.Note is null ? "" : $" ({TrimPrefix(result.Note, "no adjustment set exists: ")})");
        else
        {
            text = $"all {Count(result.Sets.Length, "valid adjustment set")} for {question}:\n"
                + string.Join("\n", result.Sets.Select(set => "  " + (set.IsEmpty ? "{} (no adjustment needed)" : Show(set))));
            if (!result.Complete) text += "\n  (" + result.Note + ")";
        }
        return ExecutionOutcome.Of(StatementResult.Create("adjustment_sets", text, s.Location, json));
    }
}
