using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CausalQL.Cladder;
using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Cli.Commands;

/// <summary>How one CLadder record fared when its emitted script was run through a <see cref="Session"/>.</summary>
public enum BenchStatus
{
    /// <summary>The script ran, its value equals the gold (1e-6), or its set / yes-no agrees.</summary>
    Passed,
    /// <summary>The script ran and agrees with the engine, but its answer is not the gold.</summary>
    Failed,
    /// <summary>The script's value and the harness's direct (engine) computation disagree: the language path diverges.</summary>
    Diverged,
    /// <summary>The script did not run (diagnostics) or produced no value to compare.</summary>
    ScriptError,
    /// <summary>The record could not be read, so no script was written.</summary>
    RecordError,
}

/// <summary>One record: the direct outcome, what the script gave, and the verdict.</summary>
public sealed record BenchRecord(CladderOutcome Direct, BenchStatus Status, string ScriptAnswer, double? ScriptValue,
    double? ScriptLower, double? ScriptUpper, bool Known, string Message);

/// <summary>
/// `cql bench cladder FILE.jsonl [--emit DIR] [--json] [--known FILE]`: for each CLadder record, the
/// CausalQL script <see cref="CladderHarness"/> writes from the structured fields is run through a fresh
/// <see cref="Session"/> (parse → bind → execute), the value it computes is read from its last statement's
/// result and compared with meta.groundtruth; it is also compared with the harness's direct computation,
/// because a disagreement there means the language and the engines diverge.
/// </summary>
public static class CladderBenchCommand
{
    public const string Usage = """
          cql bench cladder FILE.jsonl [--emit DIR] [--json] [--known FILE]
                                        write a CausalQL script per CLadder record, run it, compare with the
                                        gold (1e-6; backadj: the valid adjustment set; collider_bias: the
                                        yes/no from identify's causal path and the question's polarity)
                                        and with the engines' direct answer; one line per failure, then
                                        'N passed, M failed'. An answer that is only bounds (the given
                                        probabilities bracket the value) counts as failed, even when the
                                        gold lies inside. --emit DIR keeps DIR/<desc_id>.cql.
                                        Records listed in bench/cladder/KNOWN.md (or --known FILE) whose script
                                        ran and agrees with the engines are marked 'known CLadder error' but
                                        still count as failed; the exit code is 1 only when some failure is
                                        not such a known error (0 otherwise, 2 for a bad command line).
        """;

