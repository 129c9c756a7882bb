using System;
using System.Text;

namespace TinyHttp.Testing;

/// <summary>Turns bytes into text a human can read in a failure message or a snapshot, hiding nothing.</summary>
internal static class ByteText
{
    /// <summary>Most bytes a failure message shows before it elides the rest.</summary>
    internal const int MessageLimit = 2048;

    /// <summary>
    /// Escapes every byte that is not printable ASCII: <c>\r</c>, <c>\n</c>, <c>\t</c>, <c>\\</c> and <c>\xHH</c>.
    /// The result is pure ASCII, so no encoding or line-ending conversion can change its meaning.
    /// </summary>
    internal static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length + 16);
        Append(text, bytes);
        return text.ToString();
    }

    internal static void Append(StringBuilder text, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            switch (b)
            {
                case (byte)'\r':
                    text.Append("\\r");
                    break;
                case (byte)'\n':
                    text.Append("\\n");
                    break;
                case (byte)'\t':
                    text.Append("\\t");
                    break;
                case (byte)'\\':
                    text.Append("\\\\");
                    break;
                case >= 0x20 and < 0x7F:
                    text.Append((char)b);
                    break;
                default:
                    text.Append("\\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }
    }

    /// <summary>
    /// Describes received bytes for an exception message: the count, then the escaped bytes in quotes,
    /// with the middle elided when there are more than <see cref="MessageLimit"/>.
    /// </summary>
    internal static string Describe(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return "0 bytes";
        }
        var text = new StringBuilder();
        text.Append(bytes.Length).Append(bytes.Length == 1 ? " byte: \"" : " bytes: \"");
        if (bytes.Length <= MessageLimit)
        {
            Append(text, bytes);
        }
        else
        {
            int half = MessageLimit / 2;
            Append(text, bytes[..half]);
            text.Append("\" … (").Append(bytes.Length - MessageLimit).Append(" bytes elided) … \"");
            Append(text, bytes[^half..]);
        }
        return text.Append('"').ToString();
    }

    /// <summary>Encodes a string one char per byte (ISO-8859-1), refusing chars above U+00FF instead of replacing them.</summary>
    internal static byte[] Latin1(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] > '\u00FF')
            {
                throw new ArgumentException(
                    $"The text has the character U+{(int)text[i]:X4} at index {i}, which is not one byte; send UTF-8 or other bytes with the byte[] overload instead.",
                    nameof(text));
            }
        }
        return Encoding.Latin1.GetBytes(text);
    }
}
