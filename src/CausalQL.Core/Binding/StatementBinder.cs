using System.Collections.Immutable;
using CausalQL.Graphs;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Binding;

// Statements that ask something of a graph, data or a model.
public sealed partial class Binder
{
    /// <summary>
    /// The graph a statement works in: the one named, else the default set by <c>use</c>. A model
    /// declared <c>on g</c> and an SCM stand for their graphs. Null (with a diagnostic, or quietly
    /// when the graph's own declaration already failed) when there is none.
    /// </summary>
    GraphContext? ResolveGraph(NameSyntax? name, Location statement, string statementWord)
    {
        string text;
        Location where;
        if (name is not null) { text = name.Text; where = At(name); }
        else if (_symbols.DefaultGraph is { } fallback) { text = fallback; where = statement; }
        else
        {
            _diagnostics.ReportNoDefaultGraph(statement, statementWord);
            return null;
        }
        switch (_symbols.Lookup(text))
        {
            case GraphSymbol { HasErrors: true }: return null;
            case GraphSymbol g: return new GraphContext(g.Name, g.Graph, g);
            case ScmSymbol m: return new GraphContext(m.Name, m.Graph, m);
            case ModelSymbol { Graph: { HasErrors: true } }: return null;
            case ModelSymbol { Graph: { } g } model: return new GraphContext(model.Name, g.Graph, model);
            case ModelSymbol model:
                _diagnostics.Error(where, $"model '{model.Name}' has no graph; declare it as 'model {model.Name} on G {{ ... }}'");
                return null;
            case null:
                _diagnostics.ReportUnknownName(where, "graph", text, SuggestName(text, s => s is GraphSymbol or ScmSymbol or ModelSymbol));
                return null;
            case var other:
                _diagnostics.ReportWrongKind(where, text, "a graph, model or scm", other);
                return null;
        }
    }

    DataSymbol? ResolveData(NameSyntax? name, Location statement, string statementWord)
    {
        string text;
        Location where;
        if (name is not null) { text = name.Text; where = At(name); }
        else if (_symbols.DefaultData is { } fallback) { text = fallback; where = statement; }
        else
        {
            _diagnostics.ReportNoDefaultData(statement, statementWord);
            return null;
        }
        switch (_symbols.Lookup(text))
        {
            case DataSymbol d: return d;
            case null:
                _diagnostics.ReportUnknownName(where, "data", text, SuggestName(text, s => s is DataSymbol));
                return null;
            case var other:
                _diagnostics.ReportWrongKind(where, text, "data", other);
                return null;
        }
    }

    BoundStatement? BindIdentify(IdentifyStatementSyntax s)
    {
        var graph = ResolveGraph(s.Graph, At(s), "identify");
        if (graph is null) return null;
        var query = BindTopLevelQuery(s.Query, graph);
        var options = BindOptions(s.Options);
        if (!CheckOptionNames(s.Options, "identify", IdentifyOptionNames)) return null;
        return query is null ? null : new IdentifyStatement(query, graph, s.Explain, s.Verify, options, At(s));
    }

    BoundStatement? BindEstimate(EstimateStatementSyntax s)
    {
        var ok = true;
        if (s.Label is { } label && !CanDeclare(label)) ok = false;
        var data = ResolveData(s.Data, At(s), "estimate");
        GraphContext? graph = null;
        if (s.Graph is not null || _symbols.DefaultGraph is not null)
        {
            graph = ResolveGraph(s.Graph, At(s), "estimate");
            if (graph is null) return null;
        }
        var query = BindTopLevelQuery(s.Query, graph);
        var options = BindOptions(s.Options);
        if (query is null || data is null || !ok) return null;
        // A causal query has to be identified in a graph before data can answer it.
        if (graph is null && NeedsGraph(query))
        {
            _diagnostics.ReportNoDefaultGraph(At(s), $"estimate {query}");
            return null;
        }
        var symbol = s.Label is { } l ? new EstimateSymbol(l.Text, At(l)) : null;
        if (symbol is not null) _symbols = _symbols.Declare(symbol);
        return new EstimateStatement(s.Label?.Text, query, graph, data, options, At(s)) { Symbol = symbol };
    }

    static bool NeedsGraph(Query query) => query switch
    {
        ProbabilityQuery p => !p.Interventions.IsEmpty || p.IsCounterfactual,
        ExpectationQuery e => !e.Interventions.IsEmpty || e.IsCounterfactual,
        EffectQuery => true,
        ArithmeticQuery a => NeedsGraph(a.Left) || NeedsGraph(a.Right),
        NegateQuery n => NeedsGraph(n.Operand),
        VariableQuery v => v.IsCounterfactual,
        _ => false,
    };

    (VarSet Exposures, VarSet Outcomes)? BindExposureOutcome(NodeGroupSyntax exposures, NodeGroupSyntax outcomes, GraphContext graph, Location at, string statementWord)
    {
        var ok = true;
        var x = BindGroup(exposures, graph, ref ok);
        var y = BindGroup(outcomes, graph, ref ok);
        if (!ok) return null;
        if (x.Overlaps(y))
        {
            _diagnostics.ReportOverlappingRoles(at, statementWord, x.Intersect(y).First());
            return null;
        }
        return (x, y);
    }

