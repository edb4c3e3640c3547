namespace CausalQL.Syntax;

// The abstract syntax tree. Every node is an immutable record; lists are Seq<T> (value
// equality); positions are NodeSpan (ignored by equality). Names end in "Syntax" because these
// are what the user wrote; the binder turns them into semantic objects (CausalGraph, queries).
// Dispatch over them with switch expressions, not visitors.

/// <summary>Base of every syntax node.</summary>
public abstract record SyntaxNode
{
    public NodeSpan Span { get; init; }
}

/// <summary>A name as written: an identifier or a quoted name ("blood pressure"). Primes (x') belong to the name.</summary>
public sealed record NameSyntax(string Text) : SyntaxNode
{
    public override string ToString() => Text;
}

/// <summary>A whole script: its statements in order.</summary>
public sealed record ScriptSyntax(Seq<StatementSyntax> Statements) : SyntaxNode;

// ---------------------------------------------------------------- statements

public abstract record StatementSyntax : SyntaxNode;

/// <summary><c>graph g { ... }</c>, <c>graph g = dag { ... }</c> (DAGitty syntax) or <c>graph g = dagitty("file")</c>.</summary>
public sealed record GraphDeclarationSyntax(NameSyntax Name, GraphBodySyntax Body) : StatementSyntax;

public abstract record GraphBodySyntax : SyntaxNode;

/// <summary>A braced list of node declarations and edge chains. <paramref name="Keyword"/> is null for CausalQL's own
/// block and "dag"/"pdag"/"mag"/... for DAGitty's inline syntax.</summary>
public sealed record GraphBlockSyntax(string? Keyword, Seq<GraphItemSyntax> Items) : GraphBodySyntax;

/// <summary>A graph read from a file: <c>dagitty("model.txt")</c>.</summary>
public sealed record GraphImportSyntax(NameSyntax Format, string Path) : GraphBodySyntax;

public abstract record GraphItemSyntax : SyntaxNode;

/// <summary><c>U [latent]</c>, <c>x [exposure, pos="1,2"]</c>.</summary>
public sealed record NodeDeclarationSyntax(NameSyntax Name, Seq<AttributeSyntax> Attributes) : GraphItemSyntax;

/// <summary>A chain <c>Z -> {X, Y} <-> W</c>: Groups.Count == Arrows.Count + 1.</summary>
public sealed record EdgeChainSyntax(Seq<NodeGroupSyntax> Groups, Seq<EdgeKind> Arrows) : GraphItemSyntax
{
    /// <summary>DAGitty's edge attributes, <c>x -> y [pos="0.3,0.5"]</c> or <c>[beta=.3]</c>; empty for plain chains.
    /// Layout only for us, kept so an imported file can be exported back.</summary>
    public Seq<AttributeSyntax> Attributes { get; init; } = Seq<AttributeSyntax>.Empty;
}

/// <summary>A graph-level attribute line in DAGitty's syntax, e.g. <c>bb="-2,-2,2,2"</c> (the drawing's bounding box).</summary>
public sealed record GraphPropertySyntax(NameSyntax Name, string Value) : GraphItemSyntax;

/// <summary>One node or a braced group <c>{A, B}</c> (DAGitty also writes <c>{A B}</c>).</summary>
public sealed record NodeGroupSyntax(Seq<NameSyntax> Names, bool Braced) : SyntaxNode;

/// <summary><c>latent</c>, <c>pos="1,2"</c>.</summary>
public sealed record AttributeSyntax(NameSyntax Name, string? Value) : SyntaxNode;

public enum EdgeKind
{
    /// <summary><c>-&gt;</c></summary>
    Directed,
    /// <summary><c>&lt;-</c></summary>
    Reversed,
    /// <summary><c>&lt;-&gt;</c>: a latent common cause.</summary>
    Bidirected,
    /// <summary><c>--</c>: undirected (DAGitty PDAGs); rejected by the binder for causal graphs.</summary>
    Undirected,
}

/// <summary><c>data d = csv("file.csv")</c>, <c>parquet(...)</c>, <c>sql("conn", "query")</c>, <c>sample(m, n = 1000, seed = 1)</c>.</summary>
public sealed record DataDeclarationSyntax(NameSyntax Name, CallSyntax Source) : StatementSyntax;

/// <summary><c>model story on g { P(Z = 1) = 0.4 ... }</c>: a partly given distribution.</summary>
public sealed record ModelDeclarationSyntax(NameSyntax Name, NameSyntax? Graph, Seq<ModelEntrySyntax> Entries) : StatementSyntax
{
    /// <summary>The block contains <c>...</c>: the author marks the listing as deliberately incomplete. It changes
    /// nothing (a model is a partly given distribution anyway) but is kept so the printer reproduces it.</summary>
    public bool Elided { get; init; }
}

