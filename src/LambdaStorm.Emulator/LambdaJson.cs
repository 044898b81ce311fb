using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LambdaStorm.Lambda;

namespace LambdaStorm.Emulator;

/// <summary>
/// What the emulator remembers about a function beyond the model: the deployment details that <c>GetFunction</c> shows
/// but that do not change behaviour (the code zip itself is accepted and dropped). Part of internal API.
/// </summary>
/// <param name="Role">Execution role ARN.</param>
/// <param name="Handler">Handler.</param>
/// <param name="CodeSha256">Base64 SHA-256 of the deployment package.</param>
/// <param name="CodeSize">Size of the deployment package, bytes.</param>
/// <param name="Tags">Tags.</param>
internal sealed record FunctionMetadata(string Role, string Handler, string CodeSha256, long CodeSize, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>Defaults for a function defined in configuration (no code was uploaded).</summary>
    public static FunctionMetadata ForConfigured(string accountId, string functionName) => new(
        $"arn:aws:iam::{accountId}:role/lambdastorm-emulator",
        "index.handler",
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(functionName))),
        0,
        new Dictionary<string, string>(StringComparer.Ordinal));
}

/// <summary>
/// Lambda's restJson1 response shapes, written member by member with the names, casing and timestamp formats of the
/// Smithy model [S8]: <c>FunctionConfiguration</c> (LastModified as <c>2020-04-10T19:06:32.563+0000</c>),
/// <c>AliasConfiguration</c>, <c>Concurrency</c>, <c>ProvisionedConcurrencyConfig</c> responses (LastModified as
/// <c>2019-11-21T19:32:12+0000</c>), <c>FunctionEventInvokeConfig</c> (LastModified as epoch seconds, the restJson1
/// default for a timestamp) and <c>GetAccountSettings</c>. Part of internal API.
/// </summary>
internal static class LambdaJson
{
    /// <summary>AccountLimit values AWS documents and the model does not use (bytes).</summary>
    public const long TotalCodeSize = 80_530_636_800, CodeSizeUnzipped = 262_144_000, CodeSizeZipped = 52_428_800;

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        return buffer.ToArray();
    }

    public static string FunctionTimestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture);

    public static string ConfigTimestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+0000'", CultureInfo.InvariantCulture);

    /// <summary>A stable, UUID-shaped revision id for a version's configuration.</summary>
    public static string RevisionId(string functionName, string version, DateTimeOffset lastModified)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{functionName}:{version}:{lastModified.UtcTicks}")));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    public static void FunctionConfiguration(Utf8JsonWriter w, FunctionConfiguration c, FunctionMetadata m)
    {
        var s = c.Settings;
        w.WriteStartObject();
        w.WriteString("FunctionName", c.FunctionName);
        w.WriteString("FunctionArn", c.FunctionArn);
        w.WriteString("Runtime", s.Runtime);
        w.WriteString("Role", m.Role);
        w.WriteString("Handler", m.Handler);
        w.WriteNumber("CodeSize", m.CodeSize);
        w.WriteString("Description", s.Description);
        w.WriteNumber("Timeout", s.TimeoutSeconds);
        w.WriteNumber("MemorySize", s.MemoryMb);
        w.WriteString("LastModified", FunctionTimestamp(c.LastModified));
        w.WriteString("CodeSha256", m.CodeSha256);
        w.WriteString("Version", c.Version);
        if (s.Environment.Count > 0)
        {
            w.WriteStartObject("Environment");
            w.WriteStartObject("Variables");
            foreach (var (k, v) in s.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        if (c.DeadLetterTargetArn is { } dlq)
        {
            w.WriteStartObject("DeadLetterConfig");
            w.WriteString("TargetArn", dlq);
            w.WriteEndObject();
        }

        w.WriteStartObject("TracingConfig");
        w.WriteString("Mode", "PassThrough");
        w.WriteEndObject();
        w.WriteString("RevisionId", RevisionId(c.FunctionName, c.Version, c.LastModified));
        w.WriteString("State", c.State);
        w.WriteString("LastUpdateStatus", c.LastUpdateStatus);
        w.WriteString("PackageType", "Zip");
        w.WriteStartArray("Architectures");
        w.WriteStringValue(s.Architecture.ToWireName());
        w.WriteEndArray();
        w.WriteStartObject("EphemeralStorage");
        w.WriteNumber("Size", 512);
        w.WriteEndObject();
        w.WriteStartObject("SnapStart");
        w.WriteString("ApplyOn", "None");
        w.WriteString("OptimizationStatus", "Off");
        w.WriteEndObject();
        w.WriteStartObject("LoggingConfig");
        w.WriteString("LogFormat", "Text");
        w.WriteString("LogGroup", $"/aws/lambda/{c.FunctionName}");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void GetFunction(Utf8JsonWriter w, FunctionConfiguration c, FunctionMetadata m, string region)
    {
        w.WriteStartObject();
        w.WritePropertyName("Configuration");
        FunctionConfiguration(w, c, m);
        w.WriteStartObject("Code");
        w.WriteString("RepositoryType", "S3");
        w.WriteString("Location", $"https://awslambda-{region}-tasks.s3.{region}.amazonaws.com/snapshots/lambdastorm/{c.FunctionName}-{c.Version}");
        w.WriteEndObject();
        if (m.Tags.Count > 0)
        {
            w.WriteStartObject("Tags");
            foreach (var (k, v) in m.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
        }

        if (c.ReservedConcurrentExecutions is { } reserved)
        {
            w.WriteStartObject("Concurrency");
            w.WriteNumber("ReservedConcurrentExecutions", reserved);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public static void Alias(Utf8JsonWriter w, AliasConfiguration a)
    {
        w.WriteStartObject();
        w.WriteString("AliasArn", a.AliasArn);
        w.WriteString("Name", a.Name);
        w.WriteString("FunctionVersion", a.FunctionVersion);
        w.WriteString("Description", a.Description);
        w.WriteString("RevisionId", RevisionId(a.AliasArn, a.FunctionVersion, DateTimeOffset.UnixEpoch));
        w.WriteEndObject();
    }

    public static void Concurrency(Utf8JsonWriter w, int? reserved)
    {
        w.WriteStartObject();
        if (reserved is { } r)
        {
            w.WriteNumber("ReservedConcurrentExecutions", r);
        }

        w.WriteEndObject();
    }

    public static void ProvisionedConcurrency(Utf8JsonWriter w, ProvisionedConcurrencyConfig p)
    {
        w.WriteStartObject();
        w.WriteNumber("RequestedProvisionedConcurrentExecutions", p.RequestedProvisionedConcurrentExecutions);
        w.WriteNumber("AvailableProvisionedConcurrentExecutions", p.AvailableProvisionedConcurrentExecutions);
        w.WriteNumber("AllocatedProvisionedConcurrentExecutions", p.AllocatedProvisionedConcurrentExecutions);
        w.WriteString("Status", p.StatusText);
        if (p.StatusReason is { } reason)
        {
            w.WriteString("StatusReason", reason);
        }

        w.WriteString("LastModified", ConfigTimestamp(p.LastModified));
        w.WriteEndObject();
    }

    public static void EventInvokeConfig(Utf8JsonWriter w, EventInvokeConfig e)
    {
        w.WriteStartObject();
        w.WriteNumber("LastModified", Math.Round(e.LastModified.ToUnixTimeMilliseconds() / 1000.0, 3));
        w.WriteString("FunctionArn", e.FunctionArn);
        w.WriteNumber("MaximumRetryAttempts", e.Settings.MaximumRetryAttempts);
        w.WriteNumber("MaximumEventAgeInSeconds", e.Settings.MaximumEventAgeInSeconds);
        w.WriteStartObject("DestinationConfig");
        w.WriteStartObject("OnSuccess");
        if (e.Settings.OnSuccess is { } onSuccess)
        {
            w.WriteString("Destination", onSuccess);
        }

        w.WriteEndObject();
        w.WriteStartObject("OnFailure");
        if (e.Settings.OnFailure is { } onFailure)
        {
            w.WriteString("Destination", onFailure);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void AccountSettings(Utf8JsonWriter w, AccountSettingsResult a, long totalCodeSize)
    {
        w.WriteStartObject();
        w.WriteStartObject("AccountLimit");
        w.WriteNumber("TotalCodeSize", TotalCodeSize);
        w.WriteNumber("CodeSizeUnzipped", CodeSizeUnzipped);
        w.WriteNumber("CodeSizeZipped", CodeSizeZipped);
        w.WriteNumber("ConcurrentExecutions", a.ConcurrentExecutions);
        w.WriteNumber("UnreservedConcurrentExecutions", a.UnreservedConcurrentExecutions);
        w.WriteEndObject();
        w.WriteStartObject("AccountUsage");
        w.WriteNumber("TotalCodeSize", totalCodeSize);
        w.WriteNumber("FunctionCount", a.FunctionCount);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
