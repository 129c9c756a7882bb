using System;
using System.Buffers.Text;
using System.Text;
using System.Text.Unicode;

namespace TinyHttp.Protocol;

/// <summary>A response field as the handler set it: strings, already checked for CR, LF and NUL.</summary>
internal readonly record struct ResponseField(string Name, string Value);

/// <summary>Which Connection option the server adds to a response.</summary>
internal enum ConnectionOption : byte
{
    None,
    Close,
    KeepAlive,
    /// <summary>A 101 switching protocols (RFC 9110 §7.8): Connection: Upgrade.</summary>
    Upgrade,
}

/// <summary>
/// ResponseHeadWriter serialises a status line and header section (RFC 9112 §4, §5). The server
/// owns the framing fields: Content-Length, Transfer-Encoding and Connection are written from its
/// decisions, and the handler's own fields of those names are left out.
/// </summary>
internal static class ResponseHeadWriter
{
    private const int FramingFieldsMaxLength =
        6 + 29 + 2            // Date: <IMF-fixdate>\r\n
        + 16 + 20 + 2         // Content-Length: <long>\r\n  (or Transfer-Encoding: chunked\r\n)
        + 24                  // Connection: keep-alive\r\n
        + 2;                  // the empty line

    /// <summary>An upper bound on the bytes <see cref="Write"/> produces.</summary>
    public static int MaxLength(int statusCode, string? reasonPhrase, ReadOnlySpan<ResponseField> fields)
    {
        int length = 16 + (reasonPhrase?.Length ?? ReasonPhrases.Get(statusCode).Length) * 3 + FramingFieldsMaxLength;
        foreach (ResponseField field in fields)
        {
            length += field.Name.Length + 4 + field.Value.Length * 3;
        }
        return length;
    }

    public static int Write(
        Span<byte> destination,
        int statusCode,
        string? reasonPhrase,
        ReadOnlySpan<ResponseField> fields,
        ResponseBodyFraming framing,
        long contentLength,
        ConnectionOption connection)
    {
        int position = WriteStatusLine(destination, statusCode, reasonPhrase);
        bool hasDate = false;
        foreach (ResponseField field in fields)
        {
            if (IsFramingField(field.Name))
            {
                continue;
            }
            hasDate |= field.Name.Equals("Date", StringComparison.OrdinalIgnoreCase);
            // Names are tokens (ASCII); a value is written as UTF-8. The static transcoders rather than Encoding's
            // virtual methods: this runs for every field of every response.
            Ascii.FromUtf16(field.Name, destination.Slice(position), out int written);
            position += written;
            destination[position++] = (byte)':';
            destination[position++] = (byte)' ';
            Utf8.FromUtf16(field.Value, destination.Slice(position), out _, out written);
            position += written;
            destination[position++] = (byte)'\r';
            destination[position++] = (byte)'\n';
        }
        if (!hasDate)
        {
            // RFC 9110 §6.6.1: an origin server with a clock MUST send Date.
            position += Append(destination.Slice(position), "Date: "u8);
            position += Append(destination.Slice(position), HttpDate.Current);
            position += Append(destination.Slice(position), "\r\n"u8);
        }
        switch (framing)
        {
            case ResponseBodyFraming.ContentLength:
                position += Append(destination.Slice(position), "Content-Length: "u8);
                Utf8Formatter.TryFormat(contentLength, destination.Slice(position), out int digits);
                position += digits;
                position += Append(destination.Slice(position), "\r\n"u8);
                break;
            case ResponseBodyFraming.Chunked:
                position += Append(destination.Slice(position), "Transfer-Encoding: chunked\r\n"u8);
                break;
        }
        position += connection switch
        {
            ConnectionOption.Close => Append(destination.Slice(position), "Connection: close\r\n"u8),
            ConnectionOption.KeepAlive => Append(destination.Slice(position), "Connection: keep-alive\r\n"u8),
            ConnectionOption.Upgrade => Append(destination.Slice(position), "Connection: Upgrade\r\n"u8),
            _ => 0,
        };
        position += Append(destination.Slice(position), "\r\n"u8);
        return position;
    }

    /// <summary>RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF.</summary>
    public static int WriteStatusLine(Span<byte> destination, int statusCode, string? reasonPhrase)
    {
        if (reasonPhrase is null)
        {
            ReadOnlySpan<byte> standard = ReasonPhrases.GetStatusLine(statusCode);
            if (!standard.IsEmpty)
            {
                return Append(destination, standard);
            }
            reasonPhrase = string.Empty;
        }
        int position = Append(destination, "HTTP/1.1 "u8);
        Utf8Formatter.TryFormat(statusCode, destination.Slice(position), out int digits);
        position += digits;
        destination[position++] = (byte)' ';
        position += Encoding.UTF8.GetBytes(reasonPhrase, destination.Slice(position));
        position += Append(destination.Slice(position), "\r\n"u8);
        return position;
    }

    public static ReadOnlySpan<byte> ContinueStatusLine => "HTTP/1.1 100 Continue\r\n\r\n"u8;

    public static bool IsFramingField(string name) =>
        name.Length switch
        {
            10 => name.Equals("Connection", StringComparison.OrdinalIgnoreCase),
            14 => name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase),
            17 => name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };

    private static int Append(Span<byte> destination, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }
}
