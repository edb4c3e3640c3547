using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Core.Tests.Syntax;

/// <summary>What the parser builds for each form of the language.</summary>
public class ParserTests
{
    static NameSyntax N(string text) => new(text);
    static VariableSyntax V(string name, params AssignmentSyntax[] subscript) => new(N(name), subscript);
    static NumberSyntax Num(double v) => new(v);
    static AssignmentSyntax A(string name, ExpressionSyntax? value = null) => new(N(name), value);
    static EventSyntax Ev(string name, ExpressionSyntax? value = null) => new(V(name), value);
    static NodeGroupSyntax G(string name) => new(Seq.Of(N(name)), false);
    static NodeGroupSyntax Braced(params string[] names) => new(names.Select(N).ToSeq(), true);

    static ScriptSyntax Script(string text)
    {
        var result = CqlParser.Parse(text);
        Assert.True(result.Diagnostics.IsEmpty, string.Join("\n", result.Diagnostics.Select(d => d.Render(new SourceText(text)))));
        return result.Script;
    }

    static StatementSyntax One(string text) => Assert.Single(Script(text).Statements);

    static ExpressionSyntax Expr(string text)
    {
        var result = CqlParser.ParseExpression(text);
        Assert.True(result.Diagnostics.IsEmpty, string.Join("\n", result.Diagnostics));
        return result.Expression!;
    }

    [Fact]
    public void Chains_fan_out_and_bidirected_edges()
    {
        var g = Assert.IsType<GraphDeclarationSyntax>(One("graph g {\n  Z -> X -> Y\n  Z -> {X, Y}\n  X <-> Y ; A <- B -- C\n}"));
        var block = Assert.IsType<GraphBlockSyntax>(g.Body);
        Assert.Null(block.Keyword);
        Assert.Equal(
            Seq.Of<GraphItemSyntax>(
                new EdgeChainSyntax(Seq.Of(G("Z"), G("X"), G("Y")), Seq.Of(EdgeKind.Directed, EdgeKind.Directed)),
                new EdgeChainSyntax(Seq.Of(G("Z"), Braced("X", "Y")), Seq.Of(EdgeKind.Directed)),
                new EdgeChainSyntax(Seq.Of(G("X"), G("Y")), Seq.Of(EdgeKind.Bidirected)),
                new EdgeChainSyntax(Seq.Of(G("A"), G("B"), G("C")), Seq.Of(EdgeKind.Reversed, EdgeKind.Undirected))),
            block.Items);
    }

    [Fact]
    public void Dagitty_inline_syntax_with_attributes_quoted_names_and_space_groups()
    {
        var text = "graph d = dag {\nbb=\"-2,-2,2,2\"\n\"blood pressure\" [exposure,pos=\"0.1,0.2\"]\ny [outcome]\nu -> {z y} x -> y [beta=.3]\n}";
        var g = Assert.IsType<GraphDeclarationSyntax>(One(text));
        var block = Assert.IsType<GraphBlockSyntax>(g.Body);
        Assert.Equal("dag", block.Keyword);
        Assert.Equal(
            Seq.Of<GraphItemSyntax>(
                new GraphPropertySyntax(N("bb"), "-2,-2,2,2"),
                new NodeDeclarationSyntax(N("blood pressure"), Seq.Of(new AttributeSyntax(N("exposure"), null), new AttributeSyntax(N("pos"), "0.1,0.2"))),
                new NodeDeclarationSyntax(N("y"), Seq.Of(new AttributeSyntax(N("outcome"), null))),
                new EdgeChainSyntax(Seq.Of(G("u"), Braced("z", "y")), Seq.Of(EdgeKind.Directed)),
                new EdgeChainSyntax(Seq.Of(G("x"), G("y")), Seq.Of(EdgeKind.Directed)) { Attributes = Seq.Of(new AttributeSyntax(N("beta"), ".3")) }),
            block.Items);
    }

