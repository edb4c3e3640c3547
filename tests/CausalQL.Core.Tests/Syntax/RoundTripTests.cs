using CausalQL.Syntax;
using CsCheck;

namespace CausalQL.Core.Tests.Syntax;

/// <summary>
/// Parse(Print(ast)) == ast over generated trees. The generator builds the trees the parser can produce:
/// no ParenthesizedSyntax (the parser drops grouping), no negative literals (-1 reads as a negation of 1),
/// unbraced groups of one name, bare identifiers for function names and call argument names, and no plain
/// string on the arithmetic spine of an E[...] target (a quoted name there is a variable).
/// </summary>
public class RoundTripTests
{
    // Names that exercise quoting: keywords, primes, spaces, quotes, backticks, escapes, non-ASCII letters.
    static readonly Gen<string> NameText = Gen.OneOf(
        "X", "Y", "Z", "M", "x'", "x''", "smoking_status", "a1", "_u", "Ω", "blood pressure", "in", "P", "E", "do",
        "graph", "with", "and", "ATE", "say \"hi\"", "back`tick", "tab\there", "new\nline", "back\\slash", "1st", "");

    static readonly Gen<NameSyntax> Name = NameText.Select(t => new NameSyntax(t));
    static readonly Gen<NameSyntax> BareName = Gen.OneOf("a", "b", "n", "seed", "method", "x'", "Ω").Select(t => new NameSyntax(t));
    static readonly Gen<NameSyntax> FunctionName = Gen.OneOf("f", "bernoulli", "normal", "I", "csv", "sample").Select(t => new NameSyntax(t));
    static readonly Gen<string> Text = Gen.OneOf("file.csv", "", "say \"hi\"", "a\\b", "tab\t", "line\nbreak", "données", "}{)(");

    static readonly Gen<double> NonNegative = Gen.OneOf(
        Gen.Int[0, 1000].Select(i => (double)i),
        Gen.Double[0, 1],
        Gen.Double[0, 1e30],
        Gen.OneOf(0.5, 1e-7, 1e21, 5e-324, double.MaxValue));

    static readonly Gen<ExpressionSyntax> Leaf = Gen.OneOf<ExpressionSyntax>(
        NonNegative.Select(v => (ExpressionSyntax)new NumberSyntax(v)),
        Text.Select(s => (ExpressionSyntax)new StringSyntax(s)),
        Gen.Select(NonNegative, Gen.OneOf("ms", "s", "min", "h"), (v, u) => (ExpressionSyntax)new DurationSyntax(v, u)),
        Name.Select(n => (ExpressionSyntax)new VariableSyntax(n, Seq<AssignmentSyntax>.Empty)));

    static readonly Gen<NodeGroupSyntax> Group = Gen.OneOf(
        Name.Select(n => new NodeGroupSyntax(Seq.Of(n), false)),
        Name.Array[1, 3].Select(ns => new NodeGroupSyntax(ns, true)));

    static readonly Gen<ExpressionSyntax>[] ExpressionByDepth = BuildExpressions(3);

    static Gen<ExpressionSyntax>[] BuildExpressions(int maxDepth)
    {
        var levels = new Gen<ExpressionSyntax>[maxDepth + 1];
        levels[0] = Leaf;
        for (var d = 1; d <= maxDepth; d++)
        {
            var sub = levels[d - 1];
            var assignment = Gen.Select(Name, Gen.OneOf(Gen.Const((ExpressionSyntax?)null), sub.Select(e => (ExpressionSyntax?)e)),
                (n, v) => new AssignmentSyntax(n, v));
            var variable = Gen.Select(Name, assignment.Array[0, 2], (n, s) => new VariableSyntax(n, s));
            var @event = Gen.Select(variable, Gen.OneOf(Gen.Const((ExpressionSyntax?)null), sub.Select(e => (ExpressionSyntax?)e)),
                (v, value) => new EventSyntax(v, value));
            var option = Gen.Select(Name, sub, (n, v) => new OptionSyntax(n, v));
            var namedArgument = Gen.Select(BareName, sub, (n, v) => new OptionSyntax(n, v));
            levels[d] = Gen.OneOf<ExpressionSyntax>(
                sub,
                Gen.Select(Gen.Enum<BinaryOperator>(), sub, sub, (op, l, r) => (ExpressionSyntax)new BinarySyntax(op, l, r)),
                Gen.Select(Gen.Enum<UnaryOperator>(), sub, (op, e) => (ExpressionSyntax)new UnarySyntax(op, e)),
                variable.Select(v => (ExpressionSyntax)v),
                Gen.Select(FunctionName, sub.Array[0, 2], namedArgument.Array[0, 2], (f, a, n) => (ExpressionSyntax)new CallSyntax(f, a, n)),
                Gen.Select(@event.Array[1, 2], assignment.Array[0, 2], @event.Array[0, 2], (e, i, c) => (ExpressionSyntax)new ProbabilitySyntax(e, i, c)),
                Gen.Select(sub, assignment.Array[0, 2], @event.Array[0, 2], (t, i, c) => (ExpressionSyntax)new ExpectationSyntax(QuotedNamesAsVariables(t), i, c)),
                Gen.Select(Gen.Enum<EffectKind>(), Group.Array[1, 3], option.Array[0, 1], (k, p, o) => (ExpressionSyntax)new EffectSyntax(k, p, o)),
                Gen.Select(Gen.OneOf(Gen.Const((ExpressionSyntax?)null), sub.Select(e => (ExpressionSyntax?)e)), sub,
                    (r, t) => (ExpressionSyntax)new FormulaSyntax(r, t)));
        }
        return levels;
    }

