using System;
using System.Collections.Generic;
using System.Text;

namespace TinyHttp.Testing;

/// <summary>
/// RawHttpResponse is one HTTP/1.1 response exactly as it came off the wire: the status line, the header fields
/// in wire order with their exact bytes, the body both as sent and with chunked framing removed, and the untouched
/// bytes of the whole message. Create one with <see cref="Parse(ReadOnlySpan{byte}, bool)"/> or
/// read one with <see cref="RawHttpConnection.ReadResponseAsync"/>.
/// </summary>
public sealed class RawHttpResponse
{
    private readonly byte[] _raw;
    private readonly int _headLength;
    private IReadOnlyList<RawHttpResponse> _interimResponses = Array.Empty<RawHttpResponse>();

    internal RawHttpResponse(
        byte[] raw,
        int headLength,
        string statusLine,
        string version,
        int statusCode,
        string reasonPhrase,
        IReadOnlyList<RawHttpHeader> headers,
        IReadOnlyList<RawHttpHeader> trailers,
        BodyFraming framing,
        ReadOnlyMemory<byte> body)
    {
        _raw = raw;
        _headLength = headLength;
        StatusLine = statusLine;
        Version = version;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Headers = headers;
        Trailers = trailers;
        Framing = framing;
        Body = body;
    }

    /// <summary>StatusLine is the first line exactly as sent, without its line ending: <c>HTTP/1.1 200 OK</c>.</summary>
    public string StatusLine { get; }

    /// <summary>Version is the HTTP-version exactly as sent, for example <c>HTTP/1.1</c>.</summary>
    public string Version { get; }

    /// <summary>StatusCode is the three-digit status code.</summary>
    public int StatusCode { get; }

    /// <summary>ReasonPhrase is the text after the status code exactly as sent; empty when there is none.</summary>
    public string ReasonPhrase { get; }

    /// <summary>Headers are the header fields in the order they were sent, repeats included.</summary>
    public IReadOnlyList<RawHttpHeader> Headers { get; }

    /// <summary>Trailers are the trailer fields after a chunked body; empty for any other framing.</summary>
    public IReadOnlyList<RawHttpHeader> Trailers { get; }

    /// <summary>Framing says how the end of the body was marked.</summary>
    public BodyFraming Framing { get; }

    /// <summary>Head is the status line, the header fields and the empty line that ends them, byte for byte.</summary>
    public ReadOnlyMemory<byte> Head => _raw.AsMemory(0, _headLength);

    /// <summary>BodyAsSent is every byte after the head, chunk sizes, extensions and trailers included.</summary>
    public ReadOnlyMemory<byte> BodyAsSent => _raw.AsMemory(_headLength);

    /// <summary>Body is the content: <see cref="BodyAsSent"/> with chunked framing removed.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>BodyText is <see cref="Body"/> decoded as UTF-8.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    /// <summary>Raw is the whole message exactly as received, head and body.</summary>
    public ReadOnlyMemory<byte> Raw => _raw;

    /// <summary>
    /// IsInterim is true for an interim response: a 1xx status other than <c>101 Switching Protocols</c> (after which the
    /// connection speaks another protocol), which a final response follows (RFC 9110 §15.2).
    /// </summary>
    public bool IsInterim => StatusCode is >= 100 and < 200 && StatusCode != 101;

    /// <summary>
    /// InterimResponses are the 1xx responses (such as <c>100 Continue</c>) that came before this one, in order;
    /// <see cref="RawHttpConnection.ReadResponseAsync"/> collects them here rather than returning them.
    /// </summary>
    public IReadOnlyList<RawHttpResponse> InterimResponses
    {
        get => _interimResponses;
        internal set => _interimResponses = value;
    }

    /// <summary>Parses one complete response; the end of <paramref name="bytes"/> is the end of the connection.</summary>
    /// <param name="bytes">The response bytes, and nothing after them.</param>
    /// <param name="isHeadRequest">True when the response answers a HEAD request, so it has no body whatever its headers say.</param>
    /// <returns>The parsed response.</returns>
    /// <exception cref="FormatException">The bytes are incomplete, malformed, or followed by more bytes; the message shows them.</exception>
    public static RawHttpResponse Parse(ReadOnlySpan<byte> bytes, bool isHeadRequest = false)
    {
        ParseOutcome outcome = ResponseParser.Parse(bytes, isHeadRequest, endOfStream: true);
        switch (outcome.Status)
        {
            case ParseStatus.Complete when outcome.Consumed == bytes.Length:
                return outcome.Response!;
            case ParseStatus.Complete:
                throw new FormatException(
                    $"{bytes.Length - outcome.Consumed} bytes follow the end of the response ({outcome.Consumed} bytes); parse each response on its own. Received {ByteText.Describe(bytes)}");
            case ParseStatus.Incomplete:
                throw new FormatException($"The response is incomplete. Received {ByteText.Describe(bytes)}");
            default:
                throw new FormatException($"{outcome.Error} Received {ByteText.Describe(bytes)}");
        }
    }

    /// <summary>Parses one complete response written as text, with <c>\r\n</c> spelled out; each char is one byte (ISO-8859-1).</summary>
    /// <param name="text">The response text.</param>
    /// <param name="isHeadRequest">True when the response answers a HEAD request.</param>
    /// <returns>The parsed response.</returns>
    /// <exception cref="FormatException">The text is incomplete, malformed, or followed by more text.</exception>
    public static RawHttpResponse Parse(string text, bool isHeadRequest = false) => Parse(ByteText.Latin1(text), isHeadRequest);

    /// <summary>Returns the value of the first header named <paramref name="name"/> (case-insensitive), or null when there is none.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The first value, or null.</returns>
    public string? GetHeader(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (RawHttpHeader header in Headers)
        {
            if (string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }
        return null;
    }

    /// <summary>Returns the values of every header named <paramref name="name"/> (case-insensitive), in wire order.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The values; empty when there is no such header.</returns>
    public IReadOnlyList<string> GetHeaderValues(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var values = new List<string>();
        foreach (RawHttpHeader header in Headers)
        {
            if (string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                values.Add(header.Value);
            }
        }
        return values;
    }

    /// <summary>Returns the whole message with every byte that is not printable ASCII escaped (<c>\r</c>, <c>\n</c>, <c>\xHH</c>).</summary>
    public override string ToString() => ByteText.Escape(_raw);
}
