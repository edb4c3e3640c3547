using System.Text;
using CausalQL.Cli;

// The top-level guard: bad input is reported as diagnostics long before this point; anything
// that still escapes is a bug, shown as one clean line rather than a stack trace. The work runs
// on a thread with a large stack so that deeply nested input meets the parser's own limits,
// not the runtime's.
Console.OutputEncoding = new UTF8Encoding(false);
Interrupt.Install();
var io = new CliStreams(Console.In, Console.Out, Console.Error, InputIsTerminal: !Console.IsInputRedirected && !Console.IsOutputRedirected,
    OutputIsTerminal: !Console.IsOutputRedirected && !Console.IsErrorRedirected);
var exitCode = ExitCodes.ScriptErrors;
var worker = new Thread(() =>
{
    try
    {
        exitCode = CliApp.Run(args, io);
    }
    catch (Exception e)
    {
        Console.Error.WriteLine($"cql: internal error: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
        Console.Error.WriteLine("this is a bug in CausalQL; please report it with the input that caused it");
        exitCode = ExitCodes.ScriptErrors;
    }
}, maxStackSize: 256 * 1024 * 1024);
worker.Start();
worker.Join();
return exitCode;
