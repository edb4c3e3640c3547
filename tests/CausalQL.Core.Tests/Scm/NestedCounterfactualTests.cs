using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using CausalQL.Counterfactuals;
using CausalQL.Graphs;
using CausalQL.Scm;
using CausalQL.Sessions;
using CausalQL.Syntax;
using CausalQL.Binding;
using CausalQL.Text;

namespace CausalQL.Core.Tests.Scm;

/// <summary>
/// Natural direct and indirect effects evaluated exactly on discrete SCMs, through the session,
/// against (a) an independent twin-world computation written here from the mechanisms and
/// (b) the mediation formula on the model's observational distribution where its conditions hold.
/// </summary>
public class NestedCounterfactualTests
{
    static RunResult Run(string text) => new Session(new SessionPorts(new InMemoryFileReader(new Dictionary<string, string>()))).Run(new SourceText(text, "<test>"));

    static double ValueOf(RunResult run, string query)
    {
        Assert.False(run.HasErrors, string.Join("; ", run.Diagnostics));
        var result = Assert.Single(run.Results, r => r.Json["query"]?.GetValue<string>() == query);
        return result.Json["value"]!.GetValue<double>();
    }

    static string P(double p) => p.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>A binary table V := f(inputs, own noise) written with if(...) and bernoulli noise, so every input row has its own coin.</summary>
    static string Table(Random rng, IReadOnlyList<string> inputs)
    {
        string Build(int depth) => depth == inputs.Count
            ? $"bernoulli({P(0.05 + 0.9 * rng.NextDouble())})"
            : $"if({inputs[depth]}, {Build(depth + 1)}, {Build(depth + 1)})";
        return Build(0);
    }

    /// <summary>W -> X -> M -> Y with W -> M, W -> Y and X -> Y; latent: an optional noise shared by M and Y (mediator–outcome confounding).</summary>
    static string RandomMediationScm(int seed, bool confoundMediator)
    {
        var rng = new Random(seed);
        var text = new StringBuilder("scm m {\n");
        if (confoundMediator) text.Append($"  L ~ bernoulli({P(0.2 + 0.6 * rng.NextDouble())})\n");
        text.Append($"  W := bernoulli({P(0.2 + 0.6 * rng.NextDouble())})\n");
        text.Append($"  X := {Table(rng, ["W"])}\n");
        // The latent L flips both M and Y: a common cause that no observed covariate blocks.
        var flip = confoundMediator ? " xor L" : "";
        text.Append($"  M := ({Table(rng, ["X", "W"])}){flip}\n");
        text.Append($"  Y := ({Table(rng, ["X", "M", "W"])}){flip}\n");
        return text.Append("}\nuse m\n").ToString();
    }

    /// <summary>
    /// Brute force, independent of the enumerator: every joint noise state, each world solved from the
    /// mechanisms by direct evaluation; NDE = E[Y(1, M(0))] − E[Y(0)], NIE = E[Y(0, M(1))] − E[Y(0)].
    /// </summary>
    static (double Nde, double Nie, double Ate, double Pn, double Ps, double Pns) TwinWorlds(DiscreteScm scm)
    {
        double nde = 0, nie = 0, ate = 0;
        double exposedIll = 0, pnCases = 0, unexposedWell = 0, psCases = 0, pns = 0;
        var noise = scm.Noise;
        var digits = new int[noise.Length];
        while (true)
        {
            var weight = 1.0;
            var u = new Dictionary<string, double>(StringComparer.Ordinal);
            for (var i = 0; i < noise.Length; i++) { u[noise[i].Name] = digits[i]; weight *= noise[i].Probabilities[digits[i]]; }
            Dictionary<string, double> World(params (string, double)[] fixedValues)
            {
                var values = new Dictionary<string, double>(u, StringComparer.Ordinal);
                foreach (var m in scm.Mechanisms)
                {
                    var held = fixedValues.Where(f => f.Item1 == m.Variable).ToList();
                    values[m.Variable] = held.Count > 0 ? held[0].Item2 : ScmExprs.Evaluate(m.Value, n => values[n]);
                }
                return values;
            }
            var y0 = World(("X", 0))["Y"];
            var m0 = World(("X", 0))["M"];
            var m1 = World(("X", 1))["M"];
            nde += weight * (World(("X", 1), ("M", m0))["Y"] - y0);
            nie += weight * (World(("X", 0), ("M", m1))["Y"] - y0);
            var y1 = World(("X", 1))["Y"];
            ate += weight * (y1 - y0);
            // Probabilities of causation: PN = P(Y(0) = 0 | X = 1, Y = 1), PS = P(Y(1) = 1 | X = 0, Y = 0), PNS = P(Y(1) = 1, Y(0) = 0).
            var factual = World();
            if (factual["X"] == 1 && factual["Y"] == 1) { exposedIll += weight; if (y0 == 0) pnCases += weight; }
            if (factual["X"] == 0 && factual["Y"] == 0) { unexposedWell += weight; if (y1 == 1) psCases += weight; }
            if (y1 == 1 && y0 == 0) pns += weight;
            var k = 0;
            while (k < noise.Length && ++digits[k] == noise[k].Probabilities.Length) { digits[k] = 0; k++; }
            if (k == noise.Length) break;
        }
        return (nde, nie, ate, pnCases / exposedIll, psCases / unexposedWell, pns);
    }

