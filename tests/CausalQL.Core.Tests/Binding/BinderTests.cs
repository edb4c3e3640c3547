using CausalQL.Binding;
using CausalQL.Graphs;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Tests.Binding;

public class BinderTests
{
    static ScriptBinding Bind(AstBuilder b, params StatementSyntax[] statements) =>
        Binder.BindScript(AstBuilder.Script(statements), SymbolTable.Empty, b.Source);

    static Diagnostic SingleError(ScriptBinding binding) => Assert.Single(binding.Diagnostics, d => d.IsError);

    [Fact]
    public void Graph_block_binds_chains_fan_out_bidirected_and_roles()
    {
        const string text = "graph g { Z -> X -> Y\n Z -> {X, Y}\n X <-> Y\n U [latent]\n Y <- W }";
        var b = new AstBuilder(text);
        var name = b.Name("g");
        var chain1 = b.Chain(b.Node("Z"), EdgeKind.Directed, b.Node("X"), EdgeKind.Directed, b.Node("Y"));
        var chain2 = b.Chain(b.Node("Z"), EdgeKind.Directed, b.Group("X", "Y"));
        var chain3 = b.Chain(b.Node("X"), EdgeKind.Bidirected, b.Node("Y"));
        var u = b.NodeDecl("U", "latent");
        var chain4 = b.Chain(b.Node("Y"), EdgeKind.Reversed, b.Node("W"));
        var binding = Bind(b, b.GraphNamed(name, null, chain1, chain2, chain3, u, chain4));

        Assert.Empty(binding.Diagnostics);
        var graph = Assert.IsType<GraphSymbol>(binding.Symbols.Lookup("g")).Graph;
        Assert.Equal(["Z", "X", "Y", "U", "W"], graph.Nodes.ToArray());
        Assert.Equal(
            new[] { ("Z", "X"), ("X", "Y"), ("Z", "Y"), ("W", "Y") }.OrderBy(e => e).ToList(),
            graph.Directed.OrderBy(e => e).ToList());
        Assert.Equal([("X", "Y")], graph.Bidirected.ToArray());
        Assert.Equal(VarSet.Of("U"), graph.Latents);
    }

    [Fact]
    public void A_directed_cycle_is_named_and_points_at_the_edge_that_closes_it()
    {
        const string text = "graph g {\n  A -> B\n  B -> C\n  C -> A\n}";
        var b = new AstBuilder(text);
        var name = b.Name("g");
        var e1 = b.Chain(b.Node("A"), EdgeKind.Directed, b.Node("B"));
        var e2 = b.Chain(b.Node("B"), EdgeKind.Directed, b.Node("C"));
        var e3 = b.Chain(b.Node("C"), EdgeKind.Directed, b.Node("A"));
        var binding = Bind(b, b.GraphNamed(name, null, e1, e2, e3));

        var error = SingleError(binding);
        Assert.Contains("directed cycle: A -> B -> C -> A", error.Message);
        Assert.Equal((4, 3), (error.Location.Line, error.Location.Column));
        Assert.Equal(6, error.Location.Span.Length); // "C -> A"
        Assert.Null(binding.Statements[0]);
        Assert.True(Assert.IsType<GraphSymbol>(binding.Symbols.Lookup("g")).HasErrors);
    }

    [Fact]
    public void A_self_loop_is_a_cycle()
    {
        var b = new AstBuilder("graph g { A -> A }");
        var name = b.Name("g");
        var binding = Bind(b, b.GraphNamed(name, null, b.Chain(b.Node("A"), EdgeKind.Directed, b.Node("A"))));
        Assert.Contains("A -> A", SingleError(binding).Message);
    }

    [Fact]
    public void An_undirected_edge_is_an_error_in_a_causal_graph()
    {
        var b = new AstBuilder("graph g = dag { a -- b }");
        var name = b.Name("g");
        var binding = Bind(b, b.GraphNamed(name, "dag", b.Chain(b.Node("a"), EdgeKind.Undirected, b.Node("b"))));
        var error = SingleError(binding);
        Assert.Contains("undirected edge 'a -- b'", error.Message);
        Assert.Equal(17, error.Location.Column);
    }

