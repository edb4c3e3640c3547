using CausalQL.Execution;

namespace CausalQL.Sessions;

/// <summary>
/// A picture a script asks for, as numbers. Core computes every bar, point and line; an <see cref="IPlotRenderer"/>
/// outside Core only draws it, so what is shown is tested here and the drawing library stays replaceable.
/// </summary>
public abstract record Plot(string Title, int Width, int Height);

/// <summary>A vertical line across a histogram: the estimate or an interval limit; an empty label leaves it out of the legend.</summary>
public sealed record PlotMarker(string Label, double X, bool Dashed);

/// <summary>A histogram: bar i spans [Edges[i], Edges[i + 1]) and holds Counts[i] values.</summary>
public sealed record HistogramPlot(
    string Title, string XLabel, string YLabel, IReadOnlyList<double> Edges, IReadOnlyList<int> Counts, IReadOnlyList<PlotMarker> Markers,
    int Width, int Height) : Plot(Title, Width, Height);

/// <summary>
/// Covariate balance (a "Love plot"): a row per covariate with its standardised mean difference before and after
/// weighting; lines at ±<see cref="Threshold"/> mark the usual limit of acceptable imbalance.
/// </summary>
public sealed record BalancePlot(string Title, string XLabel, IReadOnlyList<Balance> Rows, double Threshold, int Width, int Height)
    : Plot(Title, Width, Height);

public static class Histograms
{
    /// <summary>
    /// Equal-width bins over the values' range. Without a bin count, the Freedman–Diaconis width 2·IQR·n^(−1/3)
    /// (robust to the long tails bootstrap distributions can have), kept between 10 and 80 bins.
    /// </summary>
    public static (double[] Edges, int[] Counts) Build(IReadOnlyList<double> values, int? bins = null)
    {
        if (values.Count == 0) throw new ArgumentException("a histogram needs values", nameof(values));
        var sorted = values.Order().ToArray();
        double lo = sorted[0], hi = sorted[^1];
        if (hi <= lo)
        {
            // Every value equal: one visible bar around it.
            var pad = Math.Max(Math.Abs(lo) * 0.01, 1e-9);
            (lo, hi) = (lo - pad, hi + pad);
        }
        var k = bins ?? FreedmanDiaconis(sorted, lo, hi);
        var edges = new double[k + 1];
        for (var i = 0; i <= k; i++) edges[i] = lo + (hi - lo) * i / k;
        var counts = new int[k];
        foreach (var v in sorted)
            counts[Math.Clamp((int)Math.Floor((v - lo) / (hi - lo) * k), 0, k - 1)]++;
        return (edges, counts);
    }

    static int FreedmanDiaconis(double[] sorted, double lo, double hi)
    {
        var iqr = At(sorted, 0.75) - At(sorted, 0.25);
        if (iqr <= 0) return 10;
        var width = 2 * iqr / Math.Cbrt(sorted.Length);
        return (int)Math.Clamp(Math.Ceiling((hi - lo) / width), 10, 80);
    }

    static double At(double[] sorted, double q)
    {
        var pos = q * (sorted.Length - 1);
        var i = (int)Math.Floor(pos);
        return i + 1 < sorted.Length ? sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
    }
}