    [Fact]
    public void ParseDagitty_reads_a_dagitty_file()
    {
        var result = CqlParser.ParseDagitty(new SourceText("dag {\n  x [exposure]\n  y [outcome]\n  x -> y\n}\n", "m.txt"));
        Assert.Empty(result.Diagnostics);
        Assert.Equal("dag", result.Graph!.Keyword);
        Assert.Equal(3, result.Graph.Items.Count);

        var pdag = CqlParser.ParseDagitty(new SourceText("pdag { a -- b ; b -> c }"));
        Assert.Empty(pdag.Diagnostics);
        Assert.Equal(EdgeKind.Undirected, Assert.IsType<EdgeChainSyntax>(pdag.Graph!.Items[0]).Arrows[0]);
    }

    [Theory]
    [InlineData("dag{a->b->c<-d}")]
    [InlineData("dag {\na -> b b -> c d -> c\n}")]
    [InlineData("dag {\na ->\n  b\n  -> c\nd -> c }")]
    [InlineData("{ a -> b ; b -> c ; d -> c }")]
    public void ParseDagitty_ignores_line_breaks_like_dagitty(string text)
    {
        var result = CqlParser.ParseDagitty(new SourceText(text));
        Assert.Empty(result.Diagnostics);
        Assert.Equal("dag", result.Graph!.Keyword);
        var edges = result.Graph.Items.OfType<EdgeChainSyntax>().Sum(c => c.Arrows.Count);
        Assert.Equal(3, edges);
    }

    [Fact]
    public void ParseDagitty_rejects_other_text_with_a_diagnostic()
    {
        var notDag = CqlParser.ParseDagitty(new SourceText("foo { x -> y }", "m.txt"));
        Assert.Null(notDag.Graph);
        Assert.Contains("expected a DAGitty graph type", notDag.Diagnostics.Single().Message);

        var empty = CqlParser.ParseDagitty(new SourceText("", "m.txt"));
        Assert.Null(empty.Graph);
        Assert.Single(empty.Diagnostics);
    }

    [Fact]
    public void Graph_from_a_dagitty_file()
    {
        var g = Assert.IsType<GraphDeclarationSyntax>(One("graph h = dagitty(\"model.txt\")"));
        Assert.Equal(new GraphImportSyntax(N("dagitty"), "model.txt"), g.Body);
    }

    [Fact]
    public void Data_sources_with_named_arguments()
    {
        var d = Assert.IsType<DataDeclarationSyntax>(One("data s = sample(m, n = 1000, seed = 1)"));
        Assert.Equal(new CallSyntax(N("sample"), Seq.Of<ExpressionSyntax>(V("m")),
            Seq.Of(new OptionSyntax(N("n"), Num(1000)), new OptionSyntax(N("seed"), Num(1)))), d.Source);
    }

    [Fact]
    public void Model_entries_split_by_newlines_and_semicolons_and_ellipsis()
    {
        var m = Assert.IsType<ModelDeclarationSyntax>(One("model s on g {\n P(Z = 1) = 0.4\n P(X = 1 | Z = 0) = 0.2 ; P(X = 1 | Z = 1) = 0.7\n}"));
        Assert.Equal(N("g"), m.Graph);
        Assert.Equal(3, m.Entries.Count);
        Assert.False(m.Elided);
        Assert.Equal(new ModelEntrySyntax(new ProbabilitySyntax(Seq.Of(Ev("X", Num(1))), Seq<AssignmentSyntax>.Empty, Seq.Of(Ev("Z", Num(1)))), Num(0.7)), m.Entries[2]);

        Assert.True(Assert.IsType<ModelDeclarationSyntax>(One("model s { P(Z = 1) = 0.4 ; ... }")).Elided);
    }

