namespace CausalQL.Execution;

/// <summary>Design-matrix columns built from a formula: pushed-down expressions with readable names.</summary>
public sealed record Design(IReadOnlyList<Expr> Columns, IReadOnlyList<string> Names)
{
    public int Count => Columns.Count;

    /// <summary>
    /// Expands a formula against a source: text columns and C(x) become dummies for every level but
    /// the first (levels counted over the rows the filter keeps); the treatment column becomes the
    /// indicator of the treated value so that "set T = t" is a substitution; a:b multiplies columns.
    /// </summary>
    public static Result<Design> Build(Formula formula, IDataSource source, Expr? filter, string? treatment, string treatedLabel, CancellationToken ct)
    {
        foreach (var c in formula.Columns())
            if (source.Column(c) is null)
                return Result<Design>.Fail($"column '{c}' in the model formula does not exist in {source.Description}", c);
        var columns = new List<Expr>();
        var names = new List<string>();
        if (formula.Intercept) { columns.Add(Expr.One); names.Add("(Intercept)"); }
        foreach (var term in formula.Terms)
        {
            var parts = new List<(Expr E, string Name)> { (Expr.One, "") };
            foreach (var factor in term.Factors)
            {
                var expanded = Expand(factor, source, filter, treatment, treatedLabel, ct);
                if (!expanded.IsOk) return expanded.Error;
                parts = parts.SelectMany(p => expanded.Value.Select(e => (p.E * e.E, p.Name.Length == 0 ? e.Name : p.Name + ":" + e.Name))).ToList();
            }
            foreach (var (e, name) in parts)
                if (!columns.Contains(e)) { columns.Add(e); names.Add(name); }
        }
        return new Design(columns, names);
    }

    static Result<List<(Expr E, string Name)>> Expand(FormulaFactor factor, IDataSource source, Expr? filter, string? treatment, string treatedLabel, CancellationToken ct)
    {
        switch (factor)
        {
            case ExpressionFactor ef:
                foreach (var c in ef.Expression.Columns())
                    if (source.Column(c)?.Storage == StorageType.Text)
                        return Result<List<(Expr, string)>>.Fail($"column '{c}' holds text, but I({ef.Text}) needs numbers", c);
                return new List<(Expr, string)> { (ReplaceTreatment(ef.Expression, treatment, treatedLabel), factor.ToString()) };
            case ColumnFactor cf when cf.Column == treatment:
                return new List<(Expr, string)> { (Expr.Level(cf.Column, treatedLabel), cf.Column) };
            case ColumnFactor cf when cf.Categorical || source.Column(cf.Column)!.Storage == StorageType.Text:
                {
                    var counts = source.Counts([cf.Column], filter, ct);
                    if (!counts.IsOk) return counts.Error;
                    var levels = counts.Value.Levels[0];
                    return levels.Skip(1).Select(l => (Expr.Level(cf.Column, l), $"{cf.Column}[{l}]")).ToList();
                }
            case ColumnFactor cf:
                return new List<(Expr, string)> { (Expr.Col(cf.Column), cf.Column) };
            default:
                return Result<List<(Expr, string)>>.Fail("unknown formula factor");
        }
    }

    static Expr ReplaceTreatment(Expr e, string? treatment, string treatedLabel) => e switch
    {
        _ when treatment is null => e,
        ColumnRef c when c.Name == treatment => Expr.Level(treatment, treatedLabel),
        Binary b => new Binary(b.Op, ReplaceTreatment(b.Left, treatment, treatedLabel), ReplaceTreatment(b.Right, treatment, treatedLabel)),
        Power p => new Power(ReplaceTreatment(p.Base, treatment, treatedLabel), p.Exponent),
        Call c => new Call(c.Fn, ReplaceTreatment(c.Arg, treatment, treatedLabel)),
        _ => e,
    };
}
