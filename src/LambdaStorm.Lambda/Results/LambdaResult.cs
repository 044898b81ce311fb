using System.Diagnostics.CodeAnalysis;

namespace LambdaStorm.Lambda;

/// <summary>The outcome of a control-plane call: a value, or an AWS error.</summary>
/// <typeparam name="T">The value type.</typeparam>
internal sealed class LambdaResult<T>
{
    private LambdaResult(T? value, LambdaError? error)
    {
        Value = value;
        Error = error;
    }

    /// <summary>The value when successful.</summary>
    public T? Value { get; }

    /// <summary>The error when not successful.</summary>
    public LambdaError? Error { get; }

    /// <summary>True when there is a value.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>A success.</summary>
    public static LambdaResult<T> Ok(T value) => new(value, null);

    /// <summary>A failure.</summary>
    public static LambdaResult<T> Fail(LambdaError error) => new(default, error);

    /// <summary>Converts a value into a successful result.</summary>
    public static implicit operator LambdaResult<T>(T value) => Ok(value);

    /// <summary>Converts an error into a failed result.</summary>
    public static implicit operator LambdaResult<T>(LambdaError error) => Fail(error);

    /// <summary>The value, or throws <see cref="InvalidOperationException"/> naming the error (convenient in tests and setup code).</summary>
    public T GetValueOrThrow() => IsSuccess ? Value : throw new InvalidOperationException(Error.ToString());

    /// <inheritdoc/>
    public override string ToString() => IsSuccess ? $"Ok({Value})" : $"Fail({Error})";
}

/// <summary>A value-less success marker for control-plane calls that return nothing.</summary>
internal sealed record Unit
{
    /// <summary>The single instance.</summary>
    public static Unit Value { get; } = new();

    private Unit()
    {
    }
}
