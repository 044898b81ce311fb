using System.Net;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;

namespace LambdaStorm.Aws;

/// <summary>
/// Everything a run against an aws target needs before its first invocation: credentials from the standard AWS chain
/// (or a named profile), each listed function's configuration read with a signed <c>GetFunctionConfiguration</c> (which
/// also proves the credentials and signature are accepted), and the plan. Credentials are held only in the
/// <see cref="AWSCredentials"/> object; nothing here logs or returns them. Part of internal API.
/// </summary>
internal sealed class AwsSession
{
    private AwsSession(TargetSpec.Aws target, AWSCredentials credentials, AwsFunctionFacts function, AwsPlan plan, IReadOnlyList<string> notes)
    {
        Target = target;
        Credentials = credentials;
        Function = function;
        Plan = plan;
        Notes = notes;
    }

    public TargetSpec.Aws Target { get; }

    public AWSCredentials Credentials { get; }

    public AwsFunctionFacts Function { get; }

    public AwsPlan Plan { get; }

    /// <summary>Things the user should know (e.g. the configuration could not be read and the scenario's values are used).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The outcome of <see cref="PrepareAsync"/>: a session, or a configuration error for exit code 1.</summary>
    public sealed record Prepared(AwsSession? Session, string? Error);

    /// <summary>Resolves credentials, reads the invoked function's configuration and builds the plan.</summary>
    public static async Task<Prepared> PrepareAsync(Scenario scenario, TargetSpec.Aws target, CancellationToken ct)
    {
        AWSCredentials credentials;
        try
        {
            credentials = ResolveCredentials(target.Profile);
        }
        catch (AmazonClientException ex)
        {
            return new Prepared(null, $"no AWS credentials: {ex.Message} (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or 'target.profile')");
        }

        var stated = target.Function(scenario.Function) ?? target.Functions[0];
        using var client = CreateClient(credentials, target.Region);
        var read = await ReadConfigurationAsync(client, target.LambdaEndpoint, stated.Name, stated.Qualifier, ct).ConfigureAwait(false);
        var notes = new List<string>();
        if (read.AuthError is { } auth)
        {
            return new Prepared(null, $"AWS rejected the credentials for {target.LambdaEndpoint} ({auth.Type}: {auth.Message}). Check the access key and secret (or the profile) and the region; nothing was invoked.");
        }

        if (read.NotFound is { } notFound)
        {
            return new Prepared(null, $"function '{stated.Name}{(stated.Qualifier is null ? "" : ":" + stated.Qualifier)}' was not found in {target.Region} ({notFound}); nothing was invoked.");
        }

        if (read.Unreachable is { } unreachable)
        {
            return new Prepared(null, $"cannot reach {target.LambdaEndpoint}: {unreachable}; nothing was invoked.");
        }

        if (read.OtherError is { } other)
        {
            notes.Add($"could not read the configuration of '{stated.Name}' ({other}); the plan uses the scenario's memory/architecture or Lambda's defaults");
        }

        var facts = AwsFunctionFacts.From(stated, read.Configuration);
        return new Prepared(new AwsSession(target, credentials, facts, AwsPlan.Build(scenario, target, facts), notes), null);
    }

    /// <summary>The standard chain (environment, shared profile, SSO, container and instance roles), or the named profile.</summary>
    public static AWSCredentials ResolveCredentials(string? profile)
    {
        if (profile is null)
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }

