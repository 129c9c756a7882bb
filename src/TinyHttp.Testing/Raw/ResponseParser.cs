using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace TinyHttp.Testing;

internal enum ParseStatus
{
    Complete,
    Incomplete,
    Invalid,
}

/// <summary>The result of one parse attempt: a response and the bytes it used, more data needed, or why the bytes are not a response.</summary>
internal readonly record struct ParseOutcome(ParseStatus Status, RawHttpResponse? Response, int Consumed, string? Error)
{
    internal static ParseOutcome Incomplete => new(ParseStatus.Incomplete, null, 0, null);

    internal static ParseOutcome Invalid(string error) => new(ParseStatus.Invalid, null, 0, error);
}

/// <summary>
/// ResponseParser reads one HTTP/1.1 response from the start of a byte span. It is pure: bytes in, outcome out,
/// no I/O, so <see cref="RawHttpConnection"/> calls it again with more bytes until it is complete.
/// It is strict where a server under test could be wrong (status line, field syntax, chunk framing) and keeps
/// every byte as sent, because the point is to see what the server really did.
/// </summary>
internal static class ResponseParser
{
    /// <summary>
    /// Parses the response at the start of <paramref name="data"/>.
    /// </summary>
    /// <param name="data">Bytes received so far.</param>
    /// <param name="isHeadRequest">True when the response answers a HEAD request, which never has a body (RFC 9110 §9.3.2).</param>
    /// <param name="endOfStream">True when no more bytes will come, which completes a close-delimited body.</param>
    internal static ParseOutcome Parse(ReadOnlySpan<byte> data, bool isHeadRequest, bool endOfStream)
    {
        int lineEnd = data.IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            return ParseOutcome.Incomplete;
        }

        ReadOnlySpan<byte> statusLine = TrimLineEnding(data[..(lineEnd + 1)]);
        if (!TryParseStatusLine(statusLine, out string version, out int statusCode, out string reason, out string? statusError))
        {
            return ParseOutcome.Invalid(statusError);
        }

        int position = lineEnd + 1;
        var headerRanges = new List<(int Start, int Length)>();
        ParseStatus fieldsStatus = ParseFieldLines(data, ref position, headerRanges, out string? fieldsError);
        if (fieldsStatus != ParseStatus.Complete)
        {
            return fieldsStatus == ParseStatus.Incomplete ? ParseOutcome.Incomplete : ParseOutcome.Invalid(fieldsError!);
        }
        int headLength = position;

        var fieldNames = new List<string>(headerRanges.Count);
        var fieldValues = new List<string>(headerRanges.Count);
        foreach ((int start, int length) in headerRanges)
        {
            SplitField(data.Slice(start, length), out string name, out string value);
            fieldNames.Add(name);
            fieldValues.Add(value);
        }

        // RFC 9112 §6.3: the framing rules, in their order of precedence.
        BodyFraming framing;
        long contentLength = -1;
        if (statusCode is >= 100 and < 200 || statusCode is 204 or 304 || isHeadRequest)
        {
            framing = BodyFraming.None;
        }
        else if (IndexOfField(fieldNames, "Transfer-Encoding") >= 0)
        {
            framing = LastTransferCodingIsChunked(fieldNames, fieldValues) ? BodyFraming.Chunked : BodyFraming.CloseDelimited;
        }
        else if (IndexOfField(fieldNames, "Content-Length") >= 0)
        {
            if (!TryGetContentLength(fieldNames, fieldValues, out contentLength, out string? lengthError))
            {
                return ParseOutcome.Invalid(lengthError);
            }
            framing = BodyFraming.ContentLength;
        }
        else
        {
            framing = BodyFraming.CloseDelimited;
        }

        int end;
        var trailerRanges = new List<(int Start, int Length)>();
        byte[]? dechunked = null;
        switch (framing)
        {
            case BodyFraming.None:
                end = headLength;
                break;
            case BodyFraming.ContentLength:
                if (data.Length - headLength < contentLength)
                {
                    return ParseOutcome.Incomplete;
                }
                end = headLength + (int)contentLength;
                break;
            case BodyFraming.CloseDelimited:
                if (!endOfStream)
                {
                    return ParseOutcome.Incomplete;
                }
                end = data.Length;
                break;
            default:
                position = headLength;
                ParseStatus chunkStatus = ParseChunkedBody(data, ref position, trailerRanges, out dechunked, out string? chunkError);
                if (chunkStatus != ParseStatus.Complete)
                {
                    return chunkStatus == ParseStatus.Incomplete ? ParseOutcome.Incomplete : ParseOutcome.Invalid(chunkError!);
                }
                end = position;
                break;
        }

