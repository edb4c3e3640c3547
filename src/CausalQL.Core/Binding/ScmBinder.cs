using CausalQL.Graphs;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Binding;

// SCMs: check that every equation names variables the SCM defines, and derive the causal graph
// the equations imply (an edge from each variable a mechanism reads; noise terms as latent nodes).
public sealed partial class Binder
{
    BoundStatement? BindScmDeclaration(ScmDeclarationSyntax s)
    {
        if (!CanDeclare(s.Name)) return null;
        var defined = new Dictionary<string, ScmEquationSyntax>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var equation in s.Equations)
        {
            if (defined.ContainsKey(equation.Variable.Text))
            {
                _diagnostics.ReportScm(At(equation.Variable), $"'{equation.Variable.Text}' is defined twice in scm '{s.Name.Text}'");
                continue;
            }
            defined[equation.Variable.Text] = equation;
            order.Add(equation.Variable.Text);
        }
        var noise = VarSet.From(defined.Values.OfType<NoiseEquationSyntax>().Select(e => e.Variable.Text));
        var endogenous = VarSet.From(defined.Values.OfType<MechanismEquationSyntax>().Select(e => e.Variable.Text));
        var edges = new List<(string, string)>();
        var edgeSpans = new Dictionary<(string, string), TextSpan>();
        foreach (var equation in s.Equations)
        {
            if (!ReferenceEquals(defined.GetValueOrDefault(equation.Variable.Text), equation)) continue;
            var body = equation switch
            {
                NoiseEquationSyntax n => n.Distribution,
                MechanismEquationSyntax m => m.Value,
                _ => throw new System.Diagnostics.UnreachableException(),
            };
            foreach (var reference in References(body))
            {
                if (!defined.ContainsKey(reference.Text))
                {
                    _diagnostics.ReportScm(At(reference),
                        $"scm '{s.Name.Text}' does not define '{reference.Text}'{DidYouMean(Suggestions.Closest(reference.Text, order))}");
                    continue;
                }
                if (equation is NoiseEquationSyntax)
                {
                    _diagnostics.ReportScm(At(reference),
                        $"noise term '{equation.Variable.Text}' depends on '{reference.Text}'; a variable that depends on others is written '{equation.Variable.Text} := ...'");
                    continue;
                }
                edges.Add((reference.Text, equation.Variable.Text));
                edgeSpans.TryAdd((reference.Text, equation.Variable.Text), reference.Span);
            }
        }
        var roles = noise.ToDictionary(n => n, _ => NodeRole.Latent, StringComparer.Ordinal);
        var graph = CausalGraph.Create(order, edges, [], roles);
        if (graph.FindCycle() is { } cycle)
        {
            var span = Enumerable.Range(0, cycle.Length - 1)
                .Select(i => edgeSpans.TryGetValue((cycle[i], cycle[i + 1]), out var sp) ? sp : (TextSpan)s.Name.Span)
                .MaxBy(sp => sp.Start);
            _diagnostics.ReportCycle(At(span), s.Name.Text, cycle);
        }
        var symbol = new ScmSymbol(s.Name.Text, s, noise, endogenous, graph, At(s.Name)) { Source = _source };
        _symbols = _symbols.Declare(symbol);
        return new ScmDeclaration(symbol, At(s));
    }

    static string DidYouMean(string? suggestion) => suggestion is null ? "" : $"; did you mean '{suggestion}'?";

    /// <summary>The variable names an equation's right-hand side reads (function names are not variables).</summary>
    static IEnumerable<NameSyntax> References(ExpressionSyntax e)
    {
        var stack = new Stack<ExpressionSyntax>();
        stack.Push(e);
        // Iterative walk: a generated SCM may nest deeply.
        while (stack.Count > 0)
        {
            switch (stack.Pop())
            {
                case VariableSyntax v:
                    yield return v.Name;
                    foreach (var a in v.Subscript) if (a.Value is { } value) stack.Push(value);
                    break;
                case BinarySyntax b: stack.Push(b.Right); stack.Push(b.Left); break;
                case UnarySyntax u: stack.Push(u.Operand); break;
                case ParenthesizedSyntax p: stack.Push(p.Inner); break;
                case CallSyntax c:
                    for (var i = c.Arguments.Count - 1; i >= 0; i--) stack.Push(c.Arguments[i]);
                    foreach (var n in c.Named) stack.Push(n.Value);
                    break;
                case FormulaSyntax f:
                    stack.Push(f.Terms);
                    if (f.Response is { } r) stack.Push(r);
                    break;
            }
        }
    }
}
