using CausalQL.Execution;
using CausalQL.Tests;
using static CausalQL.Data.Tests.Sources;

namespace CausalQL.Data.Tests;

/// <summary>Every kind of bad input comes back as an error value with a message naming the culprit; nothing throws.</summary>
public class BadInputTests
{
    static ExecError Fails(Result<EstimateResult> r)
    {
        Assert.False(r.IsOk, "expected an error");
        return r.Error!;
    }

    static IDataSource CsvText(string text, out string dir)
    {
        dir = TempDir();
        File.WriteAllText(Path.Combine(dir, "data.csv"), text);
        var r = DataSourceFactory.Open("csv", ["data.csv"], dir);
        Assert.True(r.IsOk, r.Error?.Message);
        return r.Value;
    }

    [Fact]
    public void A_column_that_does_not_exist_is_named()
    {
        using var src = Csv("lalonde", "nsw_dw.csv");
        var e = Fails(Estimation.Estimate(new EstimationRequest("treat", "earnings78") { Method = EstimationMethod.Regression }, src));
        Assert.Equal("earnings78", e.Column);
        Assert.Contains("'earnings78' does not exist", e.Message);
        var f = Fails(Estimation.Estimate(new EstimationRequest("treat", "re78") { Adjustment = ["agee"] }, src));
        Assert.Equal("agee", f.Column);
        var g = Fails(Estimation.Estimate(new EstimationRequest("treat", "re78") { Method = EstimationMethod.Regression, Options = new() { OutcomeModel = "~ treat + I(age^2) + nonsense" } }, src));
        Assert.Equal("nonsense", g.Column);
    }

    [Fact]
    public void Strings_where_numbers_are_needed()
    {
        using var src = CsvText("t,y,z\n1,high,3\n0,low,4\n1,low,5\n0,high,1\n", out _);
        var e = Fails(Estimation.Estimate(new EstimationRequest("t", "y") { Method = EstimationMethod.Regression, Adjustment = ["z"] }, src));
        Assert.Equal("y", e.Column);
        Assert.Contains("holds text", e.Message);
        var p = Fails(Estimation.Estimate(new EstimationRequest("t", "y") { Method = EstimationMethod.Plugin }, src));
        Assert.Equal("y", p.Column);
        var iv = Fails(Estimation.Estimate(new EstimationRequest("t", "z") { Method = EstimationMethod.Iv, Instruments = ["y"] }, src));
        Assert.Equal("y", iv.Column);
    }

    [Fact]
    public void A_treatment_with_one_level()
    {
        using var src = CsvText("t,y,z\n1,2.5,3\n1,1.5,4\n1,0.5,5\n", out _);
        foreach (var m in new[] { EstimationMethod.Plugin, EstimationMethod.Regression, EstimationMethod.Ipw, EstimationMethod.Aipw })
        {
            var e = Fails(Estimation.Estimate(new EstimationRequest("t", "y") { Method = m, Adjustment = m == EstimationMethod.Plugin ? [] : ["z"] }, src));
            Assert.Equal("t", e.Column);
            Assert.Contains("only one level", e.Message);
        }
    }

    [Fact]
    public void All_outcomes_missing()
    {
        using var src = CsvText("t,y,z\n1,,3\n0,NA,4\n1,,5\n0,,6\n", out _);
        foreach (var m in new[] { EstimationMethod.Plugin, EstimationMethod.Regression, EstimationMethod.Ipw })
        {
            var e = Fails(Estimation.Estimate(new EstimationRequest("t", "y") { Method = m }, src));
            Assert.Contains("all values of outcome 'y' are missing", e.Message);
        }
    }

    [Fact]
    public void Missing_values_policy_error_names_the_columns_and_drop_counts_them()
    {
        using var src = CsvText("t,y,z\n1,1,3\n0,2,\n1,3,5\n0,,6\n1,5,1\n0,1,2\n", out _);
        var e = Fails(Estimation.Estimate(new EstimationRequest("t", "y") { Method = EstimationMethod.Regression, Adjustment = ["z"], Options = new() { Missing = MissingPolicy.Error } }, src));
        Assert.Contains("y: 1", e.Message);
        Assert.Contains("z: 1", e.Message);
        var ok = Ok(Estimation.Estimate(new EstimationRequest("t", "y") { Method = EstimationMethod.Regression, Adjustment = ["z"] }, src));
        Assert.Equal(2, ok.DroppedRows);
        Assert.Equal(4, ok.N);
    }

