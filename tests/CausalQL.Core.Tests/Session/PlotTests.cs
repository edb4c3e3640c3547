using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Tests.Sessions;

/// <summary>`plot bootstrap|balance of e to "file"`: the plot data Core computes, and every error with its position.</summary>
public class PlotTests
{
    // Z confounds X and Y (the scm of RefuteSampleTests): the naive imbalance in Z is large, and weighting removes it.
    static readonly string Script = ConfoundedSample.Script(5000) + """
        estimate e = ATE(X -> Y) in G using d with bootstrap = 200, seed = 1
        estimate w = ATE(X -> Y) in G using d with method = ipw

        """;

    /// <summary>Keeps what it was asked to draw; fails when told to.</summary>
    sealed class CapturingRenderer(string? error = null) : IPlotRenderer
    {
        public List<(Plot Plot, string Format, string Path, string RelativeTo)> Calls { get; } = [];

        public DrawResult Render(Plot plot, string format, string path, string relativeTo)
        {
            Calls.Add((plot, format, path, relativeTo));
            return error is null ? new DrawResult(path, null) : new DrawResult(null, error);
        }
    }

    static RunResult Run(string text, IPlotRenderer? renderer) =>
        new Session(new SessionPorts(Plotter: renderer)).Run(new SourceText(text, "/scripts/plots.cql"));

