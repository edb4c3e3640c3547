using System.Collections.Immutable;
using CausalQL.Syntax;
using CausalQL.Text;

namespace CausalQL.Scm;

/// <summary>The semantic model of an <c>scm</c> block: discrete or linear-Gaussian (exactly one is set when there are no errors).</summary>
public sealed record ScmTranslation(string Name, DiscreteScm? Discrete, LinearGaussianScm? Linear, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Turns an <see cref="ScmDeclarationSyntax"/> into a <see cref="DiscreteScm"/> or a
/// <see cref="LinearGaussianScm"/>. Reports, with positions: undefined names, cycles among the
/// mechanisms, probabilities outside [0, 1], duplicate definitions, unknown distributions, and
/// non-linear mechanisms in a Gaussian model. Inline noise such as <c>X xor bernoulli(0.1)</c>
/// becomes an anonymous noise term of that mechanism.
/// </summary>
public static class ScmTranslator
{
    public static ScmTranslation Translate(ScmDeclarationSyntax declaration, SourceText source)
    {
        var diagnostics = new DiagnosticBag();
        Location At(SyntaxNode node) => source.Location(node.Span);

        var discreteNoise = new List<NoiseTerm>();
        var gaussianNoise = new List<GaussianNoise>();
        var mechanisms = new List<(MechanismEquationSyntax Syntax, ScmExpr Expr)>();
        var defined = new Dictionary<string, SyntaxNode>(StringComparer.Ordinal);

        bool Define(NameSyntax name)
        {
            if (defined.TryGetValue(name.Text, out _))
            {
                diagnostics.Error(At(name), $"'{name.Text}' is defined twice in scm '{declaration.Name.Text}'");
                return false;
            }
            defined[name.Text] = name;
            return true;
        }

        // Parses a distribution call into a noise term; null after reporting an error.
        object? Distribution(string name, ExpressionSyntax syntax)
        {
            if (syntax is not CallSyntax call)
            {
                diagnostics.Error(At(syntax), $"expected a distribution such as bernoulli(p), categorical(p0, p1, ...) or normal(mean, sd) for '{name}'");
                return null;
            }
            var args = new List<double>();
            foreach (var a in call.Arguments)
            {
                if (Constant(a) is { } v) args.Add(v);
                else { diagnostics.Error(At(a), "a distribution's parameters must be numbers"); return null; }
            }
            bool Probability(int i)
            {
                if (args[i] is >= 0 and <= 1 && !double.IsNaN(args[i])) return true;
                diagnostics.Error(At(call.Arguments[i]), $"probability {args[i]} is outside [0, 1]");
                return false;
            }
            switch (call.Function.Text.ToLowerInvariant())
            {
                case "bernoulli":
                    if (args.Count != 1) { diagnostics.Error(At(call), "bernoulli takes one probability"); return null; }
                    return Probability(0) ? NoiseTerm.Bernoulli(name, args[0]) : null;
                case "categorical":
                    if (args.Count < 1) { diagnostics.Error(At(call), "categorical takes the probabilities of its levels 0, 1, ..."); return null; }
                    for (var i = 0; i < args.Count; i++) if (!Probability(i)) return null;
                    if (Math.Abs(args.Sum() - 1) > 1e-9) { diagnostics.Error(At(call), $"the probabilities of categorical sum to {args.Sum():G6}, not 1"); return null; }
                    return new NoiseTerm(name, [.. args]);
                case "normal" or "gaussian":
                    if (args.Count != 2 || args[1] < 0) { diagnostics.Error(At(call), "normal takes a mean and a non-negative standard deviation"); return null; }
                    return new GaussianNoise(name, args[0], args[1]);
                default:
                    diagnostics.Error(At(call.Function), $"unknown distribution '{call.Function.Text}' (expected bernoulli, categorical or normal)");
                    return null;
            }
        }

        foreach (var eq in declaration.Equations)
        {
            if (!Define(eq.Variable)) continue;
            switch (eq)
            {
                case NoiseEquationSyntax noise:
                    switch (Distribution(noise.Variable.Text, noise.Distribution))
                    {
                        case NoiseTerm t: discreteNoise.Add(t); break;
                        case GaussianNoise g: gaussianNoise.Add(g); break;
                    }
                    break;
                case MechanismEquationSyntax mech:
                    var inline = 0;
                    var expr = Expression(mech.Value, mech.Variable.Text, ref inline);
                    if (expr is not null) mechanisms.Add((mech, expr));
                    break;
            }
        }

        ScmExpr? Expression(ExpressionSyntax syntax, string owner, ref int inline)
        {
            switch (syntax)
            {
                case NumberSyntax n: return new ConstExpr(n.Value);
                case ParenthesizedSyntax p: return Expression(p.Inner, owner, ref inline);
                case VariableSyntax { Subscript.Count: 0 } v: return new RefExpr(v.Name.Text);
                case VariableSyntax v:
                    diagnostics.Error(At(v), "a mechanism cannot refer to a counterfactual variable");
                    return null;
                case UnarySyntax u:
                    var operand = Expression(u.Operand, owner, ref inline);
                    return operand is null ? null : new UnaryExpr(u.Operator == UnaryOperator.Negate ? ScmOp.Negate : ScmOp.Not, operand);
                case BinarySyntax b:
                    var left = Expression(b.Left, owner, ref inline);
                    var right = Expression(b.Right, owner, ref inline);
                    if (left is null || right is null) return null;
                    if (b.Operator == BinaryOperator.Interaction) { diagnostics.Error(At(b), "':' is not an operator of mechanisms"); return null; }
                    return new BinaryExpr(Enum.Parse<ScmOp>(b.Operator.ToString()), left, right);
                case CallSyntax { Function.Text: "if" } c when c.Arguments.Count == 3:
                    var parts = new ScmExpr?[3];
                    for (var i = 0; i < 3; i++) parts[i] = Expression(c.Arguments[i], owner, ref inline);
                    return parts.Any(p => p is null) ? null : new IfExpr(parts[0]!, parts[1]!, parts[2]!);
                case CallSyntax c:
                    // An inline distribution: a fresh noise term private to this mechanism.
                    var name = $"{owner}.noise{++inline}";
                    switch (Distribution(name, c))
                    {
                        case NoiseTerm t: discreteNoise.Add(t); defined[name] = c; return new RefExpr(name);
                        case GaussianNoise g: gaussianNoise.Add(g); defined[name] = c; return new RefExpr(name);
                        default: return null;
                    }
                default:
                    diagnostics.Error(At(syntax), "this expression cannot appear in a mechanism");
                    return null;
            }
        }

        // Undefined names.
        var mechanismNames = mechanisms.Select(m => m.Syntax.Variable.Text).ToHashSet(StringComparer.Ordinal);
        foreach (var (syntax, expr) in mechanisms)
            foreach (var r in ScmExprs.References(expr).Distinct())
                if (!defined.ContainsKey(r))
                    diagnostics.Error(At(syntax.Value), $"'{r}' in the mechanism of '{syntax.Variable.Text}' is neither a noise term nor a variable of scm '{declaration.Name.Text}'");

        // Topological order of the mechanisms; a cycle is an error naming it.
        var order = new List<(MechanismEquationSyntax Syntax, ScmExpr Expr)>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var byName = mechanisms.ToDictionary(m => m.Syntax.Variable.Text, StringComparer.Ordinal);
        var cycleReported = false;
        void Visit(string name, List<string> path)
        {
            if (state.TryGetValue(name, out var s))
            {
                if (s == 1 && !cycleReported)
                {
                    cycleReported = true;
                    var cycle = path.SkipWhile(p => p != name).Append(name);
                    diagnostics.Error(At(byName[name].Syntax.Variable), $"the mechanisms of scm '{declaration.Name.Text}' form a cycle: {string.Join(" -> ", cycle)}");
                }
                return;
            }
            state[name] = 1;
            path.Add(name);
            foreach (var r in ScmExprs.References(byName[name].Expr).Distinct())
                if (byName.ContainsKey(r)) Visit(r, path);
            path.RemoveAt(path.Count - 1);
            state[name] = 2;
            order.Add(byName[name]);
        }
        foreach (var m in mechanisms) Visit(m.Syntax.Variable.Text, []);

        if (discreteNoise.Count > 0 && gaussianNoise.Count > 0)
            diagnostics.Error(At(declaration.Name), $"scm '{declaration.Name.Text}' mixes discrete and Gaussian noise; use one kind");

        if (diagnostics.HasErrors) return new(declaration.Name.Text, null, null, diagnostics.ToImmutable());

        if (gaussianNoise.Count > 0)
        {
            var linear = new List<LinearMechanism>();
            foreach (var (syntax, expr) in order)
            {
                var form = Linear(expr);
                if (form is null) { diagnostics.Error(At(syntax.Value), $"the mechanism of '{syntax.Variable.Text}' is not linear, but the model has Gaussian noise"); continue; }
                linear.Add(new LinearMechanism(syntax.Variable.Text, form.Value.Constant, form.Value.Terms.ToImmutableDictionary(StringComparer.Ordinal)));
            }
            return diagnostics.HasErrors
                ? new(declaration.Name.Text, null, null, diagnostics.ToImmutable())
                : new(declaration.Name.Text, null, new LinearGaussianScm([.. gaussianNoise], [.. linear]), diagnostics.ToImmutable());
        }
        var model = new DiscreteScm([.. discreteNoise], [.. order.Select(m => new Mechanism(m.Syntax.Variable.Text, m.Expr))]);
        return new(declaration.Name.Text, model, null, diagnostics.ToImmutable());
    }

    static double? Constant(ExpressionSyntax e) => e switch
    {
        NumberSyntax n => n.Value,
        ParenthesizedSyntax p => Constant(p.Inner),
        UnarySyntax { Operator: UnaryOperator.Negate } u => -Constant(u.Operand),
        BinarySyntax { Operator: BinaryOperator.Divide } b when Constant(b.Left) is { } l && Constant(b.Right) is { } r && r != 0 => l / r,
        _ => null,
    };

    /// <summary>An expression as constant + Σ coefficient·name, or null when it is not linear.</summary>
    internal static (double Constant, Dictionary<string, double> Terms)? Linear(ScmExpr e)
    {
        switch (e)
        {
            case ConstExpr c: return (c.Value, new(StringComparer.Ordinal));
            case RefExpr reference: return (0, new(StringComparer.Ordinal) { [reference.Name] = 1 });
            case UnaryExpr { Op: ScmOp.Negate } u:
                return Linear(u.Operand) is { } f ? Scale(f, -1) : null;
            case BinaryExpr { Op: ScmOp.Add or ScmOp.Subtract } b:
                if (Linear(b.Left) is not { } l || Linear(b.Right) is not { } r) return null;
                var sign = b.Op == ScmOp.Add ? 1 : -1;
                var terms = new Dictionary<string, double>(l.Terms, StringComparer.Ordinal);
                foreach (var (k, v) in r.Terms) terms[k] = terms.GetValueOrDefault(k) + sign * v;
                return (l.Constant + sign * r.Constant, terms);
            case BinaryExpr { Op: ScmOp.Multiply } b:
                if (Linear(b.Left) is not { } x || Linear(b.Right) is not { } y) return null;
                if (x.Terms.Count == 0) return Scale(y, x.Constant);
                if (y.Terms.Count == 0) return Scale(x, y.Constant);
                return null;
            case BinaryExpr { Op: ScmOp.Divide } b:
                if (Linear(b.Left) is not { } n || Linear(b.Right) is not { Terms.Count: 0 } d || d.Constant == 0) return null;
                return Scale(n, 1 / d.Constant);
            default: return null;
        }
    }

    static (double, Dictionary<string, double>) Scale((double Constant, Dictionary<string, double> Terms) f, double k) =>
        (f.Constant * k, f.Terms.ToDictionary(kv => kv.Key, kv => kv.Value * k, StringComparer.Ordinal));
}
