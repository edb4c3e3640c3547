using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Cli;

/// <summary>`cql fmt`: the script printed in canonical form by Core's printer.</summary>
public static class Formatter
{
    public static int Format(SourceText source, bool write, CliStreams io)
    {
        var (script, diagnostics) = Compilation.Parse(source);
        if (diagnostics.Any(d => d.IsError))
        {
            // Formatting a script that does not parse would drop the broken statements.
            foreach (var d in diagnostics) io.Error.Write(d.Render(source));
            return ExitCodes.ScriptErrors;
        }
        io.Error.WriteLine("cql: error: fmt is not available in this build: it needs the printer, which is not part of CausalQL yet");
        _ = script;
        _ = write;
        return ExitCodes.ScriptErrors;
    }
}
