using CausalQL.Tests;
using CausalQL.Data;
using CausalQL.Execution;

namespace CausalQL.Data.Tests;

/// <summary>
/// A fact that needs PostgreSQL: reads CAUSALQL_PG. Without it the test is skipped with the
/// reason, except on CI (CI=true), where the test runs and fails with a clear message.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "CAUSALQL_PG";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)) && !IsCi)
            Skip = $"PostgreSQL tests need {Variable} (a Npgsql connection string); .ci/run starts a server and sets it";
    }

    static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s
            ? s
            : throw new InvalidOperationException($"CI=true but {Variable} is not set: .ci/run must start PostgreSQL and export {Variable}");
}

static class Sources
{
    public static IDataSource Csv(params string[] parts)
    {
        var r = DataSourceFactory.Open("csv", [TestPaths.Data(parts)], TestPaths.RepoRoot);
        Assert.True(r.IsOk, r.Error?.Message);
        return r.Value;
    }

    public static IDataSource Setup(string sql, string relation = "t", string? weight = null)
    {
        var r = DuckDbSources.FromSetup("test", sql, relation, weight);
        Assert.True(r.IsOk, r.Error?.Message);
        return r.Value;
    }

    public static string Lit(string path) => "'" + path.Replace("'", "''") + "'";

    public static EstimateResult Ok(Result<EstimateResult> r)
    {
        Assert.True(r.IsOk, r.Error?.Message);
        return r.Value;
    }

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "causalql-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