    [Fact]
    public void A_pdag_is_rejected_with_a_reason()
    {
        var b = new AstBuilder("graph g = pdag { a -> b }");
        var name = b.Name("g");
        var binding = Bind(b, b.GraphNamed(name, "pdag", b.Chain(b.Node("a"), EdgeKind.Directed, b.Node("b"))));
        Assert.Contains("'pdag' graph is not a causal DAG", SingleError(binding).Message);
    }

    [Fact]
    public void DAGitty_attributes_set_roles_and_layout_attributes_are_ignored()
    {
        var b = new AstBuilder("graph d = dag { x [exposure, pos] y [outcome] u [latent] z [adjusted] u -> {z y} }");
        var name = b.Name("d");
        var x = b.NodeDecl("x", "exposure", "pos");
        var y = b.NodeDecl("y", "outcome");
        var u = b.NodeDecl("u", "latent");
        var z = b.NodeDecl("z", "adjusted");
        var chain = b.Chain(b.Node("u"), EdgeKind.Directed, b.Group("z", "y"));
        var binding = Bind(b, b.GraphNamed(name, "dag", x, y, u, z, chain));
        Assert.Empty(binding.Diagnostics);
        var g = ((GraphSymbol)binding.Symbols.Lookup("d")!).Graph;
        Assert.Equal(NodeRole.Exposure, g.RoleOf("x"));
        Assert.Equal(NodeRole.Outcome, g.RoleOf("y"));
        Assert.Equal(NodeRole.Latent, g.RoleOf("u"));
        Assert.Equal(NodeRole.Adjusted, g.RoleOf("z"));
    }

    // A small graph and a query over it, built over one text: "graph g { X -> Y } <query>".
    static (AstBuilder B, GraphDeclarationSyntax Graph) XyGraph(string rest)
    {
        var b = new AstBuilder("graph g { Z -> X -> Y }\n" + rest);
        var name = b.Name("g");
        var graph = b.GraphNamed(name, null, b.Chain(b.Node("Z"), EdgeKind.Directed, b.Node("X"), EdgeKind.Directed, b.Node("Y")));
        return (b, graph);
    }

    [Fact]
    public void A_probability_query_keeps_outcomes_interventions_conditions_and_values()
    {
        var (b, graph) = XyGraph("identify P(Y = 1 | do(X = 1), Z = 0) in g");
        var start = b.Mark("identify");
        var y = b.Event("Y", "1");
        var x = b.Assign("X", "1");
        var z = b.Event("Z", "0");
        var p = b.At(new ProbabilitySyntax(Seq.Of(y), Seq.Of(x), Seq.Of(z)), start);
        var g = b.Name("g");
        var binding = Bind(b, graph, b.At(new IdentifyStatementSyntax(p, g, false, false, Seq<OptionSyntax>.Empty), start));

        Assert.Empty(binding.Diagnostics);
        var identify = Assert.IsType<IdentifyStatement>(binding.Statements[1]);
        var expected = new ProbabilityQuery(
            Seq.Of(new QueryEvent(new CfVariable("Y", Seq<Intervention>.Empty), new NumberValue(1))),
            Seq.Of(new Intervention("X", new NumberValue(1))),
            Seq.Of(new QueryEvent(new CfVariable("Z", Seq<Intervention>.Empty), new NumberValue(0))));
        Assert.Equal(expected, identify.Query);
        Assert.Equal("P(Y = 1 | do(X = 1), Z = 0)", identify.Query.ToString());
        Assert.False(identify.Query.IsCounterfactual);
        Assert.Equal("g", identify.Graph.Name);
    }

