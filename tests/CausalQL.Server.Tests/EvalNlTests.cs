using System.Text.Json.Nodes;
using CausalQL.Llm;
using CausalQL.Llm.Eval;
using CausalQL.Server.Tests.Support;
using CausalQL.Tests;

namespace CausalQL.Server.Tests;

/// <summary>The eval-nl harness, with the scripted model standing in for a real one.</summary>
public sealed class EvalNlTests
{
    static string DevFile => TestPaths.Data("nl", "cladder-dev.jsonl");

    [Fact]
    public void The_yes_no_rule_reproduces_every_scored_gold_answer_of_the_dev_set()
    {
        var (records, errors) = CladderEval.Read(new StringReader(File.ReadAllText(DevFile)));
        Assert.Empty(errors);
        Assert.Equal(200, records.Count);
        var scored = records.Where(r => CladderEval.Gold(r) is not null).ToList();
        Assert.Equal(180, scored.Count); // all but the 20 backadj items, whose ground truth is a set
        Assert.All(scored, r => Assert.Equal(r.Answer, CladderEval.Gold(r)));
        Assert.All(records.Where(r => r.QueryType == "backadj"), r => Assert.Null(CladderEval.Gold(r)));
    }

    [Fact]
    public void The_model_sees_the_story_and_the_question_but_not_the_answer_or_the_formal_fields()
    {
        var line = File.ReadLines(DevFile).First();
        var (records, _) = CladderEval.Read(new StringReader(line));
        var record = Assert.Single(records);
        var json = JsonNode.Parse(line)!;
        Assert.Contains(json["background"]!.GetValue<string>(), record.Question);
        Assert.Contains(json["given_info"]!.GetValue<string>(), record.Question);
        Assert.EndsWith(json["question"]!.GetValue<string>(), record.Question);
        Assert.DoesNotContain(json["meta"]!["formal_form"]!.GetValue<string>(), record.Question);
        Assert.DoesNotContain("groundtruth", record.Question);
    }

    [Fact]
    public async Task The_harness_scores_translations_and_prints_per_type_accuracy_and_the_closing_line()
    {
        var lines = File.ReadLines(DevFile).ToList();
        string Pick(string type) => lines.First(l => JsonNode.Parse(l)!["query_type"]!.GetValue<string>() == type);
        var input = string.Join("\n", Pick("marginal"), Pick("ate"), Pick("backadj"), "{ not json");

        // The scripted model: garbage for the first question (every round), "missing" for the second.
        await using var model = new ScriptedLlmServer((n, body) =>
        {
            var question = body["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();
            return n < 2 ? new Say("no idea, sorry ->") : new Say("missing: Income");
        });
        var options = new LlmOptions { Endpoint = model.Endpoint, Model = "scripted", MaxRepairRounds = 1, MaxRetries = 0 };
        using var chat = new SemanticKernelChatModel(options);
        var output = new StringWriter();
        var error = new StringWriter();

        var code = CladderEval.RunAll(input, new Translator(chat, options), null, output, error);

        Assert.Equal(0, code);
        Assert.Equal(3, model.RequestCount); // two attempts for the first, one for the second, none for backadj
        var text = output.ToString();
        Assert.Contains("FAIL ", text);
        Assert.Contains(": translation repair_budget_exhausted: the model's CausalQL still had errors after 1 repair round", text);
        Assert.Contains(": translation not_in_scope: the question needs a variable not in scope: Income", text);
        Assert.Contains("marginal               0.0% (0/1)", text);
        Assert.Contains("backadj              not scored", text);
        Assert.EndsWith("0 passed, 2 failed, 1 skipped\n", text);
        Assert.Contains("line 4: not a CLadder record", error.ToString());
    }

    [Fact]
    public async Task A_correct_translation_is_run_and_scored_as_passed()
    {
        // What a good model would write for this chain story (hand-written; the numbers are the story's rounded ones).
        var line = File.ReadLines(DevFile).First(l => l.Contains("\"college_salary-chain-ate-model1500-spec0-q0\""));
        const string translation = """
            ```cql
            graph g { Education -> Skill -> BlackHair }
            model m on g {
              P(BlackHair = 1 | Education = 0) = 0.13
              P(BlackHair = 1 | Education = 1) = 0.58
            }
            use m
            P(BlackHair = 1 | do(Education = 1)) - P(BlackHair = 1 | do(Education = 0))
            ```
            """;
        await using var model = new ScriptedLlmServer(new Say(translation));
        var options = new LlmOptions { Endpoint = model.Endpoint, Model = "scripted", MaxRepairRounds = 0, MaxRetries = 0 };
        using var chat = new SemanticKernelChatModel(options);
        var output = new StringWriter();
        var code = CladderEval.RunAll(line, new Translator(chat, options), null, output, new StringWriter());
        Assert.Equal(0, code);
        Assert.True(output.ToString().EndsWith("1 passed, 0 failed\n"), output.ToString());
        Assert.Contains("ate                  100.0% (1/1)", output.ToString());
    }

    [Fact]
    public async Task An_unreachable_model_stops_the_harness_with_a_clear_message()
    {
        var options = new LlmOptions { Endpoint = "http://127.0.0.1:9/v1", MaxRetries = 0 };
        using var chat = new SemanticKernelChatModel(options);
        var input = string.Join("\n", File.ReadLines(DevFile).Take(3));
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CladderEval.RunAll(input, new Translator(chat, options), null, output, error);
        Assert.Equal(1, code);
        Assert.Contains("nothing answers at http://127.0.0.1:9/v1", error.ToString());
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData("marginal", 0.6, true, "yes")]
    [InlineData("marginal", 0.6, false, "no")]
    [InlineData("ate", -0.1, true, "no")]
    [InlineData("ate", -0.1, false, "yes")]
    [InlineData("ett", -0.1, true, "yes")]
    [InlineData("det-counterfactual", 1, false, "yes")]
    [InlineData("collider_bias", 0, true, "no")]
    public void Answer_rules(string type, double value, bool polarity, string expected) =>
        Assert.Equal(expected, CladderEval.Answer(type, value, polarity));
}