    static ExpressionSyntax QuotedNamesAsVariables(ExpressionSyntax e) => e switch
    {
        StringSyntax s => new VariableSyntax(new NameSyntax(s.Value), Seq<AssignmentSyntax>.Empty),
        BinarySyntax b => b with { Left = QuotedNamesAsVariables(b.Left), Right = QuotedNamesAsVariables(b.Right) },
        UnarySyntax u => u with { Operand = QuotedNamesAsVariables(u.Operand) },
        _ => e,
    };

    static readonly Gen<ExpressionSyntax> Expression = ExpressionByDepth[3];
    static readonly Gen<ExpressionSyntax> SmallExpression = ExpressionByDepth[2];

    static readonly Gen<OptionSyntax> Option = Gen.Select(Name, SmallExpression, (n, v) => new OptionSyntax(n, v));
    static readonly Gen<NameSyntax?> MaybeName = Gen.OneOf(Gen.Const((NameSyntax?)null), Name.Select(n => (NameSyntax?)n));
    static readonly Gen<string?> MaybeText = Gen.OneOf(Gen.Const((string?)null), Text.Select(t => (string?)t));
    static readonly Gen<AttributeSyntax> Attribute = Gen.Select(Name, MaybeText, (n, v) => new AttributeSyntax(n, v));

    static readonly Gen<GraphItemSyntax> GraphItem = Gen.OneOf<GraphItemSyntax>(
        Gen.Select(Name, Attribute.Array[0, 2], (n, a) => (GraphItemSyntax)new NodeDeclarationSyntax(n, a)),
        Gen.Int[1, 3].SelectMany(arrows => Gen.Select(Group.Array[arrows + 1], Gen.Enum<EdgeKind>().Array[arrows], Attribute.Array[0, 1],
            (g, a, attrs) => (GraphItemSyntax)new EdgeChainSyntax(g, a) { Attributes = attrs })),
        Gen.Select(Name, Text, (n, v) => (GraphItemSyntax)new GraphPropertySyntax(n, v)));

    static readonly Gen<GraphBodySyntax> GraphBody = Gen.OneOf<GraphBodySyntax>(
        Gen.Select(Gen.OneOf<string?>(new string?[] { null, "dag", "pdag", "mag" }), GraphItem.Array[0, 4], (k, i) => (GraphBodySyntax)new GraphBlockSyntax(k, i)),
        Gen.Select(Gen.OneOf("dagitty", "dot"), Text, (f, p) => (GraphBodySyntax)new GraphImportSyntax(new NameSyntax(f), p)));

    static readonly Gen<ScmEquationSyntax> Equation = Gen.OneOf<ScmEquationSyntax>(
        Gen.Select(Name, Expression, (n, e) => (ScmEquationSyntax)new NoiseEquationSyntax(n, e)),
        Gen.Select(Name, Expression, (n, e) => (ScmEquationSyntax)new MechanismEquationSyntax(n, e)));