    public static int Run(string[] args, CliStreams io)
    {
        if (args.Length > 0 && args[0] is "--help" or "-h")
        {
            io.Out.WriteLine(Usage);
            return ExitCodes.Ok;
        }
        if (args.Length == 0 || args[0] != "cladder")
            return ConformanceCommand.Bad(io, args.Length == 0 ? "missing benchmark name; expected 'cladder'" : $"unknown benchmark '{args[0]}'; expected 'cladder'");
        string? file = null, emit = null, knownFile = null;
        var json = false;
        var rest = args[1..];
        for (var i = 0; i < rest.Length; i++)
        {
            var arg = rest[i];
            switch (arg)
            {
                case "--json": json = true; break;
                case "--emit" or "--known":
                    if (i + 1 >= rest.Length) return ConformanceCommand.Bad(io, $"'{arg}' needs a value");
                    if (arg == "--emit") emit = rest[++i]; else knownFile = rest[++i];
                    break;
                default:
                    if (arg.StartsWith("--")) return ConformanceCommand.Bad(io, $"unknown option '{arg}'");
                    if (file is not null) return ConformanceCommand.Bad(io, $"expected one file, found a second: '{arg}'");
                    file = arg;
                    break;
            }
        }
        if (file is null) return ConformanceCommand.Bad(io, "missing FILE.jsonl");
        var source = CliApp.Load(file, io, out var exitCode);
        if (source is null) return exitCode;

        var known = LoadKnown(knownFile, io, out var knownError);
        if (knownError) return ExitCodes.BadCommandLine;
        if (emit is not null)
        {
            try { Directory.CreateDirectory(emit); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                io.Error.WriteLine($"cql: cannot create '{emit}': {e.Message}");
                return ExitCodes.BadCommandLine;
            }
        }

        var records = new List<BenchRecord>();
        foreach (var line in source.Text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            var record = Bench(line, known);
            records.Add(record);
            if (emit is not null && record.Direct.Script.Length > 0)
            {
                var name = Regex.Replace(record.Direct.DescId, @"[^\w.\-]", "_") + ".cql";
                File.WriteAllText(Path.Combine(emit, name), record.Direct.Script, new UTF8Encoding(false));
            }
            if (json) io.Out.WriteLine(Json(record).ToJsonString());
            else if (record.Status != BenchStatus.Passed) io.Out.WriteLine(Line(record));
        }
        var passed = records.Count(r => r.Status == BenchStatus.Passed);
        var failed = records.Count - passed;
        var knownFailed = records.Count(r => r.Status == BenchStatus.Failed && r.Known);
        var summary = $"{passed} passed, {failed} failed" + (knownFailed > 0 ? $" ({knownFailed} of them known CLadder errors)" : "");
        if (json)
            io.Out.WriteLine(new JsonObject
            {
                ["kind"] = "summary",
                ["passed"] = passed,
                ["failed"] = failed,
                ["known"] = knownFailed,
                ["by_status"] = new JsonObject(records.GroupBy(r => Name(r.Status)).Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count()))),
                ["summary"] = summary,
            }.ToJsonString());
        else io.Out.WriteLine(summary);
        io.Out.Flush();
        return failed - knownFailed > 0 ? ExitCodes.ScriptErrors : ExitCodes.Ok;
    }

    /// <summary>Runs one record: the harness writes the script, a fresh session runs it, and the answers are compared.</summary>
    public static BenchRecord Bench(string jsonLine, IReadOnlySet<string> known)
    {
        var direct = CladderHarness.Run(jsonLine);
        var isKnown = known.Contains(direct.DescId);
        if (direct.Script.Length == 0)
            return new(direct, BenchStatus.RecordError, "—", null, null, null, isKnown, direct.Explanation);

        var session = new Session(CliPorts.Create());
        var result = session.Run(new SourceText(direct.Script, direct.DescId + ".cql"));
        var errors = result.Diagnostics.Where(d => d.IsError).ToList();
        // A non-identifiable query is an answer the script gives as an error; it agrees with the engines when they say the same.
        if (errors.Count > 0 && direct.Status == CladderStatus.NotIdentifiable && errors.All(d => d.Message.Contains("is not identifiable")))
            return new(direct, BenchStatus.Failed, "not identifiable", null, null, null, isKnown,
                "script and engines agree the query is not identifiable: " + errors[0].Message);
        if (errors.Count > 0)
            return new(direct, BenchStatus.ScriptError, "—", null, null, null, isKnown,
                "the script does not run: " + string.Join("; ", errors.Select(d => $"{d.Location.Line}:{d.Location.Column}: {d.Message}")));
        var last = result.Results.LastOrDefault();
        if (last is null)
            return new(direct, BenchStatus.ScriptError, "—", null, null, null, isKnown, "the script produced no result");

        using var doc = JsonDocument.Parse(last.JsonLine);
        var root = doc.RootElement;
        return direct.QueryType switch
        {
            "backadj" => JudgeBackadj(jsonLine, direct, last, root, isKnown),
            "collider_bias" => JudgeColliderBias(jsonLine, direct, last, root, isKnown),
            _ => JudgeNumber(direct, last, root, isKnown),
        };
    }

    static double? Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    static BenchRecord JudgeNumber(CladderOutcome direct, StatementResult last, JsonElement root, bool known)
    {
        var gold = double.Parse(direct.Gold, CultureInfo.InvariantCulture);
        var value = Number(root, "value");
        var (lower, upper) = (Number(root, "lower"), Number(root, "upper"));
        if (value is null && root.TryGetProperty("interval", out var iv) && iv.ValueKind == JsonValueKind.Array && last.Kind != "estimate")
            (lower, upper) = (iv[0].GetDouble(), iv[1].GetDouble());
        if (value is { } v)
        {
            var answer = F(v);
            if (direct.Computed is { } c && double.IsFinite(c) && Math.Abs(c - v) > CladderHarness.Tolerance)
                return new(direct, BenchStatus.Diverged, answer, v, null, null, known, $"script {answer} but the engines computed {F(c)}");
            if (direct.Computed is null && direct.Lower is not null)
                return new(direct, BenchStatus.Diverged, answer, v, null, null, known, $"script {answer} but the engines give only bounds {direct.ComputedText}");
            return Math.Abs(v - gold) <= CladderHarness.Tolerance
                ? new(direct, BenchStatus.Passed, answer, v, null, null, known, "")
                : new(direct, BenchStatus.Failed, answer, v, null, null, known, $"script {answer}, gold {direct.Gold}");
        }
        if (lower is { } lo && upper is { } hi)
        {
            var answer = $"[{F(lo)}, {F(hi)}]";
            if (direct.Lower is not { } dlo || direct.Upper is not { } dhi || Math.Abs(dlo - lo) > CladderHarness.Tolerance || Math.Abs(dhi - hi) > CladderHarness.Tolerance)
                return new(direct, BenchStatus.Diverged, answer, null, lo, hi, known, $"script bounds {answer} but the engines computed {direct.ComputedText}");
            var inside = gold >= lo - CladderHarness.Tolerance && gold <= hi + CladderHarness.Tolerance;
            return new(direct, BenchStatus.Failed, answer, null, lo, hi, known,
                $"only bounds {answer}; gold {direct.Gold} {(inside ? "inside" : "OUTSIDE")}");
        }
        return new(direct, BenchStatus.ScriptError, "—", null, null, null, known, $"the script's last result ({last.Kind}) carries no value: {last.Text}");
    }

    /// <summary>backadj: the candidate (meta.given_info) that the script lists as a minimal adjustment set is the answer.</summary>
    static BenchRecord JudgeBackadj(string jsonLine, CladderOutcome direct, StatementResult last, JsonElement root, bool known)
    {
        if (last.Kind != "adjustment_sets" || !root.TryGetProperty("sets", out var setsJson))
            return new(direct, BenchStatus.ScriptError, "—", null, null, null, known, $"the script's last result ({last.Kind}) lists no adjustment sets");
        var sets = setsJson.EnumerateArray().Select(s => s.EnumerateArray().Select(v => v.GetString()!).ToHashSet()).ToList();
        using var doc = JsonDocument.Parse(jsonLine);
        var meta = doc.RootElement.GetProperty("meta");
        var candidates = meta.GetProperty("given_info").EnumerateArray().Select(c => c.EnumerateArray().Select(v => v.GetString()!).ToHashSet()).ToList();
        var gold = meta.GetProperty("groundtruth").EnumerateArray().Select(v => v.GetString()!).ToHashSet();
        var chosen = candidates.Where(c => sets.Any(s => s.SetEquals(c))).ToList();
        var answer = chosen.Count == 1 ? Show(chosen[0]) : chosen.Count == 0 ? "none" : "both";
        var passed = chosen.Count == 1 && chosen[0].SetEquals(gold);
        if (passed != (direct.Status == CladderStatus.Passed))
            return new(direct, BenchStatus.Diverged, answer, null, null, null, known, $"script chooses {answer} but the engines say: {direct.Explanation}");
        return passed ? new(direct, BenchStatus.Passed, answer, null, null, null, known, "")
            : new(direct, BenchStatus.Failed, answer, null, null, null, known, $"script {answer}, gold {Show(gold)}");
    }

    /// <summary>
    /// collider_bias: the question is whether X causally affects Y, on a graph only. The script identifies
    /// P(Y | do(X)); its "causal_path" says whether the estimand can depend on X (without a directed path
    /// it is P(Y) by rule 3), and meta.polarity says whether the question asks "affects" or "does not affect".
    /// </summary>
    static BenchRecord JudgeColliderBias(string jsonLine, CladderOutcome direct, StatementResult last, JsonElement root, bool known)
    {
        if (last.Kind != "identification" || !root.TryGetProperty("answers", out var answers) || answers.ValueKind != JsonValueKind.Array
            || answers.GetArrayLength() != 1 || !answers[0].TryGetProperty("causal_path", out var pathJson)
            || pathJson.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            return new(direct, BenchStatus.ScriptError, "—", null, null, null, known, $"the script's last result ({last.Kind}) does not say whether there is a causal path: {last.Text}");
        using var doc = JsonDocument.Parse(jsonLine);
        var polarity = doc.RootElement.GetProperty("meta").GetProperty("polarity").GetBoolean();
        var affects = pathJson.GetBoolean();
        var strategy = answers[0].TryGetProperty("strategy", out var st) && st.ValueKind == JsonValueKind.String ? st.GetString()! : "not identified";
        var answer = affects == polarity ? "yes" : "no";
        var shown = $"{answer} ({(affects ? "causal path" : "no causal path")}; {strategy})";
        if (direct.Computed is { } c && (double.IsNaN(c) != affects))
            return new(direct, BenchStatus.Diverged, shown, null, null, null, known, $"script says {(affects ? "a" : "no")} causal path but the engines say: {direct.Explanation}");
        return answer == direct.Gold ? new(direct, BenchStatus.Passed, shown, null, null, null, known, "")
            : new(direct, BenchStatus.Failed, shown, null, null, null, known, $"script {answer}, gold {direct.Gold}");
    }

    static string Show(IEnumerable<string> set) => "{" + string.Join(", ", set.Order(StringComparer.Ordinal)) + "}";

    static string F(double v) => v.ToString("0.##########", CultureInfo.InvariantCulture);

    static string Name(BenchStatus s) => s switch
    {
        BenchStatus.Passed => "passed",
        BenchStatus.Failed => "failed",
        BenchStatus.Diverged => "diverged",
        BenchStatus.ScriptError => "script_error",
        _ => "record_error",
    };

    static string Line(BenchRecord r)
    {
        var what = r.Status switch
        {
            BenchStatus.Failed when r.Known => "known CLadder error",
            BenchStatus.Failed => "FAILED",
            BenchStatus.Diverged => "DIVERGED (script vs engines)",
            BenchStatus.ScriptError => "SCRIPT ERROR",
            _ => "RECORD ERROR",
        };
        return $"{r.Direct.DescId} [{r.Direct.QueryType}]: {what}: script {r.ScriptAnswer}, engines {Direct(r.Direct)}, gold {r.Direct.Gold}" +
               (r.Message.Length > 0 ? $" — {r.Message}" : "");
    }

    static string Direct(CladderOutcome d) => d.QueryType is "backadj" or "collider_bias" ? d.Status.ToString().ToLowerInvariant() : d.ComputedText;

    static JsonObject Json(BenchRecord r) => new()
    {
        ["kind"] = "record",
        ["desc_id"] = r.Direct.DescId,
        ["query_type"] = r.Direct.QueryType,
        ["status"] = Name(r.Status),
        ["known"] = r.Known,
        ["script_answer"] = r.ScriptAnswer,
        ["script_value"] = r.ScriptValue is { } v && double.IsFinite(v) ? v : null,
        ["script_lower"] = r.ScriptLower,
        ["script_upper"] = r.ScriptUpper,
        ["engines"] = Direct(r.Direct),
        ["engines_status"] = r.Direct.Status.ToString().ToLowerInvariant(),
        ["gold"] = r.Direct.Gold,
        ["message"] = r.Message,
    };

    /// <summary>The desc_ids of bench/cladder/KNOWN.md's per-record table (rows starting "| `desc_id` |").</summary>
    static IReadOnlySet<string> LoadKnown(string? path, CliStreams io, out bool error)
    {
        error = false;
        path ??= FindKnown();
        if (path is null) return new HashSet<string>();
        if (!File.Exists(path))
        {
            io.Error.WriteLine($"cql: no such file: '{path}'");
            error = true;
            return new HashSet<string>();
        }
        return File.ReadLines(path).Select(l => Regex.Match(l, @"^\|\s*`([^`]+)`\s*\|")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    }

    static string? FindKnown()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "bench", "cladder", "KNOWN.md");
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }
}