    static DiscreteScm Translate(string script)
    {
        var source = new SourceText(script, "t.cql");
        var parsed = CqlParser.Parse(source);
        var translation = ScmTranslator.Translate(parsed.Script.Statements.OfType<ScmDeclarationSyntax>().Single(), source);
        Assert.False(translation.HasErrors, string.Join("; ", translation.Diagnostics));
        return translation.Discrete!;
    }

    static Effects MediationFormula(DiscreteScm scm)
    {
        var graph = CausalGraph.Create(["W", "X", "M", "Y"], [("W", "X"), ("W", "M"), ("W", "Y"), ("X", "M"), ("X", "Y"), ("M", "Y")]);
        return Effects.Over(graph, new ScmEnumerator(scm).ObservationalJoint().Value!);
    }

    [Fact]
    public void Natural_effects_on_random_scms_match_twin_worlds_and_the_mediation_formula()
    {
        for (var seed = 1; seed <= 4; seed++)
        {
            var script = RandomMediationScm(seed, confoundMediator: false);
            var scm = Translate(script);
            var truth = TwinWorlds(scm);
            var run = Run(script + "NDE(X -> M -> Y)\nNIE(X -> M -> Y)\nATE(X -> Y)\nE[Y[X = 1, M = M[X = 0]] - Y[X = 0]]\nPN(X -> Y)\nPS(X -> Y)\nPNS(X -> Y)\n");
            Assert.Equal(truth.Pn, ValueOf(run, "PN(X -> Y)"), 12);
            Assert.Equal(truth.Ps, ValueOf(run, "PS(X -> Y)"), 12);
            Assert.Equal(truth.Pns, ValueOf(run, "PNS(X -> Y)"), 12);
            Assert.Equal(truth.Nde, ValueOf(run, "NDE(X -> M -> Y)"), 12);
            Assert.Equal(truth.Nie, ValueOf(run, "NIE(X -> M -> Y)"), 12);
            Assert.Equal(truth.Ate, ValueOf(run, "ATE(X -> Y)"), 12);
            Assert.Equal(truth.Nde, ValueOf(run, "E[Y[X = 1, M = M[X = 0]] - Y[X = 0]]"), 12);
            // W is observed and no latent confounds M and Y: the mediation formula must agree exactly.
            var formula = MediationFormula(scm);
            Assert.Equal(truth.Nde, formula.Mediation("X", ["M"], "Y", direct: true).Value!.Value, 10);
            Assert.Equal(truth.Nie, formula.Mediation("X", ["M"], "Y", direct: false).Value!.Value, 10);
            // The session shows the same cross-check in its explanation.
            var nde = run.Results.Single(r => r.Json["query"]?.GetValue<string>() == "NDE(X -> M -> Y)");
            Assert.Contains("the identified estimand (mediation formula, covariates {W}) on its observational distribution gives", nde.Text);
        }
    }

