using System.Diagnostics;
using System.Text;
using CausalQL.Binding;
using CausalQL.Data;
using CausalQL.Execution;
using CausalQL.Llm;
using CausalQL.Sessions;

namespace CausalQL.Cli;

/// <summary>The outside world the command line lets a session touch: the disk, DuckDB/PostgreSQL, Graphviz.</summary>
public static class CliPorts
{
    public static SessionPorts Create()
    {
        var files = new DiskFileReader();
        var ports = new SessionPorts(files, new DiskOutputFiles(files), new GraphvizDrawer(files), new DataOpener(files))
        {
            Plotter = new ScottPlotRenderer(files),
        };
        // `ask "..."` in scripts and the REPL uses the model `cql ask` would: defaults, then $CQL_LLM_CONFIG.
        var (options, _, error) = LlmArgs.Parse([]);
        INlTranslator translator = options is not null ? new SessionTranslator(options, ports) : new UnconfiguredTranslator(error!);
        return ports with { Translator = translator };
    }
}

public sealed class DiskOutputFiles(DiskFileReader paths) : IOutputFiles
{
    public string? Write(string path, string relativeTo, string content)
    {
        try
        {
            File.WriteAllText(paths.Resolve(path, relativeTo), content, new UTF8Encoding(false));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return e.Message;
        }
    }
}

/// <summary>`show g as svg|png` through Graphviz's `dot`, written beside the script.</summary>
public sealed class GraphvizDrawer(DiskFileReader paths) : IGraphDrawer
{
    public DrawResult Draw(string dot, string format, string fileName, string relativeTo)
    {
        var output = paths.Resolve(fileName, relativeTo);
        try
        {
            var info = new ProcessStartInfo("dot", ["-T" + format, "-o", output])
            {
                RedirectStandardInput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(info);
            if (process is null) return new DrawResult(null, NotInstalled);
            process.StandardInput.Write(dot);
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(30_000))
            {
                process.Kill(entireProcessTree: true);
                return new DrawResult(null, "Graphviz 'dot' did not finish within 30 s");
            }
            return process.ExitCode == 0 ? new DrawResult(fileName, null) : new DrawResult(null, $"Graphviz 'dot' failed: {error.Trim()}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new DrawResult(null, NotInstalled);
        }
    }

    const string NotInstalled = "drawing needs Graphviz's 'dot' program, which is not installed (e.g. 'apt-get install graphviz'); 'show g' prints the graph as text and 'export g as dot' gives DOT";
}

/// <summary>Data declarations opened through CausalQL.Data (DuckDB for csv/parquet, PostgreSQL for sql).</summary>
public sealed class DataOpener(DiskFileReader paths) : IDataOpener
{
    public Result<IDataSource> Open(DataSource source, string relativeTo)
    {
        var baseDirectory = Path.GetDirectoryName(paths.Resolve("x", relativeTo)) ?? Directory.GetCurrentDirectory();
        return source switch
        {
            FileDataSource f => DataSourceFactory.Open(f.Format, [f.Path], baseDirectory, Options(f.Options)),
            CausalQL.Binding.SqlDataSource q => DataSourceFactory.Open("sql", [q.ConnectionString, q.QueryText], baseDirectory, Options(q.Options)),
            SampleDataSource m => Result<IDataSource>.Fail($"sample({m.Model}, ...) rows are drawn by the session, not opened from disk"),
            _ => Result<IDataSource>.Fail("unknown data source"),
        };
    }

    static DataSourceOptions Options(CausalQL.Syntax.Seq<BoundOption> options) => new(options.Text("weight"));
}
