using System.Globalization;

namespace CausalQL.Execution;

/// <summary>One factor of a model term: a column (numeric, or categorical when text or wrapped in C()/factor()), or I(expression).</summary>
public abstract record FormulaFactor
{
    public abstract IEnumerable<string> Columns();
}
public sealed record ColumnFactor(string Column, bool Categorical) : FormulaFactor
{
    public override IEnumerable<string> Columns() => [Column];
    public override string ToString() => Categorical ? $"C({Column})" : Column;
}
public sealed record ExpressionFactor(Expr Expression, string Text) : FormulaFactor
{
    public override IEnumerable<string> Columns() => Expression.Columns();
    public override string ToString() => $"I({Text})";
}

/// <summary>A model term: the product (interaction) of its factors; no factors is the intercept.</summary>
public sealed record FormulaTerm(IReadOnlyList<FormulaFactor> Factors)
{
    public override string ToString() => Factors.Count == 0 ? "1" : string.Join(":", Factors);
}

/// <summary>
/// A Wilkinson model formula, `[y] ~ a + b + a:b + a*b + I(age^2) + C(education) [- 1]`: the
/// right-hand side as a list of terms, with an intercept unless removed.
/// </summary>
public sealed record Formula(string? Response, IReadOnlyList<FormulaTerm> Terms, bool Intercept)
{
    public IEnumerable<string> Columns() => Terms.SelectMany(t => t.Factors.SelectMany(f => f.Columns())).Distinct();

    public override string ToString() =>
        (Response is null ? "" : Response + " ") + "~ " + string.Join(" + ", (Intercept ? ["1"] : new[] { "0" }).Concat(Terms.Select(t => t.ToString())));

    public static Result<Formula> Parse(string text) => new FormulaParser(text).ParseFormula();

    /// <summary>A formula with main effects for the given columns.</summary>
    public static Formula MainEffects(IEnumerable<string> columns) =>
        new(null, columns.Select(c => new FormulaTerm([new ColumnFactor(c, false)])).ToList(), true);
}

sealed class FormulaParser(string text)
{
    int _pos;

    ExecError Error(string message) => new($"in model formula '{text}' at column {_pos + 1}: {message}");

    void Skip() { while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++; }
    bool Eat(char c) { Skip(); if (_pos < text.Length && text[_pos] == c) { _pos++; return true; } return false; }
    char Peek() { Skip(); return _pos < text.Length ? text[_pos] : '\0'; }

