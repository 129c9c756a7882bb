using System;
using System.Globalization;

namespace TinyHttp.Soak;

/// <summary>
/// Payload is the content both sides can compute from a seed and a length, so the client verifies every byte of a
/// response without the server telling it what to expect. The high bits of the index are mixed in, so a body shifted
/// or spliced from another response does not match by accident.
/// </summary>
internal static class Payload
{
    public static byte[] Create(int seed, int length)
    {
        byte[] bytes = new byte[length];
        Fill(seed, 0, bytes);
        return bytes;
    }

    /// <summary>Fills <paramref name="destination"/> with the payload's bytes from <paramref name="offset"/> on.</summary>
    public static void Fill(int seed, int offset, Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = ByteAt(seed, offset + i);
        }
    }

    public static bool Matches(int seed, ReadOnlySpan<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != ByteAt(seed, i))
            {
                return false;
            }
        }
        return true;
    }

    private static byte ByteAt(int seed, int index) => (byte)((index * 131) + (seed * 17) + ((index >> 8) * 7) + (index >> 16));

    /// <summary>Reads <c>name=value</c> from a query string (with or without its '?') as a non-negative integer, or -1.</summary>
    public static int QueryValue(string query, string name) =>
        int.TryParse(QueryText(query, name), NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : -1;

    /// <summary>Reads <c>name=value</c> from a query string (with or without its '?'), or null.</summary>
    public static string? QueryText(string query, string name)
    {
        foreach (string part in query.TrimStart('?').Split('&'))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part.AsSpan(0, equals).SequenceEqual(name))
            {
                return part[(equals + 1)..];
            }
        }
        return null;
    }
}
