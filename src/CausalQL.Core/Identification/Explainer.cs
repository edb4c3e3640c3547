using System.Text;
using CausalQL.Estimands;

namespace CausalQL.Identification;

/// <summary>Renders an identification result as text a person can follow (what `identify … explain` prints).</summary>
public static class Explainer
{
    public static string Render(CausalQuery query, IdResult result, bool explain = true)
    {
        var sb = new StringBuilder();
        sb.Append("query: ").Append(query).Append('\n');
        switch (result.Status)
        {
            case IdStatus.Identifiable:
                sb.Append("identifiable: yes, by ").Append(result.Strategy).Append('\n');
                sb.Append("estimand: ").Append(EstimandPrinter.ToUnicode(result.Estimand!)).Append('\n');
                break;
            case IdStatus.NotIdentifiable:
                sb.Append("identifiable: no\n");
                sb.Append("witness: ").Append(result.Hedge).Append('\n');
                break;
            case IdStatus.BudgetExhausted:
                sb.Append("identifiable: unknown (").Append(result.Error).Append(")\n");
                break;
            default:
                sb.Append("error: ").Append(result.Error).Append('\n');
                break;
        }
        foreach (var alternative in result.Alternatives)
            sb.Append("alternative (").Append(alternative.Strategy).Append("): ").Append(EstimandPrinter.ToUnicode(alternative.Estimand)).Append('\n');
        if (explain && !result.Derivation.IsEmpty)
        {
            sb.Append("derivation:\n");
            var number = 0;
            foreach (var step in result.Derivation)
            {
                var indent = new string(' ', 2 + 2 * step.Depth);
                sb.Append(indent).Append(++number).Append(". ").Append(step.Rule).Append(": ").Append(step.Justification).Append('\n');
                if (step.Result is { } r)
                    sb.Append(indent).Append("   = ").Append(EstimandPrinter.ToUnicode(r)).Append('\n');
            }
        }
        foreach (var note in result.Notes) sb.Append("note: ").Append(note).Append('\n');
        return sb.ToString();
    }
}
