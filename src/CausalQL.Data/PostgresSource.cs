using System.Net.Sockets;
using CausalQL.Execution;
using CausalQL.Execution.Sql;
using Npgsql;

namespace CausalQL.Data;

/// <summary>sql("connection string", "query") against PostgreSQL: the query becomes a subquery every aggregate runs over.</summary>
public static class PostgresSource
{
    public static Result<IDataSource> Open(string connectionString, string query, string? weightColumn = null)
    {
        NpgsqlConnectionStringBuilder builder;
        try { builder = new NpgsqlConnectionStringBuilder(connectionString); }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            return Result<IDataSource>.Fail($"invalid PostgreSQL connection string: {Scrub(e.Message, null)}");
        }
        var password = builder.Password;
        var where = $"{builder.Host ?? "localhost"}:{builder.Port}";
        var description = $"sql(postgresql://{where}/{builder.Database})";
        var trimmed = query.Trim().TrimEnd(';');
        if (trimmed.Length == 0) return Result<IDataSource>.Fail("the SQL query is empty");
        var relation = $"({trimmed}) AS causalql_q";
        NpgsqlConnection? connection = null;
        try
        {
            connection = new NpgsqlConnection(builder.ConnectionString);
            connection.Open();
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or InvalidOperationException or TimeoutException)
        {
            connection?.Dispose();
            return Result<IDataSource>.Fail($"cannot connect to PostgreSQL at {where}: {Scrub(Reason(e), password)}");
        }
        try
        {
            var schema = new List<ColumnSchema>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT * FROM {relation} LIMIT 0";
                using var reader = command.ExecuteReader();
                for (var i = 0; i < reader.FieldCount; i++)
                    schema.Add(new ColumnSchema(reader.GetName(i), StorageOf(reader.GetFieldType(i))));
            }
            if (weightColumn is not null && schema.All(c => c.Name != weightColumn))
            {
                connection.Dispose();
                return Result<IDataSource>.Fail($"weight column '{weightColumn}' does not exist in {description}", weightColumn);
            }
            return new SqlDataSource(description, connection, PostgresDialect.Instance, relation, schema, weightColumn,
                e => Scrub(Reason(e), password));
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            connection.Dispose();
            return Result<IDataSource>.Fail($"{description}: the query failed: {Scrub(Reason(e), password)}");
        }
    }

    static StorageType StorageOf(Type t) =>
        t == typeof(bool) ? StorageType.Boolean
        : t == typeof(short) || t == typeof(int) || t == typeof(long) || t == typeof(float) || t == typeof(double) || t == typeof(decimal)
            ? StorageType.Number
            : StorageType.Text;

    /// <summary>The innermost useful message: "Connection refused", "password authentication failed for user ...", a SQL error.</summary>
    static string Reason(Exception e)
    {
        if (e is PostgresException pg) return pg.MessageText;
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner is SocketException s ? s.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused (is the server running and accepting TCP connections?)",
            SocketError.HostNotFound => "host not found",
            SocketError.TimedOut => "timed out",
            _ => s.Message,
        } : DuckDbSources.FirstLine(inner.Message);
    }

    /// <summary>Belt and braces: a password never appears in a message, whatever the driver put there.</summary>
    static string Scrub(string message, string? password) =>
        string.IsNullOrEmpty(password) ? message : message.Replace(password, "***", StringComparison.Ordinal);
}
