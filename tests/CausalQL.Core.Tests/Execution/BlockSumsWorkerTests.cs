using CausalQL.Execution;
using Xunit;

namespace CausalQL.Tests.Execution;

/// <summary>
/// The engine-side sums (<see cref="BlockSumsWorker"/>) against a row-by-row loop: every block length
/// (the SIMD loops' tails), one to four factors with and without a weight, and missing values, which
/// make a term skip the row as SQL's SUM does.
/// </summary>
public class BlockSumsWorkerTests
{
    static readonly string[] Names = ["a", "b", "c", "d", "w"];

    static readonly Expr A = Expr.Col("a"), B = Expr.Col("b"), C = Expr.Col("c"), D = Expr.Col("d");

    static readonly Expr[] Terms =
    [
        A, A * B, A * B * C, A * B * C * D, Expr.Exp(A) * B * (C - D) * A,
        Expr.Expit(A + 2 * B) * C, (A - B) * (A - B) * C * D * B,
    ];

    static double[][] Columns(int rows, int seed, double missingRate)
    {
        var random = new Random(seed);
        return Names.Select(name => Enumerable.Range(0, rows).Select(_ =>
            name != "w" && random.NextDouble() < missingRate ? double.NaN
            : name == "w" ? random.Next(0, 4) : random.NextDouble() * 4 - 2).ToArray()).ToArray();
    }

    /// <summary>The reference: each row's term (NaN skipped) times the row's weight, added in row order.</summary>
    static double Reference(Expr term, double[][] columns, int rows, bool weighted)
    {
        var table = InMemoryTable.FromNumbers(Names.Select((n, i) => (n, columns[i][..rows])).ToDictionary(p => p.n, p => p.Item2));
        var values = new double[rows];
        table.Rows([term, Expr.Col("w")], null, Math.Max(1, rows), batch =>
        {
            for (var r = 0; r < batch.Count; r++) values[r] = batch.Columns[0][r] * (weighted ? batch.Columns[1][r] : 1);
        });
        return values.Where(v => !double.IsNaN(v)).Sum();
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(true, 0.0)]
    [InlineData(false, 0.05)]
    [InlineData(true, 0.05)]
    public void Every_block_length_sums_as_the_row_loop(bool weighted, double missingRate)
    {
        var plan = BlockSumsPlan.Create(Terms, _ => StorageType.Number, weighted ? "w" : null, 2048)!;
        Assert.NotNull(plan);
        foreach (var rows in Enumerable.Range(0, 70).Append(255).Append(2048))
        {
            var columns = Columns(rows, 100 + rows, missingRate);
            var worker = plan.NewWorker();
            for (var i = 0; i < plan.Inputs.Count; i++)
            {
                var name = ((ColumnRef)plan.Inputs[i]).Name;
                columns[Array.IndexOf(Names, name)].CopyTo(worker.Input(i));
            }
            worker.Add(rows);
            var merged = plan.Merge([worker]);
            Assert.Equal(rows, merged.Rows);
            Assert.Equal(weighted ? columns[4].Sum() : rows, merged.N);
            for (var t = 0; t < Terms.Length; t++)
            {
                var expected = Reference(Terms[t], columns, rows, weighted);
                Assert.True(Math.Abs(merged.Sums[t] - expected) <= 1e-12 * (1 + Math.Abs(expected)),
                    $"term {Terms[t]} at {rows} rows: {merged.Sums[t]} vs {expected}");
            }
        }
    }

