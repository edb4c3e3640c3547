using System.Collections.Immutable;
using CausalQL.Graphs;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Binding;

// Queries: P(...), E[...], effect sugar and arithmetic, with every variable checked against the
// graph in force. With no graph (a model declared without `on g`) names are taken as written.
public sealed partial class Binder
{
    enum VariableUse { Event, Intervention, Subscript }

    /// <summary>A top-level query: a bare variable or string is not one.</summary>
    Query? BindTopLevelQuery(ExpressionSyntax e, GraphContext? graph) => e switch
    {
        VariableSyntax v => NotAQuery(v, $"variable '{v.Name.Text}'"),
        StringSyntax s => NotAQuery(s, "a string"),
        DurationSyntax d => NotAQuery(d, "a duration"),
        FormulaSyntax f => NotAQuery(f, "a formula"),
        CallSyntax c => NotAQuery(c.Function, $"a call to '{c.Function.Text}'"),
        _ => BindQuery(e, graph),
    };

    Query? NotAQuery(SyntaxNode node, string found)
    {
        _diagnostics.ReportNotAQuery(At(node), found);
        return null;
    }

    Query? BindQuery(ExpressionSyntax e, GraphContext? graph)
    {
        switch (e)
        {
            case ProbabilitySyntax p: return BindProbability(p, graph);
            case ExpectationSyntax x: return BindExpectation(x, graph);
            case EffectSyntax f: return BindEffect(f, graph);
            case NumberSyntax n: return new ConstantQuery(n.Value);
            case ParenthesizedSyntax p: return BindQuery(p.Inner, graph);
            case UnarySyntax { Operator: UnaryOperator.Negate } u:
                return BindQuery(u.Operand, graph) is { } operand ? new NegateQuery(operand) : null;
            case VariableSyntax v:
                return BindCfVariable(v, graph) is { } variable ? new VariableQuery(variable) : null;
            case BinarySyntax b:
                {
                    ArithmeticOperator? op = b.Operator switch
                    {
                        BinaryOperator.Add => ArithmeticOperator.Add,
                        BinaryOperator.Subtract => ArithmeticOperator.Subtract,
                        BinaryOperator.Multiply => ArithmeticOperator.Multiply,
                        BinaryOperator.Divide => ArithmeticOperator.Divide,
                        _ => null,
                    };
                    var left = BindQuery(b.Left, graph);
                    var right = BindQuery(b.Right, graph);
                    if (op is null)
                    {
                        _diagnostics.ReportNotAQuery(At(b), $"operator '{b.Operator}' (queries combine with + - * / only)");
                        return null;
                    }
                    return left is null || right is null ? null : new ArithmeticQuery(op.Value, left, right);
                }
            case UnarySyntax u: return NotAQuery(u, $"operator '{u.Operator}'");
            case StringSyntax s: return NotAQuery(s, "a string");
            case DurationSyntax d: return NotAQuery(d, "a duration");
            case FormulaSyntax f: return NotAQuery(f, "a formula");
            case CallSyntax c: return NotAQuery(c.Function, $"a call to '{c.Function.Text}'");
            default: throw new System.Diagnostics.UnreachableException();
        }
    }

    ProbabilityQuery? BindProbability(ProbabilitySyntax p, GraphContext? graph)
    {
        var ok = true;
        var outcomes = BindEvents(p.Events, graph, ref ok);
        var interventions = BindInterventions(p.Interventions, graph, VariableUse.Intervention, ref ok);
        var conditions = BindEvents(p.Conditions, graph, ref ok);
        return ok ? new ProbabilityQuery(outcomes, interventions, conditions) : null;
    }

    ExpectationQuery? BindExpectation(ExpectationSyntax x, GraphContext? graph)
    {
        var ok = true;
        var target = BindQuery(x.Target, graph);
        var interventions = BindInterventions(x.Interventions, graph, VariableUse.Intervention, ref ok);
        var conditions = BindEvents(x.Conditions, graph, ref ok);
        return ok && target is not null ? new ExpectationQuery(target, interventions, conditions) : null;
    }

    EffectQuery? BindEffect(EffectSyntax f, GraphContext? graph)
    {
        var expectedSteps = f.Kind is EffectKind.NDE or EffectKind.NIE or EffectKind.CDE ? 3 : 2;
        // TE and the probabilities of causation read X -> Y; natural effects need the mediator.
        if (f.Path.Count != expectedSteps && !(expectedSteps == 3 && f.Kind == EffectKind.CDE && f.Path.Count == 2))
        {
            _diagnostics.ReportBadEffectPath(At(f), f.Kind.ToString(), expectedSteps, f.Path.Count);
            return null;
        }
        var ok = true;
        var path = ImmutableArray.CreateBuilder<VarSet>();
        foreach (var group in f.Path)
            path.Add(BindGroup(group, graph, ref ok));
        var exposure = path[0];
        var outcome = path[^1];
        if (ok && exposure.Overlaps(outcome))
        {
            _diagnostics.ReportOverlappingRoles(At(f), f.Kind.ToString(), exposure.Intersect(outcome).First());
            ok = false;
        }
        var options = BindOptions(f.Options);
        return ok ? new EffectQuery(f.Kind, path.ToImmutable(), options) : null;
    }

    VarSet BindGroup(NodeGroupSyntax group, GraphContext? graph, ref bool ok)
    {
        var names = new List<string>();
        foreach (var name in group.Names)
        {
            if (CheckVariable(name, graph, VariableUse.Event)) names.Add(name.Text);
            else ok = false;
        }
        return VarSet.From(names);
    }