    [Fact]
    public void Scm_noise_and_mechanisms_with_logic_comparisons_and_arithmetic()
    {
        var s = Assert.IsType<ScmDeclarationSyntax>(One("scm m {\n U ~ bernoulli(0.5)\n X := U and not Z or W\n Y := 2 * X + normal(0, 1) > 1\n}"));
        Assert.Equal(new NoiseEquationSyntax(N("U"), new CallSyntax(N("bernoulli"), Seq.Of<ExpressionSyntax>(Num(0.5)), Seq<OptionSyntax>.Empty)), s.Equations[0]);
        Assert.Equal(
            new MechanismEquationSyntax(N("X"), new BinarySyntax(BinaryOperator.Or,
                new BinarySyntax(BinaryOperator.And, V("U"), new UnarySyntax(UnaryOperator.Not, V("Z"))), V("W"))),
            s.Equations[1]);
        var y = Assert.IsType<MechanismEquationSyntax>(s.Equations[2]);
        var gt = Assert.IsType<BinarySyntax>(y.Value);
        Assert.Equal(BinaryOperator.Greater, gt.Operator);
        Assert.Equal(BinaryOperator.Add, Assert.IsType<BinarySyntax>(gt.Left).Operator);
    }

    [Fact]
    public void Probability_with_interventions_and_conditions_in_any_order()
    {
        Assert.Equal(
            new ProbabilitySyntax(Seq.Of(Ev("Y", Num(1)), Ev("W")), Seq.Of(A("X", Num(1)), A("Z")), Seq.Of(Ev("C", Num(0)))),
            Expr("P(Y = 1, W | C = 0, do(X = 1, Z))"));
    }

    [Fact]
    public void Counterfactuals_in_both_notations_with_primes()
    {
        var bracket = Expr("P(Y[X = 1] = 1 | X = x', Y = 0)");
        var underscore = Expr("P(Y_{X=1} = 1 | X = x', Y = 0)");
        Assert.Equal(bracket, underscore);
        Assert.Equal(
            new ProbabilitySyntax(Seq.Of(new EventSyntax(V("Y", A("X", Num(1))), Num(1))), Seq<AssignmentSyntax>.Empty,
                Seq.Of(Ev("X", V("x'")), Ev("Y", Num(0)))),
            bracket);
    }

    [Fact]
    public void Nested_counterfactual_for_mediation()
    {
        Assert.Equal(
            new ExpectationSyntax(V("Y", A("X", Num(1)), A("M", V("M", A("X", Num(0))))), Seq<AssignmentSyntax>.Empty, Seq<EventSyntax>.Empty),
            Expr("E[Y[X = 1, M = M[X = 0]]]"));
    }

    [Fact]
    public void Expectation_of_a_difference_given_a_condition()
    {
        Assert.Equal(
            new ExpectationSyntax(new BinarySyntax(BinaryOperator.Subtract, V("Y", A("X", Num(1))), V("Y", A("X", Num(0)))),
                Seq<AssignmentSyntax>.Empty, Seq.Of(Ev("X", Num(1)))),
            Expr("E[Y[X=1] - Y[X=0] | X = 1]"));
    }

    [Fact]
    public void Quoted_names_are_variables_inside_expectations_and_events()
    {
        Assert.Equal(
            new ExpectationSyntax(V("blood pressure"), Seq.Of(A("salt intake", Num(1))), Seq<EventSyntax>.Empty),
            Expr("E[\"blood pressure\" | do(\"salt intake\" = 1)]"));
        Assert.Equal(V("blood pressure"), Expr("`blood pressure`"));
        Assert.Equal(new StringSyntax("blood pressure"), Expr("\"blood pressure\""));
    }

    [Theory]
    [InlineData("ATE(X -> Y)", EffectKind.ATE, 2)]
    [InlineData("NDE(X -> M -> Y)", EffectKind.NDE, 3)]
    [InlineData("PNS(X -> Y)", EffectKind.PNS, 2)]
    [InlineData("CDE(X -> M -> Y, M = 0)", EffectKind.CDE, 3)]
    public void Effect_sugar(string text, EffectKind kind, int pathLength)
    {
        var e = Assert.IsType<EffectSyntax>(Expr(text));
        Assert.Equal(kind, e.Kind);
        Assert.Equal(pathLength, e.Path.Count);
    }