    [Fact]
    public void An_unknown_variable_in_a_query_is_reported_with_a_suggestion()
    {
        var (b, graph) = XyGraph("identify P(Yy | do(X)) in g");
        var start = b.Mark("identify");
        var p = b.At(new ProbabilitySyntax(Seq.Of(b.Event("Yy")), Seq.Of(b.Assign("X")), Seq<EventSyntax>.Empty), start);
        var binding = Bind(b, graph, b.At(new IdentifyStatementSyntax(p, b.Name("g"), false, false, Seq<OptionSyntax>.Empty), start));

        var error = SingleError(binding);
        Assert.Equal("unknown variable 'Yy': graph 'g' has no such node", error.Message);
        Assert.Equal((2, 12), (error.Location.Line, error.Location.Column));
        Assert.Null(binding.Statements[1]);
    }

    [Fact]
    public void Do_on_a_variable_not_in_the_graph_is_reported()
    {
        var (b, graph) = XyGraph("identify P(Y | do(W)) in g");
        var start = b.Mark("identify");
        var p = b.At(new ProbabilitySyntax(Seq.Of(b.Event("Y")), Seq.Of(b.Assign("W")), Seq<EventSyntax>.Empty), start);
        var binding = Bind(b, graph, b.At(new IdentifyStatementSyntax(p, b.Name("g"), false, false, Seq<OptionSyntax>.Empty), start));
        var error = SingleError(binding);
        Assert.StartsWith("do(W) intervenes on 'W', which is not a node of graph 'g'", error.Message);
        Assert.Equal((2, 19), (error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void A_counterfactual_subscript_on_an_unknown_variable_is_reported()
    {
        var (b, graph) = XyGraph("identify P(Y[Q = 1] = 1 | X = 0) in g");
        var start = b.Mark("identify");
        var yName = b.Name("Y");
        var sub = b.Assign("Q", "1");
        var cf = b.CfVar(yName, sub);
        var ev = b.Event(cf, "1");
        var cond = b.Event("X", "0");
        var p = b.At(new ProbabilitySyntax(Seq.Of(ev), Seq<AssignmentSyntax>.Empty, Seq.Of(cond)), start);
        var binding = Bind(b, graph, b.At(new IdentifyStatementSyntax(p, b.Name("g"), false, false, Seq<OptionSyntax>.Empty), start));
        var error = SingleError(binding);
        Assert.StartsWith("counterfactual subscript names 'Q', which is not a node of graph 'g'", error.Message);
        Assert.Equal((2, 14), (error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void A_counterfactual_query_binds_with_its_subscript()
    {
        var (b, graph) = XyGraph("P(Y[X = 1] = 1 | X = 0)");
        var start = b.Mark("P(");
        var cf = b.CfVar(b.Name("Y"), b.Assign("X", "1"));
        var p = b.At(new ProbabilitySyntax(Seq.Of(b.Event(cf, "1")), Seq<AssignmentSyntax>.Empty, Seq.Of(b.Event("X", "0"))), start);
        var binding = Binder.BindScript(AstBuilder.Script(graph, new UseStatementSyntax(new NameSyntax("g")), new ExpressionStatementSyntax(p)),
            SymbolTable.Empty, b.Source);
        Assert.Empty(binding.Diagnostics);
        var q = Assert.IsType<QueryStatement>(binding.Statements[2]).Query;
        Assert.True(q.IsCounterfactual);
        Assert.Equal("P(Y[X = 1] = 1 | X = 0)", q.ToString());
    }

    [Fact]
    public void A_duplicate_declaration_names_the_first_one()
    {
        var b = new AstBuilder("graph g { A -> B }\ngraph g { B -> A }");
        var g1 = b.GraphNamed(b.Name("g"), null, b.Chain(b.Node("A"), EdgeKind.Directed, b.Node("B")));
        var g2 = b.GraphNamed(b.Name("g"), null, b.Chain(b.Node("B"), EdgeKind.Directed, b.Node("A")));
        var binding = Bind(b, g1, g2);
        var error = SingleError(binding);
        Assert.Equal("'g' is already declared as a graph at test.cql:1:7", error.Message);
        Assert.Equal((2, 7), (error.Location.Line, error.Location.Column));
        Assert.True(((GraphSymbol)binding.Symbols.Lookup("g")!).Graph.HasEdge("A", "B"));
    }

    [Fact]
    public void An_unknown_graph_name_gets_a_suggestion()
    {
        var (b, graph) = XyGraph("implications of gg");
        b.Mark("implications");
        var binding = Bind(b, graph, new ImplicationsStatementSyntax(b.Name("gg")));
        Assert.Equal("unknown graph 'gg'", SingleError(binding).Message);
    }

    [Fact]
    public void Without_a_graph_a_query_asks_for_use()
    {
        var b = new AstBuilder("adjustment sets for X -> Y");
        var s = new AdjustmentSetsStatementSyntax(b.Node("X"), b.Node("Y"), null, AdjustmentMode.Minimal, Seq<OptionSyntax>.Empty);
        var binding = Bind(b, s);
        Assert.Contains("needs a graph: add 'in G' or declare the default first with 'use G'", SingleError(binding).Message);
    }

    [Fact]
    public void Use_sets_the_default_graph_for_later_statements()
    {
        var (b, graph) = XyGraph("use g\nadjustment sets for X -> Y");
        var use = new UseStatementSyntax(b.Name("g"));
        b.Mark("adjustment");
        var adj = new AdjustmentSetsStatementSyntax(b.Node("X"), b.Node("Y"), null, AdjustmentMode.All, Seq<OptionSyntax>.Empty);
        var binding = Bind(b, graph, use, adj);
        Assert.Empty(binding.Diagnostics);
        var bound = Assert.IsType<AdjustmentSetsStatement>(binding.Statements[2]);
        Assert.Equal(VarSet.Of("X"), bound.Exposures);
        Assert.Equal(VarSet.Of("Y"), bound.Outcomes);
        Assert.Equal("g", bound.Graph.Name);
    }

    [Fact]
    public void Statements_on_a_broken_graph_stay_quiet()
    {
        var b = new AstBuilder("graph g { A -> A }\nimplications of g");
        var g = b.GraphNamed(b.Name("g"), null, b.Chain(b.Node("A"), EdgeKind.Directed, b.Node("A")));
        var binding = Bind(b, g, new ImplicationsStatementSyntax(b.Name("g")));
        Assert.Single(binding.Diagnostics);
    }

    [Fact]
    public void A_missing_data_file_is_reported_at_the_string()
    {
        var b = new AstBuilder("data d = csv(\"nope.csv\")");
        var name = b.Name("d");
        var csv = b.Name("csv");
        var call = new CallSyntax(csv, Seq.Of<ExpressionSyntax>(b.Str("nope.csv")), Seq<OptionSyntax>.Empty);
        var binding = Binder.BindScript(AstBuilder.Script(new DataDeclarationSyntax(name, call)), SymbolTable.Empty, b.Source,
            new InMemoryFileReader(new Dictionary<string, string>()));
        var error = SingleError(binding);
        Assert.Equal("cannot read 'nope.csv': no such file", error.Message);
        Assert.Equal(14, error.Location.Column);
    }

    [Fact]
    public void Effect_sugar_checks_its_path()
    {
        var (b, graph) = XyGraph("use g\nNDE(X -> Y)\nATE(X -> Y)");
        var use = new UseStatementSyntax(b.Name("g"));
        var nde = new EffectSyntax(EffectKind.NDE, Seq.Of(b.Node("X"), b.Node("Y")), Seq<OptionSyntax>.Empty);
        var ate = new EffectSyntax(EffectKind.ATE, Seq.Of(b.Node("X"), b.Node("Y")), Seq<OptionSyntax>.Empty);
        var binding = Bind(b, graph, use, new ExpressionStatementSyntax(nde), new ExpressionStatementSyntax(ate));
        Assert.Contains("NDE needs a path 'X -> M -> Y'", SingleError(binding).Message);
        var q = Assert.IsType<EffectQuery>(Assert.IsType<QueryStatement>(binding.Statements[3]).Query);
        Assert.Equal(VarSet.Of("X"), q.Exposure);
        Assert.Equal(VarSet.Of("Y"), q.Outcome);
        Assert.False(q.IsCounterfactual);
    }

    [Fact]
    public void A_bare_variable_is_not_a_query()
    {
        var (b, graph) = XyGraph("identify Y in g");
        var binding = Bind(b, graph, new IdentifyStatementSyntax(b.Var("Y"), b.Name("g"), false, false, Seq<OptionSyntax>.Empty));
        Assert.StartsWith("expected a query such as P(Y | do(X))", SingleError(binding).Message);
    }

    [Fact]
    public void An_scm_implies_a_graph_with_noise_as_latent_nodes()
    {
        var b = new AstBuilder("scm m { U ~ bernoulli(0.5); X := U; Y := X xor U }");
        var name = b.Name("m");
        var u = new NoiseEquationSyntax(b.Name("U"), new CallSyntax(b.Name("bernoulli"), Seq.Of<ExpressionSyntax>(b.Num("0.5")), Seq<OptionSyntax>.Empty));
        var x = new MechanismEquationSyntax(b.Name("X"), b.Var("U"));
        var yName = b.Name("Y");
        var y = new MechanismEquationSyntax(yName, new BinarySyntax(BinaryOperator.Xor, b.Var("X"), b.Var("U")));
        var binding = Bind(b, new ScmDeclarationSyntax(name, Seq.Of<ScmEquationSyntax>(u, x, y)));
        Assert.Empty(binding.Diagnostics);
        var scm = Assert.IsType<ScmSymbol>(binding.Symbols.Lookup("m"));
        Assert.Equal(VarSet.Of("U"), scm.Noise);
        Assert.True(scm.Graph.HasEdge("X", "Y"));
        Assert.True(scm.Graph.HasEdge("U", "Y"));
        Assert.True(scm.Graph.ProjectLatents().HasBidirected("X", "Y"));
    }

    [Fact]
    public void An_scm_equation_reading_an_undefined_name_is_reported()
    {
        var b = new AstBuilder("scm m { X := Uu; U ~ bernoulli(0.5) }");
        var name = b.Name("m");
        var x = new MechanismEquationSyntax(b.Name("X"), b.Var("Uu"));
        var u = new NoiseEquationSyntax(b.Name("U"), new CallSyntax(b.Name("bernoulli"), Seq.Of<ExpressionSyntax>(b.Num("0.5")), Seq<OptionSyntax>.Empty));
        var binding = Bind(b, new ScmDeclarationSyntax(name, Seq.Of<ScmEquationSyntax>(x, u)));
        var error = SingleError(binding);
        Assert.Equal("scm 'm' does not define 'Uu'", error.Message);
        Assert.Equal(14, error.Location.Column);
    }

    [Fact]
    public void A_model_entry_outside_zero_one_is_not_a_probability()
    {
        var (b, graph) = XyGraph("model s on g { P(Z = 1) = 1.5 }");
        var name = b.Name("s");
        var on = b.Name("g");
        var term = new ProbabilitySyntax(Seq.Of(b.Event("Z", "1")), Seq<AssignmentSyntax>.Empty, Seq<EventSyntax>.Empty);
        var model = new ModelDeclarationSyntax(name, on, Seq.Of(new ModelEntrySyntax(term, b.Num("1.5"))));
        var binding = Bind(b, graph, model);
        Assert.Contains("is not a probability", SingleError(binding).Message);
    }

    [Theory]
    [InlineData("Smokng", "Smoking")]
    [InlineData("cancer", "Cancer")]
    [InlineData("Xyzzy", null)]
    public void Suggestions_find_close_names(string typed, string? expected) =>
        Assert.Equal(expected, Suggestions.Closest(typed, ["Smoking", "Tar", "Cancer"]));
}
