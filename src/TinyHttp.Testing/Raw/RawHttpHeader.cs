using System;
using System.Text;

namespace TinyHttp.Testing;

/// <summary>
/// RawHttpHeader is one header (or trailer) field line of a response, kept exactly as it arrived.
/// Text is decoded one byte per char (ISO-8859-1), so every byte survives the round trip.
/// </summary>
public sealed class RawHttpHeader
{
    internal RawHttpHeader(string name, string value, ReadOnlyMemory<byte> line)
    {
        Name = name;
        Value = value;
        Line = line;
    }

    /// <summary>Name is the field name with the letter case the sender used.</summary>
    public string Name { get; }

    /// <summary>Value is the field value without the whitespace around it (RFC 9112 §5.1: OWS is not part of the value).</summary>
    public string Value { get; }

    /// <summary>Line is the whole field line exactly as sent, including its line ending (CRLF, or a bare LF if that is what came).</summary>
    public ReadOnlyMemory<byte> Line { get; }

    /// <summary>Returns the field line without its line ending, for example <c>Content-Length: 5</c>.</summary>
    public override string ToString()
    {
        ReadOnlySpan<byte> line = Line.Span;
        if (line.EndsWith("\n"u8))
        {
            line = line[..^1];
        }
        if (line.EndsWith("\r"u8))
        {
            line = line[..^1];
        }
        return Encoding.Latin1.GetString(line);
    }
}
