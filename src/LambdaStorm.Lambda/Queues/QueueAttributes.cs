using System.Globalization;
using System.Text.Json;

namespace LambdaStorm.Lambda;

/// <summary>
/// SQS queue attributes on the wire (<c>CreateQueue</c>, <c>SetQueueAttributes</c>, <c>GetQueueAttributes</c>): names,
/// ranges, AWS's errors for bad names and values, and the text form of each value. Part of internal API.
/// </summary>
internal static class QueueAttributes
{
    /// <summary>Every attribute <c>GetQueueAttributes</c> with <c>All</c> may return, in the order the emulator writes them.</summary>
    public static readonly string[] Readable =
    [
        "QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
        "CreatedTimestamp", "LastModifiedTimestamp", "VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod",
        "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "RedriveAllowPolicy", "Policy", "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled",
    ];

    private static readonly HashSet<string> ReadOnly = new(StringComparer.Ordinal)
    {
        "QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
        "CreatedTimestamp", "LastModifiedTimestamp",
    };

    private static readonly HashSet<string> Opaque = new(StringComparer.Ordinal)
    {
        "Policy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled",
    };

    private static readonly HashSet<string> FifoOnly = new(StringComparer.Ordinal)
    {
        "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
    };

    /// <summary>Parses and checks a set of attribute changes; the first problem is returned as AWS's error.</summary>
    /// <param name="attributes">Wire attributes (name → text value).</param>
    /// <param name="findQueue">Resolves a dead-letter target ARN to a queue of the model (null when unknown).</param>
    /// <param name="changes">The parsed changes when valid.</param>
    public static QueueError? Parse(IReadOnlyDictionary<string, string>? attributes, Func<string, QueueState?> findQueue, out QueueAttributeChanges changes)
    {
        changes = new QueueAttributeChanges();
        foreach (var (name, value) in attributes ?? new Dictionary<string, string>())
        {
            switch (name)
            {
                case "VisibilityTimeout":
                    changes.VisibilityTimeoutSeconds = Int(name, value, 0, QueueSettings.MaxVisibilitySeconds, out var error);
                    if (error is not null)
                    {
                        return error;
                    }

                    break;
                case "MessageRetentionPeriod":
                    changes.RetentionSeconds = Int(name, value, 60, 1_209_600, out error);
                    if (error is not null)
                    {
                        return error;
                    }

                    break;
                case "DelaySeconds":
                    changes.DelaySeconds = Int(name, value, 0, 900, out error);
                    if (error is not null)
                    {
                        return error;
                    }

                    break;
                case "ReceiveMessageWaitTimeSeconds":
                    changes.ReceiveWaitSeconds = Int(name, value, 0, 20, out error);
                    if (error is not null)
                    {
                        return error;
                    }

                    break;
                case "MaximumMessageSize":
                    changes.MaximumMessageSize = Int(name, value, 1024, QueueSettings.MaxMessageBytes, out error);
                    if (error is not null)
                    {
                        return error;
                    }

                    break;
                case "RedrivePolicy":
                    if (ParseRedrivePolicy(value, findQueue, changes) is { } redriveError)
                    {
                        return redriveError;
                    }

                    break;
                case "FifoQueue":
                    if (!value.Equals("false", StringComparison.OrdinalIgnoreCase))
                    {
                        return QueueErrors.FifoNotModelled("attribute FifoQueue=" + value);
                    }

                    break;
                default:
                    if (FifoOnly.Contains(name))
                    {
                        return QueueErrors.FifoNotModelled("attribute " + name);
                    }

                    if (!Opaque.Contains(name))
                    {
                        return QueueErrors.InvalidAttributeName(name);
                    }

                    changes.Opaque[name] = value;
                    break;
            }
        }

        return null;
    }

