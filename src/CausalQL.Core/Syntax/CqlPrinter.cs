using System.Globalization;
using System.Text;

namespace CausalQL.Syntax;

/// <summary>
/// Canonical text for syntax trees (what `cql fmt` prints). Parsing the printed text gives back an equal tree:
/// parentheses are inserted exactly where precedence needs them, names are quoted when they are not plain
/// identifiers or are keywords, numbers print in round-trip form.
/// </summary>
public static class CqlPrinter
{
    const string Indent = "  ";

    public static string Print(ScriptSyntax script)
    {
        var sb = new StringBuilder();
        foreach (var statement in script.Statements) sb.Append(Print(statement)).Append('\n');
        return sb.ToString();
    }

    public static string Print(StatementSyntax statement) => statement switch
    {
        GraphDeclarationSyntax g => $"graph {Name(g.Name)}{GraphBody(g.Body)}",
        DataDeclarationSyntax d => $"data {Name(d.Name)} = {Expression(d.Source)}",
        ModelDeclarationSyntax m => Model(m),
        ScmDeclarationSyntax s => Block($"scm {Name(s.Name)}", s.Equations.Select(Equation)),
        IdentifyStatementSyntax i => "identify " + Expression(i.Query) + In(i.Graph)
            + (i.Explain ? " explain" : "") + (i.Verify ? " verify" : "") + With(i.Options),
        EstimateStatementSyntax e => "estimate " + (e.Label is null ? "" : Name(e.Label) + " = ") + Expression(e.Query)
            + In(e.Graph) + (e.Data is null ? "" : " using " + Name(e.Data)) + With(e.Options),
        AdjustmentSetsStatementSyntax a => $"adjustment sets for {Group(a.Exposures)} -> {Group(a.Outcomes)}" + In(a.Graph)
            + (a.Mode == AdjustmentMode.Minimal ? "" : " " + a.Mode.ToString().ToLowerInvariant()) + With(a.Options),
        InstrumentsStatementSyntax i => $"instruments for {Group(i.Exposures)} -> {Group(i.Outcomes)}" + In(i.Graph),
        ImplicationsStatementSyntax i => "implications" + (i.Graph is null ? "" : " of " + Name(i.Graph)),
        CheckStatementSyntax c => $"check {Name(c.Graph)} against {Name(c.Data)}" + With(c.Options),
        ShowStatementSyntax s => "show " + Name(s.Target) + (s.Format is null ? "" : " as " + Name(s.Format)),
        ExportStatementSyntax e => $"export {Name(e.Target)} as {Name(e.Format)}" + (e.Path is null ? "" : " to " + CqlTokenizer.Quote(e.Path)),
        UseStatementSyntax u => "use " + Name(u.Target),
        AssumeStatementSyntax a => "assume " + Name(a.Assumption) + (a.Path.IsEmpty ? "" : "(" + Path(a.Path) + ")"),
        RefuteStatementSyntax r => $"refute {Name(r.Target)} with {Name(r.Method)}" + (r.Options.IsEmpty ? "" : ", " + Options(r.Options)),
        PlotStatementSyntax p => $"plot {Name(p.Kind)} of {Name(p.Target)} to {CqlTokenizer.Quote(p.Path.Value)}" + With(p.Options),
        AskStatementSyntax a => "ask " + CqlTokenizer.Quote(a.Question),
        ExpressionStatementSyntax e => LineStart(e.Expression),
        _ => throw new ArgumentOutOfRangeException(nameof(statement), statement.GetType().Name),
    };

    public static string Print(ExpressionSyntax expression) => Expression(expression);

    // ------------------------------------------------------------------ declarations

    static string Block(string head, IEnumerable<string> lines)
    {
        var sb = new StringBuilder(head).Append(" {\n");
        foreach (var line in lines) sb.Append(Indent).Append(line).Append('\n');
        return sb.Append('}').ToString();
    }

    static string GraphBody(GraphBodySyntax body) => body switch
    {
        GraphBlockSyntax { Keyword: null } b => Block("", b.Items.Select(GraphItem)),
        GraphBlockSyntax b => Block(" = " + b.Keyword, b.Items.Select(GraphItem)),
        GraphImportSyntax i => $" = {FunctionName(i.Format)}({CqlTokenizer.Quote(i.Path)})",
        _ => throw new ArgumentOutOfRangeException(nameof(body), body.GetType().Name),
    };

    /// <summary>DAGitty's text for a graph block, e.g. for <c>export g as dagitty</c>-style output.</summary>
    public static string Print(GraphBlockSyntax block) => Block(block.Keyword ?? "dag", block.Items.Select(GraphItem)).TrimStart();

    static string GraphItem(GraphItemSyntax item) => item switch
    {
        NodeDeclarationSyntax n => Name(n.Name) + Attributes(n.Attributes),
        EdgeChainSyntax c => Chain(c) + Attributes(c.Attributes),
        GraphPropertySyntax p => $"{Name(p.Name)}={CqlTokenizer.Quote(p.Value)}",
        _ => throw new ArgumentOutOfRangeException(nameof(item), item.GetType().Name),
    };