    [Fact]
    public void Arithmetic_precedence_and_parentheses()
    {
        var add = Assert.IsType<BinarySyntax>(Expr("1 - 2 * 3 / 4 + P(Y)"));
        Assert.Equal(BinaryOperator.Add, add.Operator);
        Assert.Equal(BinaryOperator.Subtract, Assert.IsType<BinarySyntax>(add.Left).Operator);
        Assert.Equal(
            new BinarySyntax(BinaryOperator.Multiply, new BinarySyntax(BinaryOperator.Add, Num(1), Num(2)), Num(3)),
            Expr("(1 + 2) * 3"));
        Assert.Equal(
            new BinarySyntax(BinaryOperator.Power, V("a"), new BinarySyntax(BinaryOperator.Power, V("b"), V("c"))),
            Expr("a ^ b ^ c"));
        Assert.Equal(new UnarySyntax(UnaryOperator.Negate, new BinarySyntax(BinaryOperator.Power, V("a"), Num(2))), Expr("-a^2"));
    }

    [Fact]
    public void Identify_with_all_clauses()
    {
        var s = Assert.IsType<IdentifyStatementSyntax>(One("identify P(Y | do(X)) in g explain verify with timeout = 2s"));
        Assert.Equal(N("g"), s.Graph);
        Assert.True(s.Explain);
        Assert.True(s.Verify);
        Assert.Equal(Seq.Of(new OptionSyntax(N("timeout"), new DurationSyntax(2, "s"))), s.Options);
    }

    [Fact]
    public void Estimate_with_label_and_wilkinson_formula()
    {
        var s = Assert.IsType<EstimateStatementSyntax>(One(
            "estimate e = ATE(qsmk -> wt82) using nhefs with method = regression, outcome_model = ~ qsmk + sex + I(age^2) + qsmk:smokeintensity, timeout = 500ms"));
        Assert.Equal(N("e"), s.Label);
        Assert.Equal(N("nhefs"), s.Data);
        Assert.Equal(new OptionSyntax(N("method"), V("regression")), s.Options[0]);
        var formula = Assert.IsType<FormulaSyntax>(s.Options[1].Value);
        Assert.Null(formula.Response);
        var sum = Assert.IsType<BinarySyntax>(formula.Terms);
        Assert.Equal(new BinarySyntax(BinaryOperator.Interaction, V("qsmk"), V("smokeintensity")), sum.Right);
        var sum2 = Assert.IsType<BinarySyntax>(sum.Left);
        Assert.Equal(new CallSyntax(N("I"), Seq.Of<ExpressionSyntax>(new BinarySyntax(BinaryOperator.Power, V("age"), Num(2))), Seq<OptionSyntax>.Empty), sum2.Right);
        Assert.Equal(new DurationSyntax(500, "ms"), s.Options[2].Value);
    }

    [Fact]
    public void Continuation_lines_join_the_statement_above()
    {
        var script = Script("estimate E[Y | do(X = 1)]\n  - E[Y | do(X = 0)]\n  in g\n  using d\n  with bootstrap = 10,\n       seed = 7\nshow g");
        Assert.Equal(2, script.Statements.Count);
        var e = Assert.IsType<EstimateStatementSyntax>(script.Statements[0]);
        Assert.IsType<BinarySyntax>(e.Query);
        Assert.Equal(N("g"), e.Graph);
        Assert.Equal(2, e.Options.Count);
    }

    [Fact]
    public void A_statement_continues_while_a_bracket_is_open()
    {
        var e = Assert.IsType<ExpressionStatementSyntax>(One("P(Y = 1 |\n  do(X = 1),\n  Z = 0)"));
        Assert.IsType<ProbabilitySyntax>(e.Expression);
    }

    [Theory]
    [InlineData("adjustment sets for X -> Y", AdjustmentMode.Minimal, null)]
    [InlineData("adjustment sets for X -> Y in g all", AdjustmentMode.All, "g")]
    [InlineData("adjustment sets for X -> Y optimal in g", AdjustmentMode.Optimal, "g")]
    [InlineData("adjustment sets for X -> Y in g canonical", AdjustmentMode.Canonical, "g")]
    public void Adjustment_sets(string text, AdjustmentMode mode, string? graph)
    {
        var s = Assert.IsType<AdjustmentSetsStatementSyntax>(One(text));
        Assert.Equal(mode, s.Mode);
        Assert.Equal(graph, s.Graph?.Text);
    }

