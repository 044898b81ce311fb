using System.Globalization;
using LambdaStorm.Engine;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;

namespace LambdaStorm.Aws;

/// <summary>
/// Enforces an aws target's caps while the load runs: counts every invocation sent and its estimated cost, and stops
/// the load (through <see cref="Stop"/>) when <c>maxInvocations</c> or <c>maxCostUsd</c> is reached, or when AWS
/// rejects the credentials or the signature, which is a configuration error, not thousands of failed invocations.
/// Thread-safe. Part of internal API.
/// </summary>
internal sealed class AwsGuard : IDisposable
{
    /// <summary>Error types with which AWS rejects who is calling rather than what is called.</summary>
    public static readonly string[] AuthErrorTypes =
    [
        "InvalidSignatureException", "IncompleteSignatureException", "UnrecognizedClientException", "MissingAuthenticationTokenException",
        "ExpiredTokenException", "InvalidClientTokenId", "SignatureDoesNotMatch", "AccessDeniedException",
    ];

    private readonly TargetSpec.Aws _target;
    private readonly AwsFunctionFacts _function;
    private readonly CancellationTokenSource _stop;
    private readonly Lock _lock = new();
    private long _sent;
    private double _costUsd;
    private string? _stopReason;
    private string? _authError;

    public AwsGuard(TargetSpec.Aws target, AwsFunctionFacts function, CancellationToken outer)
    {
        _target = target;
        _function = function;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
    }

    /// <summary>Cancelled when a cap is reached, the credentials are rejected, or the outer token fires.</summary>
    public CancellationToken Stop => _stop.Token;

    /// <summary>Invocations sent so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>The estimated cost so far, US dollars.</summary>
    public double CostUsd
    {
        get
        {
            lock (_lock)
            {
                return _costUsd;
            }
        }
    }

    /// <summary>Why the guard stopped the load, or null.</summary>
    public string? StopReason => Volatile.Read(ref _stopReason);

    /// <summary>The AWS error type that rejected the credentials, or null.</summary>
    public string? AuthError => Volatile.Read(ref _authError);

    /// <summary>
    /// Claims one invocation. False when a cap was reached: the invocation must not be sent. Reaching a cap
    /// exactly (the Nth invocation, or the cost crossing the cap) stops the load after this one.
    /// </summary>
    public bool TryAcquire()
    {
        if (StopReason is not null)
        {
            return false;
        }

        var n = Interlocked.Increment(ref _sent);
        if (n > _target.MaxInvocations)
        {
            Interlocked.Decrement(ref _sent);
            return false;
        }

        var cost = AddCost(_function.InvocationUsd + (_target.ReceiptsQueue is null ? 0 : AwsPricing.SqsRequestUsd));
        if (n == _target.MaxInvocations)
        {
            Trip($"maxInvocations reached: {n:#,0} invocations sent (cap {_target.MaxInvocations:#,0})");
        }
        else if (cost >= _target.MaxCostUsd)
        {
            Trip(string.Create(CultureInfo.InvariantCulture, $"maxCostUsd reached: estimated {AwsPricing.Usd(cost)} after {n:#,0} invocations (cap {AwsPricing.Usd(_target.MaxCostUsd)})"));
        }

        return true;
    }

    /// <summary>
    /// Adds what a sync invocation ran beyond the assumed duration (its client-side latency bounds the billed duration
    /// from above), so that a slower function than planned reaches the cost cap sooner, never later.
    /// </summary>
    public void AddObservedDuration(double seconds)
    {
        var extra = seconds - _function.DurationSeconds;
        if (extra > 0)
        {
            var cost = AddCost(AwsPricing.GbSeconds(_function.MemoryMb, extra) * AwsPricing.GbSecondUsd(_function.Architecture));
            if (cost >= _target.MaxCostUsd)
            {
                Trip(string.Create(CultureInfo.InvariantCulture, $"maxCostUsd reached: estimated {AwsPricing.Usd(cost)} after {Sent:#,0} invocations (cap {AwsPricing.Usd(_target.MaxCostUsd)})"));
            }
        }
    }

    /// <summary>Records that AWS rejected the credentials or signature, and stops the load.</summary>
    public void ReportAuthFailure(string errorType)
    {
        if (Interlocked.CompareExchange(ref _authError, errorType, null) is null)
        {
            Trip($"AWS rejected the credentials ({errorType})");
        }
    }

    private double AddCost(double usd)
    {
        lock (_lock)
        {
            _costUsd += usd;
            return _costUsd;
        }
    }

    private void Trip(string reason)
    {
        if (Interlocked.CompareExchange(ref _stopReason, reason, null) is null)
        {
            _stop.Cancel();
        }
    }

    /// <summary>The lines the summary gets: that the run stopped and why, and what it sent and cost.</summary>
    public IEnumerable<string> SummaryNotes()
    {
        if (StopReason is { } reason)
        {
            yield return $"stopped early by the aws guard: {reason}";
        }

        yield return string.Create(CultureInfo.InvariantCulture, $"aws: {Sent:#,0} invocations sent, estimated cost {AwsPricing.Usd(CostUsd)} (caps: {_target.MaxInvocations:#,0} invocations, {AwsPricing.Usd(_target.MaxCostUsd)})");
    }

    public void Dispose() => _stop.Dispose();
}

/// <summary>Wraps the Lambda client of an aws target with an <see cref="AwsGuard"/>. Part of internal API.</summary>
internal sealed class GuardedTarget(IInvocationTarget inner, AwsGuard guard, TimeProvider time) : IInvocationTarget
{
    /// <summary>Reason recorded for an arrival that raced past a cap and was not sent.</summary>
    public const string NotSentReason = "not_sent_cap_reached";

    public string Describe => inner.Describe;

    public async ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        if (!guard.TryAcquire())
        {
            return new InvocationResult(Outcome.ClientError, NotSentReason);
        }

        var started = time.GetTimestamp();
        var result = await inner.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
        if (result.Outcome == Outcome.ClientError && result.Reason is { } reason && Array.IndexOf(AwsGuard.AuthErrorTypes, reason) >= 0)
        {
            guard.ReportAuthFailure(reason);
        }
        else if (request.Path == InvocationPath.Sync)
        {
            guard.AddObservedDuration(time.GetElapsedTime(started).TotalSeconds);
        }

        return result;
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
