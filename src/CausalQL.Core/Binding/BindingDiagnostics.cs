using CausalQL.Text;

namespace CausalQL.Binding;

/// <summary>
/// The binder's messages, one named method each, so wording stays consistent and tests can
/// find every message in one place. They extend the shared <see cref="DiagnosticBag"/>.
/// </summary>
public static class BindingDiagnostics
{
    public static void ReportCycle(this DiagnosticBag bag, Location location, string graph, IReadOnlyList<string> cycle) =>
        bag.Error(location, $"graph '{graph}' has a directed cycle: {string.Join(" -> ", cycle)}; a causal graph must be acyclic");

    public static void ReportUndirectedEdge(this DiagnosticBag bag, Location location, string from, string to) =>
        bag.Error(location, $"undirected edge '{from} -- {to}' in a causal graph: use '->' for a cause or '<->' for a latent common cause");

    public static void ReportSelfConfounding(this DiagnosticBag bag, Location location, string node) =>
        bag.Error(location, $"'{node} <-> {node}' joins a node to itself; '<->' needs two different nodes");

    public static void ReportUnsupportedGraphKind(this DiagnosticBag bag, Location location, string keyword) =>
        bag.Error(location, $"a '{keyword}' graph is not a causal DAG; CausalQL reads DAGitty graphs written as 'dag {{ ... }}'");

    public static void ReportUnknownOption(this DiagnosticBag bag, Location location, string option, string statement, IReadOnlyList<string> allowed) =>
        bag.Error(location, $"'{statement}' has no option '{option}'; " + (allowed.Count == 0
            ? "it takes none"
            : $"expected {string.Join(", ", allowed.Take(allowed.Count - 1))}{(allowed.Count > 1 ? " or " : "")}{allowed[^1]}"));

    public static void ReportUnknownAttribute(this DiagnosticBag bag, Location location, string attribute) =>
        bag.Warning(location, $"unknown node attribute '{attribute}' ignored; expected latent, exposure, outcome or adjusted");

    public static void ReportUnknownVariable(this DiagnosticBag bag, Location location, string name, string graph, string? suggestion) =>
        bag.Error(location, $"unknown variable '{name}': graph '{graph}' has no such node{DidYouMean(suggestion)}");

    public static void ReportInterventionNotInGraph(this DiagnosticBag bag, Location location, string name, string graph, string? suggestion) =>
        bag.Error(location, $"do({name}) intervenes on '{name}', which is not a node of graph '{graph}'{DidYouMean(suggestion)}");

    public static void ReportUnknownSubscriptVariable(this DiagnosticBag bag, Location location, string name, string graph, string? suggestion) =>
        bag.Error(location, $"counterfactual subscript names '{name}', which is not a node of graph '{graph}'{DidYouMean(suggestion)}");

    public static void ReportDuplicateDeclaration(this DiagnosticBag bag, Location location, string name, Symbol previous) =>
        bag.Error(location, $"'{name}' is already declared as a {previous.KindWord} at {previous.Declared}");

    public static void ReportUnknownName(this DiagnosticBag bag, Location location, string expectedKind, string name, string? suggestion) =>
        bag.Error(location, $"unknown {expectedKind} '{name}'{DidYouMean(suggestion)}");

    public static void ReportWrongKind(this DiagnosticBag bag, Location location, string name, string expectedKind, Symbol actual) =>
        bag.Error(location, $"'{name}' is a {actual.KindWord}, expected {expectedKind}");

    public static void ReportNoDefaultGraph(this DiagnosticBag bag, Location location, string statement) =>
        bag.Error(location, $"{statement} needs a graph: add 'in G' or declare the default first with 'use G'");

    public static void ReportNoDefaultData(this DiagnosticBag bag, Location location, string statement) =>
        bag.Error(location, $"{statement} needs data: add 'using D' or declare the default first with 'use D'");

    public static void ReportNotAQuery(this DiagnosticBag bag, Location location, string found) =>
        bag.Error(location, $"expected a query such as P(Y | do(X)), E[Y] or ATE(X -> Y), found {found}");

    public static void ReportBadValue(this DiagnosticBag bag, Location location, string variable, string found) =>
        bag.Error(location, $"expected a number or a level name as the value of '{variable}', found {found}");

    public static void ReportBadEffectPath(this DiagnosticBag bag, Location location, string effect, int expectedSteps, int found) =>
        bag.Error(location, expectedSteps == 3
            ? $"{effect} needs a path 'X -> M -> Y' (exposure, mediator, outcome), found {found} node groups"
            : $"{effect} needs a path 'X -> Y' (exposure, outcome), found {found} node groups");

    public static void ReportOverlappingRoles(this DiagnosticBag bag, Location location, string statement, string name) =>
        bag.Error(location, $"'{name}' cannot be both exposure and outcome in {statement}");

    public static void ReportDuplicateOption(this DiagnosticBag bag, Location location, string name) =>
        bag.Error(location, $"option '{name}' is given twice");

    public static void ReportBadOptionValue(this DiagnosticBag bag, Location location, string name, string found) =>
        bag.Error(location, $"option '{name}' needs a number, name, string or duration, found {found}");

    public static void ReportUnknownFormat(this DiagnosticBag bag, Location location, string what, string format, string expected) =>
        bag.Error(location, $"unknown {what} format '{format}'; expected {expected}");

    public static void ReportBadDataSource(this DiagnosticBag bag, Location location, string message) =>
        bag.Error(location, message);

    public static void ReportFileUnreadable(this DiagnosticBag bag, Location location, string path, string reason) =>
        bag.Error(location, $"cannot read '{path}': {reason}");

    public static void ReportBadModelEntry(this DiagnosticBag bag, Location location, string message) =>
        bag.Error(location, message);

    public static void ReportScm(this DiagnosticBag bag, Location location, string message) =>
        bag.Error(location, message);

    public static void ReportMissingCapability(this DiagnosticBag bag, Location location, string statement, string capability) =>
        bag.Error(location, $"{statement} is not available in this build: it needs {capability}, which is not part of CausalQL yet");

    static string DidYouMean(string? suggestion) => suggestion is null ? "" : $"; did you mean '{suggestion}'?";
}

/// <summary>"Did you mean" suggestions by edit distance (case-insensitive), for unknown names.</summary>
public static class Suggestions
{
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        // Roughly one typo per three characters; names under three characters only match up to case
        // (suggesting 'X' for 'Q' would be noise).
        var limit = name.Length / 3;
        foreach (var candidate in candidates)
        {
            if (candidate == name) continue;
            var d = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant(), limit);
            if (d <= limit && d < bestDistance) { best = candidate; bestDistance = d; }
        }
        return best;
    }

    /// <summary>Levenshtein distance, giving up (returning limit + 1) once it must exceed <paramref name="limit"/>.</summary>
    public static int Distance(string a, string b, int limit = int.MaxValue)
    {
        if (Math.Abs(a.Length - b.Length) > limit) return limit == int.MaxValue ? Math.Abs(a.Length - b.Length) : limit + 1;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                rowMin = Math.Min(rowMin, current[j]);
            }
            if (rowMin > limit) return limit + 1;
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