    BoundStatement? BindAdjustmentSets(AdjustmentSetsStatementSyntax s)
    {
        var graph = ResolveGraph(s.Graph, At(s), "adjustment sets");
        if (graph is null) return null;
        var options = BindOptions(s.Options);
        if (!CheckOptionNames(s.Options, "adjustment sets", AdjustmentOptionNames)) return null;
        return BindExposureOutcome(s.Exposures, s.Outcomes, graph, At(s), "adjustment sets") is { } xy
            ? new AdjustmentSetsStatement(xy.Exposures, xy.Outcomes, graph, s.Mode, options, At(s))
            : null;
    }

    BoundStatement? BindInstruments(InstrumentsStatementSyntax s)
    {
        var graph = ResolveGraph(s.Graph, At(s), "instruments");
        if (graph is null) return null;
        return BindExposureOutcome(s.Exposures, s.Outcomes, graph, At(s), "instruments") is { } xy
            ? new InstrumentsStatement(xy.Exposures, xy.Outcomes, graph, At(s))
            : null;
    }

    BoundStatement? BindCheck(CheckStatementSyntax s)
    {
        var graph = ResolveGraph(s.Graph, At(s), "check");
        var data = ResolveData(s.Data, At(s), "check");
        var options = BindOptions(s.Options);
        return graph is null || data is null ? null : new CheckStatement(graph, data, options, At(s));
    }

    // Statements whose executor reads only these options; a misspelt option must not pass silently.
    static readonly string[] IdentifyOptionNames = ["timeout"];
    static readonly string[] AdjustmentOptionNames = ["timeout", "max"];

    bool CheckOptionNames(Seq<OptionSyntax> options, string statement, IReadOnlyList<string> allowed)
    {
        var ok = true;
        foreach (var option in options)
        {
            if (allowed.Contains(option.Name.Text, StringComparer.OrdinalIgnoreCase)) continue;
            _diagnostics.ReportUnknownOption(At(option), option.Name.Text, statement, allowed);
            ok = false;
        }
        return ok;
    }

    static readonly string[] ShowFormats = ["text", "svg", "png"];
    static readonly string[] ExportFormats = ["dot", "dagitty", "json"];

    BoundStatement? BindShow(ShowStatementSyntax s)
    {
        var format = s.Format?.Text.ToLowerInvariant() ?? "text";
        if (!ShowFormats.Contains(format))
        {
            _diagnostics.ReportUnknownFormat(At(s.Format!), "show", s.Format!.Text, "text, svg or png");
            return null;
        }
        var symbol = _symbols.Lookup(s.Target.Text);
        if (symbol is null)
        {
            _diagnostics.ReportUnknownName(At(s.Target), "name", s.Target.Text, SuggestName(s.Target.Text, _ => true));
            return null;
        }
        if (symbol is GraphSymbol { HasErrors: true }) return null;
        GraphContext? graph = symbol is GraphSymbol or ScmSymbol or ModelSymbol { Graph: not null }
            ? ResolveGraph(s.Target, At(s), "show")
            : null;
        if (format != "text" && graph is null)
        {
            _diagnostics.Error(At(s.Format!), $"only graphs can be drawn as {format}; '{symbol.Name}' is a {symbol.KindWord}");
            return null;
        }
        return new ShowStatement(symbol, graph, format, At(s));
    }

    BoundStatement? BindExport(ExportStatementSyntax s)
    {
        var format = s.Format.Text.ToLowerInvariant();
        if (!ExportFormats.Contains(format))
        {
            _diagnostics.ReportUnknownFormat(At(s.Format), "export", s.Format.Text, "dot, dagitty or json");
            return null;
        }
        var graph = ResolveGraph(s.Target, At(s), "export");
        return graph is null ? null : new ExportStatement(graph, format, s.Path, At(s));
    }

    BoundStatement? BindUse(UseStatementSyntax s)
    {
        switch (_symbols.Lookup(s.Target.Text))
        {
            case null:
                _diagnostics.ReportUnknownName(At(s.Target), "graph or data", s.Target.Text, SuggestName(s.Target.Text, x => x is not EstimateSymbol));
                return null;
            case DataSymbol d:
                _symbols = _symbols with { DefaultData = d.Name };
                return new UseStatement(d, At(s));
            case EstimateSymbol e:
                _diagnostics.ReportWrongKind(At(s.Target), e.Name, "a graph, model, scm or data", e);
                return null;
            case var graphLike:
                // A failed graph still becomes the default, so later statements stay quiet about it.
                _symbols = _symbols with { DefaultGraph = graphLike.Name };
                return graphLike is GraphSymbol { HasErrors: true } ? null : new UseStatement(graphLike, At(s));
        }
    }

    static readonly string[] KnownAssumptions = ["monotonicity", "linear", "positivity", "no_interference"];