    static readonly Gen<StatementSyntax> Statement = Gen.OneOf<StatementSyntax>(
        Gen.Select(Name, GraphBody, (n, b) => (StatementSyntax)new GraphDeclarationSyntax(n, b)),
        Gen.Select(Name, FunctionName, SmallExpression.Array[0, 2], Gen.Select(BareName, SmallExpression, (n, v) => new OptionSyntax(n, v)).Array[0, 2],
            (n, f, a, o) => (StatementSyntax)new DataDeclarationSyntax(n, new CallSyntax(f, a, o))),
        Gen.Select(Name, MaybeName, Gen.Select(Expression, Expression, (t, v) => new ModelEntrySyntax(t, v)).Array[0, 3], Gen.Bool,
            (n, g, e, elided) => (StatementSyntax)new ModelDeclarationSyntax(n, g, e) { Elided = elided }),
        Gen.Select(Name, Equation.Array[0, 3], (n, e) => (StatementSyntax)new ScmDeclarationSyntax(n, e)),
        Gen.Select(Expression, MaybeName, Gen.Bool, Gen.Bool, Option.Array[0, 2],
            (q, g, e, v, o) => (StatementSyntax)new IdentifyStatementSyntax(q, g, e, v, o)),
        Gen.Select(MaybeName, Expression, MaybeName, MaybeName, Option.Array[0, 2],
            (l, q, g, d, o) => (StatementSyntax)new EstimateStatementSyntax(l, q, g, d, o)),
        Gen.Select(Group, Group, MaybeName, Gen.Enum<AdjustmentMode>(), Option.Array[0, 2],
            (x, y, g, m, o) => (StatementSyntax)new AdjustmentSetsStatementSyntax(x, y, g, m, o)),
        Gen.Select(Group, Group, MaybeName, (x, y, g) => (StatementSyntax)new InstrumentsStatementSyntax(x, y, g)),
        MaybeName.Select(g => (StatementSyntax)new ImplicationsStatementSyntax(g)),
        Gen.Select(Name, Name, Option.Array[0, 2], (g, d, o) => (StatementSyntax)new CheckStatementSyntax(g, d, o)),
        Gen.Select(Name, MaybeName, (t, f) => (StatementSyntax)new ShowStatementSyntax(t, f)),
        Gen.Select(Name, Name, MaybeText, (t, f, p) => (StatementSyntax)new ExportStatementSyntax(t, f, p)),
        Name.Select(t => (StatementSyntax)new UseStatementSyntax(t)),
        Gen.Select(Name, Group.Array[0, 3], (a, p) => (StatementSyntax)new AssumeStatementSyntax(a, p)),
        Gen.Select(Name, Name, Option.Array[0, 2], (t, m, o) => (StatementSyntax)new RefuteStatementSyntax(t, m, o)),
        Gen.Select(Name, Name, Text, Option.Array[0, 2], (k, t, p, o) => (StatementSyntax)new PlotStatementSyntax(k, t, new StringSyntax(p), o)),
        Text.Select(q => (StatementSyntax)new AskStatementSyntax(q)),
        Expression.Select(e => (StatementSyntax)new ExpressionStatementSyntax(e)));

    static readonly Gen<ScriptSyntax> Script = Statement.Array[0, 6].Select(s => new ScriptSyntax(s));

    [Fact]
    public void Expressions_round_trip() =>
        Expression.Sample(e =>
        {
            var printed = CqlPrinter.Print(e);
            var result = CqlParser.ParseExpression(printed);
            Assert.True(result.Diagnostics.IsEmpty, printed + "\n" + string.Join("\n", result.Diagnostics));
            Assert.Equal(e, result.Expression);
        }, iter: 3000, print: CqlPrinter.Print);

    [Fact]
    public void Scripts_round_trip() =>
        Script.Sample(s =>
        {
            var printed = CqlPrinter.Print(s);
            var result = CqlParser.Parse(printed);
            Assert.True(result.Diagnostics.IsEmpty, printed + "\n" + string.Join("\n", result.Diagnostics));
            Assert.Equal(s.Statements, result.Script.Statements);
        }, iter: 2000, print: CqlPrinter.Print);

    [Fact]
    public void Printing_is_idempotent_on_the_language_examples()
    {
        const string text = "graph g {\n  Z -> X -> Y\n  Z -> {X, Y}\n  X <-> Y\n  U [latent]\n}\nestimate e = E[Y | do(X = 1)] - E[Y | do(X = 0)]\n  in g using d with bootstrap = 1000, seed = 7\n";
        var once = CqlPrinter.Print(CqlParser.Parse(text).Script);
        Assert.Equal(once, CqlPrinter.Print(CqlParser.Parse(once).Script));
        Assert.Equal(
            "graph g {\n  Z -> X -> Y\n  Z -> {X, Y}\n  X <-> Y\n  U [latent]\n}\nestimate e = E[Y | do(X = 1)] - E[Y | do(X = 0)] in g using d with bootstrap = 1000, seed = 7\n",
            once);
    }

    [Theory]
    [InlineData("(a + b) * c", "(a + b) * c")]
    [InlineData("a + (b * c)", "a + b * c")]
    [InlineData("a - (b - c)", "a - (b - c)")]
    [InlineData("(a ^ b) ^ c", "(a ^ b) ^ c")]
    [InlineData("- (-a)", "- -a")]
    [InlineData("Y_{X=1}", "Y[X = 1]")]
    [InlineData("E[\"blood pressure\"]", "E[`blood pressure`]")]
    [InlineData("P(\"in\" = 1)", "P(\"in\" = 1)")]
    [InlineData("x == 1 and not (y or z)", "x == 1 and not (y or z)")]
    [InlineData("~ a + b:c + I(d ^ 2)", "~ a + b:c + I(d ^ 2)")]
    public void Canonical_text(string input, string expected)
    {
        var result = CqlParser.ParseExpression(input);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(expected, CqlPrinter.Print(result.Expression!));
    }
}
