using CausalQL.Graphs;

namespace CausalQL.Tests.Graphs;

/// <summary>Textbook graphs for front-door, optimal adjustment, instruments, implications, budgets and bad input.</summary>
public class GraphAlgorithmTests
{
    static CausalGraph G(string edges, params string[] latent)
    {
        var directed = new List<(string, string)>();
        var bidirected = new List<(string, string)>();
        foreach (var part in edges.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bi = part.Contains("<->");
            var ends = part.Split(bi ? "<->" : "->", StringSplitOptions.TrimEntries);
            (bi ? bidirected : directed).Add((ends[0], ends[1]));
        }
        return CausalGraph.Create([], directed, bidirected, latent.ToDictionary(v => v, _ => NodeRole.Latent));
    }

    // ---- front door -------------------------------------------------------------------------

    [Fact]
    public void Smoking_tar_cancer_has_tar_as_front_door_set_and_no_adjustment_set()
    {
        var g = G("Smoking -> Tar; Tar -> Cancer; Smoking <-> Cancer");
        Assert.True(FrontDoor.IsFrontDoorSet(g, ["Smoking"], ["Cancer"], ["Tar"]));
        var found = FrontDoor.Find(g, ["Smoking"], ["Cancer"]);
        Assert.Equal(VarSet.Of("Tar"), found.Set);
        Assert.Equal(VarSet.Of("Tar"), found.MinimalSet);
        var adjustment = Adjustment.Minimal(g, ["Smoking"], ["Cancer"]);
        Assert.True(adjustment.NoneExists);
        Assert.Contains("Smoking <-> Cancer", adjustment.Note);
    }

    [Fact]
    public void Front_door_works_with_an_explicit_latent_genotype()
    {
        var g = G("Genotype -> Smoking; Genotype -> Cancer; Smoking -> Tar; Tar -> Cancer", "Genotype");
        Assert.Equal(VarSet.Of("Tar"), FrontDoor.Find(g, ["Smoking"], ["Cancer"]).Set);
        Assert.False(FrontDoor.IsFrontDoorSet(g, ["Smoking"], ["Cancer"], ["Genotype"]));
    }

    [Fact]
    public void Front_door_fails_when_its_conditions_fail()
    {
        var direct = G("X -> M; M -> Y; X -> Y; X <-> Y");
        var check = FrontDoor.Check(direct, ["X"], ["Y"], ["M"]);
        Assert.False(check.Exists);
        Assert.Contains("directed path", check.Note);
        Assert.False(FrontDoor.Find(direct, ["X"], ["Y"]).Exists);

        var confoundedMediator = G("X -> M; M -> Y; X <-> Y; M <-> Y");
        Assert.Contains("not blocked by the exposure", FrontDoor.Check(confoundedMediator, ["X"], ["Y"], ["M"]).Note);
        Assert.False(FrontDoor.Find(confoundedMediator, ["X"], ["Y"]).Exists);

        var confoundedTreatment = G("X -> M; M -> Y; X <-> Y; X <-> M");
        Assert.Contains("from the exposure to the set is open", FrontDoor.Check(confoundedTreatment, ["X"], ["Y"], ["M"]).Note);
    }

    [Fact]
    public void Front_door_search_finds_a_two_mediator_set()
    {
        var g = G("X -> M1; X -> M2; M1 -> Y; M2 -> Y; X <-> Y; M1 -> W");
        var found = FrontDoor.Find(g, ["X"], ["Y"]);
        Assert.True(found.Exists);
        Assert.True(VarSet.Of("M1", "M2").IsSubsetOf(found.Set!));
        Assert.Equal(VarSet.Of("M1", "M2"), found.MinimalSet);
        Assert.True(FrontDoor.IsFrontDoorSet(g, ["X"], ["Y"], found.Set!));
        Assert.False(FrontDoor.IsFrontDoorSet(g, ["X"], ["Y"], ["M1"]));
    }

    // ---- optimal adjustment set ---------------------------------------------------------------

