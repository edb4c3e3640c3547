using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using CausalQL.Binding;
using CausalQL.Counterfactuals;
using CausalQL.Execution;
using CausalQL.Scm;
using CausalQL.Text;

namespace CausalQL.Sessions;

// refute, E-values and data sampled from an SCM or a fully given model block: the checks and synthetic data around `estimate`.
public static partial class Executor
{
    /// <summary>Rows a sample may draw: enough for any sampling-error check, small enough to stay in memory.</summary>
    const int MaxSampleRows = 5_000_000;

    // ------------------------------------------------------------------ refute

    static ExecutionOutcome Refute(RefuteStatement s, SessionPorts ports)
    {
        var slot = s.Target.Slot;
        if (slot.Request is not { } request || slot.Data is not { } data || slot.Result is not { } original)
            return Failed(s.Location, $"estimate '{s.Target.Name}' has no result to refute: it did not run on data successfully");
        var kind = s.Method switch
        {
            "placebo" => RefutationKind.Placebo,
            "random_common_cause" => RefutationKind.RandomCommonCause,
            _ => RefutationKind.Subset,
        };
        var seed = 0;
        foreach (var option in s.Options)
        {
            switch (option.Name.ToLowerInvariant(), option.Value)
            {
                case ("seed", NumberOption n) when n.Value == Math.Floor(n.Value) && Math.Abs(n.Value) <= int.MaxValue:
                    seed = (int)n.Value;
                    break;
                default:
                    return Failed(s.Location, $"option '{option.Name}' is not understood by refute (or its value has the wrong type); expected seed = <integer>");
            }
        }
        var opened = OpenData(data, s.Location, ports);
        if (!opened.IsOk) return Failed(s.Location, opened.Error!.Message);
        using var source = opened.Value;
        var refuted = Estimation.Refute(request, source, kind, seed, ports.Cancellation);
        if (!refuted.IsOk) return Failed(s.Location, $"refute {s.Target.Name} with {s.Method}: {refuted.Error!.Message}");
        var r = refuted.Value;
        var text = new StringBuilder();
        text.Append($"refute {s.Target.Name} with {s.Method}: {(r.Passed ? "passed" : "FAILED")}");
        text.Append($"\n  original estimate {Number(r.Original)}");
        if (original.Interval is { } oi) text.Append($" (CI {Number(oi.Lo)} to {Number(oi.Hi)})");
        text.Append($", refuted estimate {Number(r.NewValue)}");
        if (r.NewInterval is { } ni) text.Append($" (CI {Number(ni.Lo)} to {Number(ni.Hi)})");
        text.Append($"\n  {r.Explanation}");
        var json = new JsonObject
        {
            ["estimate"] = s.Target.Name,
            ["method"] = r.Kind,
            ["original"] = r.Original,
            ["value"] = r.NewValue,
            ["interval"] = r.NewInterval is { } i ? new JsonArray(i.Lo, i.Hi) : null,
            ["passed"] = r.Passed,
            ["explanation"] = r.Explanation,
            ["seed"] = seed,
        };
        return ExecutionOutcome.Of(StatementResult.Create("refutation", text.ToString(), s.Location, json));
    }

    /// <summary>Keeps a labelled estimate's request and data for a later <c>refute</c>.</summary>
    static void Remember(EstimateStatement s, EstimationRequest request, EstimateResult result)
    {
        if (s.Symbol is not { } symbol) return;
        symbol.Slot.Request = request;
        symbol.Slot.Data = s.Data;
        symbol.Slot.Result = result;
    }

    // ------------------------------------------------------------------ E-value

    /// <summary>The E-value line and JSON field of an effect estimate, where the engine could compute one.</summary>
    static void AppendEValue(StringBuilder text, JsonObject json, EstimateResult r)
    {
        if (r.Diagnostics?.EValue is not { } e) return;
        text.Append($"\n  E-value {Number(e.Point)}");
        if (e.Interval is { } ci) text.Append($" (CI limit {Number(ci)})");
        text.Append($" on the {e.Scale} scale: how strongly an unmeasured confounder would have to be associated with treatment and outcome to explain the effect away");
        json["e_value"] = new JsonObject { ["point"] = e.Point, ["interval"] = e.Interval, ["scale"] = e.Scale };
    }