/// <summary><c>P(X = 1 | Z = 0) = 0.2</c> (or an expectation) inside a model block.</summary>
public sealed record ModelEntrySyntax(ExpressionSyntax Term, ExpressionSyntax Value) : SyntaxNode;

/// <summary><c>scm m { U ~ bernoulli(0.5); X := U; ... }</c>.</summary>
public sealed record ScmDeclarationSyntax(NameSyntax Name, Seq<ScmEquationSyntax> Equations) : StatementSyntax;

public abstract record ScmEquationSyntax(NameSyntax Variable) : SyntaxNode;

/// <summary><c>U ~ bernoulli(0.5)</c>: an exogenous noise term.</summary>
public sealed record NoiseEquationSyntax(NameSyntax Variable, ExpressionSyntax Distribution) : ScmEquationSyntax(Variable);

/// <summary><c>Y := X xor U</c>: a structural mechanism.</summary>
public sealed record MechanismEquationSyntax(NameSyntax Variable, ExpressionSyntax Value) : ScmEquationSyntax(Variable);

/// <summary><c>identify Q [in G] [explain] [verify] [with timeout = 2s]</c>.</summary>
public sealed record IdentifyStatementSyntax(ExpressionSyntax Query, NameSyntax? Graph, bool Explain, bool Verify, Seq<OptionSyntax> Options) : StatementSyntax;

/// <summary><c>estimate Q [in G] [using D] [with method = ipw, bootstrap = 1000, seed = 7]</c>; an optional label names the result for <c>refute</c>.</summary>
public sealed record EstimateStatementSyntax(NameSyntax? Label, ExpressionSyntax Query, NameSyntax? Graph, NameSyntax? Data, Seq<OptionSyntax> Options) : StatementSyntax;

public enum AdjustmentMode { Minimal, All, Optimal, Canonical }

/// <summary><c>adjustment sets for X -> Y [in G] [minimal|all|optimal|canonical] [with ...]</c>.</summary>
public sealed record AdjustmentSetsStatementSyntax(NodeGroupSyntax Exposures, NodeGroupSyntax Outcomes, NameSyntax? Graph, AdjustmentMode Mode, Seq<OptionSyntax> Options) : StatementSyntax;

/// <summary><c>instruments for X -> Y [in G]</c>.</summary>
public sealed record InstrumentsStatementSyntax(NodeGroupSyntax Exposures, NodeGroupSyntax Outcomes, NameSyntax? Graph) : StatementSyntax;

/// <summary><c>implications of G</c>.</summary>
public sealed record ImplicationsStatementSyntax(NameSyntax? Graph) : StatementSyntax;

/// <summary><c>check G against D</c>: test the graph's implications on data.</summary>
public sealed record CheckStatementSyntax(NameSyntax Graph, NameSyntax Data, Seq<OptionSyntax> Options) : StatementSyntax;

/// <summary><c>show G [as text|svg|png]</c>.</summary>
public sealed record ShowStatementSyntax(NameSyntax Target, NameSyntax? Format) : StatementSyntax;

/// <summary><c>export G as dot|dagitty|json [to "file"]</c>.</summary>
public sealed record ExportStatementSyntax(NameSyntax Target, NameSyntax Format, string? Path) : StatementSyntax;

/// <summary><c>use G</c> / <c>use D</c>: the default graph or data for later statements.</summary>
public sealed record UseStatementSyntax(NameSyntax Target) : StatementSyntax;

/// <summary><c>assume monotonicity(X -> Y)</c>, <c>assume linear</c>.</summary>
public sealed record AssumeStatementSyntax(NameSyntax Assumption, Seq<NodeGroupSyntax> Path) : StatementSyntax;

/// <summary><c>refute e with placebo|random_common_cause|subset [, k = v]</c>.</summary>
public sealed record RefuteStatementSyntax(NameSyntax Target, NameSyntax Method, Seq<OptionSyntax> Options) : StatementSyntax;

/// <summary><c>plot bootstrap|balance of e to "file.svg" [with width = 800, height = 500, bins = 40]</c>: a picture of a
/// labelled estimate's bootstrap distribution or covariate balance. The path is a <see cref="StringSyntax"/> so that
/// errors about it (extension, unwritable) point at it.</summary>
public sealed record PlotStatementSyntax(NameSyntax Kind, NameSyntax Target, StringSyntax Path, Seq<OptionSyntax> Options) : StatementSyntax;