    /// <summary>Rows kept by several threads come back in the order of the key term, blocks in order or not.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Collected_rows_come_back_in_key_order(bool interleaved)
    {
        var plan = BlockSumsPlan.Create([A * 2, Expr.Col("key")], _ => StorageType.Number, null, 2048)!;
        double[][] blocks = interleaved ? [[5, 6, 7], [1, 9], [3, 4], [8, 0.5]] : [[5, 6, 7], [1, 2], [3, 4], [8, 9]];
        var workers = new[] { plan.NewCollector(), plan.NewCollector() };
        var keyInput = plan.Inputs.ToList().FindIndex(e => e is ColumnRef { Name: "key" });
        for (var b = 0; b < blocks.Length; b++)
        {
            var worker = workers[b % 2];
            blocks[b].CopyTo(worker.Input(keyInput));
            blocks[b].Select(k => k + 100).ToArray().CopyTo(worker.Input(1 - keyInput));
            worker.Add(blocks[b].Length);
        }
        var collected = BlockRowsWorker.Collect(workers, 2, 1);
        var keys = collected.SelectMany(c => c.Values[1]).ToArray();
        var values = collected.SelectMany(c => c.Values[0]).ToArray();
        Assert.Equal(blocks.SelectMany(k => k).Order(), keys);
        Assert.Equal(keys.Select(k => (k + 100) * 2), values);
        Assert.All(collected.SelectMany(c => c.Weights), w => Assert.Equal(1, w));
        Assert.Equal(blocks.Sum(b => b.Length), workers.Sum(w => w.Rows));
    }

    /// <summary>
    /// Terms that share all factors but the last are summed together (one group per prefix, up to eight at
    /// a time, a term equal to a prefix included): every prefix length (none to three factors, with and
    /// without the weight) and group size from one to eleven, against the row loop.
    /// </summary>
    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(true, 0.0)]
    [InlineData(false, 0.03)]
    [InlineData(true, 0.03)]
    public void Terms_sharing_a_prefix_sum_as_the_row_loop(bool weighted, double missingRate)
    {
        string[] names = [.. Enumerable.Range(0, 11).Select(i => $"x{i}"), "w"];
        var x = names[..^1].Select(Expr.Col).ToArray();
        var terms = new List<Expr>();
        terms.AddRange(x);                                                  // no prefix: 11 members
        terms.AddRange(x.Skip(1).Take(9).Select(c => x[0] * c));            // prefix x0 (x0 alone is a member: times 1)
        terms.AddRange(x.Skip(2).Take(3).Select(c => x[0] * x[1] * c));     // prefix x0·x1
        terms.AddRange(x.Skip(3).Take(2).Select(c => x[2] * x[1] * x[0] * c));
        terms.Add(x[4] * x[5] * x[6] * x[7]);                               // a group of one
        terms.Add(Expr.Exp(x[3]) * x[4] * (x[5] - x[6]));
        var plan = BlockSumsPlan.Create(terms, _ => StorageType.Number, weighted ? "w" : null, 2048)!;
        Assert.NotNull(plan);
        foreach (var rows in new[] { 0, 1, 7, 8, 9, 31, 33, 100, 1023, 1024, 1025, 2048 })
        {
            var random = new Random(7 + rows);
            var columns = names.Select(name => Enumerable.Range(0, rows).Select(_ =>
                name != "w" && random.NextDouble() < missingRate ? double.NaN
                : name == "w" ? random.Next(0, 4) : random.NextDouble() * 4 - 2).ToArray()).ToArray();
            var worker = plan.NewWorker();
            for (var i = 0; i < plan.Inputs.Count; i++)
                columns[Array.IndexOf(names, ((ColumnRef)plan.Inputs[i]).Name)].CopyTo(worker.Input(i));
            worker.Add(rows);
            var merged = plan.Merge([worker]);
            var table = InMemoryTable.FromNumbers(names.Select((n, i) => (n, columns[i])).ToDictionary(p => p.n, p => p.Item2));
            for (var t = 0; t < terms.Count; t++)
            {
                var values = new List<double>();
                table.Rows([terms[t], Expr.Col("w")], null, Math.Max(1, rows), batch =>
                {
                    for (var r = 0; r < batch.Count; r++) values.Add(batch.Columns[0][r] * (weighted ? batch.Columns[1][r] : 1));
                });
                var expected = values.Where(v => !double.IsNaN(v)).Sum();
                Assert.True(Math.Abs(merged.Sums[t] - expected) <= 1e-12 * (1 + values.Where(v => !double.IsNaN(v)).Sum(Math.Abs)),
                    $"term {terms[t]} at {rows} rows: {merged.Sums[t]} vs {expected}");
            }
        }
    }
}
