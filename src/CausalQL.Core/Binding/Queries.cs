using CausalQL.Graphs;
using CausalQL.Syntax;

namespace CausalQL.Binding;

// Semantic queries: what a user asked, with names resolved against a graph. They keep no syntax
// and no positions, so engines (identification, estimation, counterfactuals) see only meaning.
// Lists are Seq<T> so two queries compare by value.

/// <summary>A value given to a variable: a number (<c>X = 1</c>) or a symbolic level (<c>X = x'</c>).</summary>
public abstract record Value;

public sealed record NumberValue(double Number) : Value
{
    public override string ToString() => Number.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A named, unspecified level such as <c>x</c> or <c>x'</c>.</summary>
public sealed record SymbolValue(string Name) : Value
{
    public override string ToString() => Name;
}

/// <summary>
/// The value another counterfactual variable takes, used inside a subscript: the <c>M[X = 0]</c> of
/// <c>Y[X = 1, M = M[X = 0]]</c> (a nested counterfactual, as natural effects are defined).
/// </summary>
public sealed record CounterfactualValue(CfVariable Variable) : Value
{
    public override string ToString() => Variable.ToString();
}

/// <summary><c>X = 1</c> inside do() or a counterfactual subscript; Value null for a bare <c>do(X)</c>.</summary>
public sealed record Intervention(string Variable, Value? Value)
{
    public override string ToString() => Value is null ? Variable : $"{Variable} = {Value}";
}

/// <summary>A variable, counterfactual when it has a subscript: <c>Y[X = 1]</c>.</summary>
public sealed record CfVariable(string Name, Seq<Intervention> Subscript)
{
    public bool IsCounterfactual => !Subscript.IsEmpty;

    /// <summary>The variable, its subscript's variables and those of any nested counterfactual values.</summary>
    public IEnumerable<string> Names => Subscript
        .SelectMany(s => s.Value is CounterfactualValue nested ? nested.Variable.Names.Prepend(s.Variable) : [s.Variable])
        .Prepend(Name);

    /// <summary>True when a subscript value is itself counterfactual (Y[X = 1, M = M[X = 0]]).</summary>
    public bool IsNested => Subscript.Any(s => s.Value is CounterfactualValue);

    public override string ToString() => IsCounterfactual ? $"{Name}[{string.Join(", ", Subscript)}]" : Name;
}

/// <summary>An event inside P(...): a variable with an optional value (<c>Y = 1</c> or plain <c>Y</c>).</summary>
public sealed record QueryEvent(CfVariable Variable, Value? Value)
{
    public override string ToString() => Value is null ? Variable.ToString() : $"{Variable} = {Value}";
}

public abstract record Query
{
    /// <summary>Every variable the query mentions (events, interventions, subscripts, effect paths).</summary>
    public abstract VarSet Variables { get; }

    /// <summary>True when some part is counterfactual (a subscripted variable, or effect sugar that needs one).</summary>
    public abstract bool IsCounterfactual { get; }
}

/// <summary><c>P(Y = 1, W | do(X = 1), Z = 0)</c>; counterfactual when an event carries a subscript.</summary>
public sealed record ProbabilityQuery(Seq<QueryEvent> Outcomes, Seq<Intervention> Interventions, Seq<QueryEvent> Conditions) : Query
{
    public override VarSet Variables => VarSet.From(
        Outcomes.Concat(Conditions).SelectMany(e => e.Variable.Names)
            .Concat(Interventions.Select(i => i.Variable)));

    public override bool IsCounterfactual => Outcomes.Concat(Conditions).Any(e => e.Variable.IsCounterfactual);

    public VarSet OutcomeNames => VarSet.From(Outcomes.Select(e => e.Variable.Name));
    public VarSet InterventionNames => VarSet.From(Interventions.Select(i => i.Variable));
    public VarSet ConditionNames => VarSet.From(Conditions.Select(e => e.Variable.Name));

    public override string ToString()
    {
        var right = Interventions.IsEmpty ? [] : new[] { $"do({string.Join(", ", Interventions)})" };
        var given = right.Concat(Conditions.Select(c => c.ToString())).ToList();
        return $"P({string.Join(", ", Outcomes)}{(given.Count > 0 ? " | " + string.Join(", ", given) : "")})";
    }
}

/// <summary><c>E[target | do(...), conditions]</c>; the target is an arithmetic query over (counterfactual) variables.</summary>
public sealed record ExpectationQuery(Query Target, Seq<Intervention> Interventions, Seq<QueryEvent> Conditions) : Query
{
    public override VarSet Variables => Target.Variables
        .Union(Interventions.Select(i => i.Variable))
        .Union(Conditions.SelectMany(e => e.Variable.Names));

    public override bool IsCounterfactual => Target.IsCounterfactual || Conditions.Any(e => e.Variable.IsCounterfactual);

