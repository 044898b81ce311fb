using System.Collections.Immutable;

namespace LambdaStorm.Engine;

/// <summary>
/// The fixed outcome classes of one invocation, shared by every path, the journal, metrics and reports.
/// A throttle carries a reason label (for Lambda, the <c>Reason</c> of <c>TooManyRequestsException</c>).
/// </summary>
public enum Outcome
{
    /// <summary>The call succeeded.</summary>
    Ok,
    /// <summary>The function ran and failed (Lambda <c>X-Amz-Function-Error</c>, a poison pill).</summary>
    FunctionError,
    /// <summary>The service refused the call for capacity (HTTP 429, <c>TooManyRequestsException</c>).</summary>
    Throttled,
    /// <summary>The call did not finish in time (client timeout, <c>Sandbox.Timedout</c>, 504).</summary>
    Timeout,
    /// <summary>The service rejected the request (other 4xx).</summary>
    ClientError,
    /// <summary>The service failed (5xx).</summary>
    ServerError,
    /// <summary>No HTTP answer: connection refused or reset, DNS, TLS.</summary>
    TransportError,
}

/// <summary>Wire names of <see cref="Outcome"/>.</summary>
public static class Outcomes
{
    /// <summary>All outcomes in a stable order.</summary>
    public static readonly ImmutableArray<Outcome> All =
        [Outcome.Ok, Outcome.FunctionError, Outcome.Throttled, Outcome.Timeout, Outcome.ClientError, Outcome.ServerError, Outcome.TransportError];

    private static readonly string[] Names = ["ok", "function_error", "throttled", "timeout", "client_error", "server_error", "transport_error"];

    /// <summary>The snake_case wire name.</summary>
    public static string Name(this Outcome outcome) => Names[(int)outcome];

    /// <summary>Parses a wire name; returns false when unknown.</summary>
    public static bool TryParse(string? name, out Outcome outcome)
    {
        var i = Array.IndexOf(Names, name);
        outcome = i < 0 ? default : (Outcome)i;
        return i >= 0;
    }
}
