using System.Collections.Immutable;
using CausalQL.Graphs;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Counterfactuals;

/// <summary>
/// Turns a <c>model NAME on G { P(...) = ... }</c> block into a <see cref="GivenModel"/>, with
/// positioned diagnostics for: a term that is not a probability, an intervention inside a model
/// block, a variable not in the graph, a probability outside [0, 1], a value that is not a number,
/// the same term given twice with different values, and the levels of one conditional summing to
/// more than 1. <c>P(X)</c> without a value means P(X = 1), as CLadder writes it.
/// </summary>
public static class GivenModelTranslator
{
    public static (GivenModel? Model, ImmutableArray<Diagnostic> Diagnostics) Translate(ModelDeclarationSyntax declaration, CausalGraph graph, SourceText source)
    {
        var diagnostics = new DiagnosticBag();
        Location At(SyntaxNode n) => source.Location(n.Span);
        var entries = new List<GivenEntry>();
        var syntaxOf = new List<ModelEntrySyntax>();
        foreach (var entry in declaration.Entries)
        {
            if (Unwrap(entry.Term) is not ProbabilitySyntax p)
            {
                diagnostics.Error(At(entry.Term), "a model block states probabilities: expected P(...) = number");
                continue;
            }
            if (p.Interventions.Count > 0)
            {
                diagnostics.Error(At(p.Interventions[0]), "a model block states observational probabilities; do() belongs in queries");
                continue;
            }
            if (Number(entry.Value) is not { } value)
            {
                diagnostics.Error(At(entry.Value), "the value of a probability must be a number");
                continue;
            }
            var ok = true;
            Assignment Read(IEnumerable<EventSyntax> events)
            {
                var builder = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
                foreach (var e in events)
                {
                    var name = e.Variable.Name.Text;
                    if (e.Variable.Subscript.Count > 0) { diagnostics.Error(At(e.Variable), "a model block cannot state counterfactual probabilities"); ok = false; continue; }
                    if (!graph.Contains(name)) { diagnostics.Error(At(e.Variable), $"'{name}' is not a variable of the graph"); ok = false; continue; }
                    var level = e.Value is null ? 1 : Number(e.Value);
                    if (level is not { } l || l != Math.Floor(l) || l < 0) { diagnostics.Error(At(e), "a level must be a non-negative whole number"); ok = false; continue; }
                    builder[name] = (int)l;
                }
                return new Assignment(builder.ToImmutable());
            }
            var ev = Read(p.Events);
            var cond = Read(p.Conditions);
            if (!ok) continue;
            entries.Add(new GivenEntry(ev, cond, value));
            syntaxOf.Add(entry);
        }
        foreach (var (index, message) in GivenModel.Validate(entries))
            diagnostics.Error(At(syntaxOf[index].Value), message);
        return diagnostics.HasErrors ? (null, diagnostics.ToImmutable()) : (new GivenModel(graph, entries), diagnostics.ToImmutable());
    }

    static ExpressionSyntax Unwrap(ExpressionSyntax e) => e is ParenthesizedSyntax p ? Unwrap(p.Inner) : e;

    static double? Number(ExpressionSyntax e) => Unwrap(e) switch
    {
        NumberSyntax n => n.Value,
        UnarySyntax { Operator: UnaryOperator.Negate } u => -Number(u.Operand),
        BinarySyntax { Operator: BinaryOperator.Divide } b when Number(b.Left) is { } l && Number(b.Right) is { } r && r != 0 => l / r,
        _ => null,
    };
}
