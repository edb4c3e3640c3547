using CausalQL.Graphs;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Binding;

// Bound statements: a statement with every name resolved to a symbol. The session executes these;
// Location is where the statement starts, for diagnostics raised while executing it.

public abstract record BoundStatement(Location Location);

/// <summary>
/// The graph a query or graph statement works in: a declared graph, or the graph of a model
/// (<c>model m on g</c>) or an SCM. Source is the symbol that was named.
/// </summary>
public sealed record GraphContext(string Name, CausalGraph Graph, Symbol Source);

public sealed record GraphDeclaration(GraphSymbol Symbol, Location Location) : BoundStatement(Location);
public sealed record DataDeclaration(DataSymbol Symbol, Location Location) : BoundStatement(Location);
public sealed record ModelDeclaration(ModelSymbol Symbol, Location Location) : BoundStatement(Location);
public sealed record ScmDeclaration(ScmSymbol Symbol, Location Location) : BoundStatement(Location);

public sealed record IdentifyStatement(Query Query, GraphContext Graph, bool Explain, bool Verify, Seq<BoundOption> Options, Location Location)
    : BoundStatement(Location);

/// <summary><c>estimate</c>: Graph is null only for purely observational queries, which need no graph.</summary>
public sealed record EstimateStatement(string? Label, Query Query, GraphContext? Graph, DataSymbol Data, Seq<BoundOption> Options, Location Location)
    : BoundStatement(Location)
{
    /// <summary>The label's symbol, where the executor keeps the run for <c>refute</c>.</summary>
    public EstimateSymbol? Symbol { get; init; }
}

public sealed record AdjustmentSetsStatement(VarSet Exposures, VarSet Outcomes, GraphContext Graph, AdjustmentMode Mode, Seq<BoundOption> Options, Location Location)
    : BoundStatement(Location);

public sealed record InstrumentsStatement(VarSet Exposures, VarSet Outcomes, GraphContext Graph, Location Location) : BoundStatement(Location);

public sealed record ImplicationsStatement(GraphContext Graph, Location Location) : BoundStatement(Location);

public sealed record CheckStatement(GraphContext Graph, DataSymbol Data, Seq<BoundOption> Options, Location Location) : BoundStatement(Location);

/// <summary><c>show x [as text|svg|png]</c>; Format is lower-case, "text" when not given.</summary>
public sealed record ShowStatement(Symbol Target, GraphContext? Graph, string Format, Location Location) : BoundStatement(Location);

/// <summary><c>export g as dot|dagitty|json [to "file"]</c>.</summary>
public sealed record ExportStatement(GraphContext Graph, string Format, string? Path, Location Location) : BoundStatement(Location);

public sealed record UseStatement(Symbol Target, Location Location) : BoundStatement(Location);

public sealed record AssumeStatement(Assumption Assumption, Location Location) : BoundStatement(Location);

public sealed record RefuteStatement(EstimateSymbol Target, string Method, Seq<BoundOption> Options, Location Location) : BoundStatement(Location);

/// <summary><c>plot bootstrap|balance of e to "file"</c>: Kind and Format ("png" or "svg", from the extension) are lower-case;
/// PathLocation is where the file name was written, for errors about it.</summary>
public sealed record PlotStatement(string Kind, EstimateSymbol Target, string Path, string Format, Seq<BoundOption> Options, Location Location, Location PathLocation)
    : BoundStatement(Location);

public sealed record AskStatement(string Question, Location Location) : BoundStatement(Location);

/// <summary>A bare query typed at the top level; Graph is the default graph (or the model/SCM named by <c>use</c>).</summary>
public sealed record QueryStatement(Query Query, GraphContext? Graph, Location Location) : BoundStatement(Location)
{
    /// <summary>The assumptions in force (<c>assume monotonicity(X -> Y)</c>) when the query was written.</summary>
    public System.Collections.Immutable.ImmutableList<Assumption> Assumptions { get; init; } = [];
}
