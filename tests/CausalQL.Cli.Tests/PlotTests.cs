using System.Buffers.Binary;
using System.Xml.Linq;
using CausalQL.Tests;

namespace CausalQL.Tests.Cli;

/// <summary>`plot ...` through `cql run`: real PNG and SVG files beside the script (ScottPlot on SkiaSharp).</summary>
public class PlotTests
{
    static readonly string Script = ConfoundedSample.Script(3000) + """
        estimate e = ATE(X -> Y) in G using d with bootstrap = 100, seed = 1
        estimate w = ATE(X -> Y) in G using d with method = ipw

        """;

    static (CliRun Run, string Dir) RunIn(string statements)
    {
        var dir = CliHarness.TempDir();
        var path = CliHarness.WriteFile(dir, "plots.cql", Script + statements);
        return (CliHarness.Run("run", path), dir);
    }

    static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.Equal(PngSignature, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    static List<string> SvgTexts(string file)
    {
        var svg = XDocument.Load(file);
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        return [.. svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim())];
    }

    static string SvgText(string file) => string.Join(" ", SvgTexts(file));

    [Fact]
    public void Bootstrap_plot_writes_a_png_of_the_asked_size_beside_the_script()
    {
        var (run, dir) = RunIn("plot bootstrap of e to \"boot.png\" with width = 640, height = 400");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("written to boot.png", run.Out);
        Assert.Equal((640, 400), PngSize(File.ReadAllBytes(Path.Combine(dir, "boot.png"))));
    }

    [Fact]
    public void Bootstrap_plot_as_svg_is_xml_with_its_labels_as_text()
    {
        var (run, dir) = RunIn("plot bootstrap of e to \"boot.svg\"");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal("", run.Error);
        var text = SvgText(Path.Combine(dir, "boot.svg"));
        Assert.Single(SvgTexts(Path.Combine(dir, "boot.svg")), t => t == "Bootstrap distribution of e (100 replicates)");   // drawn once
        Assert.Contains("effect of X on Y (X = 1 vs 0)", text);
        Assert.Contains("replicates", text);
        Assert.Contains("95% CI", text);
    }

    [Fact]
    public void Balance_plot_names_each_covariate_in_svg_and_draws_png()
    {
        var (run, dir) = RunIn("plot balance of w to \"balance.svg\"\nplot balance of w to \"balance.png\"");
        Assert.True(run.ExitCode == 0, run.All);
        var text = SvgText(Path.Combine(dir, "balance.svg"));
        Assert.Contains("Z", text.Split(' '));
        Assert.Contains("standardised mean difference (treated − control)", text);
        Assert.Contains("before weighting", text);
        Assert.Contains("after weighting", text);
        Assert.Equal((800, 500), PngSize(File.ReadAllBytes(Path.Combine(dir, "balance.png"))));
    }

    [Fact]
    public void An_unwritable_path_is_an_error_at_the_path_and_the_run_fails()
    {
        var (run, _) = RunIn("plot bootstrap of e to \"no/such/dir/boot.svg\"");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("plots.cql:10:24: error: cannot write the plot to \"no/such/dir/boot.svg\": the folder ", run.Error);
        Assert.Contains("does not exist", run.Error);
    }

    [Fact]
    public void Check_reports_an_unknown_extension_without_running()
    {
        var dir = CliHarness.TempDir();
        var path = CliHarness.WriteFile(dir, "plots.cql", Script + "plot balance of w to \"balance.gif\"");
        var run = CliHarness.Run("check", path);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("plots.cql:10:22: error: plot draws .png or .svg files, not .gif (\"balance.gif\")", run.Error);
        Assert.False(File.Exists(Path.Combine(dir, "balance.gif")));
    }

    [Fact]
    public void Json_output_has_a_plot_object_with_the_numbers_drawn()
    {
        var dir = CliHarness.TempDir();
        var path = CliHarness.WriteFile(dir, "plots.cql", Script + "plot balance of w to \"balance.svg\"");
        var run = CliHarness.Run("run", path, "--json");
        Assert.True(run.ExitCode == 0, run.All);
        var plot = System.Text.Json.Nodes.JsonNode.Parse(run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1])!;
        Assert.Equal("plot", plot["kind"]!.GetValue<string>());
        Assert.Equal("balance", plot["plot"]!.GetValue<string>());
        Assert.Equal("w", plot["estimate"]!.GetValue<string>());
        Assert.Equal("balance.svg", plot["path"]!.GetValue<string>());
        var z = Assert.Single(plot["covariates"]!.AsArray())!;
        Assert.Equal("Z", z["term"]!.GetValue<string>());
        Assert.True(z["before"]!.GetValue<double>() > 1);
        Assert.True(File.Exists(Path.Combine(dir, "balance.svg")));
    }

    [Fact]
    public void Nhefs_balance_plot_names_every_term_of_the_books_propensity_model()
    {
        // Hernán & Robins, Causal Inference: What If, ch. 12 (IP weighting of quitting smoking on weight gain).
        var dir = CliHarness.TempDir();
        var data = TestPaths.Data("nhefs", "nhefs.csv").Replace("\\", "/");
        var path = CliHarness.WriteFile(dir, "nhefs.cql", $$"""
            graph g {
              {sex, race, age, education, smokeintensity, smokeyrs, exercise, active, wt71} -> qsmk
              {sex, race, age, education, smokeintensity, smokeyrs, exercise, active, wt71} -> wt82_71
              qsmk -> wt82_71
            }
            data nhefs = csv("{{data}}")
            estimate w = ATE(qsmk -> wt82_71) in g using nhefs with method = ipw,
              treatment_model = ~ sex + race + age + I(age^2) + C(education) + smokeintensity + I(smokeintensity^2) + smokeyrs + I(smokeyrs^2) + C(exercise) + C(active) + wt71 + I(wt71^2)
            plot balance of w to "balance.svg"
            plot balance of w to "balance.png"
            """);
        var run = CliHarness.Run("run", path);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("w: ATE(qsmk -> wt82_71) = 3.44", run.Out);
        var texts = SvgTexts(Path.Combine(dir, "balance.svg"));
        foreach (var term in new[] { "sex", "race", "age", "I(age ^ 2)", "education[2]", "smokeintensity", "I(smokeintensity ^ 2)", "smokeyrs", "exercise[1]", "active[2]", "wt71", "I(wt71 ^ 2)" })
            Assert.Single(texts, t => t == term);
        // 18 covariate terms: the picture grows to keep a row each legible.
        var (width, height) = PngSize(File.ReadAllBytes(Path.Combine(dir, "balance.png")));
        Assert.Equal(800, width);
        Assert.True(height >= 140 + 24 * 15, $"height {height}");
    }
}