    [Fact]
    public void Optimal_set_keeps_outcome_parents_and_drops_instruments()
    {
        // W confounds, V only causes Y (a precision variable), I only causes X (an instrument).
        var g = G("W -> X; W -> Y; X -> M; M -> Y; V -> Y; I -> X");
        Assert.Equal(VarSet.Of("V", "W"), Adjustment.Optimal(g, "X", "Y").Set);
        Assert.Equal<VarSet>([VarSet.Of("W")], Adjustment.Minimal(g, ["X"], ["Y"]).Sets);
        Assert.Equal(VarSet.Of("I", "V", "W"), Adjustment.Canonical(g, ["X"], ["Y"]).Set);
    }

    [Fact]
    public void Optimal_set_includes_parents_of_mediators_but_not_forbidden_nodes()
    {
        // Henckel et al. style: Z2 causes the mediator M; D descends from M and is forbidden.
        var g = G("Z1 -> X; Z1 -> Y; X -> M; Z2 -> M; M -> Y; M -> D; D -> Y; X -> Y");
        var optimal = Adjustment.Optimal(g, "X", "Y");
        Assert.Equal(VarSet.Of("Z1", "Z2"), optimal.Set);
        Assert.True(Adjustment.IsValid(g, ["X"], ["Y"], optimal.Set!));
    }

    [Fact]
    public void Optimal_set_is_valid_whenever_an_adjustment_set_exists_in_random_dags()
    {
        var rng = new Random(21);
        var checkedCount = 0;
        for (var k = 0; k < 150; k++)
        {
            var g = RandomGraphs.DagittyStyle(rng, rng.Next(6, 30));
            var x = "V" + rng.Next(2, g.Count / 2 + 2);
            var de = g.Descendants([x]).Where(v => v != x).ToList();
            if (de.Count == 0) continue;
            var y = de[rng.Next(de.Count)];
            var optimal = Adjustment.Optimal(g, x, y);
            Assert.Equal(Adjustment.Canonical(g, [x], [y]).Exists, optimal.Exists);
            if (optimal.Exists) Assert.True(Adjustment.IsValid(g, [x], [y], optimal.Set!));
            checkedCount++;
        }
        Assert.True(checkedCount > 100);
    }

    [Fact]
    public void Optimal_set_is_not_claimed_under_hidden_confounding_of_causal_nodes_or_without_an_effect()
    {
        Assert.Contains("latent confounder", Adjustment.Optimal(G("X -> M; M -> Y; M <-> Y"), "X", "Y").Note);
        Assert.Contains("not a descendant", Adjustment.Optimal(G("Y -> X"), "X", "Y").Note);
        Assert.Contains("latent", Adjustment.Optimal(G("U -> M; X -> M; M -> Y", "U"), "X", "Y").Note);
    }

    // ---- instruments ----------------------------------------------------------------------------

    [Fact]
    public void Classic_and_conditional_instruments()
    {
        var classic = Instruments.Conditional(G("Z -> X; X -> Y; X <-> Y"), "X", "Y");
        Assert.Equal<ConditionalInstrument>([new("Z", VarSet.Empty)], classic.Instruments);

        var conditional = Instruments.Conditional(G("W -> Z; W -> Y; Z -> X; X -> Y; X <-> Y"), "X", "Y");
        Assert.Contains(new ConditionalInstrument("Z", VarSet.Of("W")), conditional.Instruments);
        Assert.DoesNotContain(conditional.Instruments, i => i.Instrument == "Z" && i.Given.IsEmpty);

        var latentConfounder = Instruments.Conditional(G("Z -> X; X -> Y; U -> X; U -> Y", "U"), "X", "Y");
        Assert.Equal<ConditionalInstrument>([new("Z", VarSet.Empty)], latentConfounder.Instruments);

        Assert.False(Instruments.Conditional(G("Z -> X; X -> Y"), "X", "Q").IsValid);
    }

    // ---- implications ---------------------------------------------------------------------------

    [Fact]
    public void Basis_implications_hold_by_m_separation_in_dags_and_admgs()
    {
        var rng = new Random(22);
        var total = 0;
        for (var k = 0; k < 200; k++)
        {
            var g = RandomGraphs.Admg(rng, rng.Next(3, 9), 0.35, k % 2 == 0 ? 0 : 0.15, 0);
            foreach (var ci in Implications.Basis(g))
            {
                Assert.True(Separation.AreSeparated(g, [ci.X], ci.Y, ci.Given), $"{g}: {ci}");
                Assert.False(ci.Y.Contains(ci.X) || ci.Given.Contains(ci.X) || ci.Y.Overlaps(ci.Given));
                total++;
            }
        }
        Assert.True(total > 200);
    }