    // ------------------------------------------------------------------ data = sample(scm, n = ..., seed = ...)

    sealed record SampleSpec(Symbol Source, int Rows, int Seed);

    /// <summary>Checks a sample declaration (the scm translates or the model defines its joint, n is sensible) without drawing yet.</summary>
    static ExecutionOutcome DeclareSample(DataDeclaration s, SampleDataSource sample)
    {
        var spec = ReadSample(sample, s.Location);
        if (!spec.IsOk) return Failed(s.Location, spec.Error!.Message);
        string from;
        string? scmKind = null;
        switch (spec.Value.Source)
        {
            case ScmSymbol scm:
                var translated = Translate(scm, s.Location);
                if (!translated.IsOk) return Failed(s.Location, translated.Error!.Message);
                scmKind = translated.Value.Discrete is not null ? "discrete" : "linear-Gaussian";
                from = $"the {scmKind} scm";
                break;
            case ModelSymbol model:
                var factors = Factorize(model);
                if (!factors.IsOk) return Failed(s.Location, factors.Error!.Message);
                from = $"the model's conditionals ({string.Join(", ", factors.Value.Select(FactorText))})";
                break;
            default:
                throw new System.Diagnostics.UnreachableException();
        }
        var json = new JsonObject
        {
            ["name"] = s.Symbol.Name,
            ["source"] = "sample",
            ["model"] = spec.Value.Source.Name,
            ["n"] = spec.Value.Rows,
            ["seed"] = spec.Value.Seed,
            ["from"] = spec.Value.Source.KindWord,
        };
        if (scmKind is not null) json["scm_kind"] = scmKind;
        return ExecutionOutcome.Of(StatementResult.Create("data",
            $"data {s.Symbol.Name} = sample({spec.Value.Source.Name}, n = {spec.Value.Rows}, seed = {spec.Value.Seed}) from {from}", s.Location, json));
    }

    static string FactorText(ConditionalTable t) => t.Conditioning.IsEmpty ? $"P({t.Variable})" : $"P({t.Variable} | {string.Join(", ", t.Conditioning)})";

    static Result<SampleSpec> ReadSample(SampleDataSource sample, Location at)
    {
        if (sample.Origin is not (ScmSymbol or ModelSymbol))
            return Result<SampleSpec>.Fail($"sample({sample.Model}, ...) draws from an scm or a model; '{sample.Model}' is a {sample.Origin?.KindWord ?? "name"}");
        int? rows = null;
        var seed = 0;
        foreach (var option in sample.Options)
        {
            switch (option.Name.ToLowerInvariant(), option.Value)
            {
                case ("n", NumberOption n) when n.Value == Math.Floor(n.Value) && n.Value >= 1 && n.Value <= MaxSampleRows:
                    rows = (int)n.Value;
                    break;
                case ("n", NumberOption n):
                    return Result<SampleSpec>.Fail($"sample({sample.Model}, ...): n = {Number(n.Value)} must be a whole number from 1 to {MaxSampleRows:N0}");
                case ("seed", NumberOption n) when n.Value == Math.Floor(n.Value) && Math.Abs(n.Value) <= int.MaxValue:
                    seed = (int)n.Value;
                    break;
                default:
                    return Result<SampleSpec>.Fail($"sample({sample.Model}, ...): option '{option.Name}' is not understood (or its value has the wrong type); expected n = <rows> and seed = <integer>");
            }
        }
        if (rows is null) return Result<SampleSpec>.Fail($"sample({sample.Model}, ...) needs the number of rows: add n = 10000, say");
        return new SampleSpec(sample.Origin, rows.Value, seed);
    }

    static Result<ScmTranslation> Translate(ScmSymbol scm, Location at)
    {
        var translation = ScmTranslator.Translate(scm.Syntax, scm.Source ?? new SourceText("", scm.Declared.File));
        if (translation.HasErrors)
            return Result<ScmTranslation>.Fail($"scm '{scm.Name}' cannot be sampled: {translation.Diagnostics.First(d => d.IsError).Message}");
        if (translation.Discrete is null && translation.Linear is null)
            return Result<ScmTranslation>.Fail($"scm '{scm.Name}' is neither discrete nor linear-Gaussian, so it cannot be sampled");
        return translation;
    }

