using CausalQL.Binding;
using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Tests.Sessions;

public class SessionTests
{
    static Session NewSession(Dictionary<string, string>? files = null) =>
        new(new SessionPorts(new InMemoryFileReader(files ?? [])));

    static RunResult Run(Session session, string text) => session.Run(new SourceText(text, "<test>"));

    [Fact]
    public void Declarations_persist_across_runs()
    {
        var session = NewSession();
        Assert.False(Run(session, "graph g { Z -> X -> Y\n Z -> Y }").HasErrors);
        Assert.False(Run(session, "use g").HasErrors);
        var result = Run(session, "adjustment sets for X -> Y");
        Assert.False(result.HasErrors);
        var answer = Assert.Single(result.Results);
        Assert.Equal("adjustment_sets", answer.Kind);
        Assert.Equal("adjustment_sets", answer.Json["kind"]!.GetValue<string>());
        Assert.Equal("[[\"Z\"]]", answer.Json["sets"]!.ToJsonString());
    }

    [Fact]
    public void Reset_forgets_declarations_and_defaults()
    {
        var session = NewSession();
        Run(session, "graph g { X -> Y }\nuse g");
        session.Reset();
        var result = Run(session, "implications of g");
        Assert.Equal("unknown graph 'g'", Assert.Single(result.Diagnostics).Message);
        Assert.Equal(SymbolTable.Empty, session.Symbols);
    }

    [Fact]
    public void Check_binds_without_executing_or_changing_state()
    {
        var session = NewSession();
        var result = session.Check(new SourceText("graph g { X -> Y }\nidentify P(Y | do(X)) in g", "<test>"));
        Assert.Empty(result.Results);
        Assert.Empty(result.Diagnostics);
        Assert.Null(session.Symbols.Lookup("g"));
    }

    [Fact]
    public void Every_result_json_has_its_kind_first()
    {
        var session = NewSession();
        var result = Run(session, "graph g { Z -> X -> Y; Z -> Y; X <-> W; W -> Y }\nuse g\nshow g\nexport g as json\nimplications of g\n"
            + "adjustment sets for X -> Y\ninstruments for X -> Y\nidentify P(Y | do(X))\nassume monotonicity(X -> Y)");
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        Assert.Equal(["graph", "use", "show", "export", "implications", "adjustment_sets", "instruments", "identification", "assume"],
            result.Results.Select(r => r.Kind).ToArray());
        foreach (var r in result.Results)
            Assert.StartsWith($"{{\"kind\":\"{r.Kind}\"", r.JsonLine);
    }

    [Fact]
    public void Identify_answers_the_front_door_graph()
    {
        var session = NewSession();
        var result = Run(session, "graph fd { X -> M -> Y; X <-> Y }\nidentify P(Y | do(X)) in fd");
        var answer = result.Results.Last();
        Assert.Equal("identification", answer.Kind);
        Assert.True(answer.Json["identifiable"]!.GetValue<bool>());
        Assert.Contains("P(M | X)", answer.Text);
    }

    [Fact]
    public void Identify_reports_a_hedge_for_the_bow_graph()
    {
        var result = Run(NewSession(), "graph bow { X -> Y; X <-> Y }\nidentify P(Y | do(X)) in bow");
        var answer = result.Results.Last();
        Assert.False(answer.Json["identifiable"]!.GetValue<bool>());
        Assert.Contains("not identifiable", answer.Text);
    }

    [Fact]
    public void Parse_errors_appear_in_source_order_among_results()
    {
        var result = Run(NewSession(), "graph a { X -> Y }\ngraph b { X => Y }\ngraph c { X -> Y }");
        var order = result.Entries.Select(e => e switch
        {
            ResultEntry r => r.Result.Text[..7],
            DiagnosticEntry d => "error@" + d.Diagnostic.Location.Line,
            _ => "?",
        }).ToArray();
        Assert.Equal(["graph a", "error@2", "graph c"], order);
    }

    [Fact]
    public void A_data_declaration_checks_the_file_through_the_port()
    {
        var session = NewSession(new() { ["here.csv"] = "X,Y\n1,0\n" });
        Assert.False(Run(session, "data d = csv(\"here.csv\")").HasErrors);
        var missing = Run(session, "data e = csv(\"gone.csv\")");
        Assert.Equal("cannot read 'gone.csv': no such file", Assert.Single(missing.Diagnostics).Message);
    }

    [Fact]
    public void Estimate_without_a_data_port_says_so()
    {
        var session = NewSession(new() { ["d.csv"] = "X,Y\n" });
        var result = Run(session, "graph g { X -> Y }\ndata d = csv(\"d.csv\")\nestimate ATE(X -> Y) in g using d");
        Assert.Contains("needs access to data", Assert.Single(result.Diagnostics).Message);
    }

    [Fact]
    public void A_dagitty_file_is_imported_through_the_port()
    {
        var session = NewSession(new() { ["m.txt"] = "dag { x [exposure] y [outcome] z -> {x y} x -> y }" });
        var result = Run(session, "graph h = dagitty(\"m.txt\")\nadjustment sets for x -> y in h");
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        Assert.Equal("[[\"z\"]]", result.Results.Last().Json["sets"]!.ToJsonString());
    }
}
