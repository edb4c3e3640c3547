using CausalQL.Execution;
using CausalQL.Tests;
using Npgsql;
using static CausalQL.Data.Tests.Sources;

namespace CausalQL.Data.Tests;

/// <summary>The sql(...) source against a real PostgreSQL server (CAUSALQL_PG): the same numbers as DuckDB.</summary>
public class PostgresTests
{
    /// <summary>Loads nsw_dw.csv into a fresh table (via DuckDB's reader, then INSERTs) and returns its name.</summary>
    static string LoadLalonde()
    {
        var table = "nsw_" + Guid.NewGuid().ToString("N")[..8];
        using var duck = Csv("lalonde", "nsw_dw.csv");
        var rows = new List<double[]>();
        var cols = new[] { "treat", "age", "education", "black", "hispanic", "married", "nodegree", "re74", "re75", "re78" };
        duck.Rows(cols.Select(Expr.Col).ToList(), null, 1000, b =>
        {
            for (var i = 0; i < b.Count; i++) rows.Add(cols.Select((_, j) => b.Columns[j][i]).ToArray());
        });
        using var conn = new NpgsqlConnection(PostgresFactAttribute.ConnectionString);
        conn.Open();
        using (var create = conn.CreateCommand())
        {
            create.CommandText = $"CREATE TABLE {table} (treat integer, age integer, education integer, black integer, hispanic integer, married integer, nodegree integer, re74 double precision, re75 double precision, re78 double precision, grp text)";
            create.ExecuteNonQuery();
        }
        using var writer = conn.BeginBinaryImport($"COPY {table} (treat, age, education, black, hispanic, married, nodegree, re74, re75, re78, grp) FROM STDIN (FORMAT BINARY)");
        foreach (var r in rows)
        {
            writer.StartRow();
            for (var j = 0; j < 7; j++) writer.Write((int)r[j], NpgsqlTypes.NpgsqlDbType.Integer);
            for (var j = 7; j < 10; j++) writer.Write(r[j], NpgsqlTypes.NpgsqlDbType.Double);
            writer.Write(r[1] < 25 ? "young" : "older", NpgsqlTypes.NpgsqlDbType.Text);
        }
        writer.Complete();
        return table;
    }

    static void Drop(string table)
    {
        using var conn = new NpgsqlConnection(PostgresFactAttribute.ConnectionString);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"DROP TABLE IF EXISTS {table}";
        cmd.ExecuteNonQuery();
    }

    [PostgresFact]
    public void Postgres_counts_and_estimates_match_duckdb()
    {
        var table = LoadLalonde();
        try
        {
            var opened = DataSourceFactory.Open("sql", [PostgresFactAttribute.ConnectionString, $"SELECT * FROM {table}"], ".");
            Assert.True(opened.IsOk, opened.Error?.Message);
            using var pg = opened.Value;
            Assert.DoesNotContain("Password", pg.Description, StringComparison.OrdinalIgnoreCase);
            using var duck = Csv("lalonde", "nsw_dw.csv");

            var cp = pg.Counts(["treat", "black", "married"], null).Value;
            var cd = duck.Counts(["treat", "black", "married"], null).Value;
            Assert.Equal(cd.Levels, cp.Levels);
            Assert.Equal(cd.Cells, cp.Cells);
            Assert.Equal(445, cp.Total);

            var req = new EstimationRequest("treat", "re78") { Method = EstimationMethod.Regression };
            Assert.Equal(1794.34, Ok(Estimation.Estimate(req, pg)).Value, 0.01);
            var adjusted = req with { Adjustment = ["age", "education", "black", "hispanic", "married", "nodegree", "re74", "re75"] };
            foreach (var m in new[] { EstimationMethod.Regression, EstimationMethod.Ipw, EstimationMethod.Aipw })
            {
                var p = Ok(Estimation.Estimate(adjusted with { Method = m }, pg));
                var d = Ok(Estimation.Estimate(adjusted with { Method = m }, duck));
                Assert.Equal(d.Value, p.Value, 1e-6);
                Assert.Equal(d.StandardError!.Value, p.StandardError!.Value, 1e-6);
            }
            // A text column becomes dummies; strata by it work too.
            var strat = Ok(Estimation.Estimate(req with { Options = new() { By = ["grp"] } }, pg));
            Assert.Equal(2, strat.Strata.Count);
            Assert.Equal(445, strat.Strata.Sum(s => s.Estimate.N));
        }
        finally { Drop(table); }
    }

    [PostgresFact]
    public void Postgres_wrong_password_is_reported_without_echoing_it()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.ConnectionString) { Password = "definitely-Wr0ng-pw" };
        var r = DataSourceFactory.Open("sql", [builder.ConnectionString, "SELECT 1"], ".");
        Assert.False(r.IsOk);
        Assert.Contains($"{builder.Host}:{builder.Port}", r.Error!.Message);
        Assert.Contains("password authentication failed", r.Error.Message);
        Assert.DoesNotContain("definitely-Wr0ng-pw", r.Error.Message);
    }

    [PostgresFact]
    public void Postgres_bad_query_is_an_error()
    {
        var r = DataSourceFactory.Open("sql", [PostgresFactAttribute.ConnectionString, "SELECT * FROM no_such_table_here"], ".");
        Assert.False(r.IsOk);
        Assert.Contains("no_such_table_here", r.Error!.Message);
    }
}
