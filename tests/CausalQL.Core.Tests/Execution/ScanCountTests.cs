using CausalQL.Execution;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;

namespace CausalQL.Core.Tests.Execution;

/// <summary>
/// How many times IPW and AIPW read the whole table. On a source that samples blocks cheaply (as
/// DuckDB does) the propensity starts from an in-memory fit on a block sample, whose own score
/// corrects the first full step; the second full scan is then the last one and carries the
/// estimator's sums. The answers must be those of a fully converged fit whatever the path: from a
/// poor sample (rows sorted, so blocks are unlike the table), from no sample at all, on small data.
/// </summary>
public class ScanCountTests(ITestOutputHelper output)
{
    static readonly string[] Ws = ["W1", "W2", "W3", "W4", "W5"];

    /// <summary>An in-memory table behind a counter of full reads, sampling whole blocks of 2,048 rows in storage order.</summary>
    sealed class CountingSource(InMemoryTable inner, bool samplesCheaply, int seed = 1, bool rescansCheaply = false) : IDataSource
    {
        public int FullScans { get; private set; }
        public long RowsRead { get; private set; }
        public int Samples { get; private set; }
        readonly Random _random = new(seed);

        public string Description => "counted " + inner.Description;
        public IReadOnlyList<ColumnSchema> Schema => inner.Schema;
        public string? WeightColumn => inner.WeightColumn;
        public bool SamplesCheaply => samplesCheaply;
        public bool RescansCheaply(Expr? filter) => rescansCheaply;

        public Result<TableProfile> Profile(IReadOnlyList<string> columns, Expr? filter, CancellationToken ct = default)
        {
            FullScans++;
            RowsRead += inner.RowCount;
            return inner.Profile(columns, filter, ct);
        }

        public Result<ContingencyTable> Counts(IReadOnlyList<string> variables, Expr? filter, CancellationToken ct = default)
        {
            FullScans++;
            RowsRead += inner.RowCount;
            return inner.Counts(variables, filter, ct);
        }

        public Result<SumsResult> Sums(IReadOnlyList<Expr> terms, Expr? filter, CancellationToken ct = default)
        {
            FullScans++;
            RowsRead += inner.RowCount;
            return inner.Sums(terms, filter, ct);
        }

        public Result<long> Rows(IReadOnlyList<Expr> columns, Expr? filter, int batchSize, Action<RowBatch> onBatch, CancellationToken ct = default)
        {
            FullScans++;
            RowsRead += inner.RowCount;
            return inner.Rows(columns, filter, batchSize, onBatch, ct);
        }

        public Result<long> SampleRows(IReadOnlyList<Expr> columns, Expr? filter, long rows, long minimumRows, Action<RowBatch> onBatch, CancellationToken ct = default)
        {
            if (!samplesCheaply) return this.BernoulliSample(columns, filter, rows, minimumRows, onBatch, ct);
            Samples++;
            if (inner.RowCount < minimumRows) return 0L;
            var fraction = (double)rows / inner.RowCount;
            long kept = 0;
            // Blocks in storage order, each kept whole with the sampling fraction (what an engine's block sample does).
            var read = inner.Rows(columns, filter, 2048, batch =>
            {
                if (_random.NextDouble() >= fraction) return;
                kept += batch.Count;
                onBatch(batch);
            }, ct);
            return read.IsOk ? kept : read;
        }

        public void Dispose() => inner.Dispose();
    }

