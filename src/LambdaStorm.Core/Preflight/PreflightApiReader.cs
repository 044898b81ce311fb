using System.Net;
using System.Text.Json;
using LambdaStorm.Aws;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Preflight;

/// <summary>
/// Reads preflight facts through Lambda's API (signed with SigV4 by AWSSDK.Core): GetFunctionConfiguration,
/// GetFunctionConcurrency, GetFunctionEventInvokeConfig, GetAccountSettings, ListProvisionedConcurrencyConfigs and
/// ListEventSourceMappings, plus SQS GetQueueAttributes (AWSSDK.SQS) for the visibility timeout of each mapped queue.
/// What cannot be read is left unknown and named in a note. Part of internal API.
/// </summary>
internal static class PreflightApiReader
{
    /// <summary>The facts, or a configuration error (credentials rejected, function missing, endpoint unreachable).</summary>
    public static async Task<(PreflightFacts? Facts, List<string> Notes, string? Error)> ReadAsync(Scenario scenario, TargetSpec.Aws target, CancellationToken ct)
    {
        var notes = new List<string>();
        Amazon.Runtime.AWSCredentials credentials;
        try
        {
            credentials = AwsSession.ResolveCredentials(target.Profile);
        }
        catch (Amazon.Runtime.AmazonClientException ex)
        {
            return (null, notes, $"no AWS credentials: {ex.Message}");
        }

        var stated = target.Function(scenario.Function) ?? target.Functions[0];
        using var client = AwsSession.CreateClient(credentials, target.Region);
        var read = await AwsSession.ReadConfigurationAsync(client, target.LambdaEndpoint, stated.Name, stated.Qualifier, ct).ConfigureAwait(false);
        if (read.AuthError is { } auth)
        {
            return (null, notes, $"AWS rejected the credentials for {target.LambdaEndpoint} ({auth.Type}: {auth.Message})");
        }

        if ((read.NotFound ?? read.Unreachable ?? read.OtherError) is { } problem)
        {
            return (null, notes, $"cannot read the configuration of '{stated.Name}': {problem}");
        }

        var name = Uri.EscapeDataString(stated.Name);
        var q = stated.Qualifier is null ? "" : "?Qualifier=" + Uri.EscapeDataString(stated.Qualifier);
        var configuration = await GetAsync(client, target, $"2015-03-31/functions/{name}/configuration{q}", ct).ConfigureAwait(false);
        var concurrency = await GetAsync(client, target, $"2019-09-30/functions/{name}/concurrency", ct).ConfigureAwait(false);
        var invokeConfig = await GetAsync(client, target, $"2019-09-25/functions/{name}/event-invoke-config{q}", ct).ConfigureAwait(false);
        var account = await GetAsync(client, target, "2016-08-19/account-settings", ct).ConfigureAwait(false);
        var provisioned = await GetAsync(client, target, $"2019-09-30/functions/{name}/provisioned-concurrency?List=ALL", ct).ConfigureAwait(false);
        var mappings = await GetAsync(client, target, $"2015-03-31/event-source-mappings/?FunctionName={name}", ct).ConfigureAwait(false);

        var dlq = configuration.Json is { } c && c.TryGetProperty("DeadLetterConfig", out var d) && d.TryGetProperty("TargetArn", out var t) && t.GetString() is { Length: > 0 };
        bool? onFailure = invokeConfig.Status == HttpStatusCode.NotFound ? false
            : invokeConfig.Json is { } ic ? ic.TryGetProperty("DestinationConfig", out var dc) && dc.TryGetProperty("OnFailure", out var of) && of.TryGetProperty("Destination", out var dest) && dest.GetString() is { Length: > 0 }
            : null;
        if (onFailure is null)
        {
            notes.Add($"GetFunctionEventInvokeConfig could not be read ({invokeConfig.Status}); the on-failure destination is not checked");
        }

        int? reserved = concurrency.Json is { } cc && cc.TryGetProperty("ReservedConcurrentExecutions", out var rc) && rc.TryGetInt32(out var rv) ? rv : null;
        if (concurrency.Json is null)
        {
            notes.Add($"GetFunctionConcurrency could not be read ({concurrency.Status}); reserved concurrency is taken as unset");
        }

        int? accountLimit = account.Json is { } a && a.TryGetProperty("AccountLimit", out var al) && al.TryGetProperty("ConcurrentExecutions", out var ce) && ce.TryGetInt32(out var cv) ? cv : null;
        Dictionary<string, int>? pc = null;
        if (provisioned.Json is { } p && p.TryGetProperty("ProvisionedConcurrencyConfigs", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            pc = [];
            foreach (var item in list.EnumerateArray())
            {
                var arn = item.TryGetProperty("FunctionArn", out var fa) ? fa.GetString() ?? "" : "";
                var n = item.TryGetProperty("RequestedProvisionedConcurrentExecutions", out var rq) && rq.TryGetInt32(out var rqv) ? rqv : 0;
                pc[arn.Split(':')[^1]] = n;
            }
        }
        else
        {
            notes.Add($"ListProvisionedConcurrencyConfigs could not be read ({provisioned.Status}); provisioned concurrency is not checked");
        }

        List<MappingFacts>? esm = null;
        if (mappings.Json is { } m && m.TryGetProperty("EventSourceMappings", out var ms) && ms.ValueKind == JsonValueKind.Array)
        {
            esm = [];
            foreach (var item in ms.EnumerateArray())
            {
                var source = item.TryGetProperty("EventSourceArn", out var ea) ? ea.GetString() ?? "" : "";
                if (!source.StartsWith("arn:aws:sqs:", StringComparison.Ordinal))
                {
                    continue;
                }

                var rbif = item.TryGetProperty("FunctionResponseTypes", out var fr) && fr.ValueKind == JsonValueKind.Array && fr.EnumerateArray().Any(x => x.GetString() == "ReportBatchItemFailures");
                var batch = item.TryGetProperty("BatchSize", out var bs) && bs.TryGetInt32(out var bv) ? bv : 10;
                esm.Add(new MappingFacts(source, rbif, batch, await VisibilityTimeoutAsync(target, credentials, source, notes, ct).ConfigureAwait(false)));
            }
        }
        else
        {
            notes.Add($"ListEventSourceMappings could not be read ({mappings.Status}); event source mappings are not checked");
        }

        var config = read.Configuration!;
        var facts = new PreflightFacts
        {
            Function = stated.Name,
            Qualifier = stated.Qualifier,
            MemoryMb = config.MemoryMb,
            Timeout = config.Timeout,
            Architecture = config.Architecture,
            DurationSeconds = stated.Duration?.TotalSeconds,
            ReservedConcurrency = reserved,
            HasAsyncFailureTarget = dlq || onFailure == true ? true : onFailure,
            ProvisionedConcurrency = pc,
            AccountConcurrency = accountLimit,
            DownstreamLimit = stated.DownstreamLimit,
            Mappings = esm,
            Source = $"the Lambda API at {target.LambdaEndpoint}",
        };
        return (facts, notes, null);
    }

    /// <summary>
    /// The <c>VisibilityTimeout</c> of the queue with ARN <paramref name="queueArn"/>, read with a signed SQS
    /// <c>GetQueueAttributes</c> (AWSSDK.SQS, the target's region, credentials and endpoint); null with a note when it
    /// cannot be read.
    /// </summary>
    private static async Task<TimeSpan?> VisibilityTimeoutAsync(TargetSpec.Aws target, Amazon.Runtime.AWSCredentials credentials, string queueArn, List<string> notes, CancellationToken ct)
    {
        var parts = queueArn.Split(':');
        if (parts.Length != 6)
        {
            notes.Add($"'{queueArn}' is not a queue ARN; its visibility timeout is not checked");
            return null;
        }

        var (region, account, name) = (parts[3], parts[4], parts[5]);
        var url = target.Endpoint is { } endpoint ? $"{endpoint.ToString().TrimEnd('/')}/{account}/{name}" : $"https://sqs.{region}.amazonaws.com/{account}/{name}";
        try
        {
            using var sqs = Targets.SqsClients.Create(target.Endpoint, region, credentials);
            var attributes = await sqs.GetQueueAttributesAsync(new Amazon.SQS.Model.GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["VisibilityTimeout"] }, ct).ConfigureAwait(false);
            if (attributes.Attributes?.TryGetValue("VisibilityTimeout", out var text) == true
                && int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }

            notes.Add($"GetQueueAttributes of {name} gave no VisibilityTimeout; the 6 × timeout check is skipped for it");
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException)
        {
            notes.Add($"the visibility timeout of {name} could not be read ({ex.Message.Split('\n')[0]}); the 6 × timeout check is skipped for it");
        }

        return null;
    }

    private sealed record Response(HttpStatusCode Status, JsonElement? Json);

    private static async Task<Response> GetAsync(HttpMessageInvoker client, TargetSpec.Aws target, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(target.LambdaEndpoint.ToString().TrimEnd('/') + "/"), path));
        try
        {
            using var response = await client.SendAsync(request, ct).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode || body.Length == 0)
            {
                return new Response(response.StatusCode, null);
            }

            using var doc = JsonDocument.Parse(body);
            return new Response(response.StatusCode, doc.RootElement.Clone());
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException)
        {
            return new Response(0, null);
        }
    }
}
