using System.Data.Common;
using CausalQL.Execution;
using CausalQL.Execution.Sql;
using DuckDB.NET.Data;

namespace CausalQL.Data;

/// <summary>Files read through an embedded, in-process DuckDB: CSV is loaded once into a table, Parquet is scanned where it lies.</summary>
public static class DuckDbSources
{
    const string Relation = "causalql_source";

    /// <summary>Loads CSV file(s) (a path or glob) into an in-memory table; bad files are errors, not exceptions.</summary>
    public static Result<IDataSource> Csv(string path, string? weightColumn = null)
    {
        if (MissingFile(path) is { } missing) return missing;
        var literal = DuckDbDialect.Instance.Text(path);
        // R writes missing values as NA; pandas as an empty field. Both mean missing.
        return Open($"csv({path})", weightColumn,
            $"CREATE TABLE {Relation} AS SELECT * FROM read_csv({literal}, header = true, delim = ',', nullstr = ['', 'NA'], strict_mode = true, null_padding = false, ignore_errors = false)",
            Relation, e => $"cannot read CSV '{path}': {FirstLine(e.Message)}");
    }

    /// <summary>Scans Parquet file(s) (a path or glob) in place; the footer is checked when opening so a truncated file fails here.</summary>
    public static Result<IDataSource> Parquet(string pathOrGlob, string? weightColumn = null)
    {
        if (MissingFile(pathOrGlob) is { } missing) return missing;
        var literal = DuckDbDialect.Instance.Text(pathOrGlob);
        var single = pathOrGlob.IndexOfAny(['*', '?', '[']) < 0;
        return Open($"parquet({pathOrGlob})", weightColumn,
            $"CREATE VIEW {Relation} AS SELECT * FROM read_parquet({literal})",
            Relation, e => $"cannot read Parquet '{pathOrGlob}': {FirstLine(e.Message)}",
            numberedFile: single ? $"SELECT * FROM read_parquet({literal}, file_row_number = true)" : null);
    }

    const string Numbered = "causalql_numbered";
    internal const string RowNumber = "file_row_number";

    /// <summary>
    /// A sample that reads only what it returns: DuckDB's TABLESAMPLE decodes a whole Parquet file, but
    /// a filter on the row number skips every row group outside it (a file's row number, or a table's
    /// rowid). The rows are cut into equal strata and a window of consecutive rows is taken at a random
    /// place in each (a fixed seed, so runs repeat); the windows are the sample. Only the starting point
    /// of an iterative fit comes from it, never a result. <paramref name="rowsPerWindow"/>: the fewest
    /// rows of the relation per window.
    /// </summary>
    static string WindowSample(long total, long wanted, bool keepRowNumber, long rowsPerWindow)
    {
        var windows = (int)Math.Clamp(Math.Min(wanted / 4096, total / rowsPerWindow), 1, 8);
        var size = Math.Max(1, (wanted + windows - 1) / windows);
        var stratum = total / windows;
        var random = new Random(unchecked((int)(0x5EED ^ total)));
        var parts = new List<string>();
        for (var w = 0; w < windows; w++)
        {
            var start = w * stratum + (long)(random.NextDouble() * Math.Max(0, stratum - size));
            parts.Add($"SELECT *{(keepRowNumber ? "" : $" EXCLUDE ({RowNumber})")} FROM {Numbered} WHERE {RowNumber} BETWEEN {start} AND {start + size - 1}");
        }
        return $"({string.Join(" UNION ALL ", parts)}) AS causalql_windows";
    }

    // Each window of a file opens it again and decodes the row groups it touches (DuckDB writes ~123k
    // rows to a group; ~10 ms a window measured at 10M rows): a few wide windows, no more than one per
    // 2.5M rows, so that a sample costs a small part of a scan. A table's window is cheaper but each is
    // a pipeline of its own (50,000 rows of a 1M-row table: 1.6 ms in one window, 2.3 in two, 5.3 in
    // eight): no more than one per 500,000 rows.
    const long FileRowsPerWindow = 2_500_000;
    const long TableRowsPerWindow = 500_000;

