using System;
using System.Buffers;

namespace TinyHttp.Protocol;

/// <summary>Character classes from RFC 9110 §5.6 and RFC 3986, as byte lookups.</summary>
internal static class HttpCharacters
{
    // RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
    //                         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private static ReadOnlySpan<byte> TokenTable =>
    [
        0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
        0,1,0,1,1,1,1,1,0,0,1,1,0,1,1,0, 1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,
        0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,0,0,0,1,1,
        1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,0,1,0,1,0,
        0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
        0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
        0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
        0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    ];

    public static bool IsTokenChar(byte b) => TokenTable[b] != 0;

    private const string TokenCharacters = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // The same sets as SearchValues, so a whole name is checked vectorised rather than a byte at a time.
    private static readonly SearchValues<byte> TokenBytes = SearchValues.Create(System.Text.Encoding.ASCII.GetBytes(TokenCharacters));
    private static readonly SearchValues<char> TokenChars = SearchValues.Create(TokenCharacters);

    // What a field value may not contain (RFC 9110 §5.5): the controls other than HTAB, and DEL.
    private static readonly SearchValues<char> InvalidFieldValueChars = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\n\u000B\u000C\r\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F");

    // Below this length a scan a byte at a time beats setting up a vectorised search: methods, header names, most
    // paths and Host values are shorter.
    internal const int ShortScanLength = 32;

    public static bool IsToken(ReadOnlySpan<byte> span) =>
        !span.IsEmpty && (span.Length >= ShortScanLength ? span.IndexOfAnyExcept(TokenBytes) < 0 : TokenLength(span) == span.Length);

    /// <summary>The length of the token that starts <paramref name="span"/>: the index of its first non-token byte, or its length.</summary>
    public static int TokenLength(ReadOnlySpan<byte> span)
    {
        int i = 0;
        while (i < span.Length && TokenTable[span[i]] != 0)
        {
            i++;
        }
        return i;
    }

    public static bool IsToken(string value) => value.Length != 0 && value.AsSpan().IndexOfAnyExcept(TokenChars) < 0;

    /// <summary>RFC 9110 §5.5: field-vchar = VCHAR / obs-text, plus SP and HTAB inside the value.</summary>
    public static bool IsFieldValueByte(byte b) => b >= 0x20 ? b != 0x7F : b == (byte)'\t';

    /// <summary>Index of the first byte that may not appear in a field value, or -1.</summary>
    public static int IndexOfInvalidFieldValueByte(ReadOnlySpan<byte> value)
    {
        if (value.Length < ShortScanLength)
        {
            for (int j = 0; j < value.Length; j++)
            {
                if (!IsFieldValueByte(value[j]))
                {
                    return j;
                }
            }
            return -1;
        }
        // Fast path: the common case is printable ASCII throughout.
        int i = value.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        while (i >= 0)
        {
            if (!IsFieldValueByte(value[i]))
            {
                return i;
            }
            int next = value.Slice(i + 1).IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
            i = next < 0 ? -1 : i + 1 + next;
        }
        return -1;
    }

    /// <summary>True when a string may be sent as a field value: no CTL other than HTAB (so no CR, LF or NUL).</summary>
    public static bool IsValidFieldValue(string value) => value.AsSpan().IndexOfAny(InvalidFieldValueChars) < 0;

    public static bool IsWhitespace(byte b) => b == (byte)' ' || b == (byte)'\t';

    public static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>RFC 9110 §5.6.1: whether a comma-separated field value lists <paramref name="token"/> (any case, whitespace around items ignored).</summary>
    public static bool ListHasToken(string fieldValue, string token)
    {
        ReadOnlySpan<char> value = fieldValue;
        foreach (Range part in value.Split(','))
        {
            if (value[part].Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> span)
    {
        int start = 0;
        while (start < span.Length && IsWhitespace(span[start]))
        {
            start++;
        }
        int end = span.Length;
        while (end > start && IsWhitespace(span[end - 1]))
        {
            end--;
        }
        return span.Slice(start, end - start);
    }

    /// <summary>ASCII case-insensitive comparison of wire bytes with a lower-case ASCII literal.</summary>
    public static bool EqualsLowerAscii(ReadOnlySpan<byte> wire, ReadOnlySpan<byte> lowerLiteral)
    {
        if (wire.Length != lowerLiteral.Length)
        {
            return false;
        }
        for (int i = 0; i < wire.Length; i++)
        {
            byte b = wire[i];
            if ((uint)(b - 'A') <= 'Z' - 'A')
            {
                b |= 0x20;
            }
            if (b != lowerLiteral[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>ASCII case-insensitive comparison of wire bytes with a string (a field name the caller asked for).</summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> wire, string name)
    {
        if (wire.Length != name.Length)
        {
            return false;
        }
        for (int i = 0; i < wire.Length; i++)
        {
            int a = wire[i];
            int b = name[i];
            if (a == b)
            {
                continue;
            }
            if ((uint)((a | 0x20) - 'a') <= 'z' - 'a' && (a | 0x20) == (b | 0x20))
            {
                continue;
            }
            return false;
        }
        return true;
    }
}
