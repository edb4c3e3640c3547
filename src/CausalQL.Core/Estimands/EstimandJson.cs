using System.Text.Json;
using System.Text.Json.Nodes;
using CausalQL.Graphs;

namespace CausalQL.Estimands;

/// <summary>
/// The JSON tree of the conformance files: <c>{"p": [vars], "given": [vars]}</c>, <c>{"prod": [...]}</c>,
/// <c>{"frac": {"num": ..., "den": ...}}</c>, and a <c>"sum": [vars]</c> key on any node summing that node.
/// Extensions kept readable by the same reader: <c>"do": [vars]</c> on a <c>p</c> node (an interventional
/// term) and <c>{"const": 0}</c> / <c>{"const": 1}</c>. One is written as the empty product.
/// </summary>
public static class EstimandJson
{
    public static JsonNode ToJson(Estimand e)
    {
        switch (e)
        {
            case OneEstimand: return new JsonObject { ["prod"] = new JsonArray() };
            case ZeroEstimand: return new JsonObject { ["const"] = 0 };
            case Prob p:
            {
                var o = new JsonObject { ["p"] = Names(p.Vars), ["given"] = Names(p.Given) };
                if (!p.Intervened.IsEmpty) o["do"] = Names(p.Intervened);
                return o;
            }
            case Product p: return new JsonObject { ["prod"] = new JsonArray([.. p.Factors.Select(ToJson)]) };
            case Fraction f:
                return new JsonObject { ["frac"] = new JsonObject { ["num"] = ToJson(f.Numerator), ["den"] = ToJson(f.Denominator) } };
            case Sum s:
            {
                var body = ToJson(s.Body).AsObject();
                // A node carries one "sum" key; a sum of a sum is wrapped in a one-factor product.
                if (body.ContainsKey("sum")) body = new JsonObject { ["prod"] = new JsonArray(body) };
                body["sum"] = Names(s.Over);
                return body;
            }
            default: throw new ArgumentException($"unknown estimand node {e.GetType().Name}", nameof(e));
        }
    }

    static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Compact JSON text; primes and other characters are written as themselves, not as \u escapes.</summary>
    public static string ToJsonText(Estimand e) => ToJson(e).ToJsonString(Relaxed);

    /// <summary>Reads a tree; malformed input is an error message, not an exception.</summary>
    public static bool TryRead(JsonNode? node, out Estimand estimand, out string? error)
    {
        try
        {
            estimand = Read(node, "$");
            error = null;
            return true;
        }
        catch (FormatException ex)
        {
            estimand = Est.Zero;
            error = ex.Message;
            return false;
        }
    }

    public static bool TryParse(string json, out Estimand estimand, out string? error)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException ex)
        {
            estimand = Est.Zero;
            error = "not JSON: " + ex.Message;
            return false;
        }
        return TryRead(node, out estimand, out error);
    }

    static Estimand Read(JsonNode? node, string path)
    {
        if (node is not JsonObject o) throw new FormatException($"{path}: expected an object");
        Estimand body;
        if (o.TryGetPropertyValue("p", out var p))
        {
            // Built directly, not through Est.P, so that the tree's terms are kept as written.
            var vars = ReadNames(p, path + ".p");
            var given = o.TryGetPropertyValue("given", out var g) ? ReadNames(g, path + ".given") : VarSet.Empty;
            var intervened = o.TryGetPropertyValue("do", out var d) ? ReadNames(d, path + ".do") : VarSet.Empty;
            body = vars.IsEmpty ? Est.One : new Prob(vars, given.Except(vars), intervened);
        }
        else if (o.TryGetPropertyValue("prod", out var prod))
        {
            if (prod is not JsonArray factors) throw new FormatException($"{path}.prod: expected an array");
            body = Est.Product(factors.Select((f, i) => Read(f, $"{path}.prod[{i}]")).ToList());
        }
        else if (o.TryGetPropertyValue("frac", out var frac))
        {
            if (frac is not JsonObject fo || !fo.TryGetPropertyValue("num", out var num) || !fo.TryGetPropertyValue("den", out var den))
                throw new FormatException($"{path}.frac: expected an object with num and den");
            body = new Fraction(Read(num, path + ".frac.num"), Read(den, path + ".frac.den"));
        }
        else if (o.TryGetPropertyValue("const", out var c))
        {
            body = c?.GetValueKind() == JsonValueKind.Number && c.GetValue<double>() == 0 ? Est.Zero
                : c?.GetValueKind() == JsonValueKind.Number && c.GetValue<double>() == 1 ? Est.One
                : throw new FormatException($"{path}.const: expected 0 or 1");
        }
        else throw new FormatException($"{path}: expected one of p, prod, frac");

        if (o.TryGetPropertyValue("sum", out var sum))
        {
            var over = ReadNames(sum, path + ".sum");
            // Kept as a separate node (not merged into an inner sum) so the reader is faithful.
            if (!over.IsEmpty) body = new Sum(body, over);
        }
        return body;
    }

    static JsonArray Names(VarSet names) => new([.. names.Select(n => (JsonNode)JsonValue.Create(n))]);

    static VarSet ReadNames(JsonNode? node, string path)
    {
        if (node is not JsonArray a) throw new FormatException($"{path}: expected an array of names");
        var names = new List<string>();
        foreach (var item in a)
        {
            if (item is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
                throw new FormatException($"{path}: expected names (strings)");
            names.Add(v.GetValue<string>());
        }
        return VarSet.From(names);
    }
}
