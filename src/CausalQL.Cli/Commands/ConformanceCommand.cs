using System.Text.Json.Nodes;
using CausalQL.Conformance;

namespace CausalQL.Cli.Commands;

/// <summary>
/// `cql conformance FILE.jsonl [--json]`: runs identification conformance cases (the schema of
/// shared/conformance/README.md) through <see cref="ConformanceRunner"/> and prints one line per failure,
/// then `N passed, M failed`. Exit 0 when nothing failed, 1 when something did, 2 for a bad command line.
/// </summary>
public static class ConformanceCommand
{
    public const string Usage = """
          cql conformance FILE.jsonl [--json]
                                        identification conformance cases: one line per failure, then
                                        'N passed, M failed' (--json: one object per case, then a summary)
        """;

    public static int Run(string[] args, CliStreams io)
    {
        string? file = null;
        var json = false;
        foreach (var arg in args)
        {
            if (arg is "--help" or "-h") { io.Out.WriteLine(Usage); return ExitCodes.Ok; }
            if (arg == "--json") json = true;
            else if (arg.StartsWith("--")) return Bad(io, $"unknown option '{arg}'");
            else if (file is null) file = arg;
            else return Bad(io, $"expected one file, found a second: '{arg}'");
        }
        if (file is null) return Bad(io, "missing FILE.jsonl");
        var source = CliApp.Load(file, io, out var exitCode);
        if (source is null) return exitCode;

        var report = ConformanceRunner.Run(source.Text);
        if (json)
        {
            var whole = report.ToJson();
            foreach (var error in report.ParseErrors)
                io.Out.WriteLine(new JsonObject { ["kind"] = "parse_error", ["message"] = error }.ToJsonString());
            foreach (var c in whole["cases"]!.AsArray())
            {
                var line = new JsonObject { ["kind"] = "case" };
                foreach (var (key, value) in c!.AsObject()) line[key] = value?.DeepClone();
                io.Out.WriteLine(line.ToJsonString());
            }
            io.Out.WriteLine(new JsonObject
            {
                ["kind"] = "summary",
                ["passed"] = report.Passed,
                ["failed"] = report.Failed,
                ["skipped"] = report.Skipped,
                ["summary"] = report.Summary,
            }.ToJsonString());
        }
        else
            foreach (var line in report.Lines) io.Out.WriteLine(line);
        io.Out.Flush();
        return report.ExitCode;
    }

    internal static int Bad(CliStreams io, string message)
    {
        io.Error.WriteLine($"cql: {message}");
        io.Error.WriteLine("run 'cql --help' for usage");
        return ExitCodes.BadCommandLine;
    }
}