    string? Name()
    {
        Skip();
        var start = _pos;
        if (_pos < text.Length && text[_pos] == '`')
        {
            var close = text.IndexOf('`', _pos + 1);
            if (close < 0) return null;
            _pos = close + 1;
            return text[(start + 1)..close];
        }
        while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] is '_' or '.')) _pos++;
        return _pos > start && !char.IsDigit(text[start]) ? text[start.._pos] : null;
    }

    public Result<Formula> ParseFormula()
    {
        string? response = null;
        var tilde = text.IndexOf('~');
        if (tilde < 0) return Error("a formula starts with '~'");
        if (text[..tilde].Trim().Length > 0) { response = text[..tilde].Trim(); }
        _pos = tilde + 1;
        var terms = new List<FormulaTerm>();
        var intercept = true;
        var sign = 1;
        while (true)
        {
            Skip();
            if (Peek() is '1' or '0' && !char.IsDigit(_pos + 1 < text.Length ? text[_pos + 1] : ' '))
            {
                var zero = text[_pos] == '0';
                _pos++;
                if (zero || sign < 0) intercept = false;
            }
            else
            {
                var term = ParseProduct();
                if (!term.IsOk) return term.Error;
                foreach (var t in term.Value)
                    if (sign > 0 && !terms.Contains(t)) terms.Add(t);
                    else if (sign < 0) terms.Remove(t);
            }
            if (Eat('+')) sign = 1;
            else if (Eat('-')) sign = -1;
            else break;
        }
        Skip();
        if (_pos < text.Length) return Error($"unexpected '{text[_pos]}'");
        return new Formula(response, terms, intercept);
    }

    /// <summary>a:b:c, and a*b expanding to a + b + a:b.</summary>
    Result<List<FormulaTerm>> ParseProduct()
    {
        var groups = new List<List<FormulaFactor>>();
        var current = new List<FormulaFactor>();
        while (true)
        {
            var f = ParseFactor();
            if (!f.IsOk) return f.Error;
            current.Add(f.Value);
            if (Eat(':')) continue;
            if (Eat('*')) { groups.Add(current); current = []; continue; }
            break;
        }
        groups.Add(current);
        // Crossing: every non-empty subset of the '*' groups, each group contributing its ':' product.
        var terms = new List<FormulaTerm>();
        for (var mask = 1; mask < 1 << groups.Count; mask++)
        {
            var factors = new List<FormulaFactor>();
            for (var g = 0; g < groups.Count; g++) if ((mask & (1 << g)) != 0) factors.AddRange(groups[g]);
            terms.Add(new FormulaTerm(factors));
        }
        return terms.OrderBy(t => t.Factors.Count).ToList();
    }

    Result<FormulaFactor> ParseFactor()
    {
        var name = Name();
        if (name is null) return Error("expected a column name, I(...) or C(...)");
        if (name is "I" && Eat('('))
        {
            var start = _pos;
            var e = ParseComparison();
            if (!e.IsOk) return e.Error;
            var inner = text[start.._pos].Trim();
            if (!Eat(')')) return Error("expected ')'");
            return new ExpressionFactor(e.Value, inner);
        }
        if (name is "C" or "factor" or "as.factor" && Eat('('))
        {
            var col = Name();
            if (col is null) return Error("expected a column name");
            if (!Eat(')')) return Error("expected ')'");
            return new ColumnFactor(col, true);
        }
        return new ColumnFactor(name, false);
    }

    /// <summary>sum [(== | < | >) sum]: a comparison is an indicator (1 or 0).</summary>
    Result<Expr> ParseComparison()
    {
        var left = ParseSum();
        if (!left.IsOk) return left;
        Skip();
        if (_pos + 1 < text.Length && text[_pos] == '=' && text[_pos + 1] == '=') { _pos += 2; return ParseSum().Map(r => Expr.Equal(left.Value, r)); }
        if (Eat('<')) return ParseSum().Map(r => Expr.Less(left.Value, r));
        if (Eat('>')) return ParseSum().Map(r => Expr.Greater(left.Value, r));
        return left;
    }

    Result<Expr> ParseSum()
    {
        var left = ParseTerm();
        if (!left.IsOk) return left;
        var acc = left.Value;
        while (true)
        {
            if (Eat('+')) { var r = ParseTerm(); if (!r.IsOk) return r; acc += r.Value; }
            else if (Eat('-')) { var r = ParseTerm(); if (!r.IsOk) return r; acc -= r.Value; }
            else return acc;
        }
    }

    Result<Expr> ParseTerm()
    {
        var left = ParseUnary();
        if (!left.IsOk) return left;
        var acc = left.Value;
        while (true)
        {
            if (Eat('*')) { var r = ParseUnary(); if (!r.IsOk) return r; acc *= r.Value; }
            else if (Eat('/')) { var r = ParseUnary(); if (!r.IsOk) return r; acc /= r.Value; }
            else return acc;
        }
    }

    Result<Expr> ParseUnary()
    {
        if (Eat('-')) return ParseUnary().Map(e => -e);
        var atom = ParseAtom();
        if (!atom.IsOk) return atom;
        if (Eat('^') || (Peek() == '*' && _pos + 1 < text.Length && text[_pos + 1] == '*' && (_pos += 2) > 0))
        {
            var exponent = ParseUnary();
            if (!exponent.IsOk) return exponent;
            if (exponent.Value is not Constant k) return Error("an exponent must be a number");
            return Expr.Pow(atom.Value, k.Value);
        }
        return atom;
    }

    Result<Expr> ParseAtom()
    {
        Skip();
        if (Eat('(')) { var e = ParseSum(); if (!e.IsOk) return e; return Eat(')') ? e : Error("expected ')'"); }
        var start = _pos;
        while (_pos < text.Length && (char.IsDigit(text[_pos]) || text[_pos] == '.')) _pos++;
        if (_pos > start)
            return double.TryParse(text[start.._pos], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? Expr.Num(v) : Error("bad number");
        var name = Name();
        if (name is null) return Error("expected a number, a column or '('");
        if (name is "log" or "exp" && Eat('('))
        {
            var arg = ParseSum();
            if (!arg.IsOk) return arg;
            if (!Eat(')')) return Error("expected ')'");
            return name == "log" ? Expr.Log(arg.Value) : Expr.Exp(arg.Value);
        }
        return Expr.Col(name);
    }
}
