using System.Globalization;

namespace LambdaStorm.Lambda;

/// <summary>SQS's rules for message bodies, message attributes and delays, with AWS's errors. Part of internal API.</summary>
internal static class MessageRules
{
    /// <summary>Most message attributes per message.</summary>
    public const int MaxAttributes = 10;

    /// <summary>Null when the body is acceptable.</summary>
    public static QueueError? CheckBody(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return QueueErrors.MissingParameter("MessageBody");
        }

        return HasOnlyValidCharacters(body) ? null : QueueErrors.InvalidMessageContents();
    }

    /// <summary>True when every character is in #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF.</summary>
    public static bool HasOnlyValidCharacters(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c >= 0x20 && c <= 0xD7FF)
            {
                continue;
            }

            if (c is '\t' or '\n' or '\r' || (c >= 0xE000 && c <= 0xFFFD))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            return false;
        }

        return true;
    }

    /// <summary>Null when the attributes are acceptable (count, names, data types, values).</summary>
    public static QueueError? CheckAttributes(IReadOnlyDictionary<string, MessageAttribute>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return null;
        }

        if (attributes.Count > MaxAttributes)
        {
            return QueueErrors.InvalidParameterValue($"Number of message attributes [{attributes.Count}] exceeds the allowed maximum [{MaxAttributes}].");
        }

        foreach (var (name, attribute) in attributes)
        {
            if (NameProblem(name) is { } problem)
            {
                return QueueErrors.InvalidParameterValue($"Message (user) attribute name '{name}' is invalid. {problem}");
            }

            var type = attribute?.DataType;
            if (attribute is null || string.IsNullOrEmpty(type))
            {
                return QueueErrors.InvalidParameterValue($"The message attribute '{name}' must contain non-empty message attribute type.");
            }

            var baseType = type.Split('.', 2)[0];
            if (baseType is not ("String" or "Number" or "Binary") || type.Length > 256 || type.EndsWith('.'))
            {
                return QueueErrors.InvalidParameterValue(
                    $"The type of message (user) attribute '{name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.");
            }

            if (baseType == "Binary")
            {
                if (attribute.BinaryValue is null || attribute.BinaryValue.Length == 0)
                {
                    return QueueErrors.InvalidParameterValue($"The message attribute '{name}' with type 'Binary' must use field 'Binary'.");
                }

                continue;
            }

            if (string.IsNullOrEmpty(attribute.StringValue))
            {
                return QueueErrors.InvalidParameterValue($"The message attribute '{name}' with type '{baseType}' must use field 'String'.");
            }

            if (!HasOnlyValidCharacters(attribute.StringValue))
            {
                return QueueErrors.InvalidParameterValue($"Message (user) attribute '{name}' has invalid characters.");
            }

            if (baseType == "Number" && !decimal.TryParse(attribute.StringValue, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                return QueueErrors.InvalidParameterValue($"Can't cast the value of message (user) attribute '{name}' to a number.");
            }
        }

        return null;
    }

    /// <summary>Null when the delay is within 0–900 s, otherwise AWS's error.</summary>
    public static QueueError? CheckDelay(int seconds) => seconds is >= 0 and <= 900 ? null
        : QueueErrors.InvalidParameterValue($"Value {seconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.");

    /// <summary>Body plus attributes (names, types and values), bytes.</summary>
    public static int Size(string body, IReadOnlyDictionary<string, MessageAttribute>? attributes)
    {
        var size = System.Text.Encoding.UTF8.GetByteCount(body);
        if (attributes is not null)
        {
            foreach (var (name, attribute) in attributes)
            {
                size += attribute.Size(name);
            }
        }

        return size;
    }

    private static string? NameProblem(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 256)
        {
            return "Names must be 1 to 256 characters long.";
        }

        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            return "Names can contain only alphanumeric characters, hyphens, underscores and periods.";
        }

        if (name.StartsWith('.') || name.EndsWith('.') || name.Contains("..", StringComparison.Ordinal))
        {
            return "Names must not start or end with a period, or contain consecutive periods.";
        }

        if (name.StartsWith("AWS.", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Amazon.", StringComparison.OrdinalIgnoreCase))
        {
            return "Names starting with 'AWS.' or 'Amazon.' are reserved.";
        }

        return null;
    }
}
