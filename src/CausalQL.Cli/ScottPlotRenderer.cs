using CausalQL.Sessions;
using ScottPlot;
using SkiaSharp;

namespace CausalQL.Cli;

/// <summary>
/// Draws Core's <see cref="CausalQL.Sessions.Plot"/> values with ScottPlot: PNG through its raster surface, SVG through
/// Skia's SVG canvas directly (ScottPlot's own SVG export turns text into outlines; this keeps axis labels and
/// covariate names as real text, searchable and readable by screen readers).
/// </summary>
public sealed class ScottPlotRenderer(DiskFileReader paths) : IPlotRenderer
{
    public DrawResult Render(CausalQL.Sessions.Plot plot, string format, string path, string relativeTo)
    {
        var output = paths.Resolve(path, relativeTo);
        byte[] bytes;
        try
        {
            var drawing = plot switch
            {
                HistogramPlot h => Histogram(h, dashes: format != "svg"),
                BalancePlot b => Balance(b, dashes: format != "svg"),
                _ => throw new ArgumentOutOfRangeException(nameof(plot), plot.GetType().Name),
            };
            bytes = format == "svg" ? Svg(drawing, plot.Width, plot.Height) : drawing.GetImageBytes(plot.Width, plot.Height, ImageFormat.Png);
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException)
        {
            return new DrawResult(null, $"the drawing library could not start ({e.GetBaseException().Message})");
        }
        try
        {
            File.WriteAllBytes(output, bytes);
            return new DrawResult(path, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new DrawResult(null, e switch
            {
                DirectoryNotFoundException => $"the folder {Path.GetDirectoryName(output)} does not exist",
                UnauthorizedAccessException => $"permission denied for {output}",
                _ => e.Message,
            });
        }
    }

    static byte[] Svg(ScottPlot.Plot drawing, int width, int height)
    {
        // A first, raster render settles the automatic limits and layout; otherwise ScottPlot renders twice into the
        // SVG (once to measure), leaving every element in the file two times.
        drawing.GetImageBytes(width, height, ImageFormat.Png);
        using var memory = new MemoryStream();
        using (var stream = new SKManagedWStream(memory))
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
            drawing.Render(canvas, width, height);  // the SVG is complete once the canvas is disposed
        return memory.ToArray();
    }

    // Skia's SVG canvas has no dash effect (it would print a complaint and draw solid lines): in SVG, dashed
    // lines are drawn thinner and lighter instead.

    static ScottPlot.Plot Histogram(HistogramPlot h, bool dashes)
    {
        var plot = new ScottPlot.Plot();
        var bars = new List<Bar>();
        for (var i = 0; i < h.Counts.Count; i++)
            bars.Add(new Bar
            {
                Position = (h.Edges[i] + h.Edges[i + 1]) / 2,
                Value = h.Counts[i],
                Size = h.Edges[i + 1] - h.Edges[i],
                FillColor = Colors.SteelBlue,
                LineColor = Colors.White,
                LineWidth = 0.5f,
            });
        plot.Add.Bars(bars);
        foreach (var m in h.Markers)
        {
            var line = plot.Add.VerticalLine(m.X);
            line.Color = m.Dashed ? Colors.DarkGray : Colors.Black;
            line.LineWidth = m.Dashed && !dashes ? 1 : 2;
            if (m.Dashed && dashes) line.LinePattern = LinePattern.Dashed;
            if (m.Label.Length > 0) line.LegendText = m.Label;
        }
        plot.Axes.Margins(bottom: 0);
        plot.Title(h.Title);
        plot.XLabel(h.XLabel);
        plot.YLabel(h.YLabel);
        if (h.Markers.Count > 0) plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    static ScottPlot.Plot Balance(BalancePlot b, bool dashes)
    {
        var plot = new ScottPlot.Plot();
        // First covariate at the top, as tables read.
        var ys = Enumerable.Range(0, b.Rows.Count).Select(i => (double)(b.Rows.Count - 1 - i)).ToArray();
        var names = b.Rows.Select(r => r.Term).ToArray();
        foreach (var (x, style) in new[] { (0.0, false), (-b.Threshold, true), (b.Threshold, true) })
        {
            var line = plot.Add.VerticalLine(x);
            line.Color = style ? Colors.Gray : Colors.Black;
            if (style && dashes) line.LinePattern = LinePattern.Dashed;
        }
        var before = plot.Add.ScatterPoints(b.Rows.Select(r => r.Before).ToArray(), ys);
        before.LegendText = "before weighting";
        before.MarkerSize = 9;
        before.Color = Colors.Crimson;
        var after = plot.Add.ScatterPoints(b.Rows.Select(r => r.After).ToArray(), ys);
        after.LegendText = "after weighting";
        after.MarkerShape = MarkerShape.FilledDiamond;
        after.MarkerSize = 9;
        after.Color = Colors.SteelBlue;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ys, names);
        plot.Axes.SetLimitsY(-0.7, b.Rows.Count - 0.3);
        plot.Title(b.Title);
        plot.XLabel(b.XLabel);
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }
}