    /// <summary>A model block's chain-rule factors, or the first term its given probabilities leave open.</summary>
    static Result<ImmutableArray<ConditionalTable>> Factorize(ModelSymbol model)
    {
        var cannot = $"model '{model.Name}' cannot be sampled: its given probabilities do not define the full joint distribution";
        if (model.Graph is not { } graph)
            return Result<ImmutableArray<ConditionalTable>>.Fail($"{cannot}; it has no graph to factorise it by (declare it 'model {model.Name} on G {{ ... }}')");
        var entries = new List<GivenEntry>();
        foreach (var entry in model.Entries)
        {
            // Only observational probabilities are factors of the joint; interventional or expected values are not.
            if (entry.Term is not ProbabilityQuery { IsCounterfactual: false, Interventions.Count: 0 }) continue;
            try { entries.Add(ToGiven(entry)); }
            catch (ModelError e) { return Result<ImmutableArray<ConditionalTable>>.Fail($"model '{model.Name}' cannot be sampled: {e.Message}"); }
        }
        var factors = GivenModelSampler.Factorize(new GivenModel(graph.Graph, entries));
        return factors.Ok ? factors.Value : Result<ImmutableArray<ConditionalTable>>.Fail($"{cannot}: {factors.Error}");
    }

    /// <summary>Draws the rows of a sample declaration into memory, one number column per variable (latent ones left out).</summary>
    static Result<IDataSource> DrawSample(SampleDataSource sample, string dataName, Location at, CancellationToken cancellation)
    {
        var spec = ReadSample(sample, at);
        if (!spec.IsOk) return spec.Error!;
        var (rows, seed) = (spec.Value.Rows, spec.Value.Seed);
        ImmutableDictionary<string, double[]> columns;
        switch (spec.Value.Source)
        {
            case ScmSymbol scm:
                {
                    var translated = Translate(scm, at);
                    if (!translated.IsOk) return translated.Error!;
                    columns = translated.Value.Discrete is { } discrete
                        ? new ScmEnumerator(discrete) { Cancellation = cancellation }.Sample(rows, seed).ToImmutableDictionary(kv => kv.Key, kv => kv.Value.Select(v => (double)v).ToArray(), StringComparer.Ordinal)
                        : new LinearGaussianEngine(translated.Value.Linear!).Sample(rows, seed);
                    break;
                }
            case ModelSymbol model:
                {
                    var factors = Factorize(model);
                    if (!factors.IsOk) return factors.Error!;
                    var latent = model.Graph!.Graph.Latents;
                    columns = GivenModelSampler.Sample(factors.Value, rows, seed)
                        .Where(kv => !latent.Contains(kv.Key))
                        .ToImmutableDictionary(kv => kv.Key, kv => kv.Value.Select(v => (double)v).ToArray(), StringComparer.Ordinal);
                    break;
                }
            default:
                throw new System.Diagnostics.UnreachableException();
        }
        return new InMemoryTable(columns.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (InMemoryColumn)new NumberColumn(kv.Key, kv.Value)),
            description: $"data '{dataName}' (sample of {spec.Value.Source.KindWord} '{spec.Value.Source.Name}')");
    }

    /// <summary>Opens a declared data source: samples are drawn here; files and SQL go through the data port.</summary>
    static Result<IDataSource> OpenData(DataSymbol data, Location at, SessionPorts ports)
    {
        if (data.Source is SampleDataSource sample)
        {
            var drawn = DrawSample(sample, data.Name, at, ports.Cancellation);
            return drawn.IsOk ? drawn : Result<IDataSource>.Fail($"cannot draw data '{data.Name}': {drawn.Error!.Message}");
        }
        if (ports.Data is not { } opener)
            return Result<IDataSource>.Fail("estimate needs access to data, which this session does not have");
        var opened = opener.Open(data.Source, at.File);
        return opened.IsOk ? opened : Result<IDataSource>.Fail($"cannot open data '{data.Name}': {opened.Error!.Message}");
    }
}
