using System.Globalization;
using CausalQL.Syntax;

namespace CausalQL.Llm;

/// <summary>
/// A one-line plain-English reading of CausalQL, built from the syntax tree (never from the model's words), so the
/// person sees what will actually be computed: "the probability that Cancer = 1 if Smoking were set to 1".
/// </summary>
public static class QueryReading
{
    public static string Describe(ScriptSyntax script)
    {
        var parts = script.Statements.Select(Describe).Where(s => s.Length > 0).ToList();
        if (parts.Count == 0) return "";
        var line = string.Join("; then ", parts);
        return char.ToUpperInvariant(line[0]) + line[1..] + ".";
    }

    public static string Describe(StatementSyntax statement) => statement switch
    {
        GraphDeclarationSyntax { Body: GraphBlockSyntax b } g => $"declare graph {g.Name.Text} with {Edges(b)}",
        GraphDeclarationSyntax g => $"declare graph {g.Name.Text}",
        ModelDeclarationSyntax m => $"give {Count(m.Entries.Count, "probability", "probabilities")} as model {m.Name.Text}" +
                                    (m.Graph is { } on ? $" on {on.Text}" : ""),
        ScmDeclarationSyntax s => $"define the structural model {s.Name.Text} over {string.Join(", ", s.Equations.Select(e => e.Variable.Text))}",
        DataDeclarationSyntax d => $"declare data {d.Name.Text}",
        IdentifyStatementSyntax s => $"find a formula from observed data for {Expression(s.Query)}{In(s.Graph)}" +
                                     (s.Explain ? ", with the derivation" : ""),
        EstimateStatementSyntax s => $"estimate {Expression(s.Query)}{In(s.Graph)}" + (s.Data is { } d ? $" from data {d.Text}" : ""),
        AdjustmentSetsStatementSyntax s => $"list the {Mode(s.Mode)} sets of variables to adjust for when estimating the effect of " +
                                           $"{Group(s.Exposures)} on {Group(s.Outcomes)}{In(s.Graph)}",
        InstrumentsStatementSyntax s => $"list instrumental variables for the effect of {Group(s.Exposures)} on {Group(s.Outcomes)}{In(s.Graph)}",
        ImplicationsStatementSyntax s => $"list the conditional independences implied by {(s.Graph is { } g ? "graph " + g.Text : "the default graph")}",
        CheckStatementSyntax s => $"test the independences implied by graph {s.Graph.Text} on data {s.Data.Text}",
        ShowStatementSyntax s => $"show {s.Target.Text}",
        ExportStatementSyntax s => $"export {s.Target.Text} as {s.Format.Text}",
        UseStatementSyntax s => $"use {s.Target.Text} from now on",
        AssumeStatementSyntax s => $"assume {s.Assumption.Text}" + (s.Path.IsEmpty ? "" : $" along {string.Join(" -> ", s.Path.Select(Group))}"),
        RefuteStatementSyntax s => $"challenge estimate {s.Target.Text} with the {s.Method.Text} test",
        PlotStatementSyntax s => $"draw the {s.Kind.Text} of estimate {s.Target.Text} to the file \"{s.Path.Value}\"",
        AskStatementSyntax => "ask another question",
        ExpressionStatementSyntax s => $"compute {Expression(s.Expression)}",
        _ => "",
    };

    public static string Expression(ExpressionSyntax expression) => expression switch
    {
        ProbabilitySyntax p => Probability(p),
        ExpectationSyntax e => $"the expected value of {Expression(e.Target)}{Given(e.Interventions, e.Conditions)}",
        EffectSyntax f => Effect(f),
        VariableSyntax v => Variable(v),
        NumberSyntax n => n.Value.ToString("0.####", CultureInfo.InvariantCulture),
        StringSyntax s => $"\"{s.Value}\"",
        DurationSyntax d => $"{d.Value.ToString(CultureInfo.InvariantCulture)}{d.Unit}",
        BinarySyntax { Operator: BinaryOperator.Subtract } b => $"{Expression(b.Left)} minus {Expression(b.Right)}",
        BinarySyntax { Operator: BinaryOperator.Add } b => $"{Expression(b.Left)} plus {Expression(b.Right)}",
        BinarySyntax { Operator: BinaryOperator.Multiply } b => $"{Expression(b.Left)} times {Expression(b.Right)}",
        BinarySyntax { Operator: BinaryOperator.Divide } b => $"{Expression(b.Left)} divided by {Expression(b.Right)}",
        BinarySyntax b => $"({CqlPrinter.Print(b)})",
        UnarySyntax { Operator: UnaryOperator.Negate } u => $"minus {Expression(u.Operand)}",
        UnarySyntax u => $"not {Expression(u.Operand)}",
        ParenthesizedSyntax p => Expression(p.Inner),
        _ => CqlPrinter.Print(expression),
    };