    [Fact]
    public void With_a_confounded_mediator_the_exact_value_stands_and_the_formula_is_refused_with_the_reason()
    {
        for (var seed = 11; seed <= 12; seed++)
        {
            var script = RandomMediationScm(seed, confoundMediator: true);
            var truth = TwinWorlds(Translate(script));
            var run = Run(script + "NDE(X -> M -> Y)\nNIE(X -> M -> Y)\n");
            Assert.Equal(truth.Nde, ValueOf(run, "NDE(X -> M -> Y)"), 12);
            Assert.Equal(truth.Nie, ValueOf(run, "NIE(X -> M -> Y)"), 12);
            var text = run.Results.Single(r => r.Json["query"]?.GetValue<string>() == "NDE(X -> M -> Y)").Text;
            Assert.Contains("not identifiable", text);
            Assert.Contains("mediator–outcome relation is confounded", text);
        }
    }

    [Fact]
    public void Nested_terms_in_the_enumerator_match_the_sum_over_mediator_levels()
    {
        // E[Y_{1, M_0}] = Σ_m P(Y_{X=1, M=m} = 1, M_{X=0} = m): the flat parallel-worlds identity, on the random SCMs of the identification tests.
        var g = CausalGraph.Create(["X", "M", "Y"], [("X", "M"), ("X", "Y"), ("M", "Y")], [("M", "Y")]);
        for (var seed = 1; seed <= 5; seed++)
        {
            var scm = RandomScm.ForGraph(g, seed, noiseLevels: 3);
            var e = new ScmEnumerator(scm);
            var nested = CfTerm.Of("Y", CfSetting.Fixed("X", 1), CfSetting.From("M", CfTerm.Of("M", CfSetting.Fixed("X", 0))));
            var flat = Enumerable.Range(0, 2).Sum(m => e.Probability([CfEvent.Of("Y", 1, ("X", 1), ("M", m)), CfEvent.Of("M", m, ("X", 0))]).Value);
            Assert.Equal(flat, e.NestedExpectation(nested).Value, 12);
            Assert.Equal(flat, e.NestedProbability([(nested, 1)]).Value, 12);
            // Conditioned on the factual X = 1 (the effect on the treated's nested term).
            var given = new[] { (CfTerm.Of("X"), 1) };
            var flatGiven = Enumerable.Range(0, 2).Sum(m => e.Probability([CfEvent.Of("Y", 1, ("X", 1), ("M", m)), CfEvent.Of("M", m, ("X", 0))], [CfEvent.Factual("X", 1)]).Value);
            Assert.Equal(flatGiven, e.NestedExpectation(nested, given).Value, 12);
        }
    }

    [Fact]
    public void Controlled_direct_effect_and_effect_on_the_treated_on_an_scm()
    {
        var script = RandomMediationScm(5, confoundMediator: false);
        var scm = new ScmEnumerator(Translate(script));
        var run = Run(script + "CDE(X -> M -> Y, M = 1)\nETT(X -> Y)\n");
        double Do(int x, int m) => scm.Expectation("Y", ImmutableDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("X", x), KeyValuePair.Create("M", m)])).Value;
        Assert.Equal(Do(1, 1) - Do(0, 1), ValueOf(run, "CDE(X -> M -> Y, M = 1)"), 12);
        var treated = new[] { CfEvent.Factual("X", 1) };
        var ett = scm.Probability([CfEvent.Of("Y", 1, ("X", 1))], treated).Value - scm.Probability([CfEvent.Of("Y", 1, ("X", 0))], treated).Value;
        Assert.Equal(ett, ValueOf(run, "ETT(X -> Y)"), 12);
        // The mediation formula's back-door ETT on the same distribution agrees (W blocks X's back-door paths).
        Assert.Equal(ett, MediationFormula(Translate(script)).Ett("X", "Y").Value!.Value, 10);
    }

    [Fact]
    public void Cde_without_a_mediator_level_and_nested_terms_on_unknown_variables_are_positioned_errors()
    {
        var script = RandomMediationScm(2, confoundMediator: false);
        var run = Run(script + "CDE(X -> M -> Y)\n");
        var error = Assert.Single(run.Diagnostics);
        Assert.Contains("CDE needs the level to hold M at", error.Message);
        Assert.Equal(8, error.Location.Line);
        var unknown = Run(script + "E[Y[X = 1, M = M[Q = 0]]]\n");
        Assert.Contains(unknown.Diagnostics, d => d.IsError && d.Message.Contains("'Q'") && d.Location.Line == 8);
    }
}