    public override string ToString()
    {
        var right = Interventions.IsEmpty ? [] : new[] { $"do({string.Join(", ", Interventions)})" };
        var given = right.Concat(Conditions.Select(c => c.ToString())).ToList();
        return $"E[{Target}{(given.Count > 0 ? " | " + string.Join(", ", given) : "")}]";
    }
}

/// <summary>A (counterfactual) variable used as a random quantity, e.g. inside E[...].</summary>
public sealed record VariableQuery(CfVariable Variable) : Query
{
    public override VarSet Variables => VarSet.From(Variable.Names);
    public override bool IsCounterfactual => Variable.IsCounterfactual;
    public override string ToString() => Variable.ToString();
}

/// <summary>Effect sugar: <c>ATE(X -> Y)</c>, <c>NDE(X -> M -> Y)</c>, <c>PN(X -> Y)</c>. Path holds the exposure, any mediators, then the outcome.</summary>
public sealed record EffectQuery(EffectKind Kind, Seq<VarSet> Path, Seq<BoundOption> Options) : Query
{
    public VarSet Exposure => Path[0];
    public VarSet Outcome => Path[^1];
    public VarSet Mediators => VarSet.From(Path.Skip(1).SkipLast(1).SelectMany(v => v));

    public override VarSet Variables => VarSet.From(Path.SelectMany(v => v));

    /// <summary>ATE, CDE and TE are interventional; the others compare worlds that cannot both happen.</summary>
    public override bool IsCounterfactual => Kind is not (EffectKind.ATE or EffectKind.CDE or EffectKind.TE);

    public override string ToString()
    {
        var path = string.Join(" -> ", Path.Select(p => p.Count == 1 ? p.First() : "{" + string.Join(", ", p) + "}"));
        // Options such as the mediator level of CDE(X -> M -> Y, M = 0) are part of what is asked.
        var options = Options.Select(o => o.Value switch
        {
            NumberOption n => $"{o.Name} = {n.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}",
            TextOption t => $"{o.Name} = {t.Value}",
            _ => o.Name,
        });
        return $"{Kind}({string.Join(", ", options.Prepend(path))})";
    }
}

public sealed record ConstantQuery(double Value) : Query
{
    public override VarSet Variables => VarSet.Empty;
    public override bool IsCounterfactual => false;
    public override string ToString() => Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

public enum ArithmeticOperator { Add, Subtract, Multiply, Divide }

/// <summary><c>+ - * /</c> over queries and numbers, e.g. a difference of two interventional expectations.</summary>
public sealed record ArithmeticQuery(ArithmeticOperator Operator, Query Left, Query Right) : Query
{
    public override VarSet Variables => Left.Variables.Union(Right.Variables);
    public override bool IsCounterfactual => Left.IsCounterfactual || Right.IsCounterfactual;

    public override string ToString()
    {
        var op = Operator switch
        {
            ArithmeticOperator.Add => "+",
            ArithmeticOperator.Subtract => "-",
            ArithmeticOperator.Multiply => "*",
            _ => "/",
        };
        // Parentheses only where precedence needs them: a sum inside a product, or on the right of - and /.
        var additive = Operator is ArithmeticOperator.Add or ArithmeticOperator.Subtract;
        string Wrap(Query q, bool right)
        {
            if (q is not ArithmeticQuery inner) return q.ToString();
            var innerAdditive = inner.Operator is ArithmeticOperator.Add or ArithmeticOperator.Subtract;
            var needs = additive
                ? right && Operator == ArithmeticOperator.Subtract && innerAdditive
                : innerAdditive || (right && Operator == ArithmeticOperator.Divide);
            return needs ? $"({q})" : q.ToString();
        }
        return $"{Wrap(Left, false)} {op} {Wrap(Right, true)}";
    }
}

public sealed record NegateQuery(Query Operand) : Query
{
    public override VarSet Variables => Operand.Variables;
    public override bool IsCounterfactual => Operand.IsCounterfactual;
    public override string ToString() => $"-{Operand}";
}

/// <summary>A value after <c>with</c>: a number, a name or string, a duration in seconds, or a formula kept as syntax.</summary>
public abstract record OptionValue;
public sealed record NumberOption(double Value) : OptionValue;
public sealed record TextOption(string Value) : OptionValue;
public sealed record DurationOption(TimeSpan Value) : OptionValue;
public sealed record FormulaOption(FormulaSyntax Formula) : OptionValue;

/// <summary><c>name = value</c> after <c>with</c>, with the value bound.</summary>
public sealed record BoundOption(string Name, OptionValue Value);

public static class BoundOptions
{
    public static OptionValue? Find(this Seq<BoundOption> options, string name) =>
        options.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;

    public static double? Number(this Seq<BoundOption> options, string name) =>
        options.Find(name) is NumberOption n ? n.Value : null;

    public static string? Text(this Seq<BoundOption> options, string name) =>
        options.Find(name) is TextOption t ? t.Value : null;

    /// <summary>A duration option such as <c>timeout = 2s</c>; a bare number counts as seconds.</summary>
    public static TimeSpan? Duration(this Seq<BoundOption> options, string name) => options.Find(name) switch
    {
        DurationOption d => d.Value,
        NumberOption n when n.Value >= 0 => TimeSpan.FromSeconds(n.Value),
        _ => null,
    };
}
