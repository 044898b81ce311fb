using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LambdaStorm.Emulator;

/// <summary>
/// Verifies AWS Signature Version 4 <c>Authorization</c> headers, independently of any AWS SDK: it rebuilds the
/// canonical request from what arrived on the wire (raw path, raw query, the signed headers, the payload hash), the
/// string to sign and the HMAC-SHA256 key chain, then compares signatures in constant time. Rejections use the
/// exception names and messages AWS's front door uses. Part of internal API.
/// </summary>
/// <remarks>
/// <para>Canonical URI: the raw request path URI-encoded once more, as SigV4 requires for every service but S3 (SDKs
/// send path labels such as an ARN's ':' as <c>%3A</c> and sign <c>%253A</c>). Canonical query: each name and value
/// decoded, then encoded with RFC 3986 unreserved characters, sorted by name then value. Canonical headers: the signed
/// header names, lower case, values trimmed with inner whitespace runs collapsed, repeated headers joined by ','.</para>
/// <para>Payload: <c>X-Amz-Content-Sha256</c> when present (<c>UNSIGNED-PAYLOAD</c> and <c>STREAMING-*</c> are used
/// as given; a hex digest must match the body), otherwise the SHA-256 of the body.</para>
/// <para>Dates: <c>X-Amz-Date</c> (or an RFC 1123 <c>Date</c>) within 5 minutes of the clock; the credential scope's
/// date must match it; the service must be one of those the verifier was given (<c>lambda</c> by default); any region is accepted. Query-string (presigned) auth is not
/// supported.</para>
/// </remarks>
internal sealed class SigV4Verifier
{
    /// <summary>The only algorithm.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Service name in the credential scope.</summary>
    public const string Service = "lambda";

    /// <summary>Clock skew AWS tolerates.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(5);

    /// <summary>AWS's signature-mismatch text.</summary>
    public const string SignatureMismatchMessage =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    private const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";
    private const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    private readonly EmulatorCredentials _credentials;
    private readonly TimeProvider _time;
    private readonly string[] _services;

    /// <summary>A verifier for <paramref name="credentials"/> on <paramref name="time"/>'s clock.</summary>
    /// <param name="credentials">The only key pair accepted.</param>
    /// <param name="time">The clock the 5-minute skew is checked against.</param>
    /// <param name="services">Service names accepted in the credential scope; default <see cref="Service"/> only.</param>
    public SigV4Verifier(EmulatorCredentials credentials, TimeProvider time, IEnumerable<string>? services = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(time);
        _credentials = credentials;
        _time = time;
        _services = services?.ToArray() is { Length: > 0 } given ? given : [Service];
    }

    /// <summary>Null when the request is signed correctly with the configured credentials; otherwise AWS's error.</summary>
    public AwsError? Verify(HttpRequest request, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = request.Headers.Authorization.ToString();
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return AwsError.MissingAuthenticationToken();
        }

