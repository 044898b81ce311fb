namespace LambdaStorm.Lambda;

/// <summary>Thrown when options do not validate; <see cref="Errors"/> lists every problem, each naming its field.</summary>
internal sealed class LambdaOptionsException : Exception
{
    /// <summary>Creates the exception from the list of problems.</summary>
    public LambdaOptionsException(IReadOnlyList<string> errors)
        : base("Invalid Lambda model configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
    {
        Errors = errors;
    }

    /// <summary>Creates an exception with a single message.</summary>
    public LambdaOptionsException()
        : this(["unknown error"])
    {
    }

    /// <summary>Creates an exception with a single message.</summary>
    public LambdaOptionsException(string message)
        : this([message])
    {
    }

    /// <summary>Creates an exception with a single message and an inner exception.</summary>
    public LambdaOptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Errors { get; }
}
