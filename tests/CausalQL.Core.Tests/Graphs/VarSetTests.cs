using CausalQL.Graphs;

namespace CausalQL.Tests.Graphs;

public class VarSetTests
{
    [Fact]
    public void Sets_are_sorted_ordinally_deduplicated_and_equal_by_value()
    {
        var a = VarSet.Of("b", "V10", "a", "V2", "a");
        Assert.Equal(["V10", "V2", "a", "b"], a);
        Assert.Equal(a, VarSet.From(["V2", "b", "V10", "a"]));
        Assert.Equal(a.GetHashCode(), VarSet.From(["V2", "b", "V10", "a"]).GetHashCode());
        Assert.True(a == VarSet.Of("a", "b", "V2", "V10"));
        Assert.Same(VarSet.Empty, VarSet.From([]));
        Assert.Equal("{V10, V2, a, b}", a.ToString());
    }

    [Fact]
    public void Set_operations_match_hash_set_semantics()
    {
        var rng = new Random(5);
        string[] universe = ["A", "B", "C", "D", "E", "F", "x1", "x10", "x2"];
        for (var k = 0; k < 500; k++)
        {
            var l = universe.Where(_ => rng.Next(2) == 0).ToList();
            var r = universe.Where(_ => rng.Next(2) == 0).ToList();
            var a = VarSet.From(l);
            var b = VarSet.From(r);
            Assert.True(a.Union(b).SetEquals(l.Union(r)));
            Assert.True(a.Intersect(b).SetEquals(l.Intersect(r)));
            Assert.True(a.Except(b).SetEquals(l.Except(r)));
            Assert.Equal(l.ToHashSet().IsSubsetOf(r), a.IsSubsetOf(b));
            Assert.Equal(l.ToHashSet().IsSupersetOf(r), a.IsSupersetOf(b));
            Assert.Equal(l.ToHashSet().Overlaps(r), a.Overlaps(b));
            Assert.Equal(l.ToHashSet().SetEquals(r), a.Equals(b));
            var extra = universe[rng.Next(universe.Length)];
            Assert.True(a.Add(extra).Contains(extra));
            Assert.False(a.Remove(extra).Contains(extra));
            Assert.Equal(l.Contains(extra), a.Contains(extra));
        }
    }
}
