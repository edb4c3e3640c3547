using System.Diagnostics.CodeAnalysis;

namespace CausalQL.Execution;

/// <summary>An execution failure as a value: a message for the user and, when one is to blame, the column.</summary>
public sealed record ExecError(string Message, string? Column = null)
{
    public override string ToString() => Message;
}

/// <summary>A value or the error that prevented it; data sources and estimators never throw on bad input.</summary>
public sealed class Result<T>
{
    readonly T? _value;
    Result(T? value, ExecError? error) { _value = value; Error = error; }

    public ExecError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => Error is null;

    public T Value => IsOk ? _value! : throw new InvalidOperationException("Result has an error: " + Error.Message);

    public static Result<T> Ok(T value) => new(value, null);
    public static Result<T> Fail(ExecError error) => new(default, error);
    public static Result<T> Fail(string message, string? column = null) => new(default, new ExecError(message, column));

    public static implicit operator Result<T>(ExecError error) => Fail(error);
    public static implicit operator Result<T>(T value) => Ok(value);

    public Result<TOut> Map<TOut>(Func<T, TOut> map) => IsOk ? Result<TOut>.Ok(map(_value!)) : Result<TOut>.Fail(Error);
    public Result<TOut> Bind<TOut>(Func<T, Result<TOut>> next) => IsOk ? next(_value!) : Result<TOut>.Fail(Error);
}

public static class Result
{
    public static Result<T> Ok<T>(T value) => Result<T>.Ok(value);
}
