using System.Collections.Immutable;

namespace LambdaStorm.Scenarios;

/// <summary>Where a scenario sends its invocations. A closed set; later kinds (emulator, aws) join it.</summary>
public abstract record TargetSpec
{
    private TargetSpec()
    {
    }

    /// <summary>The short kind name used in YAML and reports.</summary>
    public abstract string Kind { get; }

    /// <summary>
    /// A built-in in-process target that answers without any network, so the engine can be tested and benchmarked
    /// without noise. It can simulate a latency and an error rate.
    /// </summary>
    /// <param name="Latency">Simulated latency of every call (zero answers synchronously).</param>
    /// <param name="Jitter">Uniform extra latency in [0, Jitter).</param>
    /// <param name="ErrorRate">Share of calls that end as <c>function_error</c>, in [0,1].</param>
    public sealed record Noop(TimeSpan Latency, TimeSpan Jitter, double ErrorRate) : TargetSpec
    {
        /// <summary>A noop target that answers at once and never fails.</summary>
        public static readonly Noop Instant = new(TimeSpan.Zero, TimeSpan.Zero, 0);

        /// <inheritdoc />
        public override string Kind => "noop";
    }

    /// <summary>
    /// LambdaStorm's Lambda model: an account with its limits and scaling model, and functions with simulated
    /// behaviour. <c>simulate</c> runs it in virtual time; <c>run</c> runs the same model in real time, in process.
    /// </summary>
    public sealed record Emulator : TargetSpec
    {
        internal Emulator(Lambda.LambdaModelOptions model) => Model = model;

        /// <summary>The model configuration (validated by the loader; treat as read-only).</summary>
        internal Lambda.LambdaModelOptions Model { get; }

        /// <summary>Names of the functions the scenario defines.</summary>
        public IReadOnlyList<string> Functions => [.. Model.Functions.Select(f => f.Name)];

        /// <summary>Names of the queues the scenario defines (the receipts queue included once wired).</summary>
        public IReadOnlyList<string> Queues => [.. Model.Queues.Select(q => q.Name)];

        /// <summary>
        /// A running <c>lambdastorm emulator</c> to use instead of starting one (<c>target.endpoint</c>); its functions
        /// and queues come from its own <c>--config</c>. Null: run the scenario's own model.
        /// </summary>
        public Uri? Endpoint { get; init; }

        /// <summary>The queue receipts go to (wired into every function unless it names its own), or null for none.</summary>
        public string? ReceiptsQueue { get; init; }

        /// <inheritdoc />
        public override string Kind => "emulator";
    }

    /// <summary>Any HTTP endpoint: API Gateway, a Function URL, or any service.</summary>
    /// <param name="Url">Absolute http or https URL.</param>
    /// <param name="Method">HTTP method; POST sends the payload as the body.</param>
    /// <param name="Headers">Extra request headers.</param>
    /// <param name="Timeout">Per-request timeout; a request that exceeds it ends as <c>timeout</c>.</param>
    public sealed record Http(Uri Url, string Method, ImmutableDictionary<string, string> Headers, TimeSpan Timeout) : TargetSpec
    {
        /// <summary>Default per-request timeout.</summary>
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

        /// <inheritdoc />
        public override string Kind => "http";
    }

    /// <summary>
    /// Real AWS (or any AWS-compatible endpoint): Lambda's Invoke API signed with SigV4 and credentials from the standard
    /// AWS chain. Runs only with <c>--allow-aws</c>, after a plan with the estimated invocations and cost, and stops at
    /// its caps.
    /// </summary>
    /// <param name="Region">The region (signing region and endpoint).</param>
    /// <param name="Profile">A named profile from the shared AWS config/credentials files, or null for the default chain.</param>
    /// <param name="Endpoint">An endpoint override (the emulator, LocalStack, …), or null for AWS's regional endpoints.</param>
    /// <param name="Functions">The functions the scenario may touch, in file order.</param>
    /// <param name="Queues">SQS queue URLs the scenario names (the queue path's source queues).</param>
    /// <param name="ReceiptsQueue">The queue URL the probe writes receipts to, or null.</param>
    /// <param name="MaxInvocations">The run stops once this many invocations have been sent.</param>
    /// <param name="MaxCostUsd">The run stops once the estimated cost reaches this many US dollars.</param>
    public sealed record Aws(
        string Region,
        string? Profile,
        Uri? Endpoint,
        ImmutableArray<AwsFunction> Functions,
        ImmutableArray<string> Queues,
        string? ReceiptsQueue,
        long MaxInvocations,
        double MaxCostUsd) : TargetSpec
    {
        /// <inheritdoc />
        public override string Kind => "aws";

        /// <summary>The Lambda endpoint: the override, or <c>https://lambda.REGION.amazonaws.com</c>.</summary>
        public Uri LambdaEndpoint => Endpoint ?? new Uri($"https://lambda.{Region}.amazonaws.com/");

        /// <summary>The function named <paramref name="name"/>.</summary>
        public AwsFunction? Function(string? name) => Functions.FirstOrDefault(f => f.Name == name);
    }
}

/// <summary>A function of an <see cref="TargetSpec.Aws"/> target.</summary>
/// <param name="Name">Function name or ARN.</param>
/// <param name="Qualifier">A version or alias, or null for $LATEST.</param>
/// <param name="MemoryMb">Memory stated by the scenario, used when the configuration cannot be read.</param>
/// <param name="Architecture"><c>arm64</c> or <c>x86_64</c> as stated by the scenario, or null.</param>
/// <param name="Duration">Expected billed duration per invocation, for the cost estimate.</param>
/// <param name="DownstreamLimit">The concurrency the function's downstream takes, if the scenario declares one (preflight).</param>
public sealed record AwsFunction(string Name, string? Qualifier, int? MemoryMb, string? Architecture, TimeSpan? Duration, int? DownstreamLimit = null)
{
    /// <summary>
    /// True when the function is the probe (functions/probe) or wraps it, so it reads the <c>LAMBDASTORM_*</c> variables
    /// that chaos sets to inject errors, latency and timeouts; function faults are refused on other aws functions.
    /// </summary>
    public bool Probe { get; init; }
}
