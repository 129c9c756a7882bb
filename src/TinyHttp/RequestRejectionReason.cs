namespace TinyHttp;

/// <summary>
/// RequestRejectionReason names every way a request can be refused. Each maps to one status code
/// (see <see cref="BadHttpRequestException.StatusCode"/>) and is logged by name.
/// </summary>
internal enum RequestRejectionReason
{
    /// <summary>The request line is not <c>method SP request-target SP HTTP-version CRLF</c> (400).</summary>
    InvalidRequestLine,
    /// <summary>The method is empty or is not a token (400).</summary>
    InvalidMethod,
    /// <summary>The request-target has a forbidden byte, bad percent-encoding, or the wrong form for the method (400).</summary>
    InvalidRequestTarget,
    /// <summary>The request line is longer than <see cref="TinyHttpServerOptions.MaxRequestLineLength"/> (414).</summary>
    RequestLineTooLong,
    /// <summary>The HTTP-version is not of the form <c>HTTP/DIGIT.DIGIT</c> (400).</summary>
    InvalidHttpVersion,
    /// <summary>The HTTP-version is well formed but its major version is not 1 (505).</summary>
    UnsupportedHttpVersion,
    /// <summary>A header line has no colon or an empty field name (400).</summary>
    InvalidHeaderLine,
    /// <summary>A field name has a byte that is not a token character (400).</summary>
    InvalidHeaderName,
    /// <summary>Whitespace between a field name and its colon, RFC 9112 §5.1 (400).</summary>
    WhitespaceBeforeColon,
    /// <summary>A header line starts with whitespace (obs-fold), RFC 9112 §5.2 (400).</summary>
    ObsoleteLineFolding,
    /// <summary>A field value holds a control byte such as NUL or a bare CR (400).</summary>
    InvalidHeaderValue,
    /// <summary>A line ends in LF without CR; TinyHttp accepts only CRLF line endings (400).</summary>
    BareLineFeed,
    /// <summary>The header section is larger than <see cref="TinyHttpServerOptions.MaxRequestHeadersTotalSize"/> (431).</summary>
    HeadersTooLarge,
    /// <summary>There are more fields than <see cref="TinyHttpServerOptions.MaxRequestHeaderCount"/> (431).</summary>
    TooManyHeaders,
    /// <summary>An HTTP/1.1 request has no Host field, RFC 9112 §3.2 (400).</summary>
    MissingHost,
    /// <summary>A request has more than one Host field, RFC 9112 §3.2 (400).</summary>
    MultipleHost,
    /// <summary>The Host field value is not <c>uri-host [ ":" port ]</c> (400).</summary>
    InvalidHost,
    /// <summary>Content-Length is not a single non-negative decimal number that fits in 63 bits (400).</summary>
    InvalidContentLength,
    /// <summary>More than one Content-Length field; TinyHttp does not merge them, even when equal (400).</summary>
    MultipleContentLength,
    /// <summary>Both Transfer-Encoding and Content-Length are present: a request-smuggling signal, RFC 9112 §6.3 (400).</summary>
    TransferEncodingWithContentLength,
    /// <summary>Transfer-Encoding is present but chunked is not the final coding, or is applied twice, RFC 9112 §6.3 (400).</summary>
    ChunkedNotFinalTransferCoding,
    /// <summary>Transfer-Encoding names a coding other than chunked, which TinyHttp does not decode, RFC 9112 §6.1 (501).</summary>
    UnsupportedTransferCoding,
    /// <summary>An HTTP/1.0 request carries Transfer-Encoding, whose framing RFC 9112 §6.1 says to treat as faulty (400).</summary>
    TransferEncodingInHttp10,
    /// <summary>A chunk-size line is malformed or its size does not fit in 63 bits (400).</summary>
    InvalidChunkSize,
    /// <summary>Chunk data is not followed by CRLF, or a chunk line is too long (400).</summary>
    InvalidChunkFraming,
    /// <summary>A trailer field in a chunked body is malformed or the trailer section is too large (400).</summary>
    InvalidTrailer,
    /// <summary>The connection ended before the whole request body arrived (400).</summary>
    UnexpectedEndOfRequestBody,
    /// <summary>The request body is larger than the request's <see cref="HttpRequest.MaxBodySize"/> (413).</summary>
    RequestBodyTooLarge,
    /// <summary>The header section did not arrive within <see cref="TinyHttpServerOptions.RequestHeadersTimeout"/> (408).</summary>
    RequestHeadersTimeout,
    /// <summary>An Expect field asks for something other than 100-continue, RFC 9110 §10.1.1 (417).</summary>
    UnsupportedExpectation,
    /// <summary>The request body arrived slower than <see cref="TinyHttpServerOptions.MinRequestBodyDataRate"/> (408).</summary>
    RequestBodyTimeout,

    /// <summary>Plain HTTP arrived on an HTTPS endpoint (400, answered in plain text).</summary>
    PlainHttpOnHttpsPort,

    /// <summary>A WebSocket upgrade whose Sec-WebSocket-Key is not 16 bytes of base64, RFC 6455 §4.2.1 (400).</summary>
    InvalidWebSocketKey,

    /// <summary>A WebSocket upgrade for a version other than 13, RFC 6455 §4.2.2 (426, with Sec-WebSocket-Version: 13).</summary>
    UnsupportedWebSocketVersion,

    /// <summary>A WebSocket upgrade from an Origin the handler refused, RFC 6455 §4.2.2 and §10.2 (403).</summary>
    WebSocketOriginRefused,
}
