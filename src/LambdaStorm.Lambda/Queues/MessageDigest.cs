using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace LambdaStorm.Lambda;

/// <summary>
/// The MD5 digests SQS returns and the SDKs check (AWSSDK.SQS and @aws-sdk/client-sqs compare them with their own):
/// <c>MD5OfMessageBody</c> is the MD5 of the body's UTF-8 bytes; <c>MD5OfMessageAttributes</c> (and
/// <c>MD5OfMessageSystemAttributes</c>) is the MD5 of AWS's binary encoding of the attributes, sorted by name
/// (ordinal): for each, the name, the data type, one transport-type byte (1 for String and Number, 2 for Binary) and
/// the value, each length-prefixed with a 4-byte big-endian length (SQS developer guide, "Calculating the MD5 message
/// digest for message attributes"). Lower-case hex.
/// </summary>
internal static class MessageDigest
{
    /// <summary>MD5 of a body.</summary>
    public static string OfBody(string body)
    {
        var max = Encoding.UTF8.GetMaxByteCount(body.Length);
        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var length = Encoding.UTF8.GetBytes(body, rented);
            return Hex(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>MD5 of message attributes, or null when there are none (AWS omits the member then).</summary>
    public static string? OfAttributes(IEnumerable<KeyValuePair<string, MessageAttribute>>? attributes)
    {
        if (attributes is null)
        {
            return null;
        }

        var sorted = attributes.OrderBy(a => a.Key, StringComparer.Ordinal).ToList();
        if (sorted.Count == 0)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        foreach (var (name, attribute) in sorted)
        {
            WriteString(buffer, name);
            WriteString(buffer, attribute.DataType);
            if (attribute.IsBinary)
            {
                buffer.GetSpan(1)[0] = 2;
                buffer.Advance(1);
                WriteBytes(buffer, attribute.BinaryValue ?? []);
            }
            else
            {
                buffer.GetSpan(1)[0] = 1;
                buffer.Advance(1);
                WriteString(buffer, attribute.StringValue ?? "");
            }
        }

        return Hex(buffer.WrittenSpan);
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string text) => WriteBytes(buffer, Encoding.UTF8.GetBytes(text));

    private static void WriteBytes(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> bytes)
    {
        BinaryPrimitives.WriteInt32BigEndian(buffer.GetSpan(4), bytes.Length);
        buffer.Advance(4);
        bytes.CopyTo(buffer.GetSpan(bytes.Length));
        buffer.Advance(bytes.Length);
    }

#pragma warning disable CA5351 // MD5 is what the SQS wire protocol specifies; it is a checksum here, not security.
    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));
#pragma warning restore CA5351
}
