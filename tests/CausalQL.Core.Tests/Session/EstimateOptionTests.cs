using CausalQL.Sessions;
using CausalQL.Text;

namespace CausalQL.Tests.Sessions;

/// <summary>Options of `estimate` that cannot be honoured are positioned errors that say what would be accepted.</summary>
public class EstimateOptionTests
{
    static readonly string Script = ConfoundedSample.Script(500);

    [Theory]
    [InlineData("with bootstrap = 1000000", "bootstrap = 1000000 is out of range: the number of replicates is a whole number from 0 to 100000")]
    [InlineData("with bootstrap = -5", "bootstrap = -5 is out of range: the number of replicates is a whole number from 0 to 100000")]
    [InlineData("with bootstrap = 2.5", "bootstrap = 2.5 is out of range: the number of replicates is a whole number from 0 to 100000")]
    [InlineData("with method = magic", "unknown method 'magic'; expected plugin, regression, ipw, aipw, iv or frontdoor")]
    [InlineData("with colour = 3", "option 'colour' is not understood by estimate (or its value has the wrong type); expected method, bootstrap, seed, trim, level, stabilized, by, outcome_model, treatment_model or missing")]
    public void A_bad_option_is_an_error_at_the_estimate(string options, string message)
    {
        var run = new Session().Run(new SourceText(Script + "estimate ATE(X -> Y) in G using d " + options + "\n", "t.cql"));
        var error = Assert.Single(run.Diagnostics, d => d.IsError);
        Assert.Equal(message, error.Message);
        Assert.Equal(8, error.Location.Line);
        Assert.DoesNotContain(run.Results, r => r.Kind == "estimate");
    }
}
