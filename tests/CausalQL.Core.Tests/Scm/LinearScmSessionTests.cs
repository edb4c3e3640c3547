using CausalQL.Binding;
using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Core.Tests.Scm;

/// <summary>
/// Queries on linear-Gaussian SCMs through the session, checked against values computed by hand from
/// the coefficients (Pearl, Glymour &amp; Jewell, Causal Inference in Statistics: A Primer, the
/// encouragement–homework–score model) and against Monte Carlo draws of the same model.
/// </summary>
public class LinearScmSessionTests
{
    static RunResult Run(string text) => new Session(new SessionPorts(new InMemoryFileReader(new Dictionary<string, string>()))).Run(new SourceText(text, "<test>"));

    static double ValueOf(RunResult run, string query)
    {
        Assert.False(run.HasErrors, string.Join("; ", run.Diagnostics));
        return Assert.Single(run.Results, r => r.Json["query"]?.GetValue<string>() == query).Json["value"]!.GetValue<double>();
    }

    // X (encouragement) -> H (homework) -> Y (score), X -> Y; a = 0.5, b = 0.7, c = 0.4, unit noises.
    const string Primer = """
        scm primer {
          UX ~ normal(0, 1)
          UH ~ normal(0, 1)
          UY ~ normal(0, 1)
          X := UX
          H := 0.5 * X + UH
          Y := 0.7 * X + 0.4 * H + UY
        }
        use primer

        """;

    [Fact]
    public void The_primer_homework_counterfactual_is_1_9()
    {
        // Joe: X = 0.5, H = 1, Y = 1.5; had he done H = 2 hours, Y = 1.5 + c (2 − 1) = 1.9 (Primer, section 4.2.4).
        var run = Run(Primer + "E[Y[H = 2] | X = 0.5, H = 1, Y = 1.5]\n");
        Assert.Equal(1.9, ValueOf(run, "E[Y[H = 2] | X = 0.5, H = 1, Y = 1.5]"), 10);
    }

    [Fact]
    public void Effects_are_path_coefficient_products()
    {
        var run = Run(Primer + "ATE(X -> Y)\nNDE(X -> H -> Y)\nNIE(X -> H -> Y)\nCDE(X -> H -> Y, H = 3)\nETT(X -> Y)\nE[Y | do(X = 2)]\nE[Y[X = 1, H = H[X = 0]] - Y[X = 0]]\n");
        const double a = 0.5, b = 0.7, c = 0.4;
        Assert.Equal(b + a * c, ValueOf(run, "ATE(X -> Y)"), 10);
        Assert.Equal(b, ValueOf(run, "NDE(X -> H -> Y)"), 10);
        Assert.Equal(a * c, ValueOf(run, "NIE(X -> H -> Y)"), 10);
        Assert.Equal(b, ValueOf(run, "CDE(X -> H -> Y, H = 3)"), 10);
        Assert.Equal(b + a * c, ValueOf(run, "ETT(X -> Y)"), 10);
        Assert.Equal(2 * (b + a * c), ValueOf(run, "E[Y | do(X = 2)]"), 10);
        Assert.Equal(b, ValueOf(run, "E[Y[X = 1, H = H[X = 0]] - Y[X = 0]]"), 10);
    }

    // A latent U confounds X and Y: X := UX + U, Y := ... + U.
    const string Confounded = """
        scm conf {
          UX ~ normal(0, 1)
          UH ~ normal(0, 1)
          UY ~ normal(0, 1)
          U ~ normal(0, 1)
          X := UX + U
          H := 0.5 * X + UH
          Y := 0.7 * X + 0.4 * H + UY + U
        }
        use conf

        """;

    [Fact]
    public void Conditioning_differs_from_intervening_under_confounding_by_the_regression_of_the_latent()
    {
        // E[U | X = x] = Cov(U, X) / Var(X) · x = x / 2, so E[Y | X = 1] = 0.9 + 0.5 while E[Y | do(X = 1)] = 0.9;
        // E[Y[X = 1] | X = 2] = 0.9 + E[U | X = 2] = 1.9 (abduction reads the latent off the evidence).
        var run = Run(Confounded + "E[Y | X = 1]\nE[Y | do(X = 1)]\nE[Y[X = 1] | X = 2]\nE[Y | do(H = 1), X = 1]\n");
        Assert.Equal(1.4, ValueOf(run, "E[Y | X = 1]"), 10);
        Assert.Equal(0.9, ValueOf(run, "E[Y | do(X = 1)]"), 10);
        Assert.Equal(1.9, ValueOf(run, "E[Y[X = 1] | X = 2]"), 10);
        // Conditioning in the intervened world: Y = 0.7 X + 0.4 + UY + U, and X = 1 tells E[U | X = 1] = 0.5.
        Assert.Equal(0.7 + 0.4 + 0.5, ValueOf(run, "E[Y | do(H = 1), X = 1]"), 10);
    }

    [Fact]
    public void Closed_form_means_match_monte_carlo_draws_of_the_same_model()
    {
        // E[Y | X ≈ 1] from draws in a thin slab around X = 1, and E[Y | do(X = 1)] from a sample of the intervened mechanism.
        var closedForm = ValueOf(Run(Confounded + "E[Y | X = 1]\n"), "E[Y | X = 1]");
        var source = new SourceText(Confounded, "t.cql");
        var declaration = CausalQL.Syntax.CqlParser.Parse(source).Script.Statements.OfType<CausalQL.Syntax.ScmDeclarationSyntax>().Single();
        var draws = new CausalQL.Scm.LinearGaussianEngine(CausalQL.Scm.ScmTranslator.Translate(declaration, source).Linear!).Sample(200_000, seed: 5);
        var slab = Enumerable.Range(0, 200_000).Where(i => Math.Abs(draws["X"][i] - 1) < 0.05).Select(i => draws["Y"][i]).ToList();
        Assert.True(slab.Count > 3000);
        // Standard error of the slab mean is about sd(Y | X) / sqrt(n) ≈ 1.2 / 60 = 0.02.
        Assert.InRange(slab.Average(), closedForm - 0.08, closedForm + 0.08);
    }

    [Fact]
    public void Probabilities_and_impossible_evidence_on_a_linear_model_are_explained_errors()
    {
        var run = Run(Primer + "P(Y = 1)\n");
        var error = Assert.Single(run.Diagnostics);
        Assert.Contains("continuous", error.Message);
        Assert.Equal(10, error.Location.Line);
        var fixedX = Run("scm f {\n  U ~ normal(0, 1)\n  X := 2\n  Y := X + U\n}\nuse f\nE[Y | X = 1]\nE[Y | X = 2]\n");
        var impossible = Assert.Single(fixedX.Diagnostics);
        Assert.Contains("density 0", impossible.Message);
        Assert.Equal(7, impossible.Location.Line);
        Assert.Equal(2.0, fixedX.Results.Single(r => r.Json["query"]?.GetValue<string>() == "E[Y | X = 2]").Json["value"]!.GetValue<double>(), 10);
        var pn = Run(Primer + "PN(X -> Y)\n");
        Assert.Contains("binary", Assert.Single(pn.Diagnostics).Message);
    }
}
