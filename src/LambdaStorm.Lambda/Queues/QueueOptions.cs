using System.Globalization;

namespace LambdaStorm.Lambda;

/// <summary>
/// Mutable configuration of one SQS standard queue that exists when the model starts (<see cref="LambdaModelOptions.Queues"/>),
/// validated into an immutable <see cref="QueueSettings"/>. Defaults and ranges are AWS's (<c>CreateQueue</c> attributes).
/// FIFO queues are not modelled: a name ending in <c>.fifo</c> is an error that says so.
/// </summary>
internal sealed class QueueOptions
{
    /// <summary>Queue name: 1–80 characters, letters, digits, hyphens and underscores. <value>Required.</value></summary>
    public string Name { get; set; } = "";

    /// <summary>How long a received message stays hidden, 0 s–12 h (<c>VisibilityTimeout</c>). <value>Defaults to 30 s.</value></summary>
    public TimeSpan VisibilityTimeout { get; set; } = QueueSettings.DefaultVisibilityTimeout;

    /// <summary>How long a message is kept, 60 s–14 days (<c>MessageRetentionPeriod</c>); older messages are removed and counted. <value>Defaults to 4 days.</value></summary>
    public TimeSpan MessageRetentionPeriod { get; set; } = QueueSettings.DefaultRetention;

    /// <summary>Delay of every new message, 0 s–15 min (<c>DelaySeconds</c>). <value>Defaults to 0.</value></summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>Default long-poll wait of <c>ReceiveMessage</c>, 0–20 s (<c>ReceiveMessageWaitTimeSeconds</c>). <value>Defaults to 0.</value></summary>
    public TimeSpan ReceiveMessageWaitTime { get; set; } = TimeSpan.Zero;

    /// <summary>Largest message (body plus attributes), 1,024–1,048,576 bytes (<c>MaximumMessageSize</c>). <value>Defaults to 1 MiB.</value></summary>
    public int MaximumMessageSize { get; set; } = QueueSettings.MaxMessageBytes;

    /// <summary>Dead-letter queue (name or ARN of another queue): the <c>RedrivePolicy</c> <c>deadLetterTargetArn</c>. <value>Defaults to none.</value></summary>
    public string? DeadLetterQueue { get; set; }

    /// <summary>Receives after which the next receive moves a message to <see cref="DeadLetterQueue"/>, 1–1,000 (required with it). <value>Defaults to 0 (none).</value></summary>
    public int MaxReceiveCount { get; set; }

    /// <summary>Every problem, each naming its field under <paramref name="path"/>.</summary>
    internal IEnumerable<string> Validate(string path)
    {
        if (QueueNames.Problem(Name) is { } nameProblem)
        {
            yield return $"{path}.Name: {nameProblem}";
        }

        foreach (var problem in Range(path, nameof(VisibilityTimeout), VisibilityTimeout, 0, QueueSettings.MaxVisibilitySeconds)
            .Concat(Range(path, nameof(MessageRetentionPeriod), MessageRetentionPeriod, 60, 1_209_600))
            .Concat(Range(path, nameof(Delay), Delay, 0, 900))
            .Concat(Range(path, nameof(ReceiveMessageWaitTime), ReceiveMessageWaitTime, 0, 20)))
        {
            yield return problem;
        }

        if (MaximumMessageSize is < 1024 or > QueueSettings.MaxMessageBytes)
        {
            yield return $"{path}.MaximumMessageSize: must be between 1024 and {QueueSettings.MaxMessageBytes} bytes (was {MaximumMessageSize})";
        }

        if (!string.IsNullOrWhiteSpace(DeadLetterQueue))
        {
            if (MaxReceiveCount is < 1 or > 1000)
            {
                yield return $"{path}.MaxReceiveCount: must be between 1 and 1000 when DeadLetterQueue is set (was {MaxReceiveCount})";
            }
        }
        else if (MaxReceiveCount != 0)
        {
            yield return $"{path}.MaxReceiveCount: needs DeadLetterQueue (was {MaxReceiveCount} without one)";
        }
    }

    internal QueueSettings Build() => new()
    {
        Name = Name,
        VisibilityTimeoutSeconds = (int)VisibilityTimeout.TotalSeconds,
        RetentionSeconds = (int)MessageRetentionPeriod.TotalSeconds,
        DelaySeconds = (int)Delay.TotalSeconds,
        ReceiveWaitSeconds = (int)ReceiveMessageWaitTime.TotalSeconds,
        MaximumMessageSize = MaximumMessageSize,
        DeadLetterQueue = string.IsNullOrWhiteSpace(DeadLetterQueue) ? null : DeadLetterQueue,
        MaxReceiveCount = string.IsNullOrWhiteSpace(DeadLetterQueue) ? 0 : MaxReceiveCount,
    };

    private static IEnumerable<string> Range(string path, string field, TimeSpan value, int minSeconds, int maxSeconds)
    {
        if (value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            yield return $"{path}.{field}: must be a whole number of seconds (was {value.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s)";
        }
        else if (value.TotalSeconds < minSeconds || value.TotalSeconds > maxSeconds)
        {
            yield return $"{path}.{field}: must be between {minSeconds} and {maxSeconds} seconds (was {value.TotalSeconds.ToString(CultureInfo.InvariantCulture)})";
        }
    }
}

/// <summary>Validated configuration of a queue (attribute values in AWS's units).</summary>
internal sealed record QueueSettings
{
    /// <summary>AWS default visibility timeout.</summary>
    public static readonly TimeSpan DefaultVisibilityTimeout = TimeSpan.FromSeconds(30);

    /// <summary>AWS default retention (4 days).</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(4);

    /// <summary>Largest message and largest batch, bytes (1 MiB since August 2025).</summary>
    public const int MaxMessageBytes = 1_048_576;

    /// <summary>Longest visibility timeout (12 h).</summary>
    public const int MaxVisibilitySeconds = 43_200;

    /// <summary>Most messages one <c>ReceiveMessage</c> returns.</summary>
    public const int MaxReceiveMessages = 10;

    /// <summary>Queue name.</summary>
    public required string Name { get; init; }

    /// <summary>Seconds.</summary>
    public int VisibilityTimeoutSeconds { get; init; } = 30;

    /// <summary>Seconds.</summary>
    public int RetentionSeconds { get; init; } = 345_600;

    /// <summary>Seconds.</summary>
    public int DelaySeconds { get; init; }

    /// <summary>Seconds.</summary>
    public int ReceiveWaitSeconds { get; init; }

    /// <summary>Bytes.</summary>
    public int MaximumMessageSize { get; init; } = MaxMessageBytes;

    /// <summary>Dead-letter queue name or ARN.</summary>
    public string? DeadLetterQueue { get; init; }

    /// <summary>maxReceiveCount (0 without a dead-letter queue).</summary>
    public int MaxReceiveCount { get; init; }
}

/// <summary>SQS queue-name rules.</summary>
internal static class QueueNames
{
    /// <summary>Null when <paramref name="name"/> is a valid standard-queue name, otherwise what is wrong with it.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "must not be empty";
        }

        if (name.EndsWith(".fifo", StringComparison.Ordinal))
        {
            return $"'{name}' is a FIFO queue name; FIFO queues are not modelled by LambdaStorm (use a standard queue)";
        }

        if (name.Length > 80 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return $"'{name}' must be 1 to 80 letters, digits, hyphens or underscores";
        }

        return null;
    }
}