        byte[] raw = data[..end].ToArray();
        var headers = new RawHttpHeader[headerRanges.Count];
        for (int i = 0; i < headers.Length; i++)
        {
            headers[i] = new RawHttpHeader(fieldNames[i], fieldValues[i], raw.AsMemory(headerRanges[i].Start, headerRanges[i].Length));
        }
        var trailers = new RawHttpHeader[trailerRanges.Count];
        for (int i = 0; i < trailers.Length; i++)
        {
            (int start, int length) = trailerRanges[i];
            SplitField(raw.AsSpan(start, length), out string name, out string value);
            trailers[i] = new RawHttpHeader(name, value, raw.AsMemory(start, length));
        }

        ReadOnlyMemory<byte> bodyAsSent = raw.AsMemory(headLength);
        var response = new RawHttpResponse(
            raw,
            headLength,
            Encoding.Latin1.GetString(statusLine),
            version,
            statusCode,
            reason,
            headers,
            trailers,
            framing,
            dechunked is null ? bodyAsSent : dechunked);
        return new ParseOutcome(ParseStatus.Complete, response, end, null);
    }

    private static bool TryParseStatusLine(ReadOnlySpan<byte> line, out string version, out int statusCode, out string reason, out string error)
    {
        // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
        version = string.Empty;
        statusCode = 0;
        reason = string.Empty;
        error = string.Empty;
        int space = line.IndexOf((byte)' ');
        if (!line.StartsWith("HTTP/"u8) || space < 0)
        {
            error = $"The status line does not start with an HTTP version and a space: \"{ByteText.Escape(line)}\".";
            return false;
        }
        version = Encoding.Latin1.GetString(line[..space]);
        ReadOnlySpan<byte> rest = line[(space + 1)..];
        if (rest.Length < 3 || !IsDigit(rest[0]) || !IsDigit(rest[1]) || !IsDigit(rest[2]) || (rest.Length > 3 && rest[3] != (byte)' '))
        {
            error = $"The status line has no three-digit status code after the version: \"{ByteText.Escape(line)}\".";
            return false;
        }
        statusCode = ((rest[0] - '0') * 100) + ((rest[1] - '0') * 10) + (rest[2] - '0');
        // A missing SP before an empty reason is a common slip; it is kept visible in StatusLine rather than rejected.
        reason = rest.Length > 4 ? Encoding.Latin1.GetString(rest[4..]) : string.Empty;
        return true;
    }

    private static ParseStatus ParseFieldLines(ReadOnlySpan<byte> data, ref int position, List<(int Start, int Length)> fields, out string? error)
    {
        error = null;
        while (true)
        {
            int lineEnd = data[position..].IndexOf((byte)'\n');
            if (lineEnd < 0)
            {
                return ParseStatus.Incomplete;
            }
            ReadOnlySpan<byte> line = data.Slice(position, lineEnd + 1);
            ReadOnlySpan<byte> content = TrimLineEnding(line);
            if (content.IsEmpty)
            {
                position += line.Length;
                return ParseStatus.Complete;
            }
            if (content[0] is (byte)' ' or (byte)'\t')
            {
                // RFC 9112 §5.2: obs-fold is deprecated; a server must not send it.
                error = $"A field line starts with whitespace (obsolete line folding): \"{ByteText.Escape(line)}\".";
                return ParseStatus.Invalid;
            }
            int colon = content.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(content[..colon]))
            {
                error = $"A field line has no valid \"name:\" (RFC 9112 §5.1 forbids whitespace before the colon): \"{ByteText.Escape(line)}\".";
                return ParseStatus.Invalid;
            }
            fields.Add((position, line.Length));
            position += line.Length;
        }
    }

    private static ParseStatus ParseChunkedBody(ReadOnlySpan<byte> data, ref int position, List<(int Start, int Length)> trailers, out byte[]? body, out string? error)
    {
        // RFC 9112 §7.1: chunked-body = *chunk last-chunk trailer-section CRLF
        body = null;
        error = null;
        var decoded = new List<byte[]>();
        int total = 0;
        while (true)
        {
            int lineEnd = data[position..].IndexOf((byte)'\n');
            if (lineEnd < 0)
            {
                return ParseStatus.Incomplete;
            }
            ReadOnlySpan<byte> sizeLine = TrimLineEnding(data.Slice(position, lineEnd + 1));
            int extension = sizeLine.IndexOf((byte)';');
            ReadOnlySpan<byte> sizeText = (extension < 0 ? sizeLine : sizeLine[..extension]).TrimEnd(" \t"u8);
            if (sizeText.IsEmpty
                || sizeText.Length > 7
                || !int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int size))
            {
                error = $"A chunk-size line is not a hexadecimal size: \"{ByteText.Escape(data.Slice(position, lineEnd + 1))}\".";
                return ParseStatus.Invalid;
            }
            position += lineEnd + 1;
            if (size == 0)
            {
                break;
            }
            if (data.Length - position < size)
            {
                return ParseStatus.Incomplete;
            }
            decoded.Add(data.Slice(position, size).ToArray());
            total += size;
            position += size;
            ReadOnlySpan<byte> after = data[position..];
            if (after.StartsWith("\r\n"u8))
            {
                position += 2;
            }
            else if (after.StartsWith("\n"u8))
            {
                position += 1;
            }
            else if (after.Length < 2 && (after.IsEmpty || after[0] == (byte)'\r'))
            {
                return ParseStatus.Incomplete;
            }
            else
            {
                error = $"Chunk data of {size} bytes is not followed by CRLF; the next bytes are \"{ByteText.Escape(after[..Math.Min(after.Length, 32)])}\".";
                return ParseStatus.Invalid;
            }
        }

        ParseStatus trailerStatus = ParseFieldLines(data, ref position, trailers, out error);
        if (trailerStatus != ParseStatus.Complete)
        {
            return trailerStatus;
        }
        body = new byte[total];
        int offset = 0;
        foreach (byte[] piece in decoded)
        {
            piece.CopyTo(body, offset);
            offset += piece.Length;
        }
        return ParseStatus.Complete;
    }

    private static bool LastTransferCodingIsChunked(List<string> names, List<string> values)
    {
        string? last = null;
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                last = values[i];
            }
        }
        if (last is null)
        {
            return false;
        }
        int comma = last.LastIndexOf(',');
        string coding = (comma < 0 ? last : last[(comma + 1)..]).Trim(' ', '\t');
        return string.Equals(coding, "chunked", StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryGetContentLength(List<string> names, List<string> values, out long length, out string error)
    {
        // RFC 9110 §8.6: a list of identical values may be treated as one; anything else is invalid framing.
        length = -1;
        error = string.Empty;
        for (int i = 0; i < names.Count; i++)
        {
            if (!string.Equals(names[i], "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            foreach (string part in values[i].Split(','))
            {
                string trimmed = part.Trim(' ', '\t');
                if (trimmed.Length == 0 || trimmed.Length > 10 || !IsAllDigits(trimmed) || !long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value > int.MaxValue)
                {
                    error = $"Content-Length \"{values[i]}\" is not a length this client can read.";
                    return false;
                }
                if (length >= 0 && value != length)
                {
                    error = $"The response has conflicting Content-Length values ({length} and {value}).";
                    return false;
                }
                length = value;
            }
        }
        return true;
    }

    private static int IndexOfField(List<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    private static void SplitField(ReadOnlySpan<byte> line, out string name, out string value)
    {
        ReadOnlySpan<byte> content = TrimLineEnding(line);
        int colon = content.IndexOf((byte)':');
        name = Encoding.Latin1.GetString(content[..colon]);
        value = Encoding.Latin1.GetString(content[(colon + 1)..].Trim(" \t"u8));
    }

    private static ReadOnlySpan<byte> TrimLineEnding(ReadOnlySpan<byte> line)
    {
        if (line.EndsWith("\n"u8))
        {
            line = line[..^1];
        }
        if (line.EndsWith("\r"u8))
        {
            line = line[..^1];
        }
        return line;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool IsAllDigits(string text)
    {
        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        return true;
    }

    // RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private static bool IsToken(ReadOnlySpan<byte> name)
    {
        foreach (byte b in name)
        {
            bool ok = b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                || "!#$%&'*+-.^_`|~"u8.Contains(b);
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }
}
