namespace TinyHttp;

/// <summary>Status codes and messages for <see cref="RequestRejectionReason"/>, kept in one table.</summary>
internal static class RequestRejection
{
    public static int StatusCodeOf(RequestRejectionReason reason) => reason switch
    {
        RequestRejectionReason.RequestLineTooLong => 414,
        RequestRejectionReason.UnsupportedHttpVersion => 505,
        RequestRejectionReason.HeadersTooLarge or RequestRejectionReason.TooManyHeaders => 431,
        RequestRejectionReason.UnsupportedTransferCoding => 501,
        RequestRejectionReason.RequestBodyTooLarge => 413,
        RequestRejectionReason.RequestHeadersTimeout or RequestRejectionReason.RequestBodyTimeout => 408,
        RequestRejectionReason.UnsupportedExpectation => 417,
        RequestRejectionReason.UnsupportedWebSocketVersion => 426,
        RequestRejectionReason.WebSocketOriginRefused => 403,
        _ => 400,
    };

    public static string Describe(RequestRejectionReason reason) => reason switch
    {
        RequestRejectionReason.InvalidRequestLine => "The request line is malformed.",
        RequestRejectionReason.PlainHttpOnHttpsPort => "This port speaks HTTPS; the request was sent as plain HTTP.",
        RequestRejectionReason.InvalidWebSocketKey => "Sec-WebSocket-Key must be 16 bytes in base64.",
        RequestRejectionReason.UnsupportedWebSocketVersion => "Only WebSocket version 13 is supported.",
        RequestRejectionReason.WebSocketOriginRefused => "WebSocket connections from this origin are not allowed.",
        RequestRejectionReason.InvalidMethod => "The request method is not a valid token.",
        RequestRejectionReason.InvalidRequestTarget => "The request target is malformed.",
        RequestRejectionReason.RequestLineTooLong => "The request line is too long.",
        RequestRejectionReason.InvalidHttpVersion => "The HTTP version is malformed.",
        RequestRejectionReason.UnsupportedHttpVersion => "The HTTP version is not supported; use HTTP/1.1 or HTTP/1.0.",
        RequestRejectionReason.InvalidHeaderLine => "A header line is malformed.",
        RequestRejectionReason.InvalidHeaderName => "A header field name is not a valid token.",
        RequestRejectionReason.WhitespaceBeforeColon => "Whitespace between a header field name and the colon is not allowed.",
        RequestRejectionReason.ObsoleteLineFolding => "Header line folding (obs-fold) is not allowed.",
        RequestRejectionReason.InvalidHeaderValue => "A header field value contains a control character.",
        RequestRejectionReason.BareLineFeed => "Lines must end with CRLF.",
        RequestRejectionReason.HeadersTooLarge => "The request header section is too large.",
        RequestRejectionReason.TooManyHeaders => "The request has too many header fields.",
        RequestRejectionReason.MissingHost => "An HTTP/1.1 request must have a Host header.",
        RequestRejectionReason.MultipleHost => "The request has more than one Host header.",
        RequestRejectionReason.InvalidHost => "The Host header value is malformed.",
        RequestRejectionReason.InvalidContentLength => "The Content-Length header value is invalid.",
        RequestRejectionReason.MultipleContentLength => "The request has more than one Content-Length header.",
        RequestRejectionReason.TransferEncodingWithContentLength => "Transfer-Encoding and Content-Length must not both be present.",
        RequestRejectionReason.ChunkedNotFinalTransferCoding => "The final transfer coding must be chunked, applied once.",
        RequestRejectionReason.UnsupportedTransferCoding => "Only the chunked transfer coding is supported.",
        RequestRejectionReason.TransferEncodingInHttp10 => "Transfer-Encoding is not allowed in an HTTP/1.0 request.",
        RequestRejectionReason.InvalidChunkSize => "A chunk size is malformed.",
        RequestRejectionReason.InvalidChunkFraming => "Chunked body framing is malformed.",
        RequestRejectionReason.InvalidTrailer => "A trailer field is malformed.",
        RequestRejectionReason.UnexpectedEndOfRequestBody => "The connection closed before the request body was complete.",
        RequestRejectionReason.RequestBodyTooLarge => "The request body is too large.",
        RequestRejectionReason.RequestHeadersTimeout => "The request headers were not received in time.",
        RequestRejectionReason.UnsupportedExpectation => "Only the 100-continue expectation is supported.",
        RequestRejectionReason.RequestBodyTimeout => "The request body arrived too slowly.",
        _ => "The request is invalid.",
    };
}
