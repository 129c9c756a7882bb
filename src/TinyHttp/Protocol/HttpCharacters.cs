using System;

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

    public static bool IsToken(ReadOnlySpan<byte> span)
    {
        if (span.IsEmpty)
        {
            return false;
        }
        foreach (byte b in span)
        {
            if (TokenTable[b] == 0)
            {
                return false;
            }
        }
        return true;
    }

    public static bool IsToken(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }
        foreach (char c in value)
        {
            if (c > 0x7F || TokenTable[c] == 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>RFC 9110 §5.5: field-vchar = VCHAR / obs-text, plus SP and HTAB inside the value.</summary>
    public static bool IsFieldValueByte(byte b) => b >= 0x20 ? b != 0x7F : b == (byte)'\t';

    /// <summary>Index of the first byte that may not appear in a field value, or -1.</summary>
    public static int IndexOfInvalidFieldValueByte(ReadOnlySpan<byte> value)
    {
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
    public static bool IsValidFieldValue(string value)
    {
        foreach (char c in value)
        {
            if ((c < 0x20 && c != '\t') || c == 0x7F)
            {
                return false;
            }
        }
        return true;
    }

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