    [Fact]
    public void Bootstrap_plot_is_a_histogram_of_every_replicate_with_the_estimate_and_interval_marked()
    {
        var renderer = new CapturingRenderer();
        var run = Run(Script + "plot bootstrap of e to \"out/boot.svg\" with width = 640, height = 480", renderer);
        Assert.False(run.HasErrors, string.Join("\n", run.Diagnostics));
        var (plot, format, path, relativeTo) = Assert.Single(renderer.Calls);
        Assert.Equal(("svg", "out/boot.svg", "/scripts/plots.cql"), (format, path, relativeTo));
        var h = Assert.IsType<HistogramPlot>(plot);
        Assert.Equal((640, 480), (h.Width, h.Height));
        Assert.Equal(200, h.Counts.Sum());
        Assert.Equal(h.Counts.Count + 1, h.Edges.Count);
        Assert.True(h.Edges.Zip(h.Edges.Skip(1)).All(p => p.First < p.Second));

        var estimate = Assert.Single(run.Results, r => r.Kind == "estimate" && r.Json["label"]!.GetValue<string>() == "e");
        var value = estimate.Json["value"]!.GetValue<double>();
        var interval = estimate.Json["interval"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        Assert.Equal([value, interval[0], interval[1]], h.Markers.Select(m => m.X));
        Assert.InRange(value, h.Edges[0], h.Edges[^1]);
        Assert.Contains("effect of X on Y", h.XLabel);

        var result = Assert.Single(run.Results, r => r.Kind == "plot");
        Assert.Equal("plot bootstrap of e: 200 replicates in " + h.Counts.Count + " bins, written to out/boot.svg", result.Text);
        Assert.Equal(h.Counts, result.Json["counts"]!.AsArray().Select(c => c!.GetValue<int>()));
    }

    [Fact]
    public void Bins_option_sets_the_number_of_bars()
    {
        var renderer = new CapturingRenderer();
        var run = Run(Script + "plot bootstrap of e to \"boot.png\" with bins = 12", renderer);
        Assert.False(run.HasErrors, string.Join("\n", run.Diagnostics));
        var h = Assert.IsType<HistogramPlot>(Assert.Single(renderer.Calls).Plot);
        Assert.Equal(12, h.Counts.Count);
        Assert.Equal("png", renderer.Calls[0].Format);
    }

    [Fact]
    public void Balance_plot_shows_the_confounder_imbalanced_before_and_balanced_after_weighting()
    {
        var renderer = new CapturingRenderer();
        var run = Run(Script + "plot balance of w to \"balance.png\"", renderer);
        Assert.False(run.HasErrors, string.Join("\n", run.Diagnostics));
        var b = Assert.IsType<BalancePlot>(Assert.Single(renderer.Calls).Plot);
        var z = Assert.Single(b.Rows);
        Assert.Equal("Z", z.Term);
        // P(X=1 | Z=1) = 0.8 vs 0.2: treated have Z = 1 with probability 0.8, controls 0.2; SMD = 0.6 / sqrt((0.16 + 0.16)/2) = 1.5.
        Assert.InRange(z.Before, 1.35, 1.65);
        // Weighting by a saturated propensity model balances a binary covariate exactly.
        Assert.InRange(z.After, -1e-6, 1e-6);
        Assert.Equal(0.1, b.Threshold);
        Assert.Contains("1 covariate", Assert.Single(run.Results, r => r.Kind == "plot").Text);
    }

    [Theory]
    // unknown estimate: at the name
    [InlineData("plot bootstrap of ee to \"b.svg\"", 10, 19, "unknown estimate 'ee'")]
    // a graph is not an estimate
    [InlineData("plot bootstrap of G to \"b.svg\"", 10, 19, "'G' is a graph, expected a labelled estimate")]
    // unknown kind, with a suggestion
    [InlineData("plot bootstrp of e to \"b.svg\"", 10, 6, "unknown plot 'bootstrp': expected bootstrap or balance; did you mean 'bootstrap'?")]
    // unknown extension: at the path
    [InlineData("plot bootstrap of e to \"b.jpg\"", 10, 24, "plot draws .png or .svg files, not .jpg (\"b.jpg\")")]
    [InlineData("plot bootstrap of e to \"plot\"", 10, 24, "plot needs a file name ending in .png or .svg, found \"plot\"")]
    // options
    [InlineData("plot bootstrap of e to \"b.svg\" with colour = 2", 10, 37, "'plot' has no option 'colour'; expected width, height or bins")]
    [InlineData("plot bootstrap of e to \"b.svg\" with bins = 1", 10, 37, "plot option 'bins' must be a whole number from 2 to 500")]
    // an estimate without bootstrap replicates
    [InlineData("plot bootstrap of w to \"b.svg\"", 10, 1, "estimate 'w' has no bootstrap replicates to plot (its interval: normal, M-estimation sandwich (stacked estimating equations of the logistic propensity and the weighted means)); add 'with bootstrap = 1000' to the estimate")]
    // an estimate without a balance table
    [InlineData("plot balance of e to \"b.svg\"", 10, 1, "estimate 'e' has no covariate balance to plot: balance before and after weighting is measured by inverse probability weighting (with method = ipw); this estimate used plugin")]
    public void Errors_are_positioned_diagnostics(string statement, int line, int column, string message)
    {
        var renderer = new CapturingRenderer();
        var run = Run(Script + statement, renderer);
        var error = Assert.Single(run.Diagnostics, d => d.IsError);
        Assert.Equal(message, error.Message);
        Assert.Equal((line, column), (error.Location.Line, error.Location.Column));
        Assert.Empty(renderer.Calls);
    }

    [Fact]
    public void A_file_the_renderer_cannot_write_is_an_error_at_the_path()
    {
        var run = Run(Script + "plot bootstrap of e to \"missing/b.svg\"", new CapturingRenderer("the folder /scripts/missing does not exist"));
        var error = Assert.Single(run.Diagnostics, d => d.IsError);
        Assert.Equal("cannot write the plot to \"missing/b.svg\": the folder /scripts/missing does not exist", error.Message);
        Assert.Equal((10, 24), (error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void A_session_without_a_renderer_says_so()
    {
        var run = Run(Script + "plot bootstrap of e to \"b.svg\"", null);
        var error = Assert.Single(run.Diagnostics, d => d.IsError);
        Assert.Contains("needs a plot renderer", error.Message);
    }

    [Fact]
    public void Plot_of_an_estimate_that_failed_says_it_has_no_result()
    {
        var run = Run(Script + "graph H { Q -> Y }\nestimate bad = ATE(Q -> Y) in H using d with bootstrap = 10\nplot bootstrap of bad to \"b.svg\"", new CapturingRenderer());
        Assert.Contains(run.Diagnostics, d => d.Message == "estimate 'bad' has no result to plot: it did not run on data successfully");
    }

    [Theory]
    [InlineData(new[] { 1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 5)]
    [InlineData(new[] { 0.5, 0.5, 0.5 }, null)]
    [InlineData(new[] { -3.0, 0, 0.1, 0.2, 0.3, 7 }, null)]
    public void Histogram_bins_cover_every_value_once(double[] values, int? bins)
    {
        var (edges, counts) = Histograms.Build(values, bins);
        Assert.Equal(values.Length, counts.Sum());
        if (bins is { } k) Assert.Equal(k, counts.Length);
        Assert.True(edges[0] <= values.Min() && values.Max() <= edges[^1]);
        foreach (var v in values)
        {
            var i = Array.FindLastIndex(edges, e => e <= v);
            Assert.True(counts[Math.Min(i, counts.Length - 1)] > 0);
        }
    }
}