    BoundStatement? BindAssume(AssumeStatementSyntax s)
    {
        var name = s.Assumption.Text.ToLowerInvariant();
        if (!KnownAssumptions.Contains(name))
        {
            _diagnostics.ReportUnknownName(At(s.Assumption), "assumption", s.Assumption.Text, Suggestions.Closest(name, KnownAssumptions));
            return null;
        }
        GraphContext? graph = null;
        if (!s.Path.IsEmpty && _symbols.DefaultGraph is not null)
        {
            graph = ResolveGraph(null, At(s), "assume");
            if (graph is null) return null;
        }
        var ok = true;
        var path = s.Path.Select(g => BindGroup(g, graph, ref ok)).ToImmutableArray();
        if (!ok) return null;
        var assumption = new Assumption(name, path);
        _symbols = _symbols with { Assumptions = _symbols.Assumptions.Add(assumption) };
        return new AssumeStatement(assumption, At(s));
    }

    static readonly string[] RefuteMethods = ["placebo", "random_common_cause", "subset"];

    BoundStatement? BindRefute(RefuteStatementSyntax s)
    {
        var method = s.Method.Text.ToLowerInvariant();
        var ok = true;
        if (!RefuteMethods.Contains(method))
        {
            _diagnostics.ReportUnknownName(At(s.Method), "refutation method", s.Method.Text, Suggestions.Closest(method, RefuteMethods));
            ok = false;
        }
        var options = BindOptions(s.Options);
        return LabelledEstimate(s.Target) is { } e && ok ? new RefuteStatement(e, method, options, At(s)) : null;
    }

    /// <summary>The estimate a refute or plot statement names, or null after reporting why it is not one.</summary>
    EstimateSymbol? LabelledEstimate(NameSyntax target)
    {
        switch (_symbols.Lookup(target.Text))
        {
            case EstimateSymbol e: return e;
            case null:
                _diagnostics.ReportUnknownName(At(target), "estimate", target.Text, SuggestName(target.Text, x => x is EstimateSymbol));
                return null;
            case var other:
                _diagnostics.ReportWrongKind(At(target), target.Text, "a labelled estimate", other);
                return null;
        }
    }

    static readonly string[] PlotKinds = ["bootstrap", "balance"];
    static readonly string[] PlotOptionNames = ["width", "height", "bins"];

    BoundStatement? BindPlot(PlotStatementSyntax s)
    {
        var ok = true;
        var kind = s.Kind.Text.ToLowerInvariant();
        if (!PlotKinds.Contains(kind))
        {
            var suggestion = Suggestions.Closest(kind, PlotKinds);
            _diagnostics.Error(At(s.Kind), $"unknown plot '{s.Kind.Text}': expected bootstrap or balance" + (suggestion is null ? "" : $"; did you mean '{suggestion}'?"));
            ok = false;
        }
        // The file's extension says what to draw: known before anything runs, so `cql check` reports it.
        var extension = System.IO.Path.GetExtension(s.Path.Value).TrimStart('.').ToLowerInvariant();
        if (extension is not ("png" or "svg"))
        {
            _diagnostics.Error(At(s.Path), extension.Length == 0
                ? $"plot needs a file name ending in .png or .svg, found \"{s.Path.Value}\""
                : $"plot draws .png or .svg files, not .{extension} (\"{s.Path.Value}\")");
            ok = false;
        }
        if (!CheckOptionNames(s.Options, "plot", PlotOptionNames)) ok = false;
        var options = BindOptions(s.Options);
        foreach (var option in s.Options)
        {
            var (name, low, high) = option.Name.Text.ToLowerInvariant() switch
            {
                "bins" => ("bins", 2, 500),
                "width" => ("width", 100, 8000),
                "height" => ("height", 100, 8000),
                _ => ("", 0, 0),
            };
            if (name.Length == 0) continue;
            if (options.Number(name) is not { } v || v != Math.Floor(v) || v < low || v > high)
            {
                _diagnostics.Error(At(option), $"plot option '{name}' must be a whole number from {low} to {high}");
                ok = false;
            }
        }
        return LabelledEstimate(s.Target) is { } e && ok ? new PlotStatement(kind, e, s.Path.Value, extension, options, At(s), At(s.Path)) : null;
    }

    BoundStatement? BindExpressionStatement(ExpressionStatementSyntax s)
    {
        GraphContext? graph = null;
        if (_symbols.DefaultGraph is not null)
        {
            graph = ResolveGraph(null, At(s), "a query");
            if (graph is null) return null;
        }
        else if (MentionsVariables(s.Expression))
        {
            _diagnostics.ReportNoDefaultGraph(At(s), "a query");
            return null;
        }
        var query = BindTopLevelQuery(s.Expression, graph);
        return query is null ? null : new QueryStatement(query, graph, At(s)) { Assumptions = _symbols.Assumptions };
    }

    static bool MentionsVariables(ExpressionSyntax e) => e switch
    {
        ProbabilitySyntax or ExpectationSyntax or EffectSyntax or VariableSyntax => true,
        BinarySyntax b => MentionsVariables(b.Left) || MentionsVariables(b.Right),
        UnarySyntax u => MentionsVariables(u.Operand),
        ParenthesizedSyntax p => MentionsVariables(p.Inner),
        _ => false,
    };
}