    [Fact]
    public void Basis_implications_of_the_m_bias_graph()
    {
        var g = G("A -> M; B -> M; A -> X; B -> Y; X -> Y");
        var basis = Implications.Basis(g).Select(c => c.ToString()).ToList();
        Assert.Contains("A ⟂ B", basis);
        Assert.Contains("M ⟂ X, Y | A, B", basis);
        Assert.Contains("X ⟂ B, M | A", basis);
    }

    // ---- budgets and bad input ------------------------------------------------------------------

    static CausalGraph ManySets()
    {
        // X <- A_i <- B_i -> Y for 12 parallel back-door paths: 2^12 minimal sets.
        var edges = new List<string> { "X -> Y" };
        for (var i = 0; i < 12; i++) edges.AddRange([$"A{i} -> X", $"B{i} -> A{i}", $"B{i} -> Y"]);
        return G(string.Join(";", edges));
    }

    [Fact]
    public void The_cap_stops_the_enumeration_with_a_clear_status()
    {
        var result = Adjustment.Minimal(ManySets(), ["X"], ["Y"], new AdjustmentOptions { MaxSets = 100 });
        Assert.Equal(SearchStatus.CapReached, result.Status);
        Assert.Equal(100, result.Sets.Length);
        Assert.Contains("cap", result.Note);
        Assert.Equal(4096, Adjustment.Minimal(ManySets(), ["X"], ["Y"]).Sets.Length);
    }

