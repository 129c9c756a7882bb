using System;
using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace TinyHttp.Protocol;

/// <summary>Percent-decoding of a request path (RFC 3986 §2.1) and of query components.</summary>
internal static class PercentDecoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Decodes %XX sequences as UTF-8, except %2F which stays encoded (a decoded '/' would change the
    /// path's segments). Returns <paramref name="path"/> itself when it has nothing to decode or does not decode to valid UTF-8.
    /// </summary>
    public static string DecodePath(string path)
    {
        if (!path.Contains('%'))
        {
            return path;
        }
        byte[] rented = ArrayPool<byte>.Shared.Rent(path.Length);
        try
        {
            int length = 0;
            for (int i = 0; i < path.Length; i++)
            {
                char c = path[i];
                if (c == '%' && i + 2 < path.Length)
                {
                    int high = HttpCharacters.HexValue((byte)path[i + 1]);
                    int low = HttpCharacters.HexValue((byte)path[i + 2]);
                    int value = (high << 4) | low;
                    if (high >= 0 && low >= 0 && value != '/')
                    {
                        rented[length++] = (byte)value;
                        i += 2;
                        continue;
                    }
                }
                rented[length++] = (byte)c;
            }
            try
            {
                return StrictUtf8.GetString(rented, 0, length);
            }
            catch (DecoderFallbackException)
            {
                return path;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Decodes every %XX sequence of <paramref name="encoded"/>, %2F included, as UTF-8 (with <paramref name="plusIsSpace"/>,
    /// '+' too, as application/x-www-form-urlencoded has it). A route value is decoded once, after the path was split
    /// into segments, so a decoded '/' stays inside its segment. Text that does not decode to valid UTF-8 is returned as it
    /// came for a path, and with U+FFFD for the bad bytes in a query (the WHATWG URL standard's form decoding).
    /// </summary>
    public static string DecodeAll(ReadOnlySpan<char> encoded, bool plusIsSpace = false)
    {
        if (encoded.IndexOfAny('%', plusIsSpace ? '+' : '%') < 0)
        {
            return new string(encoded);
        }
        byte[]? rented = null;
        Span<byte> bytes = encoded.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(encoded.Length));
        try
        {
            int length = DecodeInto(encoded, bytes, plusIsSpace);
            if (plusIsSpace)
            {
                return Encoding.UTF8.GetString(bytes.Slice(0, length));
            }
            try
            {
                return StrictUtf8.GetString(bytes.Slice(0, length));
            }
            catch (DecoderFallbackException)
            {
                return new string(encoded);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Decodes %XX sequences (and with <paramref name="plusIsSpace"/> '+' as a space) into <paramref name="bytes"/>, which
    /// must be at least as long as <paramref name="encoded"/>; a '%' not followed by two hex digits stays as it is.
    /// Returns the number of bytes written. Characters above U+00FF cannot occur in a request target.
    /// </summary>
    public static int DecodeInto(ReadOnlySpan<char> encoded, Span<byte> bytes, bool plusIsSpace)
    {
        int length = 0;
        for (int i = 0; i < encoded.Length; i++)
        {
            char c = encoded[i];
            if (c == '%' && i + 2 < encoded.Length && encoded[i + 1] < 128 && encoded[i + 2] < 128)
            {
                int high = HttpCharacters.HexValue((byte)encoded[i + 1]);
                int low = HttpCharacters.HexValue((byte)encoded[i + 2]);
                if (high >= 0 && low >= 0)
                {
                    bytes[length++] = (byte)((high << 4) | low);
                    i += 2;
                    continue;
                }
            }
            bytes[length++] = plusIsSpace && c == '+' ? (byte)' ' : (byte)c;
        }
        return length;
    }

    /// <summary>
    /// Decodes a path segment into <paramref name="chars"/> (at least as long as <paramref name="encoded"/>, as is
    /// <paramref name="scratch"/>) to compare it with a route pattern's literal segment. False when the bytes are not
    /// valid UTF-8: such a segment can match no literal.
    /// </summary>
    public static bool TryDecodeSegment(ReadOnlySpan<char> encoded, Span<byte> scratch, Span<char> chars, out int written)
    {
        int length = DecodeInto(encoded, scratch, plusIsSpace: false);
        return Utf8.ToUtf16(scratch.Slice(0, length), chars, out _, out written, replaceInvalidSequences: false) == OperationStatus.Done;
    }
}
