using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Tests.Binding;

/// <summary>
/// Builds syntax trees by hand over a source text, giving each node the span of its text: nodes
/// are created in reading order and each one is found after the previous, so positions in
/// diagnostics can be checked without the parser.
/// </summary>
public sealed class AstBuilder(string text, string file = "test.cql")
{
    int _cursor;
    public SourceText Source { get; } = new(text, file);

    TextSpan Find(string s)
    {
        var i = text.IndexOf(s, _cursor, StringComparison.Ordinal);
        // Names match whole words only, so "g" is not found inside "graph".
        static bool IsWord(char c) => char.IsLetterOrDigit(c) || c == '_';
        while (i >= 0 && ((IsWord(s[0]) && i > 0 && IsWord(text[i - 1])) || (IsWord(s[^1]) && i + s.Length < text.Length && IsWord(text[i + s.Length]))))
            i = text.IndexOf(s, i + 1, StringComparison.Ordinal);
        if (i < 0) throw new InvalidOperationException($"'{s}' not found after offset {_cursor} in: {text}");
        _cursor = i + s.Length;
        return new TextSpan(i, s.Length);
    }

    public NameSyntax Name(string s) => new(s) { Span = Find(s) };
    public NodeGroupSyntax Node(string s) { var n = Name(s); return new NodeGroupSyntax(Seq.Of(n), false) { Span = n.Span }; }
    public NodeGroupSyntax Group(params string[] names)
    {
        var start = _cursor;
        var ns = names.Select(Name).ToArray();
        return new NodeGroupSyntax(ns, true) { Span = TextSpan.FromBounds(start, _cursor) };
    }

    /// <summary>A chain of groups and arrows: Chain(Node("A"), EdgeKind.Directed, Node("B"), ...).</summary>
    public EdgeChainSyntax Chain(params object[] parts)
    {
        var groups = parts.OfType<NodeGroupSyntax>().ToArray();
        var arrows = parts.OfType<EdgeKind>().ToArray();
        return new EdgeChainSyntax(groups, arrows) { Span = ((TextSpan)groups[0].Span).Cover(groups[^1].Span) };
    }

    public NodeDeclarationSyntax NodeDecl(string name, params string[] attributes)
    {
        var n = Name(name);
        return new NodeDeclarationSyntax(n, attributes.Select(a => { var an = Name(a); return new AttributeSyntax(an, null) { Span = an.Span }; }).ToArray()) { Span = n.Span };
    }

    public GraphDeclarationSyntax GraphNamed(NameSyntax name, string? keyword, params GraphItemSyntax[] items) =>
        new(name, new GraphBlockSyntax(keyword, items) { Span = TextSpan.FromBounds(name.Span.Value.End, _cursor) })
        { Span = TextSpan.FromBounds(name.Span.Value.Start, _cursor) };

    public VariableSyntax Var(string name, params AssignmentSyntax[] subscript)
    {
        var n = Name(name);
        return new VariableSyntax(n, subscript) { Span = n.Span };
    }

    public VariableSyntax CfVar(NameSyntax name, params AssignmentSyntax[] subscript) =>
        new(name, subscript) { Span = TextSpan.FromBounds(name.Span.Value.Start, _cursor) };

    public NumberSyntax Num(string literal) => new(double.Parse(literal, System.Globalization.CultureInfo.InvariantCulture)) { Span = Find(literal) };
    public StringSyntax Str(string value) => new(value) { Span = Find("\"" + value + "\"") };

    public AssignmentSyntax Assign(string variable, string? number = null)
    {
        var n = Name(variable);
        ExpressionSyntax? v = number is null ? null : Num(number);
        return new AssignmentSyntax(n, v) { Span = TextSpan.FromBounds(n.Span.Value.Start, _cursor) };
    }

    public EventSyntax Event(VariableSyntax v, string? number = null)
    {
        ExpressionSyntax? value = number is null ? null : Num(number);
        return new EventSyntax(v, value) { Span = TextSpan.FromBounds(v.Span.Value.Start, _cursor) };
    }

    public EventSyntax Event(string variable, string? number = null) => Event(Var(variable), number);

    public int Mark(string s) => Find(s).Start;

    public T At<T>(T node, int start) where T : SyntaxNode => node with { Span = TextSpan.FromBounds(start, _cursor) };

    public static ScriptSyntax Script(params StatementSyntax[] statements) => new(statements);
}
