using System.Diagnostics;
using CausalQL.Sessions;

namespace CausalQL.Cli;

/// <summary>
/// Progress bars for `cql run` on a terminal: a task gets a bar only once it has run for more than a second, so quick
/// scripts print exactly what they print when piped. Reports come from the working thread, which also draws the bar
/// (a single line on standard error, erased when the task ends): no display thread, and nothing at all until needed.
/// </summary>
public sealed class TerminalProgress(Func<string, double, TerminalProgress.IBar> addBar, Func<TimeSpan>? clock = null, TimeSpan? delay = null) : IProgressSink
{
    /// <summary>One drawn bar.</summary>
    public interface IBar
    {
        double Value { set; }
        void Stop();
    }

    /// <summary>How long a task runs before it earns a bar.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

    readonly Func<TimeSpan> _clock = clock ?? RunningClock();
    readonly TimeSpan _delay = delay ?? Delay;
    readonly Dictionary<string, (TimeSpan Started, IBar? Bar)> _tasks = new(StringComparer.Ordinal);
    readonly Lock _lock = new();

    public void Report(string task, long done, long total)
    {
        lock (_lock)
        {
            var now = _clock();
            if (!_tasks.TryGetValue(task, out var entry)) _tasks[task] = entry = (now, null);
            if (entry.Bar is null && total > 0 && now - entry.Started > _delay)
                _tasks[task] = entry = (entry.Started, addBar(task, total));
            if (entry.Bar is { } bar) bar.Value = done;
        }
    }

    public void Finish(string task)
    {
        lock (_lock)
        {
            if (_tasks.Remove(task, out var entry) && entry.Bar is { } bar) bar.Stop();
        }
    }

    /// <summary>Runs <paramref name="work"/> with bars drawn on <paramref name="terminal"/> (standard error, a terminal).</summary>
    public static T Run<T>(TextWriter terminal, Func<IProgressSink, T> work, TimeSpan? delay = null)
    {
        var clock = RunningClock();
        var width = TerminalWidth();
        return work(new TerminalProgress((name, total) => new LineBar(terminal, name, total, width, clock), clock, delay));
    }

    static int TerminalWidth()
    {
        try
        {
            return Console.IsErrorRedirected ? 80 : Math.Clamp(Console.WindowWidth, 40, 200);
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return 80;
        }
    }

    static Func<TimeSpan> RunningClock()
    {
        var watch = Stopwatch.StartNew();
        return () => watch.Elapsed;
    }

    /// <summary>
    /// One line, redrawn in place (carriage return, erase line) at most ten times a second and erased when stopped,
    /// so nothing of it stays in the scrollback between the results.
    /// </summary>
    public sealed class LineBar(TextWriter terminal, string name, double total, int width, Func<TimeSpan> clock) : IBar
    {
        const string EraseLine = "\r\u001b[2K";
        TimeSpan? _lastDrawn;

        public double Value
        {
            set
            {
                var now = clock();
                if (_lastDrawn is { } last && now - last < TimeSpan.FromMilliseconds(100) && value < total) return;
                _lastDrawn = now;
                terminal.Write(EraseLine + Render(name, value, total, width));
                terminal.Flush();
            }
        }

        public void Stop()
        {
            terminal.Write(EraseLine);
            terminal.Flush();
        }

        /// <summary>"e: bootstrap  ━━━━━━━━━━──────────  42%  420/1000", one column narrower than the terminal (writing
        /// into the last column wraps the line on some terminals, and the next redraw would then start a new line).</summary>
        public static string Render(string name, double done, double total, int width)
        {
            var fraction = total > 0 ? Math.Clamp(done / total, 0, 1) : 0;
            var counts = $"{(long)done}/{(long)total}";
            var percent = $"{(int)Math.Floor(fraction * 100),3}%";
            var label = name.Length > width / 3 ? name[..(width / 3 - 1)] + "…" : name;
            var barWidth = Math.Max(10, width - label.Length - percent.Length - counts.Length - 7);
            var filled = (int)Math.Round(fraction * barWidth);
            return $"{label}  {new string('━', filled)}{new string('─', barWidth - filled)}  {percent}  {counts}";
        }
    }
}
