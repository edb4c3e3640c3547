using CausalQL.Execution;

namespace CausalQL.Data;

/// <summary>Options shared by every kind of source.</summary>
public sealed record DataSourceOptions(string? WeightColumn = null);

/// <summary>Opens the sources a script declares: csv(path), parquet(glob) and sql(connection, query).</summary>
public static class DataSourceFactory
{
    public static readonly IReadOnlyList<string> Kinds = ["csv", "parquet", "sql"];

    /// <summary>
    /// Opens a source. <paramref name="baseDirectory"/> resolves relative paths (the script's folder,
    /// or the working directory in the REPL). Failures come back as errors, never exceptions.
    /// </summary>
    public static Result<IDataSource> Open(string kind, IReadOnlyList<string> args, string baseDirectory, DataSourceOptions? options = null)
    {
        options ??= new DataSourceOptions();
        switch (kind.ToLowerInvariant())
        {
            case "csv" or "parquet":
                if (args.Count != 1) return Result<IDataSource>.Fail($"{kind}(...) takes one argument, the file path or glob");
                var path = Path.IsPathRooted(args[0]) ? args[0] : Path.GetFullPath(Path.Combine(baseDirectory, args[0]));
                return kind.Equals("csv", StringComparison.OrdinalIgnoreCase)
                    ? DuckDbSources.Csv(path, options.WeightColumn)
                    : DuckDbSources.Parquet(path, options.WeightColumn);
            case "sql":
                if (args.Count != 2) return Result<IDataSource>.Fail("sql(...) takes two arguments: the connection string and the query");
                return PostgresSource.Open(args[0], args[1], options.WeightColumn);
            default:
                return Result<IDataSource>.Fail($"unknown data source '{kind}' (expected {string.Join(", ", Kinds)})");
        }
    }
}