    /// <summary>Checks the names a <c>GetQueueAttributes</c> asks for (<c>All</c> or known names); null when fine.</summary>
    public static QueueError? CheckNames(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            if (name != "All" && !Readable.Contains(name) && !FifoOnly.Contains(name) && name != "FifoQueue")
            {
                return QueueErrors.InvalidAttributeName(name);
            }
        }

        return null;
    }

    /// <summary>The values of the asked-for attributes (<c>All</c> expands to every one that has a value).</summary>
    public static Dictionary<string, string> Read(QueueState q, IEnumerable<string> names)
    {
        var wanted = new HashSet<string>(names, StringComparer.Ordinal);
        var all = wanted.Contains("All");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Readable)
        {
            if ((all || wanted.Contains(name)) && Value(q, name) is { } value)
            {
                result[name] = value;
            }
        }

        return result;
    }

    /// <summary>The text of one attribute, or null when it has no value.</summary>
    public static string? Value(QueueState q, string name) => name switch
    {
        "QueueArn" => q.Arn,
        "ApproximateNumberOfMessages" => Text(q.VisibleCount),
        "ApproximateNumberOfMessagesNotVisible" => Text(q.InFlightCount),
        "ApproximateNumberOfMessagesDelayed" => Text(q.DelayedCount),
        "CreatedTimestamp" => Text((q.CreatedTicks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond),
        "LastModifiedTimestamp" => Text((q.LastModifiedTicks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond),
        "VisibilityTimeout" => Text(q.VisibilityTimeoutSeconds),
        "MaximumMessageSize" => Text(q.MaximumMessageSize),
        "MessageRetentionPeriod" => Text(q.RetentionSeconds),
        "DelaySeconds" => Text(q.DelaySeconds),
        "ReceiveMessageWaitTimeSeconds" => Text(q.ReceiveWaitSeconds),
        "RedrivePolicy" => q.DeadLetterTargetArn is { } target ? RedrivePolicyJson(target, q.MaxReceiveCount) : null,
        "SqsManagedSseEnabled" => q.OpaqueAttributes.GetValueOrDefault(name, "true"),
        _ => q.OpaqueAttributes.GetValueOrDefault(name),
    };

    /// <summary>AWS's text of a redrive policy: <c>{"deadLetterTargetArn":"…","maxReceiveCount":5}</c>.</summary>
    public static string RedrivePolicyJson(string targetArn, int maxReceiveCount) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["deadLetterTargetArn"] = targetArn, ["maxReceiveCount"] = maxReceiveCount });

    private static QueueError? ParseRedrivePolicy(string value, Func<string, QueueState?> findQueue, QueueAttributeChanges changes)
    {
        if (string.IsNullOrEmpty(value))
        {
            changes.RedriveSet = true; // "" removes the policy
            return null;
        }

        QueueError Invalid(string reason) =>
            QueueErrors.InvalidParameterValue($"Value {value} for parameter RedrivePolicy is invalid. Reason: {reason}");
        string? target = null;
        int? maxReceiveCount = null;
        try
        {
            using var doc = JsonDocument.Parse(value);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Invalid("Redrive policy is not a valid JSON map.");
            }

            foreach (var p in doc.RootElement.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "deadLetterTargetArn" when p.Value.ValueKind == JsonValueKind.String:
                        target = p.Value.GetString();
                        break;
                    case "maxReceiveCount" when p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out var n):
                        maxReceiveCount = n;
                        break;
                    case "maxReceiveCount" when p.Value.ValueKind == JsonValueKind.String && int.TryParse(p.Value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s):
                        maxReceiveCount = s;
                        break;
                    case "maxReceiveCount":
                        return Invalid($"Invalid value for maxReceiveCount: {p.Value}, valid values are from 1 to 1000 both inclusive.");
                    default:
                        return Invalid($"Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount].");
                }
            }
        }
        catch (JsonException)
        {
            return Invalid("Redrive policy is not a valid JSON map.");
        }

        if (target is null)
        {
            return Invalid("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
        }

        if (maxReceiveCount is null)
        {
            return Invalid("Redrive policy does not contain mandatory attribute: maxReceiveCount.");
        }

        if (maxReceiveCount is < 1 or > 1000)
        {
            return Invalid($"Invalid value for maxReceiveCount: {maxReceiveCount}, valid values are from 1 to 1000 both inclusive.");
        }

        if (!target.StartsWith("arn:", StringComparison.Ordinal) || findQueue(target) is null)
        {
            return Invalid("Dead letter target does not exist.");
        }

        changes.RedriveSet = true;
        changes.DeadLetterTargetArn = findQueue(target)!.Arn;
        changes.MaxReceiveCount = maxReceiveCount.Value;
        return null;
    }

    private static int? Int(string name, string value, int min, int max, out QueueError? error)
    {
        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            error = null;
            return n;
        }

        error = QueueErrors.InvalidAttributeValue(name);
        return null;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Parsed queue-attribute changes; null fields are not changed.</summary>
