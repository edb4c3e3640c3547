using System.Text;

namespace CausalQL.Execution.Sql;

/// <summary>
/// Turns the port's requests into SQL text for one relation (a table, a view, or a parenthesised
/// query with an alias) through a dialect. Pure string building: running it is the data layer's job.
/// </summary>
public sealed class SqlPlanner(SqlDialect dialect, string relation, IReadOnlyList<ColumnSchema> schema, string? weightColumn)
{
    public SqlDialect Dialect => dialect;

    StorageType StorageOf(string column) =>
        schema.FirstOrDefault(c => c.Name == column)?.Storage ?? StorageType.Number;

    string Col(string name) => dialect.Quote(name);
    string Weight => weightColumn is null ? "1" : dialect.ToDouble(Col(weightColumn), StorageOf(weightColumn));
    string WeightSum => weightColumn is null ? dialect.ToDouble("COUNT(*)", StorageType.Number) : $"SUM({Weight})";

    /// <summary>A numeric expression.</summary>
    public string Value(Expr e) => e switch
    {
        Constant c => dialect.Number(c.Value),
        ColumnRef c => dialect.ToDouble(Col(c.Name), StorageOf(c.Name)),
        RandomUniform => "random()",
        LevelIs or IsNotNull or Compare or Conjunction => $"(CASE WHEN {Predicate(e)} THEN {dialect.Number(1)} ELSE {dialect.Number(0)} END)",
        Binary b => $"({Value(b.Left)} {b.Op switch { BinaryOp.Add => "+", BinaryOp.Sub => "-", BinaryOp.Mul => "*", _ => "/" }} {Value(b.Right)})",
        Power p => dialect.Power(Value(p.Base), p.Exponent),
        Call { Fn: Function.Exp } c => dialect.Exp(Value(c.Arg)),
        Call { Fn: Function.Log } c => dialect.Ln(Value(c.Arg)),
        // Clamp the linear predictor so exp never overflows (PostgreSQL raises on overflow).
        Call c => KeepNull(Value(c.Arg), v => $"({dialect.Number(1)} / ({dialect.Number(1)} + {dialect.Exp(dialect.Least(dialect.Number(700), dialect.Greatest(dialect.Number(-700), "-" + v)))}))"),
        Clamp c => KeepNull(Value(c.Arg), v => dialect.Least(dialect.Number(c.Hi), dialect.Greatest(dialect.Number(c.Lo), v))),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown expression"),
    };

    /// <summary>
    /// LEAST and GREATEST skip NULL arguments, so a clamp would turn a missing value into a bound:
    /// keep it missing, as every other operation does.
    /// </summary>
    static string KeepNull(string value, Func<string, string> clamped) => $"(CASE WHEN {value} IS NULL THEN NULL ELSE {clamped(value)} END)";

    /// <summary>A boolean condition.</summary>
    public string Predicate(Expr e) => e switch
    {
        LevelIs l => $"{Col(l.Column)} = {dialect.LevelLiteral(l.Label, StorageOf(l.Column))}",
        IsNotNull n => $"{Col(n.Column)} IS NOT NULL",
        Compare c => $"{Value(c.Left)} {(c.Op switch { CompareOp.Less => "<", CompareOp.Greater => ">", _ => "=" })} {Value(c.Right)}",
        Conjunction c => $"({Predicate(c.Left)}) AND ({Predicate(c.Right)})",
        _ => $"{Value(e)} <> 0",
    };

    string Where(Expr? filter) => filter is null ? "" : $" WHERE {Predicate(filter)}";

    /// <summary>COUNT(*)/SUM(w) grouped by the variables (NULL groups included, so missing rows are counted).</summary>
    public string Counts(IReadOnlyList<string> variables, Expr? filter)
    {
        var cols = string.Join(", ", variables.Select(Col));
        var select = variables.Count == 0 ? WeightSum : $"{cols}, {WeightSum}";
        var group = variables.Count == 0 ? "" : $" GROUP BY {cols}";
        return $"SELECT {select} FROM {relation}{Where(filter)}{group}";
    }

