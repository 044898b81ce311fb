using LambdaStorm.Lambda;

namespace LambdaStorm.Emulator;

/// <summary>
/// How to start an <see cref="EmulatorHost"/>: where it listens, the Lambda account and functions it serves, whether it
/// verifies SigV4 signatures, and the clock it runs on. Part of internal API.
/// </summary>
internal sealed class EmulatorOptions
{
    /// <summary>Loopback by default, as everything LambdaStorm binds.</summary>
    public const string DefaultHost = "127.0.0.1";

    /// <summary>
    /// Address to listen on: an IP address (<c>127.0.0.1</c>, <c>0.0.0.0</c>, <c>::1</c>) or <c>localhost</c>.
    /// <value>Defaults to <c>127.0.0.1</c>.</value>
    /// </summary>
    public string Host { get; set; } = DefaultHost;

    /// <summary>TCP port, 0–65535; 0 picks a free port (see <see cref="EmulatorHost.BaseAddress"/>). <value>Defaults to 0.</value></summary>
    public int Port { get; set; }

    /// <summary>The account and the functions that exist at start; more are added with <c>CreateFunction</c>. <value>Defaults to AWS's account defaults and no functions.</value></summary>
    public LambdaModelOptions Model { get; set; } = new();

    /// <summary>
    /// When set, every request except <c>/metrics</c> must carry a valid SigV4 <c>Authorization</c> header made with
    /// these credentials; otherwise signed and unsigned requests are all accepted. <value>Defaults to none.</value>
    /// </summary>
    public EmulatorCredentials? RequiredCredentials { get; set; }

    /// <summary>The model's only clock (and the clock SigV4 dates are checked against). <value>Defaults to <see cref="System.TimeProvider.System"/>.</value></summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Receives destination and DLQ deliveries to ARNs that are not functions in the model (SQS, SNS, …). <value>Defaults to none.</value></summary>
    public IDestinationSink? DestinationSink { get; set; }

    /// <summary>Largest request body accepted on any route, bytes (CreateFunction carries a base64 zip). <value>Defaults to 128 MiB.</value></summary>
    public int MaxRequestBodyBytes { get; set; } = 128 * 1024 * 1024;

    /// <summary>Serve the API Gateway front (<see cref="ApiGatewayFront"/>) on <c>/apigw/{FunctionName}</c>. <value>Defaults to off.</value></summary>
    public bool ApiGateway { get; set; }

    /// <summary>Every problem, each naming its option; empty when valid. The model options are validated by the model.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add("Host: must be an IP address or 'localhost'");
        }
        else if (!Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) && !System.Net.IPAddress.TryParse(Host, out _))
        {
            errors.Add($"Host: must be an IP address or 'localhost' (was '{Host}')");
        }

        if (Port is < 0 or > 65535)
        {
            errors.Add($"Port: must be between 0 and 65535 (was {Port})");
        }

        if (Model is null)
        {
            errors.Add("Model: must be set");
        }

        if (TimeProvider is null)
        {
            errors.Add("TimeProvider: must be set");
        }

        if (MaxRequestBodyBytes < 7 * 1024 * 1024)
        {
            errors.Add($"MaxRequestBodyBytes: must be at least 7 MiB so that 6 MB Invoke payloads fit (was {MaxRequestBodyBytes})");
        }

        return errors;
    }
}

/// <summary>
/// The one access key the emulator accepts when SigV4 verification is on. <see cref="ToString"/> never shows the secret.
/// Part of internal API.
/// </summary>
/// <param name="AccessKeyId">Access key id (the <c>Credential=</c> of the Authorization header).</param>
/// <param name="SecretAccessKey">Secret access key.</param>
internal sealed record EmulatorCredentials(string AccessKeyId, string SecretAccessKey)
{
    /// <summary>Parses <c>KEY:SECRET</c> (the secret may itself contain ':'); false when either part is empty.</summary>
    public static bool TryParse(string? text, out EmulatorCredentials? credentials)
    {
        credentials = null;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (text is null || colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        credentials = new EmulatorCredentials(text[..colon], text[(colon + 1)..]);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => $"EmulatorCredentials {{ AccessKeyId = {AccessKeyId}, SecretAccessKey = *** }}";
}