    [Fact]
    public void A_table_with_no_rows()
    {
        using var src = CsvText("t,y\n", out _);
        foreach (var m in new[] { EstimationMethod.Plugin, EstimationMethod.Regression })
        {
            var e = Fails(Estimation.Estimate(new EstimationRequest("t", "y") { Method = m }, src));
            Assert.Contains("no rows", e.Message);
        }
    }

    [Fact]
    public void A_csv_with_ragged_lines()
    {
        var dir = TempDir();
        File.WriteAllText(Path.Combine(dir, "ragged.csv"), "a,b,c\n1,2,3\n4,5\n6,7,8\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"{i},{i},{i}\n")));
        var r = DataSourceFactory.Open("csv", ["ragged.csv"], dir);
        Assert.False(r.IsOk, r.IsOk ? $"loaded: {string.Join(",", r.Value.Schema)} rows {r.Value.Counts([], null).Value.Total}" : "");
        Assert.Contains("ragged.csv", r.Error!.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var r = DataSourceFactory.Open("csv", ["no/such/file.csv"], TempDir());
        Assert.False(r.IsOk);
        Assert.Contains("file.csv", r.Error!.Message);
        Assert.Contains("does not exist", r.Error.Message);
        Assert.False(DataSourceFactory.Open("excel", ["x"], ".").IsOk);
    }

    [Fact]
    public void A_truncated_parquet_file()
    {
        var dir = TempDir();
        var path = Path.Combine(dir, "good.parquet");
        using (var setup = Setup($"CREATE TABLE t AS SELECT range AS a, range % 2 AS b FROM range(10000); COPY t TO {Lit(path)} (FORMAT parquet)"))
        {
        }
        var good = DataSourceFactory.Open("parquet", ["good.parquet"], dir);
        Assert.True(good.IsOk, good.Error?.Message);
        var counts = good.Value.Counts(["b"], null);
        Assert.Equal(10000, counts.Value.Total);
        good.Value.Dispose();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(Path.Combine(dir, "cut.parquet"), bytes[..(bytes.Length / 2)]);
        var cut = DataSourceFactory.Open("parquet", ["cut.parquet"], dir);
        Assert.False(cut.IsOk, "a truncated Parquet file must be an error");
        Assert.Contains("cut.parquet", cut.Error!.Message);
    }

    [Fact]
    public void A_sql_source_that_refuses_the_connection_names_host_and_reason_without_the_password()
    {
        var r = DataSourceFactory.Open("sql", ["Host=127.0.0.1;Port=1;Username=alice;Password=Sup3r-S3cret;Database=x;Timeout=3", "SELECT 1"], ".");
        Assert.False(r.IsOk);
        var message = r.Error!.Message;
        Assert.Contains("127.0.0.1:1", message);
        Assert.Contains("refused", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Sup3r-S3cret", message);
    }

    [Fact]
    public void A_bad_formula_is_an_error_with_a_column()
    {
        using var src = Csv("lalonde", "nsw_dw.csv");
        var e = Fails(Estimation.Estimate(new EstimationRequest("treat", "re78") { Method = EstimationMethod.Regression, Options = new() { OutcomeModel = "~ treat + I(age^" } }, src));
        Assert.Contains("model formula", e.Message);
        var t = Fails(Estimation.Estimate(new EstimationRequest("treat", "re78") { Method = EstimationMethod.Ipw, Adjustment = ["age"], Options = new() { TreatmentModel = "~ age + treat" } }, src));
        Assert.Equal("treat", t.Column);
    }

    [Fact]
    public void Collinear_terms_are_named()
    {
        using var src = CsvText("t,y,z,z2\n1,1,3,6\n0,2,4,8\n1,3,5,10\n0,4,6,12\n1,5,1,2\n0,1,2,4\n", out _);
        var e = Fails(Estimation.Estimate(new EstimationRequest("t", "y") { Method = EstimationMethod.Regression, Adjustment = ["z", "z2"] }, src));
        Assert.Equal("z2", e.Column);
    }
}
