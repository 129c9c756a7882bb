using System;

namespace TinyHttp.Protocol;

/// <summary>The form of a request-target, RFC 9112 §3.2.</summary>
internal enum RequestTargetForm : byte
{
    Origin,
    Absolute,
    Authority,
    Asterisk,
}

/// <summary>A byte range inside <see cref="RequestHead"/>'s buffer.</summary>
internal readonly record struct ByteRange(int Start, int Length)
{
    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> buffer) => buffer.Slice(Start, Length);
}

/// <summary>One field line: name and (whitespace-trimmed) value, as ranges into the head buffer.</summary>
internal readonly record struct HeaderField(ByteRange Name, ByteRange Value);

/// <summary>
/// RequestHead is a parsed request line and header section. It refers to the bytes it was parsed
/// from by offset; the parser fills it and the framing facts the server needs to read the body.
/// One instance is reused for every request its exchange carries.
/// </summary>
internal sealed class RequestHead
{
    private HeaderField[] _headers = new HeaderField[16];

    public ByteRange Method;
    public ByteRange Target;
    public ByteRange TargetPath;
    public ByteRange TargetQuery;
    public RequestTargetForm TargetForm;

    /// <summary>The minor version of HTTP/1.x: 0 or 1 (HTTP/1.2 and up are treated as 1.1, RFC 9110 §2.5).</summary>
    public int MinorVersion;
    public ReadOnlySpan<HeaderField> Headers => _headers.AsSpan(0, HeaderCount);
    public int HeaderCount;

    /// <summary>Content-Length, or -1 when absent.</summary>
    public long ContentLength;
    public bool IsChunked;
    public bool HasTransferEncoding;
    public bool ConnectionClose;
    public bool ConnectionKeepAlive;
    public bool ExpectContinue;
    public int HostCount;

    public bool IsHttp11 => MinorVersion == 1;

    /// <summary>RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".</summary>
    public bool KeepAlive => !ConnectionClose && (IsHttp11 || ConnectionKeepAlive);

    public bool HasBody => IsChunked || ContentLength > 0;

    public void Reset()
    {
        Method = default;
        Target = default;
        TargetPath = default;
        TargetQuery = default;
        TargetForm = RequestTargetForm.Origin;
        MinorVersion = 1;
        HeaderCount = 0;
        ContentLength = -1;
        IsChunked = false;
        HasTransferEncoding = false;
        ConnectionClose = false;
        ConnectionKeepAlive = false;
        ExpectContinue = false;
        HostCount = 0;
    }

    public void AddHeader(HeaderField field)
    {
        if (HeaderCount == _headers.Length)
        {
            Array.Resize(ref _headers, _headers.Length * 2);
        }
        _headers[HeaderCount++] = field;
    }
}