    /// <summary>
    /// An in-memory DuckDB prepared by <paramref name="setupSql"/> (e.g. CREATE TABLE ... AS ...), read through <paramref name="relation"/>.
    /// <paramref name="blockSums"/> false leaves sums to SQL aggregates (the way every other engine does them; for comparisons).
    /// </summary>
    public static Result<IDataSource> FromSetup(string description, string setupSql, string relation, string? weightColumn = null, bool blockSums = true) =>
        Open(description, weightColumn, setupSql, relation, e => FirstLine(e.Message), blockSums);

    static ExecError? MissingFile(string path)
    {
        if (path.IndexOfAny(['*', '?', '[']) >= 0)
        {
            var dir = Path.GetDirectoryName(path);
            return string.IsNullOrEmpty(dir) || Directory.Exists(dir) ? null : new ExecError($"folder '{dir}' does not exist");
        }
        return File.Exists(path) ? null : new ExecError($"file '{path}' does not exist");
    }

    static Result<IDataSource> Open(string description, string? weightColumn, string setupSql, string relation, Func<Exception, string> describe, bool blockSums = true,
        string? numberedFile = null)
    {
        DuckDBConnection? connection = null;
        try
        {
            connection = new DuckDBConnection("Data Source=:memory:");
            connection.Open();
            Execute(connection, setupSql);
            // Touch the data so that unreadable files fail now, with a message, not in the middle of an estimate.
            var count = Count(connection, $"SELECT COUNT(*) FROM {relation}");
            // A table in this private in-memory database changes only if we change it: its count holds,
            // and its rowid numbers its rows.
            var table = Count(connection, $"SELECT COUNT(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = {DuckDbDialect.Instance.Text(relation)}") > 0;
            var numbered = numberedFile ?? (table ? $"SELECT *, rowid AS {RowNumber} FROM {relation}" : null);
            var schema = ReadSchema(connection, relation);
            if (weightColumn is not null && schema.All(c => c.Name != weightColumn))
            {
                connection.Dispose();
                return Result<IDataSource>.Fail($"weight column '{weightColumn}' does not exist in {description}", weightColumn);
            }
            var kernel = blockSums ? DuckDbBlockSums.Register(connection) : null;
            // Window sampling needs the file's row numbers; a file with a column of that name keeps TABLESAMPLE.
            var rowsPerWindow = numberedFile is not null ? FileRowsPerWindow : TableRowsPerWindow;
            var windows = numbered is not null && schema.All(c => c.Name != RowNumber) && TryExecute(connection, $"CREATE VIEW {Numbered} AS {numbered}")
                ? (total, wanted, keep) => WindowSample(total, wanted, keep, rowsPerWindow) : (Func<long, long, bool, string>?)null;
            return new SqlDataSource(description, connection, DuckDbDialect.Instance, relation, schema, weightColumn, describe, null, kernel, windows,
                table ? count : null);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException)
        {
            connection?.Dispose();
            return Result<IDataSource>.Fail(describe(e));
        }
    }

    static void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        // Every statement of a multi-statement setup runs, not only the first.
        do { while (reader.Read()) { } } while (reader.NextResult());
    }

    static long Count(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    static bool TryExecute(DbConnection connection, string sql)
    {
        try
        {
            Execute(connection, sql);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }

    static List<ColumnSchema> ReadSchema(DbConnection connection, string relation)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"DESCRIBE SELECT * FROM {relation}";
        using var reader = command.ExecuteReader();
        var list = new List<ColumnSchema>();
        while (reader.Read())
            list.Add(new ColumnSchema(reader.GetString(0), StorageOf(reader.GetString(1))));
        return list;
    }

    internal static StorageType StorageOf(string duckType)
    {
        var t = duckType.ToUpperInvariant();
        if (t == "BOOLEAN") return StorageType.Boolean;
        string[] numeric = ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL", "DECIMAL"];
        return numeric.Any(n => t.StartsWith(n, StringComparison.Ordinal)) ? StorageType.Number : StorageType.Text;
    }

    internal static string FirstLine(string message)
    {
        var line = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? message;
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}