/// <summary><c>ask "does smoking cause cancer?"</c>.</summary>
public sealed record AskStatementSyntax(string Question) : StatementSyntax;

/// <summary>A bare expression typed at the top level (in the REPL it is identified or evaluated).</summary>
public sealed record ExpressionStatementSyntax(ExpressionSyntax Expression) : StatementSyntax;

/// <summary><c>name = value</c> after <c>with</c>. Values: numbers, names, strings, durations (2s), formulas (~ a + b).</summary>
public sealed record OptionSyntax(NameSyntax Name, ExpressionSyntax Value) : SyntaxNode;

// ---------------------------------------------------------------- expressions

public abstract record ExpressionSyntax : SyntaxNode;

public sealed record NumberSyntax(double Value) : ExpressionSyntax;

public sealed record StringSyntax(string Value) : ExpressionSyntax;

/// <summary>A number with a unit: <c>2s</c>, <c>500ms</c>.</summary>
public sealed record DurationSyntax(double Value, string Unit) : ExpressionSyntax;

/// <summary>A variable, possibly counterfactual: <c>Y</c>, <c>Y[X = 1]</c>, <c>Y_{X=1}</c>.</summary>
public sealed record VariableSyntax(NameSyntax Name, Seq<AssignmentSyntax> Subscript) : ExpressionSyntax;

/// <summary><c>X = 1</c>, <c>X = x'</c>, or a bare <c>X</c> (Value null) inside do(), a subscript or a condition.</summary>
public sealed record AssignmentSyntax(NameSyntax Variable, ExpressionSyntax? Value) : SyntaxNode;

/// <summary>An event in a probability: a (counterfactual) variable with an optional value.</summary>
public sealed record EventSyntax(VariableSyntax Variable, ExpressionSyntax? Value) : SyntaxNode;

/// <summary><c>P(Y = 1, W | do(X = 1), Z = 0)</c>. Interventions and conditions keep their own lists.</summary>
public sealed record ProbabilitySyntax(Seq<EventSyntax> Events, Seq<AssignmentSyntax> Interventions, Seq<EventSyntax> Conditions) : ExpressionSyntax;

/// <summary><c>E[Y | do(X = 1)]</c>, <c>E[Y[X=1] - Y[X=0] | X = 1]</c>.</summary>
public sealed record ExpectationSyntax(ExpressionSyntax Target, Seq<AssignmentSyntax> Interventions, Seq<EventSyntax> Conditions) : ExpressionSyntax;

public enum EffectKind { ATE, ETT, NDE, NIE, CDE, TE, PN, PS, PNS }

/// <summary><c>ATE(X -> Y)</c>, <c>NDE(X -> M -> Y)</c>, <c>PN(X -> Y)</c>.</summary>
public sealed record EffectSyntax(EffectKind Kind, Seq<NodeGroupSyntax> Path, Seq<OptionSyntax> Options) : ExpressionSyntax;

/// <summary>Equal/NotEqual are written <c>==</c>/<c>!=</c> in expressions (a single <c>=</c> is an assignment or event); Interaction is <c>:</c> in formulas.</summary>
public enum BinaryOperator { Add, Subtract, Multiply, Divide, Power, And, Or, Xor, Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, Interaction }

public sealed record BinarySyntax(BinaryOperator Operator, ExpressionSyntax Left, ExpressionSyntax Right) : ExpressionSyntax;

public enum UnaryOperator { Negate, Not }

public sealed record UnarySyntax(UnaryOperator Operator, ExpressionSyntax Operand) : ExpressionSyntax;

/// <summary><c>bernoulli(0.5)</c>, <c>csv("f")</c>, <c>I(age^2)</c>, <c>sample(m, n = 100)</c>: positional then named arguments.</summary>
public sealed record CallSyntax(NameSyntax Function, Seq<ExpressionSyntax> Arguments, Seq<OptionSyntax> Named) : ExpressionSyntax;

/// <summary>A model formula in Wilkinson notation: <c>~ a + b + a:b</c>.</summary>
public sealed record FormulaSyntax(ExpressionSyntax? Response, ExpressionSyntax Terms) : ExpressionSyntax;

/// <summary>A parenthesised expression. The parser does not produce it (it drops grouping parentheses; the printer
/// adds them back by precedence, which keeps Parse(Print(ast)) == ast); it may be built by hand and prints as (inner).</summary>
public sealed record ParenthesizedSyntax(ExpressionSyntax Inner) : ExpressionSyntax;