    [Fact]
    public void A_cancelled_or_expired_budget_returns_budget_exceeded()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var cancelled = Adjustment.Minimal(ManySets(), ["X"], ["Y"], new AdjustmentOptions { Cancellation = cts.Token });
        Assert.Equal(SearchStatus.BudgetExceeded, cancelled.Status);
        Assert.True(cancelled.BudgetExceeded);
        Assert.Contains("budget exceeded", cancelled.Note);
        var expired = Adjustment.Minimal(ManySets(), ["X"], ["Y"], new AdjustmentOptions { TimeBudget = TimeSpan.Zero });
        Assert.Equal(SearchStatus.BudgetExceeded, expired.Status);
    }

    [Fact]
    public void Bad_questions_are_answered_with_notes_not_exceptions()
    {
        var g = G("A -> B; B -> C");
        Assert.Equal(SearchStatus.Invalid, Adjustment.Minimal(g, ["A"], ["Nope"]).Status);
        Assert.Contains("both exposure and outcome", Adjustment.Minimal(g, ["A"], ["A"]).Note);
        Assert.Contains("no exposure", Adjustment.Minimal(g, [], ["C"]).Note);
        Assert.Contains("not a node", Adjustment.Check(g, ["A"], ["C"], ["Q"]).Reason);
        Assert.Contains("exposure or outcome", Adjustment.Check(g, ["A"], ["C"], ["A"]).Reason);
        Assert.Contains("not a node", FrontDoor.Check(g, ["A"], ["C"], ["Q"]).Note);
        Assert.Contains("not a node", Adjustment.Minimal(g, ["A"], ["C"], new AdjustmentOptions { Forbidden = VarSet.Of("Q") }).Note);
        Assert.False(Separation.AreSeparated(g, ["A"], ["C"], ["Q"]));
        Assert.Contains("latent", Adjustment.Minimal(G("U -> B; B -> C", "U"), ["U"], ["C"]).Note);
        var cyclic = G("A -> B; B -> C; C -> A");
        Assert.Contains("cycle", Adjustment.Minimal(cyclic, ["A"], ["C"]).Note);
        Assert.Contains("cycle", Adjustment.Canonical(cyclic, ["A"], ["C"]).Note);
        Assert.Empty(Implications.Basis(cyclic));
        Assert.Contains("cycle", GraphExport.ToText(cyclic));
        Assert.False(FrontDoor.Find(cyclic, ["A"], ["C"]).Exists);
        Assert.Contains("forced and forbidden", Adjustment.Minimal(g, ["A"], ["C"],
            new AdjustmentOptions { Forced = VarSet.Of("B"), Forbidden = VarSet.Of("B") }).Note);
    }

    [Fact]
    public void An_outcome_that_causes_the_exposure_has_no_adjustment_set()
    {
        var result = Adjustment.Minimal(G("Y -> X; W -> X; W -> Y"), ["X"], ["Y"]);
        Assert.True(result.NoneExists);
        Assert.Contains("parent of the exposure", result.Note);
    }

    [Fact]
    public void A_latent_back_door_path_is_named_in_the_note()
    {
        var result = Adjustment.Minimal(G("U -> W; W -> X; U -> Y; X -> Y", "U"), ["X"], ["Y"]);
        Assert.Equal<VarSet>([VarSet.Of("W")], result.Sets);
        var none = Adjustment.Minimal(G("U -> X; U -> Y; X -> Y", "U"), ["X"], ["Y"]);
        Assert.True(none.NoneExists);
        Assert.Equal("no adjustment set exists: the path X <- U -> Y stays open given every set of observed, allowed covariates (it runs through the latent node U)", none.Note);
    }

    [Fact]
    public void A_forced_mediator_is_reported()
    {
        var result = Adjustment.Minimal(G("X -> M; M -> Y; W -> X; W -> Y"), ["X"], ["Y"], new AdjustmentOptions { Forced = VarSet.Of("M") });
        Assert.True(result.NoneExists);
        Assert.Contains("forced covariate M", result.Note);
        var check = Adjustment.Check(G("X -> M; M -> Y; M -> D"), ["X"], ["Y"], ["D"]);
        Assert.False(check.IsValid);
        Assert.Contains("descendant of M", check.Reason);
    }

    // ---- big graphs -----------------------------------------------------------------------------

    [Fact]
    public void Five_thousand_node_graphs_do_not_overflow_the_stack()
    {
        const int n = 5000;
        var chain = CausalGraph.Create([], Enumerable.Range(1, n - 1).Select(i => ($"V{i}", $"V{i + 1}")));
        Assert.True(Separation.AreSeparated(chain, ["V1"], [$"V{n}"], ["V2500"]));
        Assert.False(Separation.AreSeparated(chain, ["V1"], [$"V{n}"], []));
        Assert.Equal(n, Separation.ReachableFrom(chain, ["V1"], []).Count);
        Assert.Equal<VarSet>([VarSet.Empty], Adjustment.Minimal(chain, ["V1"], [$"V{n}"]).Sets);
        Assert.Equal(VarSet.Empty, Adjustment.Optimal(chain, "V1", $"V{n}").Set);
        Assert.True(FrontDoor.Find(chain, ["V1"], [$"V{n}"]).Exists);
        Assert.Contains($"layer {n - 1}", GraphExport.ToText(chain));

        // A back-door path of 5000 nodes: X <- A1 <- ... <- A4999 -> Y. Each Ai alone is a minimal set,
        // and the search goes 5000 levels deep.
        var edges = new List<(string, string)> { ("A1", "X"), ("X", "Y"), ($"A{n - 1}", "Y") };
        for (var i = 1; i < n - 1; i++) edges.Add(($"A{i + 1}", $"A{i}"));
        var longPath = CausalGraph.Create([], edges);
        var sets = Adjustment.Minimal(longPath, ["X"], ["Y"]);
        Assert.Equal(SearchStatus.Complete, sets.Status);
        Assert.Equal(n - 1, sets.Sets.Length);
        Assert.All(sets.Sets, s => Assert.Single(s));
        Assert.Contains(VarSet.Of($"A{n - 1}"), sets.Sets);

        var random = RandomGraphs.DagittyStyle(new Random(23), n);
        var capped = Adjustment.Minimal(random, ["V1500"], [$"V{n}"], new AdjustmentOptions { MaxSets = 5 });
        Assert.NotEqual(SearchStatus.Invalid, capped.Status);
        Assert.All(capped.Sets, s => Assert.True(Adjustment.IsValid(random, ["V1500"], [$"V{n}"], s)));
        Assert.NotNull(GraphExport.ToDot(random));
    }
}