        if (Parse(authorization, out var header) is { } malformed)
        {
            return malformed;
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header.AccessKeyId), Encoding.UTF8.GetBytes(_credentials.AccessKeyId)))
        {
            return AwsError.UnrecognizedClient();
        }

        if (ReadDate(request, out var amzDate, out var signedAt) is { } dateError)
        {
            return dateError;
        }

        if (CheckScope(header, amzDate, _services) is { } scopeError)
        {
            return scopeError;
        }

        var now = _time.GetUtcNow();
        if (signedAt < now - MaxSkew)
        {
            return AwsError.InvalidSignature($"Signature expired: {amzDate} is now earlier than {Format(now - MaxSkew)} ({Format(now)} - 5 min.)");
        }

        if (signedAt > now + MaxSkew)
        {
            return AwsError.InvalidSignature($"Signature not yet current: {amzDate} is still later than {Format(now + MaxSkew)} ({Format(now)} + 5 min.)");
        }

        if (!header.SignedHeaders.Contains("host"))
        {
            return AwsError.InvalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }

        var payloadHash = request.Headers["x-amz-content-sha256"].ToString();
        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(body));
        if (payloadHash.Length == 0)
        {
            payloadHash = bodyHash;
        }
        else if (payloadHash != UnsignedPayload && !payloadHash.StartsWith("STREAMING-", StringComparison.Ordinal)
            && !string.Equals(payloadHash, bodyHash, StringComparison.OrdinalIgnoreCase))
        {
            return AwsError.InvalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        var canonicalRequest = CanonicalRequest(request, header.SignedHeaders, payloadHash);
        var stringToSign = StringToSign(amzDate, header.Scope, canonicalRequest);
        var key = SigningKey(_credentials.SecretAccessKey, header.Date, header.Region, header.Service);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(header.Signature.ToLowerInvariant()))
            ? null
            : AwsError.InvalidSignature(SignatureMismatchMessage);
    }

    /// <summary>The canonical request (task 1 of SigV4).</summary>
    internal static string CanonicalRequest(HttpRequest request, IReadOnlyList<string> signedHeaders, string payloadHash)
    {
        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var rawPath = string.IsNullOrEmpty(rawTarget) ? request.PathBase.Add(request.Path).ToUriComponent() : rawTarget;
        var query = rawPath.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            rawPath = rawPath[..query];
        }

        if (Uri.TryCreate(rawPath, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            rawPath = absolute.AbsolutePath; // absolute-form request target (proxies)
        }

        var sb = new StringBuilder(512);
        sb.Append(request.Method).Append('\n');
        sb.Append(rawPath.Length == 0 ? "/" : Encode(rawPath, encodeSlash: false)).Append('\n');
        sb.Append(CanonicalQuery(request.QueryString.Value)).Append('\n');
        foreach (var name in signedHeaders)
        {
            sb.Append(name).Append(':').Append(CanonicalHeaderValue(request, name)).Append('\n');
        }

        sb.Append('\n').Append(string.Join(';', signedHeaders)).Append('\n').Append(payloadHash);
        return sb.ToString();
    }

    /// <summary>The string to sign (task 2 of SigV4).</summary>
    internal static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    /// <summary>The signing key: HMAC chain over "AWS4"+secret, date, region, service, "aws4_request" (task 3 of SigV4).</summary>
    internal static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    /// <summary>Canonical query string from the raw (still encoded) query.</summary>
    internal static string CanonicalQuery(string? rawQuery)
    {
        if (string.IsNullOrEmpty(rawQuery) || rawQuery == "?")
        {
            return "";
        }

        var pairs = new List<(string Name, string Value)>();
        foreach (var part in rawQuery.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : part[(eq + 1)..];
            pairs.Add((Encode(Uri.UnescapeDataString(name), encodeSlash: true), Encode(Uri.UnescapeDataString(value), encodeSlash: true)));
        }

        pairs.Sort((a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>RFC 3986 encoding: everything but A–Z a–z 0–9 - _ . ~ (and '/' when <paramref name="encodeSlash"/> is false) as %XX of its UTF-8.</summary>
    internal static string Encode(string text, bool encodeSlash)
    {
        var sb = new StringBuilder(text.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (c == '/' && !encodeSlash))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(((int)b).ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static string CanonicalHeaderValue(HttpRequest request, string name)
    {
        var values = request.Headers[name];
        return string.Join(',', values.Select(v => CollapseWhitespace(v ?? "")));
    }

    private static string CollapseWhitespace(string value)
    {
        var trimmed = value.Trim();
        var sb = new StringBuilder(trimmed.Length);
        var space = false;
        foreach (var c in trimmed)
        {
            if (c is ' ' or '\t')
            {
                if (!space)
                {
                    sb.Append(' ');
                }

                space = true;
            }
            else
            {
                sb.Append(c);
                space = false;
            }
        }

        return sb.ToString();
    }

    private static AwsError? Parse(string authorization, out AuthorizationHeader header)
    {
        header = default;
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space < 0 ? authorization : authorization[..space];
        if (scheme != Algorithm)
        {
            return AwsError.IncompleteSignature($"Unsupported authorization scheme '{scheme}': only {Algorithm} (Signature Version 4) is accepted.");
        }

        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in authorization[(space + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return AwsError.IncompleteSignature($"Authorization header requires each component to be key=value, not '{part}'.");
            }

            var value = part[(eq + 1)..].Trim();
            switch (part[..eq].Trim())
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
            }
        }

        var missing = new[] { ("Credential", credential), ("SignedHeaders", signedHeaders), ("Signature", signature) }.Where(p => string.IsNullOrEmpty(p.Item2)).Select(p => p.Item1).ToList();
        if (missing.Count > 0)
        {
            return AwsError.IncompleteSignature($"Authorization header requires {string.Join(", ", missing.Select(m => $"'{m}'"))} parameter{(missing.Count == 1 ? "" : "s")}. Authorization={Algorithm} ...");
        }

        var scope = credential!.Split('/');
        if (scope.Length != 5 || scope.Any(s => s.Length == 0))
        {
            return AwsError.IncompleteSignature("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.");
        }

        header = new AuthorizationHeader(
            scope[0], scope[1], scope[2], scope[3], scope[4], string.Join('/', scope[1..]),
            [.. signedHeaders!.Split(';').Select(h => h.Trim().ToLowerInvariant())], signature!);
        return null;
    }

    private static AwsError? ReadDate(HttpRequest request, out string amzDate, out DateTimeOffset signedAt)
    {
        amzDate = request.Headers["x-amz-date"].ToString();
        signedAt = default;
        if (amzDate.Length > 0)
        {
            return DateTimeOffset.TryParseExact(amzDate, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out signedAt)
                ? null
                : AwsError.IncompleteSignature($"Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601");
        }

        var date = request.Headers.Date.ToString();
        if (date.Length > 0 && DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out signedAt))
        {
            amzDate = Format(signedAt);
            return null;
        }

        return AwsError.IncompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }

    private static AwsError? CheckScope(AuthorizationHeader header, string amzDate, string[] services)
    {
        if (header.Date != amzDate[..8])
        {
            return AwsError.InvalidSignature($"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{header.Date}' != '{amzDate[..8]}', from '{amzDate}'.");
        }

        if (Array.IndexOf(services, header.Service) < 0)
        {
            return AwsError.InvalidSignature($"Credential should be scoped to correct service: '{services[0]}'. ");
        }

        return header.Terminator != "aws4_request"
            ? AwsError.InvalidSignature($"Credential should be scoped with a valid terminator: 'aws4_request', not '{header.Terminator}'. ")
            : null;
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);

    private readonly record struct AuthorizationHeader(
        string AccessKeyId, string Date, string Region, string Service, string Terminator, string Scope, string[] SignedHeaders, string Signature);
}