    static string Chain(EdgeChainSyntax chain)
    {
        var sb = new StringBuilder(Group(chain.Groups[0]));
        for (var i = 0; i < chain.Arrows.Count && i + 1 < chain.Groups.Count; i++)
            sb.Append(' ').Append(Arrow(chain.Arrows[i])).Append(' ').Append(Group(chain.Groups[i + 1]));
        return sb.ToString();
    }

    static string Arrow(EdgeKind kind) => kind switch
    {
        EdgeKind.Directed => "->",
        EdgeKind.Reversed => "<-",
        EdgeKind.Bidirected => "<->",
        _ => "--",
    };

    static string Attributes(Seq<AttributeSyntax> attributes) => attributes.IsEmpty
        ? ""
        : " [" + string.Join(", ", attributes.Select(a => Name(a.Name) + (a.Value is null ? "" : "=" + CqlTokenizer.Quote(a.Value)))) + "]";

    static string Group(NodeGroupSyntax group) =>
        group.Braced || group.Names.Count != 1 ? "{" + string.Join(", ", group.Names.Select(Name)) + "}" : Name(group.Names[0]);

    static string Path(Seq<NodeGroupSyntax> path) => string.Join(" -> ", path.Select(Group));

    static string Model(ModelDeclarationSyntax m)
    {
        var lines = m.Entries.Select(e => LineStart(e.Term, Precedence.Or) + " = " + Operand(e.Value, Precedence.Or)).ToList();
        if (m.Elided) lines.Add("...");
        return Block($"model {Name(m.Name)}" + (m.Graph is null ? "" : " on " + Name(m.Graph)), lines);
    }

    static string Equation(ScmEquationSyntax equation) => equation switch
    {
        NoiseEquationSyntax n => $"{Name(n.Variable)} ~ {Expression(n.Distribution)}",
        MechanismEquationSyntax m => $"{Name(m.Variable)} := {Expression(m.Value)}",
        _ => throw new ArgumentOutOfRangeException(nameof(equation), equation.GetType().Name),
    };

    static string In(NameSyntax? graph) => graph is null ? "" : " in " + Name(graph);

    static string With(Seq<OptionSyntax> options) => options.IsEmpty ? "" : " with " + Options(options);

    static string Options(Seq<OptionSyntax> options) =>
        string.Join(", ", options.Select(o => Name(o.Name) + " = " + Expression(o.Value)));

    // ------------------------------------------------------------------ names

    /// <summary>A name in a name position: bare when it is a plain identifier and no keyword, else "quoted".</summary>
    public static string Name(NameSyntax name) => IsBare(name.Text) ? name.Text : CqlTokenizer.Quote(name.Text);

    static string FunctionName(NameSyntax name) => CqlTokenizer.IsIdentifier(name.Text) ? name.Text : CqlTokenizer.Quote(name.Text);

    static bool IsBare(string text) => CqlTokenizer.IsIdentifier(text) && !CqlGrammar.Reserved.Contains(text);

    // In expressions "..." is a string, so a variable needing quotes is written `like this`.
    static string VariableName(NameSyntax name) => IsBare(name.Text) ? name.Text : CqlTokenizer.Quote(name.Text, '`');

    // ------------------------------------------------------------------ expressions

    enum Precedence { Formula, Or, And, Not, Comparison, Sum, Product, Interaction, Negate, Power, Primary }

    static Precedence Of(ExpressionSyntax e) => e switch
    {
        FormulaSyntax => Precedence.Formula,
        BinarySyntax b => Of(b.Operator),
        UnarySyntax { Operator: UnaryOperator.Not } => Precedence.Not,
        UnarySyntax => Precedence.Negate,
        // A negative literal prints with its sign, so it binds like a negation.
        NumberSyntax n when n.Value < 0 || double.IsNegative(n.Value) => Precedence.Negate,
        DurationSyntax d when d.Value < 0 || double.IsNegative(d.Value) => Precedence.Negate,
        _ => Precedence.Primary,
    };

    static Precedence Of(BinaryOperator op) => op switch
    {
        BinaryOperator.Or or BinaryOperator.Xor => Precedence.Or,
        BinaryOperator.And => Precedence.And,
        BinaryOperator.Equal or BinaryOperator.NotEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual
            or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual => Precedence.Comparison,
        BinaryOperator.Add or BinaryOperator.Subtract => Precedence.Sum,
        BinaryOperator.Multiply or BinaryOperator.Divide => Precedence.Product,
        BinaryOperator.Interaction => Precedence.Interaction,
        _ => Precedence.Power,
    };