    static string Probability(ProbabilitySyntax p)
    {
        var events = string.Join(" and ", p.Events.Select(Event));
        return $"the probability that {events}{Given(p.Interventions, p.Conditions)}";
    }

    static string Given(Seq<AssignmentSyntax> interventions, Seq<EventSyntax> conditions)
    {
        var s = "";
        if (!interventions.IsEmpty)
            s += " if " + string.Join(" and ", interventions.Select(i => i.Value is null
                ? $"{i.Variable.Text} were set by intervention"
                : $"{i.Variable.Text} were set to {Expression(i.Value)}"));
        if (!conditions.IsEmpty)
            s += (interventions.IsEmpty ? " among cases where " : ", among cases where ") + string.Join(" and ", conditions.Select(Event));
        return s;
    }

    static string Event(EventSyntax e) =>
        e.Value is null ? Variable(e.Variable) : $"{Variable(e.Variable)} = {Expression(e.Value)}";

    static string Variable(VariableSyntax v) => v.Subscript.IsEmpty
        ? v.Name.Text
        : $"{v.Name.Text} (had {string.Join(" and ", v.Subscript.Select(a => a.Value is null ? a.Variable.Text + " been set" : $"{a.Variable.Text} been {Expression(a.Value)}"))})";

    static string Effect(EffectSyntax f)
    {
        var path = f.Path.Select(Group).ToList();
        var (x, y) = (path[0], path[^1]);
        var via = path.Count > 2 ? string.Join(", ", path.Skip(1).Take(path.Count - 2)) : null;
        return f.Kind switch
        {
            EffectKind.ATE or EffectKind.TE => $"the average causal effect of {x} on {y}",
            EffectKind.ETT => $"the effect of {x} on {y} among those who received {x}",
            EffectKind.NDE => $"the natural direct effect of {x} on {y}" + (via is null ? "" : $" not through {via}"),
            EffectKind.NIE => $"the natural indirect effect of {x} on {y}" + (via is null ? "" : $" through {via}"),
            EffectKind.CDE => $"the controlled direct effect of {x} on {y}" + (via is null ? "" : $" with {via} held fixed"),
            EffectKind.PN => $"the probability that {x} was necessary for {y}",
            EffectKind.PS => $"the probability that {x} would be sufficient for {y}",
            EffectKind.PNS => $"the probability that {x} is necessary and sufficient for {y}",
            _ => CqlPrinter.Print(f),
        };
    }

    static string Group(NodeGroupSyntax g) => g.Names.Count == 1 ? g.Names[0].Text : "{" + string.Join(", ", g.Names.Select(n => n.Text)) + "}";

    static string In(NameSyntax? graph) => graph is null ? "" : $" in graph {graph.Text}";

    static string Mode(AdjustmentMode mode) => mode switch
    {
        AdjustmentMode.Minimal => "minimal",
        AdjustmentMode.All => "valid",
        AdjustmentMode.Optimal => "optimal",
        _ => "canonical",
    };

    static string Edges(GraphBlockSyntax b)
    {
        var edges = b.Items.OfType<EdgeChainSyntax>().Sum(c => c.Arrows.Count == 0 ? 0
            : Enumerable.Range(0, c.Arrows.Count).Sum(i => c.Groups[i].Names.Count * c.Groups[i + 1].Names.Count));
        return Count(edges, "edge", "edges");
    }

    static string Count(int n, string one, string many) => $"{n} {(n == 1 ? one : many)}";
}
