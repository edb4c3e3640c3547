using System.Globalization;

namespace CausalQL.Execution.Sql;

/// <summary>
/// What differs between SQL engines in the queries CausalQL generates. Spark SQL or Trino would be
/// one more subclass (backquoted identifiers, `CAST(x AS DOUBLE)`), nothing else changes.
/// </summary>
public abstract class SqlDialect
{
    public abstract string Name { get; }

    public virtual string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
    public virtual string Text(string value) => "'" + value.Replace("'", "''") + "'";
    /// <summary>A double-precision literal (typed, so that integer columns are not dragged into exact decimal arithmetic).</summary>
    public abstract string Number(double value);
    /// <summary>A column read as a double.</summary>
    public abstract string ToDouble(string sql, StorageType storage);
    public virtual string Exp(string x) => $"exp({x})";
    public virtual string Ln(string x) => $"ln({x})";
    public virtual string Power(string x, double k) => k == 2 ? $"(({x})*({x}))" : $"power({x}, {Number(k)})";
    public virtual string Least(string a, string b) => $"least({a}, {b})";
    public virtual string Greatest(string a, string b) => $"greatest({a}, {b})";
    /// <summary>A value as text, for grouping and level labels.</summary>
    public abstract string ToText(string sql);
    /// <summary>The literal matching a level label in a column of the given storage.</summary>
    public virtual string LevelLiteral(string label, StorageType storage) => storage switch
    {
        StorageType.Number when double.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => Number(v),
        StorageType.Boolean => label is "1" or "true" or "TRUE" or "True" ? "TRUE" : "FALSE",
        StorageType.Number => "NULL",
        _ => Text(label),
    };

    /// <summary>
    /// The relation with a block sample of about <paramref name="percent"/>% of it, read without scanning
    /// the rest; null when the engine cannot sample this relation (then rows are drawn one by one).
    /// </summary>
    public virtual string? BlockSample(string relation, double percent) => null;

    protected static string Invariant(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

public sealed class DuckDbDialect : SqlDialect
{
    public static readonly DuckDbDialect Instance = new();
    public override string Name => "duckdb";
    public override string Number(double value) => double.IsFinite(value) ? $"CAST({Invariant(value)} AS DOUBLE)" : value > 0 ? "CAST('inf' AS DOUBLE)" : "CAST('-inf' AS DOUBLE)";
    public override string ToDouble(string sql, StorageType storage) => $"CAST({sql} AS DOUBLE)";
    public override string ToText(string sql) => $"CAST({sql} AS VARCHAR)";
    public override string? BlockSample(string relation, double percent) =>
        $"{relation} TABLESAMPLE {Invariant(Math.Clamp(percent, 0.001, 100))}% (system)";
}

public sealed class PostgresDialect : SqlDialect
{
    public static readonly PostgresDialect Instance = new();
    public override string Name => "postgresql";
    public override string Number(double value) => double.IsFinite(value) ? $"{Invariant(value)}::float8" : value > 0 ? "'Infinity'::float8" : "'-Infinity'::float8";
    public override string ToDouble(string sql, StorageType storage) =>
        storage == StorageType.Boolean ? $"({sql})::int::float8" : $"({sql})::float8";
    public override string ToText(string sql) => $"({sql})::text";
}
