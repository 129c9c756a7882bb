using System;
using System.Buffers;
using System.Text;

namespace TinyHttp.Protocol;

/// <summary>Percent-decoding of a request path (RFC 3986 §2.1).</summary>
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
}
