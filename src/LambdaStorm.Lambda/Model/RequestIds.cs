namespace LambdaStorm.Lambda;

/// <summary>Deterministic, UUID-shaped AWS request ids drawn from the model's seeded generator. Part of internal API.</summary>
internal static class RequestIds
{
    /// <summary>A version-4-shaped UUID in lower-case hex, e.g. <c>3f2b8c1e-0d4a-4b6e-9c2f-7a1e5d3b9c80</c>.</summary>
    public static string Next(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        Span<char> chars = stackalloc char[36];
        var p = 0;
        for (var i = 0; i < 16; i++)
        {
            if (i is 4 or 6 or 8 or 10)
            {
                chars[p++] = '-';
            }

            chars[p++] = Hex(bytes[i] >> 4);
            chars[p++] = Hex(bytes[i] & 0xF);
        }

        return new string(chars);
    }

    private static char Hex(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
