using System.Collections.Immutable;
using CausalQL.Graphs;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Binding;

// Everything a script declares lives in one namespace (graphs, data, models, SCMs, labelled
// estimates), so `use x` and `in x` never have to guess which kind of thing `x` is.

public abstract record Symbol(string Name, Location Declared)
{
    /// <summary>The word used for this kind of symbol in messages: "graph", "data", ...</summary>
    public abstract string KindWord { get; }
}

/// <summary>A declared graph. <paramref name="HasErrors"/> marks a graph whose declaration failed (e.g. a cycle):
/// statements that use it are skipped quietly so one mistake gives one diagnostic.</summary>
public sealed record GraphSymbol(string Name, CausalGraph Graph, Location Declared, bool HasErrors = false) : Symbol(Name, Declared)
{
    public override string KindWord => "graph";
}

public abstract record DataSource;

/// <summary><c>csv("file")</c> or <c>parquet("glob")</c>; PathLocation points at the string, for "file not found".</summary>
public sealed record FileDataSource(string Format, string Path, Location PathLocation, Seq<BoundOption> Options) : DataSource;

/// <summary><c>sql("connection", "query")</c>.</summary>
public sealed record SqlDataSource(string ConnectionString, string QueryText, Seq<BoundOption> Options) : DataSource;

/// <summary><c>sample(m, n = 1000, seed = 1)</c>: rows drawn from a declared model or SCM.</summary>
public sealed record SampleDataSource(string Model, Seq<BoundOption> Options) : DataSource
{
    /// <summary>The declaration sampled from (set by the binder), so the executor needs no symbol table.</summary>
    public Symbol? Origin { get; init; }
}

public sealed record DataSymbol(string Name, DataSource Source, Location Declared) : Symbol(Name, Declared)
{
    public override string KindWord => "data";
}

/// <summary>One given number in a model block: <c>P(X = 1 | Z = 0) = 0.2</c>.</summary>
public sealed record ModelEntry(Query Term, double Value);

/// <summary>A partly given distribution (CLadder style), optionally on a graph.</summary>
public sealed record ModelSymbol(string Name, GraphSymbol? Graph, Seq<ModelEntry> Entries, Location Declared) : Symbol(Name, Declared)
{
    public override string KindWord => "model";
}

/// <summary>
/// A structural causal model. The equations stay as syntax for the counterfactual engine to
/// interpret; the binder checks their names and derives the causal graph they imply
/// (noise terms become latent nodes).
/// </summary>
public sealed record ScmSymbol(string Name, ScmDeclarationSyntax Syntax, VarSet Noise, VarSet Endogenous, CausalGraph Graph, Location Declared)
    : Symbol(Name, Declared)
{
    /// <summary>The text the SCM was declared in, so the engine can report positions in it later (e.g. from a later REPL input).</summary>
    public SourceText? Source { get; init; }

    public override string KindWord => "scm";
}

/// <summary>A labelled <c>estimate</c>, so that <c>refute label with ...</c> can find it.</summary>
public sealed record EstimateSymbol(string Name, Location Declared) : Symbol(Name, Declared)
{
    /// <summary>Filled by the executor when the estimate runs: what <c>refute</c> re-runs.</summary>
    public EstimateSlot Slot { get; } = new();

    public override string KindWord => "estimate";
}

/// <summary>A modelling assumption in force: <c>assume monotonicity(X -> Y)</c>, <c>assume linear</c>.</summary>
public sealed record Assumption(string Name, Seq<VarSet> Path)
{
    public override string ToString() =>
        Path.IsEmpty ? Name : $"{Name}({string.Join(" -> ", Path.Select(p => string.Join(", ", p)))})";
}

/// <summary>The declarations in force and the defaults set by <c>use</c>; immutable, threaded through binding.</summary>
public sealed record SymbolTable(
    ImmutableDictionary<string, Symbol> Symbols,
    string? DefaultGraph,
    string? DefaultData,
    ImmutableList<Assumption> Assumptions)
{
    public static readonly SymbolTable Empty = new(ImmutableDictionary<string, Symbol>.Empty.WithComparers(StringComparer.Ordinal), null, null, []);

    public Symbol? Lookup(string name) => Symbols.TryGetValue(name, out var s) ? s : null;

    public SymbolTable Declare(Symbol symbol) => this with { Symbols = Symbols.SetItem(symbol.Name, symbol) };

    /// <summary>Names a user could type: declarations in declaration order is not kept, so sorted.</summary>
    public IEnumerable<string> Names => Symbols.Keys.OrderBy(k => k, StringComparer.Ordinal);

    /// <summary>Every variable of every graph-like declaration, for completion and suggestions.</summary>
    public IEnumerable<string> AllVariables => Symbols.Values.SelectMany(s => s switch
    {
        GraphSymbol g => g.Graph.Nodes.AsEnumerable(),
        ScmSymbol m => m.Graph.Nodes,
        _ => [],
    }).Distinct(StringComparer.Ordinal);
}