        return new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out var credentials)
            ? credentials
            : throw new AmazonClientException($"profile '{profile}' was not found in the shared AWS config or credentials files");
    }

    /// <summary>An HTTP client that signs every request for Lambda with SigV4 (AWSSDK.Core).</summary>
    public static HttpMessageInvoker CreateClient(AWSCredentials credentials, string region) =>
        new(new SigV4SigningHandler(credentials, RegionEndpoint.GetBySystemName(region), "lambda", new SocketsHttpHandler()), disposeHandler: true);

    /// <summary>What reading a configuration gave.</summary>
    public sealed record ReadResult(
        FunctionConfiguration? Configuration = null, (string Type, string Message)? AuthError = null, string? NotFound = null, string? Unreachable = null, string? OtherError = null);

    /// <summary>GET /2015-03-31/functions/NAME/configuration[?Qualifier=Q], classified.</summary>
    public static async Task<ReadResult> ReadConfigurationAsync(HttpMessageInvoker client, Uri endpoint, string function, string? qualifier, CancellationToken ct)
    {
        var path = $"2015-03-31/functions/{Uri.EscapeDataString(function)}/configuration" + (qualifier is null ? "" : "?Qualifier=" + Uri.EscapeDataString(qualifier));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(endpoint.ToString().TrimEnd('/') + "/"), path));
        try
        {
            using var response = await client.SendAsync(request, ct).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return Parse(body) is { } config ? new ReadResult(config) : new ReadResult(OtherError: "the answer was not a function configuration");
            }

            var (type, message) = ErrorOf(response, body);
            if (Array.IndexOf(AwsGuard.AuthErrorTypes, type) >= 0 && type != "AccessDeniedException")
            {
                return new ReadResult(AuthError: (type, message));
            }

            return response.StatusCode == HttpStatusCode.NotFound
                ? new ReadResult(NotFound: $"{type}: {message}")
                : new ReadResult(OtherError: $"{(int)response.StatusCode} {type}: {message}");
        }
        catch (HttpRequestException ex)
        {
            return new ReadResult(Unreachable: ex.Message);
        }
    }

    private static FunctionConfiguration? Parse(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var memory = root.TryGetProperty("MemorySize", out var m) && m.TryGetInt32(out var mv) ? mv : AwsFunctionFacts.DefaultMemoryMb;
            var timeout = root.TryGetProperty("Timeout", out var t) && t.TryGetInt32(out var tv) ? tv : 3;
            var arch = root.TryGetProperty("Architectures", out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0
                ? a[0].GetString() ?? AwsFunctionFacts.DefaultArchitecture
                : AwsFunctionFacts.DefaultArchitecture;
            return new FunctionConfiguration(memory, arch, TimeSpan.FromSeconds(timeout));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>AWS's error type (x-amzn-ErrorType, else the body's __type/code) and message.</summary>
    internal static (string Type, string Message) ErrorOf(HttpResponseMessage response, string body)
    {
        var type = response.Headers.TryGetValues("x-amzn-ErrorType", out var et) ? et.FirstOrDefault()?.Split(':')[0] : null;
        string? message = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            foreach (var name in new[] { "message", "Message" })
            {
                if (doc.RootElement.TryGetProperty(name, out var m) && m.ValueKind == JsonValueKind.String)
                {
                    message = m.GetString();
                }
            }

            if (type is null && doc.RootElement.TryGetProperty("__type", out var t) && t.ValueKind == JsonValueKind.String)
            {
                type = t.GetString()?.Split('#')[^1];
            }
        }
        catch (JsonException)
        {
        }

        return (type ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), message ?? response.ReasonPhrase ?? "");
    }

    /// <summary>The Lambda client of the load, guarded by <paramref name="guard"/>.</summary>
    public IInvocationTarget CreateTarget(Scenario scenario, AwsGuard guard, TimeProvider time)
    {
        var endpoint = new LambdaEndpoint(
            Target.LambdaEndpoint, Function.Name, Function.Qualifier, RegionEndpoint.GetBySystemName(Target.Region), Credentials, scenario.LogTailSample, scenario.Seed);
        IInvocationTarget lambda = new LambdaHttpTarget(endpoint, scenario.MaxInFlight);
        if (scenario.Queue is { } queue)
        {
            // The queue path sends to the real source queue (AWSSDK.SQS, same credentials and endpoint), behind the same caps.
            var sqs = new SqsQueueTarget(SqsClients.Create(Target.Endpoint, Target.Region, Credentials), queue, Math.Min(scenario.MaxInFlight, 32));
            lambda = new PathRoutingTarget(lambda, sqs);
        }

        return new GuardedTarget(lambda, guard, time);
    }
}