    static double Expit(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>The logistic MLE of T on (1, W...) by Newton on arrays until the step is at rounding level.</summary>
    static double[] LogisticMle(InMemoryTable table)
    {
        double[][] x = [Enumerable.Repeat(1.0, table.RowCount).ToArray(), .. Ws.Select(w => ((NumberColumn)table[w]).Values)];
        var t = ((NumberColumn)table["T"]).Values;
        var k = x.Length;
        var beta = new double[k];
        for (var iter = 0; iter < 50; iter++)
        {
            var h = Matrix<double>.Build.Dense(k, k);
            var g = Vector<double>.Build.Dense(k);
            for (var i = 0; i < t.Length; i++)
            {
                var eta = 0.0;
                for (var a = 0; a < k; a++) eta += beta[a] * x[a][i];
                var p = Expit(eta);
                for (var a = 0; a < k; a++)
                {
                    g[a] += (t[i] - p) * x[a][i];
                    for (var b = 0; b <= a; b++) h[a, b] += p * (1 - p) * x[a][i] * x[b][i];
                }
            }
            for (var a = 0; a < k; a++) for (var b = 0; b < a; b++) h[b, a] = h[a, b];
            var step = h.Solve(g);
            for (var a = 0; a < k; a++) beta[a] += step[a];
            if (step.AbsoluteMaximum() < 1e-14) return beta;
        }
        throw new InvalidOperationException("the reference fit did not converge");
    }

    static EstimateResult Ok(Result<EstimateResult> r)
    {
        Assert.True(r.IsOk, r.Error?.Message);
        return r.Value;
    }

    static InMemoryTable SortedBy(InMemoryTable table, string column)
    {
        var key = ((NumberColumn)table[column]).Values;
        var order = Enumerable.Range(0, table.RowCount).OrderBy(i => key[i]).ToArray();
        return InMemoryTable.FromNumbers(new[] { "W1", "W2", "W3", "W4", "W5", "T", "Y" }
            .ToDictionary(c => c, c => order.Select(i => ((NumberColumn)table[c]).Values[i]).ToArray()));
    }

    public static TheoryData<string> Requests => ["ipw", "ipw att trim", "aipw", "aipw single model"];

    static EstimationRequest Request(string name) => name switch
    {
        "ipw" => new("T", "Y") { Method = EstimationMethod.Ipw, Adjustment = Ws },
        "ipw att trim" => new("T", "Y") { Method = EstimationMethod.Ipw, Adjustment = Ws, Options = new() { Target = EffectTarget.Att, Trim = 0.02 } },
        "aipw" => new("T", "Y") { Method = EstimationMethod.Aipw, Adjustment = Ws },
        _ => new("T", "Y") { Method = EstimationMethod.Aipw, Adjustment = Ws, Options = new() { OutcomeModel = "~ T + W1 + W2 + W3 + W4 + W5 + T:W1" } },
    };

    /// <summary>The estimate with the propensity started at the exact MLE: every scan's step is at rounding level.</summary>
    static EstimateResult Converged(EstimationRequest request, InMemoryTable table, double[] mle) =>
        Ok(Estimation.Estimate(request with { Options = request.Options with { PropensityStart = mle } }, table));

    static void SameAsConverged(EstimateResult ours, EstimateResult reference, double[] mle)
    {
        Assert.Equal(reference.Value, ours.Value, Math.Abs(reference.Value) * 1e-9);
        Assert.Equal(reference.MeanTreated!.Value, ours.MeanTreated!.Value, Math.Abs(reference.MeanTreated.Value) * 1e-9);
        // The standard error is read at the last scan's coefficients, a tiny step from the maximum.
        Assert.Equal(reference.StandardError!.Value, ours.StandardError!.Value, reference.StandardError.Value * 1e-5);
        for (var i = 0; i < mle.Length; i++) Assert.Equal(mle[i], ours.PropensityFit![i], (1 + Math.Abs(mle[i])) * 1e-9);
    }

    static readonly Lazy<(InMemoryTable Table, double[] Mle)> Large = new(() =>
    {
        var table = SyntheticData.Linear(300_000, 41);
        return (table, LogisticMle(table));
    });

    [Theory]
    [MemberData(nameof(Requests))]
    public void With_a_cheap_block_sample_ipw_and_aipw_read_the_table_twice_and_give_the_converged_answer(string name)
    {
        var (table, mle) = Large.Value;
        var request = Request(name);
        var source = new CountingSource(table, samplesCheaply: true);
        var ours = Ok(Estimation.Estimate(request, source));
        Assert.Equal(2, source.FullScans);
        Assert.Equal(2L * table.RowCount, source.RowsRead);
        Assert.Equal(1, source.Samples);
        SameAsConverged(ours, Converged(request, table, mle), mle);
    }

    [Theory]
    [InlineData("aipw")]
    [InlineData("aipw single model")]
    public void Where_rows_are_rescanned_cheaply_the_aipw_sandwich_takes_a_lead_pass_and_is_the_same(string name)
    {
        // From the MLE both runs take the same path; only the meat's sums differ: all products of the estimating
        // functions in the last scan, or one more pass summing (ℓᵀψ)² with the lead ℓ = J⁻ᵀc.
        var (table, mle) = Large.Value;
        var request = Request(name);
        request = request with { Options = request.Options with { PropensityStart = mle } };
        var summed = new CountingSource(table, samplesCheaply: true);
        var lead = new CountingSource(table, samplesCheaply: true, rescansCheaply: true);
        var a = Ok(Estimation.Estimate(request, summed));
        var b = Ok(Estimation.Estimate(request, lead));
        Assert.Equal(summed.FullScans + 1, lead.FullScans);
        Assert.Equal(a.Value, b.Value, Math.Abs(a.Value) * 1e-12);
        Assert.Equal(a.StandardError!.Value, b.StandardError!.Value, a.StandardError.Value * 1e-10);
        Assert.InRange(b.StandardError.Value, 1e-3, 1);
        // Bootstrap replicates read only the value: neither the meat nor the pass is taken.
        var replicate = new CountingSource(table, samplesCheaply: true, rescansCheaply: true);
        var value = Ok(Estimation.Estimate(request with { Options = request.Options with { ValueOnly = true } }, replicate));
        Assert.Equal(summed.FullScans, replicate.FullScans);
        Assert.Equal(a.Value, value.Value, Math.Abs(a.Value) * 1e-12);
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public void From_a_poor_sample_or_none_the_answer_is_the_same_and_only_the_scans_differ(string name)
    {
        var (table, mle) = Large.Value;
        var request = Request(name);
        var reference = Converged(request, table, mle);
        // Rows sorted by a covariate: each block holds a narrow slice of W1, so a block sample is far from the table.
        var sorted = new CountingSource(SortedBy(table, "W1"), samplesCheaply: true, seed: 3);
        SameAsConverged(Ok(Estimation.Estimate(request, sorted)), reference, mle);
        output.WriteLine($"{name}: sorted rows {sorted.FullScans} scans");
        Assert.InRange(sorted.FullScans, 2, 8);
        // No cheap sampling (as PostgreSQL): a Bernoulli sample costs a count and a read of the rows, then Newton from it.
        var plain = new CountingSource(table, samplesCheaply: false);
        SameAsConverged(Ok(Estimation.Estimate(request, plain)), reference, mle);
        output.WriteLine($"{name}: no cheap sample {plain.FullScans} scans");
        Assert.InRange(plain.FullScans, 4, 10);
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public void Small_data_is_not_sampled_and_newton_from_zero_gives_the_converged_answer(string name)
    {
        var table = SyntheticData.Linear(20_000, 42);
        var mle = LogisticMle(table);
        var request = Request(name);
        var source = new CountingSource(table, samplesCheaply: true);
        SameAsConverged(Ok(Estimation.Estimate(request, source)), Converged(request, table, mle), mle);
        output.WriteLine($"{name}: 20,000 rows {source.FullScans} scans");
        Assert.InRange(source.FullScans, 3, 10);
    }

    /// <summary>The standardised contrast from the logistic MLE of Y on (1, T, Z1, Z2, Z3), by Newton on arrays.</summary>
    static (double Ate, double Mu1) LogisticStandardisation(InMemoryTable table)
    {
        string[] names = ["T", "Z1", "Z2", "Z3"];
        double[][] x = [Enumerable.Repeat(1.0, table.RowCount).ToArray(), .. names.Select(w => ((NumberColumn)table[w]).Values)];
        var y = ((NumberColumn)table["Y"]).Values;
        var k = x.Length;
        var beta = new double[k];
        for (var iter = 0; iter < 50; iter++)
        {
            var h = Matrix<double>.Build.Dense(k, k);
            var g = Vector<double>.Build.Dense(k);
            for (var i = 0; i < y.Length; i++)
            {
                var eta = 0.0;
                for (var a = 0; a < k; a++) eta += beta[a] * x[a][i];
                var p = Expit(eta);
                for (var a = 0; a < k; a++)
                {
                    g[a] += (y[i] - p) * x[a][i];
                    for (var b = 0; b < k; b++) h[a, b] += p * (1 - p) * x[a][i] * x[b][i];
                }
            }
            var step = h.Solve(g);
            for (var a = 0; a < k; a++) beta[a] += step[a];
            if (step.AbsoluteMaximum() < 1e-14) break;
        }
        double mu1 = 0, mu0 = 0;
        for (var i = 0; i < y.Length; i++)
        {
            var rest = 0.0;
            for (var a = 2; a < k; a++) rest += beta[a] * x[a][i];
            mu1 += Expit(beta[0] + beta[1] + rest);
            mu0 += Expit(beta[0] + rest);
        }
        return ((mu1 - mu0) / y.Length, mu1 / y.Length);
    }

    [Fact]
    public void Logistic_standardisation_reads_the_table_three_times_and_gives_the_converged_answer()
    {
        var table = SyntheticData.Binary(300_000, 43);
        var request = new EstimationRequest("T", "Y") { Method = EstimationMethod.Regression, Adjustment = ["Z1", "Z2", "Z3"] };
        var source = new CountingSource(table, samplesCheaply: true);
        var ours = Ok(Estimation.Estimate(request, source));
        Assert.Equal("regression (logistic, standardised)", ours.Method);
        // The checks with the linear model's moments (a binary outcome is seen there), then two logistic scans.
        Assert.Equal(3, source.FullScans);
        var (ate, mu1) = LogisticStandardisation(table);
        Assert.Equal(ate, ours.Value, Math.Abs(ate) * 1e-9);
        Assert.Equal(mu1, ours.MeanTreated!.Value, mu1 * 1e-9);
        // Without a sample the same answer, Newton from zero.
        var memory = Ok(Estimation.Estimate(request, table));
        Assert.Equal(ate, memory.Value, Math.Abs(ate) * 1e-9);
        Assert.Equal(memory.StandardError!.Value, ours.StandardError!.Value, memory.StandardError.Value * 1e-5);
    }

    [Theory]
    [InlineData("ipw")]
    [InlineData("aipw")]
    public void Frequency_weights_go_into_the_sample_fit_and_the_answer_is_the_converged_one(string name)
    {
        var (plain, _) = Large.Value;
        var random = new Random(7);
        var weights = Enumerable.Range(0, plain.RowCount).Select(_ => (double)random.Next(1, 4)).ToArray();
        var table = InMemoryTable.FromNumbers(new[] { "W1", "W2", "W3", "W4", "W5", "T", "Y" }
            .ToDictionary(c => c, c => ((NumberColumn)plain[c]).Values), weights);
        var request = Request(name);
        var source = new CountingSource(table, samplesCheaply: true);
        var ours = Ok(Estimation.Estimate(request, source));
        output.WriteLine($"{name} weighted: {source.FullScans} scans");
        // Weighted sources take the profiling scan first, then the two scans.
        Assert.Equal(3, source.FullScans);
        // The reference starts at our fit and takes full Newton steps on all rows until they vanish.
        var reference = Converged(request, table, ours.PropensityFit!);
        SameAsConverged(ours, reference, reference.PropensityFit!);
        Assert.Equal(weights.Sum(), ours.N);
    }
}