    Seq<QueryEvent> BindEvents(Seq<EventSyntax> events, GraphContext? graph, ref bool ok)
    {
        var result = ImmutableArray.CreateBuilder<QueryEvent>();
        foreach (var ev in events)
        {
            var variable = BindCfVariable(ev.Variable, graph);
            Value? value = null;
            if (ev.Value is { } v && (value = BindValue(ev.Variable.Name.Text, v)) is null) ok = false;
            if (variable is null) ok = false;
            else result.Add(new QueryEvent(variable, value));
        }
        return result.ToImmutable();
    }

    Seq<Intervention> BindInterventions(Seq<AssignmentSyntax> assignments, GraphContext? graph, VariableUse use, ref bool ok)
    {
        var result = ImmutableArray.CreateBuilder<Intervention>();
        foreach (var a in assignments)
        {
            var known = CheckVariable(a.Variable, graph, use);
            Value? value = null;
            if (a.Value is { } v && (value = BindValue(a.Variable.Text, v, use == VariableUse.Subscript ? graph : null, use == VariableUse.Subscript)) is null) ok = false;
            if (!known) ok = false;
            else result.Add(new Intervention(a.Variable.Text, value));
        }
        return result.ToImmutable();
    }

    CfVariable? BindCfVariable(VariableSyntax v, GraphContext? graph)
    {
        var ok = CheckVariable(v.Name, graph, VariableUse.Event);
        var subscript = BindInterventions(v.Subscript, graph, VariableUse.Subscript, ref ok);
        return ok ? new CfVariable(v.Name.Text, subscript) : null;
    }

    /// <summary>A value: a number, a level name (x, x'), a negated number or one in parentheses.</summary>
    Value? BindValue(string variable, ExpressionSyntax e, GraphContext? graph = null, bool allowNested = false)
    {
        switch (e)
        {
            case NumberSyntax n: return new NumberValue(n.Value);
            case VariableSyntax { Subscript.IsEmpty: true } level: return new SymbolValue(level.Name.Text);
            // A nested counterfactual inside a subscript: M = M[X = 0] in Y[X = 1, M = M[X = 0]].
            case VariableSyntax nested when allowNested:
                return BindCfVariable(nested, graph) is { } inner ? new CounterfactualValue(inner) : null;
            case ParenthesizedSyntax p: return BindValue(variable, p.Inner, graph, allowNested);
            case UnarySyntax { Operator: UnaryOperator.Negate, Operand: NumberSyntax n }: return new NumberValue(-n.Value);
            default:
                _diagnostics.ReportBadValue(At(e), variable, Describe(e));
                return null;
        }
    }

    bool CheckVariable(NameSyntax name, GraphContext? graph, VariableUse use)
    {
        if (graph is null || graph.Graph.Contains(name.Text)) return true;
        var suggestion = Suggestions.Closest(name.Text, graph.Graph.Nodes);
        switch (use)
        {
            case VariableUse.Intervention: _diagnostics.ReportInterventionNotInGraph(At(name), name.Text, graph.Name, suggestion); break;
            case VariableUse.Subscript: _diagnostics.ReportUnknownSubscriptVariable(At(name), name.Text, graph.Name, suggestion); break;
            default: _diagnostics.ReportUnknownVariable(At(name), name.Text, graph.Name, suggestion); break;
        }
        return false;
    }

    static string Describe(ExpressionSyntax e) => e switch
    {
        NumberSyntax => "a number",
        StringSyntax s => $"the string \"{s.Value}\"",
        DurationSyntax => "a duration",
        VariableSyntax v => $"'{v.Name.Text}[...]'",
        ProbabilitySyntax => "a probability P(...)",
        ExpectationSyntax => "an expectation E[...]",
        EffectSyntax f => $"{f.Kind}(...)",
        CallSyntax c => $"a call to '{c.Function.Text}'",
        FormulaSyntax => "a formula",
        BinarySyntax => "an expression",
        UnarySyntax => "an expression",
        ParenthesizedSyntax p => Describe(p.Inner),
        _ => "an expression",
    };

    Seq<BoundOption> BindOptions(Seq<OptionSyntax> options)
    {
        var result = ImmutableArray.CreateBuilder<BoundOption>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var option in options)
        {
            if (!seen.Add(option.Name.Text))
            {
                _diagnostics.ReportDuplicateOption(At(option.Name), option.Name.Text);
                continue;
            }
            OptionValue? value = option.Value switch
            {
                NumberSyntax n => new NumberOption(n.Value),
                UnarySyntax { Operator: UnaryOperator.Negate, Operand: NumberSyntax n } => new NumberOption(-n.Value),
                VariableSyntax { Subscript.IsEmpty: true } v => new TextOption(v.Name.Text),
                StringSyntax s => new TextOption(s.Value),
                DurationSyntax d => DurationOf(d),
                FormulaSyntax f => new FormulaOption(f),
                _ => null,
            };
            if (value is null && option.Value is not DurationSyntax) _diagnostics.ReportBadOptionValue(At(option.Value), option.Name.Text, Describe(option.Value));
            else if (value is not null) result.Add(new BoundOption(option.Name.Text, value));
        }
        return result.ToImmutable();
    }

    DurationOption? DurationOf(DurationSyntax d)
    {
        double? seconds = d.Unit.ToLowerInvariant() switch
        {
            "ms" => d.Value / 1000,
            "s" or "sec" => d.Value,
            "m" or "min" => d.Value * 60,
            "h" => d.Value * 3600,
            _ => null,
        };
        if (seconds is null || double.IsNaN(seconds.Value) || seconds.Value < 0 || seconds.Value > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            _diagnostics.Error(At(d), $"unknown or out-of-range duration '{d.Value}{d.Unit}'; use ms, s, min or h");
            return null;
        }
        return new DurationOption(TimeSpan.FromSeconds(seconds.Value));
    }
}
