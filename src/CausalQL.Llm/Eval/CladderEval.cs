using System.Globalization;
using System.Text;
using System.Text.Json;
using CausalQL.Llm.Tools;
using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Llm.Eval;

/// <summary>One CLadder-format record: what the translator is shown, and what the answer is scored against.</summary>
public sealed record NlRecord(string DescId, string QueryType, string Question, bool Polarity, JsonElement Groundtruth, string? Answer);

public enum NlVerdict { Passed, Failed, Skipped }

/// <summary>How one record went: the translated query, the computed value, and the yes/no answers compared.</summary>
public sealed record NlOutcome(string DescId, string QueryType, NlVerdict Verdict, string? Query, double? Value, string? Expected, string? Predicted, string? Reason);

/// <summary>
/// `cql eval-nl`: the translator over CLadder-format records (background + given_info + question, nothing else
/// from the record is shown to the model), the translated script run in a fresh session, and the computed value
/// turned into yes/no by CLadder's rule for the query type; the gold yes/no comes from meta.groundtruth by the
/// same rule. backadj items have no numeric ground truth (their gold is a set) and are skipped.
/// </summary>
public sealed class CladderEval(Translator translator, Budget budget)
{
    public static (List<NlRecord> Records, List<string> Errors) Read(TextReader reader)
    {
        var records = new List<NlRecord>();
        var errors = new List<string>();
        string? line;
        var number = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                var meta = root.GetProperty("meta");
                var question = string.Join("\n", new[] { "background", "given_info", "question" }
                    .Select(k => root.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null)
                    .Where(s => !string.IsNullOrWhiteSpace(s)));
                var queryType = root.TryGetProperty("query_type", out var qt) ? qt.GetString()! : meta.GetProperty("query_type").GetString()!;
                var polarity = meta.TryGetProperty("polarity", out var p) && p.ValueKind is JsonValueKind.True or JsonValueKind.False && p.GetBoolean();
                records.Add(new NlRecord(
                    root.TryGetProperty("desc_id", out var id) ? id.GetString()! : $"line {number}",
                    queryType, question, polarity, meta.GetProperty("groundtruth").Clone(),
                    root.TryGetProperty("answer", out var a) ? a.GetString() : null));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                errors.Add($"line {number}: not a CLadder record ({e.Message.Split('\n')[0]})");
            }
        }
        return (records, errors);
    }

    /// <summary>
    /// CLadder's yes/no from a value: "more likely than not" for marginal (threshold 0.5); the deterministic
    /// counterfactual holds when its value is 1; the effect on the treated is asked the other way round ("would Y be
    /// more likely had X not been"), so its sign flips; every other type asks whether the quantity is positive.
    /// Polarity false asks the negated question.
    /// </summary>
    public static string? Answer(string queryType, double value, bool polarity) => queryType switch
    {
        "marginal" => Yes((value > 0.5) == polarity),
        "det-counterfactual" => Yes(value > 0.5),
        "ett" => Yes((value < 0) == polarity),
        "collider_bias" => Yes((Math.Abs(value) > 1e-6) == polarity),
        "backadj" => null,
        _ => Yes((value > 0) == polarity),
    };

    static string Yes(bool yes) => yes ? "yes" : "no";

    /// <summary>The gold answer from meta.groundtruth (a number, or "yes"/"no" for collider_bias), or null when it is a set.</summary>
    public static string? Gold(NlRecord r) => r.Groundtruth.ValueKind switch
    {
        JsonValueKind.Number => Answer(r.QueryType, r.Groundtruth.GetDouble(), r.Polarity),
        JsonValueKind.String => r.Groundtruth.GetString(),
        _ => null,
    };

    public async Task<NlOutcome> EvaluateAsync(NlRecord record, CancellationToken cancellationToken)
    {
        var gold = Gold(record);
        if (gold is null)
            return new NlOutcome(record.DescId, record.QueryType, NlVerdict.Skipped, null, null, null, null,
                $"{record.QueryType}: the ground truth is a set, not a value; not scored here (cql bench cladder checks it)");
        var translation = await translator.TranslateAsync(record.Question, TranslationContext.Empty, cancellationToken).ConfigureAwait(false);
        if (!translation.Succeeded)
            return new NlOutcome(record.DescId, record.QueryType, NlVerdict.Failed, null, null, gold, null,
                $"translation {TranslateReply.StatusWord(translation.Status)}: {translation.Error}");

        RunResult run;
        try
        {
            run = await budget.RunAsync(_ => new Session(SessionPorts.None).Run(new SourceText(translation.Query!, "<translation>")), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (BudgetExceededException e)
        {
            return new NlOutcome(record.DescId, record.QueryType, NlVerdict.Failed, translation.Query, null, gold, null, e.Message);
        }
        var value = LastValue(run);
        if (value is null)
        {
            var why = run.Diagnostics.FirstOrDefault(d => d.IsError)?.ToString() ?? "the query produced no numeric value";
            return new NlOutcome(record.DescId, record.QueryType, NlVerdict.Failed, translation.Query, null, gold, null, why);
        }
        var predicted = Answer(record.QueryType, value.Value, record.Polarity);
        return new NlOutcome(record.DescId, record.QueryType, predicted == gold ? NlVerdict.Passed : NlVerdict.Failed,
            translation.Query, value, gold, predicted, predicted == gold ? null : $"answered {predicted}, expected {gold}");
    }

    /// <summary>The last numeric "value" among the run's results.</summary>
    public static double? LastValue(RunResult run)
    {
        foreach (var result in run.Results.Reverse())
            if (result.Json["value"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<double>(out var d)) return d;
        return null;
    }

    /// <summary>
    /// The whole harness as `cql eval-nl` runs it: one FAIL line per failed record, then <see cref="Summary"/>.
    /// Returns the exit code: 0 when it ran, 1 when the model was unreachable (it stops at the first such record),
    /// 2 when there was nothing to evaluate.
    /// </summary>
    public static int RunAll(string jsonl, Translator translator, int? limit, TextWriter output, TextWriter error)
    {
        var (records, errors) = Read(new StringReader(jsonl));
        foreach (var e in errors) error.WriteLine($"cql eval-nl: {e}");
        if (records.Count == 0)
        {
            error.WriteLine("cql eval-nl: no records to evaluate");
            return 2;
        }
        var eval = new CladderEval(translator, new Budget(TimeSpan.FromSeconds(60), 2));
        var outcomes = new List<NlOutcome>();
        foreach (var record in limit is { } l ? records.Take(l) : records)
        {
            var outcome = eval.EvaluateAsync(record, CancellationToken.None).GetAwaiter().GetResult();
            outcomes.Add(outcome);
            if (outcome.Verdict == NlVerdict.Failed) output.WriteLine($"FAIL {outcome.DescId}: {outcome.Reason}");
            // A model that is not there fails every record the same way: stop at once and say so.
            if (outcome.Reason?.Contains("nothing answers at", StringComparison.Ordinal) == true)
            {
                error.WriteLine($"cql eval-nl: {outcome.Reason}");
                return 1;
            }
        }
        output.Write(Summary(outcomes));
        return 0;
    }

    /// <summary>Accuracy per query type, then the closing line "N passed, M failed[, K skipped]".</summary>
    public static string Summary(IReadOnlyList<NlOutcome> outcomes)
    {
        var sb = new StringBuilder();
        foreach (var group in outcomes.GroupBy(o => o.QueryType).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var scored = group.Count(o => o.Verdict != NlVerdict.Skipped);
            var passed = group.Count(o => o.Verdict == NlVerdict.Passed);
            sb.Append(CultureInfo.InvariantCulture, $"{group.Key,-20} ")
              .Append(scored == 0 ? "not scored" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * passed / scored,5:0.0}% ({passed}/{scored})"))
              .Append('\n');
        }
        var p = outcomes.Count(o => o.Verdict == NlVerdict.Passed);
        var f = outcomes.Count(o => o.Verdict == NlVerdict.Failed);
        var s = outcomes.Count(o => o.Verdict == NlVerdict.Skipped);
        if (p + f > 0) sb.Append(CultureInfo.InvariantCulture, $"{"overall",-20} {100.0 * p / (p + f),5:0.0}% ({p}/{p + f})\n");
        sb.Append($"{p} passed, {f} failed").Append(s > 0 ? $", {s} skipped" : "").Append('\n');
        return sb.ToString();
    }
}
