using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;

namespace TinyHttp.Protocol;

/// <summary>Why a request path was refused as a file path; logged by name.</summary>
internal enum FilePathRefusal
{
    /// <summary>The path is acceptable.</summary>
    None,

    /// <summary>A <c>%</c> not followed by two hex digits.</summary>
    BadPercentEncoding,

    /// <summary>The decoded bytes are not UTF-8 (overlong forms such as <c>%C0%AE</c> included).</summary>
    NotUtf8,

    /// <summary>A NUL or other control character.</summary>
    ControlCharacter,

    /// <summary>A backslash, raw or encoded: a separator on Windows.</summary>
    Backslash,

    /// <summary>An encoded slash (<c>%2F</c>): a separator hidden inside a segment.</summary>
    EncodedSlash,

    /// <summary>An empty segment (<c>//</c>), which would make the rest an absolute path.</summary>
    EmptySegment,

    /// <summary>A <c>.</c> or <c>..</c> segment, however it was encoded.</summary>
    DotSegment,

    /// <summary>A colon (a Windows drive, <c>C:</c>, or an NTFS stream, <c>file::$DATA</c>).</summary>
    Colon,

    /// <summary>A character Windows forbids in names (<c>&lt; &gt; " | ? *</c>) or a name ending in a dot or space, which Windows drops.</summary>
    WindowsName,

    /// <summary>A Windows device name (<c>CON</c>, <c>NUL.txt</c>, <c>COM1</c>…), which opens a device rather than a file.</summary>
    DeviceName,

    /// <summary>A name starting with a dot (<c>.env</c>, <c>.git</c>), hidden unless the static file options serve them.</summary>
    DotName,
}

/// <summary>
/// FilePath turns the part of a request path below a static-file prefix into the names of the directories and file it
/// asks for, or refuses it. It is pure (strings in, names out) and deliberately stricter than any file system: whatever
/// the platform, a path that could name something outside the root, or something other than a plain file under it, is
/// refused before the file system sees it.
/// </summary>
internal static class FilePath
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly string[] DeviceNames =
    [
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM\u00B9", "COM\u00B2", "COM\u00B3",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT\u00B9", "LPT\u00B2", "LPT\u00B3",
    ];

    /// <summary>
    /// Splits <paramref name="encodedPath"/> (still percent-encoded, as <see cref="HttpRequest.Path"/> gives it, without
    /// the prefix) into decoded segments. An empty path is the root; a trailing slash sets
    /// <paramref name="endsWithSlash"/> (a directory is asked for).
    /// </summary>
    /// <returns><see cref="FilePathRefusal.None"/>, or why the path is refused.</returns>
    public static FilePathRefusal Split(string encodedPath, List<string> segments, out bool endsWithSlash)
    {
        segments.Clear();
        endsWithSlash = encodedPath.Length > 0 && encodedPath[^1] == '/';
        if (encodedPath.Length == 0)
        {
            return FilePathRefusal.None;
        }
        byte[] rented = ArrayPool<byte>.Shared.Rent(encodedPath.Length);
        try
        {
            int start = 0;
            int end = endsWithSlash ? encodedPath.Length - 1 : encodedPath.Length;
            while (start <= end)
            {
                int slash = encodedPath.IndexOf('/', start, end - start);
                int segmentEnd = slash < 0 ? end : slash;
                FilePathRefusal refusal = Decode(encodedPath.AsSpan(start, segmentEnd - start), rented, out string? segment);
                if (refusal != FilePathRefusal.None)
                {
                    return refusal;
                }
                segments.Add(segment!);
                if (slash < 0)
                {
                    break;
                }
                start = slash + 1;
            }
            return FilePathRefusal.None;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static FilePathRefusal Decode(ReadOnlySpan<char> encoded, byte[] buffer, out string? segment)
    {
        segment = null;
        if (encoded.IsEmpty)
        {
            return FilePathRefusal.EmptySegment;
        }
        int length = 0;
        for (int i = 0; i < encoded.Length; i++)
        {
            char c = encoded[i];
            byte b;
            if (c == '%')
            {
                int high = Hex(encoded, i + 1);
                int low = Hex(encoded, i + 2);
                if (high < 0 || low < 0)
                {
                    return FilePathRefusal.BadPercentEncoding;
                }
                b = (byte)((high << 4) | low);
                i += 2;
                if (b == '/')
                {
                    return FilePathRefusal.EncodedSlash;
                }
            }
            else if (c > 0x7F)
            {
                // HttpRequest.Path is ASCII; anything else did not come from the wire.
                return FilePathRefusal.NotUtf8;
            }
            else
            {
                b = (byte)c;
            }
            if (b < 0x20 || b == 0x7F)
            {
                return FilePathRefusal.ControlCharacter;
            }
            if (b == '\\')
            {
                return FilePathRefusal.Backslash;
            }
            buffer[length++] = b;
        }
        string name;
        try
        {
            // Strict UTF-8 refuses overlong forms (%C0%AE for '.', %C0%AF for '/') and lone surrogates.
            name = StrictUtf8.GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return FilePathRefusal.NotUtf8;
        }
        FilePathRefusal refusal = Check(name);
        if (refusal == FilePathRefusal.None)
        {
            segment = name;
        }
        return refusal;
    }

    private static FilePathRefusal Check(string name)
    {
        if (name == "." || name == "..")
        {
            return FilePathRefusal.DotSegment;
        }
        foreach (char c in name)
        {
            if (c == ':')
            {
                return FilePathRefusal.Colon;
            }
            if (c is '<' or '>' or '"' or '|' or '?' or '*' || char.IsControl(c))
            {
                return FilePathRefusal.WindowsName;
            }
        }
        // Windows drops trailing dots and spaces, so "a.txt." or "..." would open something else than it names.
        if (name[^1] is '.' or ' ')
        {
            return FilePathRefusal.WindowsName;
        }
        // A device name is reserved with any extension ("NUL.txt") and with spaces before it ("CON .txt").
        int dot = name.IndexOf('.');
        ReadOnlySpan<char> stem = (dot < 0 ? name : name.AsSpan(0, dot)).TrimEnd(' ');
        foreach (string device in DeviceNames)
        {
            if (stem.Equals(device, StringComparison.OrdinalIgnoreCase))
            {
                return FilePathRefusal.DeviceName;
            }
        }
        return FilePathRefusal.None;
    }

    private static int Hex(ReadOnlySpan<char> text, int index) =>
        index < text.Length && text[index] <= 0x7F ? HttpCharacters.HexValue((byte)text[index]) : -1;
}