    /// <summary>
    /// One scan: the weight total, the row count and Σ w·term for each term. Heavy sub-expressions
    /// (exp, log, expit, clipping — e.g. a fitted propensity used by hundreds of terms) are computed
    /// once per row in an inner projection and referred to by name, so the SQL stays small and
    /// the engine does not evaluate them once per term.
    /// </summary>
    public string Sums(IReadOnlyList<Expr> terms, Expr? filter)
    {
        var rewritten = Hoisting.Rewrite(terms, out var heavy);
        string source;
        SqlPlanner outer;
        if (heavy.Count == 0)
        {
            source = relation + Where(filter);
            outer = this;
        }
        else
        {
            var inner = new StringBuilder("SELECT *");
            for (var i = 0; i < heavy.Count; i++) inner.Append(", ").Append(Value(heavy[i])).Append(" AS ").Append(Col(Hoisting.Name(i)));
            inner.Append(" FROM ").Append(relation).Append(Where(filter));
            source = $"({inner}) AS causalql_h";
            outer = new SqlPlanner(dialect, source, [.. schema, .. heavy.Select((_, i) => new ColumnSchema(Hoisting.Name(i), StorageType.Number))], weightColumn);
        }
        var sb = new StringBuilder("SELECT ").Append(outer.WeightSum).Append(", COUNT(*)");
        foreach (var t in rewritten)
        {
            var v = outer.Value(t);
            sb.Append(", SUM(").Append(weightColumn is null ? v : $"{outer.Weight} * {v}").Append(')');
        }
        return sb.Append(" FROM ").Append(source).ToString();
    }


    /// <summary>
    /// One scan that hands the rows to an engine-side function (see <see cref="BlockSumsPlan"/>):
    /// each input as a double, NULL kept; the function does the sums, the query only counts rows.
    /// </summary>
    public string BlockSums(IReadOnlyList<Expr> inputs, string function, Expr? filter, string? from = null) =>
        $"SELECT COUNT(*), SUM({function}({string.Join(", ", inputs.Select(Value))})) FROM {from ?? relation}{Where(filter)}";

    /// <summary>One scan: row and complete-case counts, then per column non-null count, min, max and "all 0/1".</summary>
    public string Profile(IReadOnlyList<string> columns, Expr? filter)
    {
        var sb = new StringBuilder("SELECT COUNT(*), ").Append(WeightSum);
        var complete = columns.Count == 0 ? "TRUE" : string.Join(" AND ", columns.Select(c => $"{Col(c)} IS NOT NULL"));
        sb.Append($", SUM(CASE WHEN {complete} THEN 1 ELSE 0 END)");
        sb.Append($", SUM(CASE WHEN {complete} THEN {Weight} ELSE 0 END)");
        foreach (var c in columns)
        {
            var storage = StorageOf(c);
            sb.Append($", COUNT({Col(c)})");
            if (storage == StorageType.Text)
                sb.Append(", NULL, NULL, NULL");
            else
            {
                var v = dialect.ToDouble(Col(c), storage);
                sb.Append($", MIN({v}), MAX({v}), SUM(CASE WHEN {v} = 0 OR {v} = 1 THEN 0 WHEN {Col(c)} IS NULL THEN 0 ELSE 1 END)");
            }
        }
        return sb.Append(" FROM ").Append(relation).Append(Where(filter)).ToString();
    }

    /// <summary>The row count of the relation, unfiltered (engines answer it from metadata where they can).</summary>
    public string RowCount() => $"SELECT COUNT(*) FROM {relation}";

    /// <summary>The expressions row by row from a block sample of the relation; null when the dialect cannot sample it.</summary>
    public string? SampleRows(IReadOnlyList<Expr> columns, Expr? filter, double percent) =>
        dialect.BlockSample(relation, percent) is { } sampled ? RowsOf(sampled, columns, filter) : null;

    /// <summary>The expressions row by row from <paramref name="sampled"/>, a relation with this one's columns holding a sample of its rows.</summary>
    public string RowsOf(string sampled, IReadOnlyList<Expr> columns, Expr? filter) =>
        $"SELECT {string.Join(", ", columns.Select(Value).Append(weightColumn is null ? dialect.Number(1) : Weight))} FROM {sampled}{Where(filter)}";

    /// <summary>The expressions as doubles, plus the weight, row by row.</summary>
    public string Rows(IReadOnlyList<Expr> columns, Expr? filter) =>
        $"SELECT {string.Join(", ", columns.Select(Value).Append(weightColumn is null ? dialect.Number(1) : Weight))} FROM {relation}{Where(filter)}";
}