    static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Power => "^",
        BinaryOperator.And => "and",
        BinaryOperator.Or => "or",
        BinaryOperator.Xor => "xor",
        BinaryOperator.Equal => "==",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        _ => ":",
    };

    /// <summary><paramref name="e"/> printed where an expression of at least <paramref name="min"/> precedence is expected.</summary>
    static string Operand(ExpressionSyntax e, Precedence min) =>
        Of(e) < min ? "(" + Expression(e) + ")" : Expression(e);

    // A line that starts with a binary operator or continuation keyword would join the line above, and one that
    // starts with a statement keyword (a call such as use(x)) would read as that statement; parenthesise.
    static string LineStart(ExpressionSyntax e, Precedence min = Precedence.Formula)
    {
        var text = Operand(e, min);
        var first = CqlTokenizer.Tokenize(text.Length > 64 ? text[..64] : text).FirstOrDefault();
        var risky = first.Kind switch
        {
            CqlToken.Identifier => CqlGrammar.IsStatementKeyword(first.ToStringValue()) || CqlGrammar.ContinuationKeywords.Contains(first.ToStringValue()),
            CqlToken.Plus or CqlToken.Minus or CqlToken.Star or CqlToken.Slash or CqlToken.Caret or CqlToken.Bar
                or CqlToken.DoubleEquals or CqlToken.NotEquals or CqlToken.LessOrEqual or CqlToken.GreaterOrEqual => true,
            _ => false,
        };
        return risky ? "(" + Expression(e) + ")" : text;
    }

    static string Expression(ExpressionSyntax e) => e switch
    {
        NumberSyntax n => Number(n.Value),
        DurationSyntax d => Number(d.Value) + d.Unit,
        StringSyntax s => CqlTokenizer.Quote(s.Value),
        VariableSyntax v => VariableName(v.Name) + Subscript(v.Subscript),
        ProbabilitySyntax p => "P(" + string.Join(", ", p.Events.Select(Event)) + Conditions(p.Interventions, p.Conditions) + ")",
        ExpectationSyntax x => "E[" + Operand(x.Target, Precedence.Or) + Conditions(x.Interventions, x.Conditions) + "]",
        EffectSyntax f => f.Kind + "(" + Path(f.Path) + (f.Options.IsEmpty ? "" : ", " + Options(f.Options)) + ")",
        CallSyntax c => Call(c),
        FormulaSyntax f => (f.Response is null ? "~ " : Operand(f.Response, Precedence.Or) + " ~ ") + Operand(f.Terms, Precedence.Or),
        UnarySyntax { Operator: UnaryOperator.Not } u => "not " + Operand(u.Operand, Precedence.Not),
        UnarySyntax u => Negate(Operand(u.Operand, Precedence.Negate)),
        BinarySyntax b => Binary(b),
        ParenthesizedSyntax p => "(" + Expression(p.Inner) + ")",
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name),
    };

    // "--x" would lex as the undirected edge "--"; keep the two minus signs apart.
    static string Negate(string operand) => operand.StartsWith('-') ? "- " + operand : "-" + operand;

    static string Binary(BinarySyntax b)
    {
        var p = Of(b.Operator);
        // Power is right-associative (a ^ b ^ c = a ^ (b ^ c)); the rest associate to the left.
        var left = b.Operator == BinaryOperator.Power ? Operand(b.Left, p + 1) : Operand(b.Left, p);
        var right = b.Operator == BinaryOperator.Power
            ? (Of(b.Right) >= Precedence.Power ? Expression(b.Right) : "(" + Expression(b.Right) + ")")
            : Operand(b.Right, p + 1);
        return b.Operator == BinaryOperator.Interaction ? left + ":" + right : left + " " + Symbol(b.Operator) + " " + right;
    }

    static string Call(CallSyntax c)
    {
        var args = c.Arguments.Select(a => Operand(a, Precedence.Formula))
            .Concat(c.Named.Select(o => Name(o.Name) + " = " + Expression(o.Value)));
        // Calls are always named by a plain identifier (the grammar says so), keyword spellings included: and(x).
        return FunctionName(c.Function) + "(" + string.Join(", ", args) + ")";
    }

    static string Number(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    static string Subscript(Seq<AssignmentSyntax> subscript) =>
        subscript.IsEmpty ? "" : "[" + string.Join(", ", subscript.Select(Assignment)) + "]";

    static string Assignment(AssignmentSyntax a) =>
        Name(a.Variable) + (a.Value is null ? "" : " = " + Operand(a.Value, Precedence.Or));

    static string Event(EventSyntax e) =>
        Name(e.Variable.Name) + Subscript(e.Variable.Subscript) + (e.Value is null ? "" : " = " + Operand(e.Value, Precedence.Or));

    static string Conditions(Seq<AssignmentSyntax> interventions, Seq<EventSyntax> conditions)
    {
        if (interventions.IsEmpty && conditions.IsEmpty) return "";
        var parts = new List<string>();
        if (!interventions.IsEmpty) parts.Add("do(" + string.Join(", ", interventions.Select(Assignment)) + ")");
        parts.AddRange(conditions.Select(Event));
        return " | " + string.Join(", ", parts);
    }
}