    [Fact]
    public void Other_statements()
    {
        var script = Script("""
            adjustment sets for {X1, X2} -> Y in g
            instruments for X -> Y in g
            implications of g
            implications
            check g against d with alpha = 0.05
            show g as svg
            export g as dagitty to "out.txt"
            use g
            assume monotonicity(X -> Y)
            assume linear
            refute e with placebo, runs = 10
            plot bootstrap of e to "boot.svg"
            plot balance of e to "out/balance.png" with width = 800
            ask "does smoking cause cancer?"
            P(Y | do(X)) - P(Y)
            """);
        Assert.Equal(
            new StatementSyntax[]
            {
                new AdjustmentSetsStatementSyntax(Braced("X1", "X2"), G("Y"), N("g"), AdjustmentMode.Minimal, Seq<OptionSyntax>.Empty),
                new InstrumentsStatementSyntax(G("X"), G("Y"), N("g")),
                new ImplicationsStatementSyntax(N("g")),
                new ImplicationsStatementSyntax(null),
                new CheckStatementSyntax(N("g"), N("d"), Seq.Of(new OptionSyntax(N("alpha"), Num(0.05)))),
                new ShowStatementSyntax(N("g"), N("svg")),
                new ExportStatementSyntax(N("g"), N("dagitty"), "out.txt"),
                new UseStatementSyntax(N("g")),
                new AssumeStatementSyntax(N("monotonicity"), Seq.Of(G("X"), G("Y"))),
                new AssumeStatementSyntax(N("linear"), Seq<NodeGroupSyntax>.Empty),
                new RefuteStatementSyntax(N("e"), N("placebo"), Seq.Of(new OptionSyntax(N("runs"), Num(10)))),
                new PlotStatementSyntax(N("bootstrap"), N("e"), new StringSyntax("boot.svg"), Seq<OptionSyntax>.Empty),
                new PlotStatementSyntax(N("balance"), N("e"), new StringSyntax("out/balance.png"), Seq.Of(new OptionSyntax(N("width"), Num(800)))),
                new AskStatementSyntax("does smoking cause cancer?"),
                new ExpressionStatementSyntax(new BinarySyntax(BinaryOperator.Subtract,
                    new ProbabilitySyntax(Seq.Of(Ev("Y")), Seq.Of(A("X")), Seq<EventSyntax>.Empty),
                    new ProbabilitySyntax(Seq.Of(Ev("Y")), Seq<AssignmentSyntax>.Empty, Seq<EventSyntax>.Empty))),
            },
            script.Statements);
    }

    [Fact]
    public void Comments_and_blank_lines_are_ignored()
    {
        var script = Script("// a comment\n\n/* block\n comment */ use g // trailing\n;;\nuse h\n");
        Assert.Equal(2, script.Statements.Count);
    }

    [Fact]
    public void Empty_file_is_an_empty_script_without_diagnostics()
    {
        var result = CqlParser.Parse("");
        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Script.Statements);
        Assert.Empty(CqlParser.Parse("  \n// only a comment\n").Script.Statements);
    }

    [Fact]
    public void Spans_point_at_the_source()
    {
        const string text = "use g\nidentify P(Y | do(X)) in g";
        var script = Script(text);
        var identify = Assert.IsType<IdentifyStatementSyntax>(script.Statements[1]);
        TextSpan span = identify.Span;
        Assert.Equal("identify P(Y | do(X)) in g", text.Substring(span.Start, span.Length));
        TextSpan query = identify.Query.Span;
        Assert.Equal("P(Y | do(X))", text.Substring(query.Start, query.Length));
        TextSpan graph = identify.Graph!.Span;
        Assert.Equal(text.Length - 1, graph.Start);
    }

    [Fact]
    public void Keywords_can_name_variables_where_unambiguous()
    {
        var p = Assert.IsType<ProbabilitySyntax>(Expr("P(in = 1 | do(E))"));
        Assert.Equal("in", p.Events[0].Variable.Name.Text);
        Assert.Equal("E", p.Interventions[0].Variable.Text);
    }
}
