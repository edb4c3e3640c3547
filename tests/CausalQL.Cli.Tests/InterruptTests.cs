using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace CausalQL.Tests.Cli;

/// <summary>Ctrl+C (SIGINT) during `cql run` cancels the run and reports it, through the real program.</summary>
public class InterruptTests
{
    // Hours of bootstrap replicates unless something stops them; the statement before it finishes at once.
    const string Endless = """
        graph G { Z -> X; Z -> Y; X -> Y }
        identify P(Y | do(X)) in G
        scm m {
          Z := bernoulli(0.5)
          X := (Z and bernoulli(0.8)) or (not Z and bernoulli(0.2))
          Y := (X and bernoulli(0.6)) or (Z and bernoulli(0.5))
        }
        data d = sample(m, n = 200000, seed = 7)
        estimate ATE(X -> Y) in G using d with method = regression, bootstrap = 100000

        """;

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    const int SigInt = 2;

    /// <summary>Whether the process has installed a handler for SIGINT (bit 2 of SigCgt in /proc/PID/status).</summary>
    static bool CatchesSigInt(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigCgt:"));
            return line is not null && (Convert.ToUInt64(line["SigCgt:".Length..].Trim(), 16) & (1UL << (SigInt - 1))) != 0;
        }
        catch (IOException) { return false; }
    }

    [Fact]
    public async Task Ctrl_c_cancels_the_running_statement_and_keeps_the_finished_ones()
    {
        if (!OperatingSystem.IsLinux()) return;   // signals and /proc as on the CI machine
        var dir = CliHarness.TempDir();
        CliHarness.WriteFile(dir, "endless.cql", Endless);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(CliHarness.CqlDll);
        info.ArgumentList.Add("run");
        info.ArgumentList.Add("endless.cql");
        using var process = Process.Start(info)!;
        // Output is collected as it comes, so the signal can wait for the first statement's answer (not for a guessed time).
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string Seen() { lock (output) return output.ToString(); }
        try
        {
            var waited = Stopwatch.StartNew();
            while (!(CatchesSigInt(process.Id) && Seen().Contains("P(Y | do(X))")) && !process.HasExited && waited.Elapsed < TimeSpan.FromSeconds(120))
                await Task.Delay(50);
            Assert.True(CatchesSigInt(process.Id), "cql never installed a SIGINT handler");
            Assert.Contains("P(Y | do(X))", Seen());                          // the identify before it printed
            Assert.Equal(0, kill(process.Id, SigInt));
            Assert.True(process.WaitForExit(60_000), "cql did not stop within 60 s of Ctrl+C");
            process.WaitForExit();   // and the output streams are drained
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        var all = Seen() + error;
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("the run was cancelled; this statement and the ones after it did not finish", all);
        Assert.DoesNotContain("internal error", all);
    }
}
