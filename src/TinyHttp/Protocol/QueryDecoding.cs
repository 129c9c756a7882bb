using System;
using System.Buffers;
using System.Text;

namespace TinyHttp.Protocol;

/// <summary>
/// A query read as application/x-www-form-urlencoded, as browsers write it (WHATWG URL standard §5.1): pairs split on
/// '&amp;', name and value split at the first '=', '+' is a space, %XX sequences are UTF-8. A pair without '=' has an empty
/// value; empty pairs are skipped. Names compare after decoding, ordinally.
/// </summary>
internal static class QueryDecoding
{
    /// <summary>
    /// Finds, from <paramref name="offset"/> on, the next pair of <paramref name="query"/> whose decoded name is
    /// <paramref name="name"/> (as UTF-8), and moves <paramref name="offset"/> past it. Allocates nothing.
    /// </summary>
    /// <returns>True with the still-encoded value's range in <paramref name="query"/>; false when no more pairs have the name.</returns>
    public static bool TryFindNext(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name, ref int offset, out Range value)
    {
        while (offset < query.Length)
        {
            int start = offset;
            int end = query.Slice(start).IndexOf((byte)'&');
            end = end < 0 ? query.Length : start + end;
            offset = end + 1;
            ReadOnlySpan<byte> pair = query[start..end];
            if (pair.IsEmpty)
            {
                continue;
            }
            int equals = pair.IndexOf((byte)'=');
            ReadOnlySpan<byte> encodedName = equals < 0 ? pair : pair.Slice(0, equals);
            if (NameEquals(encodedName, name))
            {
                value = equals < 0 ? new Range(end, end) : new Range(start + equals + 1, end);
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>Decodes one name or value ('+' as a space, %XX as UTF-8, invalid UTF-8 as U+FFFD).</summary>
    public static string Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IndexOfAny((byte)'%', (byte)'+') < 0)
        {
            return Encoding.ASCII.GetString(encoded);
        }
        byte[]? rented = null;
        Span<byte> bytes = encoded.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(encoded.Length));
        try
        {
            return Encoding.UTF8.GetString(bytes.Slice(0, DecodeInto(encoded, bytes)));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool NameEquals(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> name)
    {
        if (encoded.IndexOfAny((byte)'%', (byte)'+') < 0)
        {
            return encoded.SequenceEqual(name);
        }
        // Decoding only shortens: a name longer encoded than the wanted one may still match; a shorter one cannot.
        if (encoded.Length < name.Length)
        {
            return false;
        }
        byte[]? rented = null;
        Span<byte> bytes = encoded.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(encoded.Length));
        try
        {
            return bytes.Slice(0, DecodeInto(encoded, bytes)).SequenceEqual(name);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int DecodeInto(ReadOnlySpan<byte> encoded, Span<byte> bytes)
    {
        int length = 0;
        for (int i = 0; i < encoded.Length; i++)
        {
            byte b = encoded[i];
            if (b == (byte)'%' && i + 2 < encoded.Length)
            {
                int high = HttpCharacters.HexValue(encoded[i + 1]);
                int low = HttpCharacters.HexValue(encoded[i + 2]);
                if (high >= 0 && low >= 0)
                {
                    bytes[length++] = (byte)((high << 4) | low);
                    i += 2;
                    continue;
                }
            }
            bytes[length++] = b == (byte)'+' ? (byte)' ' : b;
        }
        return length;
    }
}
