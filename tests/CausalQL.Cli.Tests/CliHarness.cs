using System.Diagnostics;
using System.Text;
using CausalQL.Cli;

namespace CausalQL.Tests.Cli;

public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public string All => Out + Error;
}

/// <summary>Runs `cql` in-process (fast, for most tests) or as a real process (for the REPL, stdin and exit codes).</summary>
public static class CliHarness
{
    public static CliRun Run(params string[] args) => RunWithInput("", args);

    public static CliRun RunWithInput(string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CliApp.Run(args, new CliStreams(new StringReader(stdin), output, error));
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>The built cql.dll beside the test assembly.</summary>
    public static string CqlDll => Path.Combine(AppContext.BaseDirectory, "cql.dll");

    public static CliRun Process(string stdin, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(CqlDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        var outTask = process.StandardOutput.ReadToEndAsync();
        var errTask = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("cql did not finish within 120 s");
        }
        return new CliRun(process.ExitCode, outTask.Result, errTask.Result);
    }

    /// <summary>A scratch directory for one test's files.</summary>
    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "cql-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string WriteFile(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }
}