internal sealed class QueueAttributeChanges
{
    /// <summary>New VisibilityTimeout.</summary>
    public int? VisibilityTimeoutSeconds { get; set; }

    /// <summary>New MessageRetentionPeriod.</summary>
    public int? RetentionSeconds { get; set; }

    /// <summary>New DelaySeconds.</summary>
    public int? DelaySeconds { get; set; }

    /// <summary>New ReceiveMessageWaitTimeSeconds.</summary>
    public int? ReceiveWaitSeconds { get; set; }

    /// <summary>New MaximumMessageSize.</summary>
    public int? MaximumMessageSize { get; set; }

    /// <summary>True when RedrivePolicy was given (possibly empty, which removes it).</summary>
    public bool RedriveSet { get; set; }

    /// <summary>New dead-letter target ARN (null with <see cref="RedriveSet"/>: removed).</summary>
    public string? DeadLetterTargetArn { get; set; }

    /// <summary>New maxReceiveCount.</summary>
    public int MaxReceiveCount { get; set; }

    /// <summary>Stored-only attributes.</summary>
    public Dictionary<string, string> Opaque { get; } = new(StringComparer.Ordinal);

    /// <summary>True when applying these changes would change <paramref name="q"/> (CreateQueue on an existing name).</summary>
    public bool Differs(QueueState q) =>
        (VisibilityTimeoutSeconds is { } v && v != q.VisibilityTimeoutSeconds)
        || (RetentionSeconds is { } r && r != q.RetentionSeconds)
        || (DelaySeconds is { } d && d != q.DelaySeconds)
        || (ReceiveWaitSeconds is { } w && w != q.ReceiveWaitSeconds)
        || (MaximumMessageSize is { } m && m != q.MaximumMessageSize)
        || (RedriveSet && (DeadLetterTargetArn != q.DeadLetterTargetArn || MaxReceiveCount != q.MaxReceiveCount))
        || Opaque.Any(o => q.OpaqueAttributes.GetValueOrDefault(o.Key) != o.Value);

    /// <summary>Applies the changes.</summary>
    public void ApplyTo(QueueState q)
    {
        q.VisibilityTimeoutSeconds = VisibilityTimeoutSeconds ?? q.VisibilityTimeoutSeconds;
        q.RetentionSeconds = RetentionSeconds ?? q.RetentionSeconds;
        q.DelaySeconds = DelaySeconds ?? q.DelaySeconds;
        q.ReceiveWaitSeconds = ReceiveWaitSeconds ?? q.ReceiveWaitSeconds;
        q.MaximumMessageSize = MaximumMessageSize ?? q.MaximumMessageSize;
        if (RedriveSet)
        {
            q.DeadLetterTargetArn = DeadLetterTargetArn;
            q.MaxReceiveCount = DeadLetterTargetArn is null ? 0 : MaxReceiveCount;
        }

        foreach (var (name, value) in Opaque)
        {
            q.OpaqueAttributes[name] = value;
        }
    }
}
