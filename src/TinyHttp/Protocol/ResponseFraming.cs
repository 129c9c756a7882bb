using System;

namespace TinyHttp.Protocol;

/// <summary>How a response's end is marked on the wire (RFC 9112 §6).</summary>
internal enum ResponseBodyFraming : byte
{
    /// <summary>No body and no framing field: 1xx, 204, or a 304 without a Content-Length.</summary>
    None,
    ContentLength,
    Chunked,
    /// <summary>The body ends when the connection closes (HTTP/1.0 clients, RFC 9112 §6.3 rule 8).</summary>
    CloseDelimited,
}

/// <summary>
/// ResponseFraming is the decision of how a response's body is delimited: the kind of framing and, for
/// Content-Length framing, the length announced. Every response goes through <see cref="Decide"/>, the
/// handler's and the ones the server writes itself, so HEAD, 1xx, 204, 205, 304 and CONNECT are handled once.
/// </summary>
internal readonly record struct ResponseFraming(ResponseBodyFraming Kind, long ContentLength)
{
    /// <summary>
    /// Decides the framing of a response.
    /// </summary>
    /// <param name="statusCode">The final status code (200–999).</param>
    /// <param name="isConnectRequest">The request was CONNECT (authority-form target).</param>
    /// <param name="isHttp11">The request was HTTP/1.1 (chunked coding is available).</param>
    /// <param name="declaredLength">The Content-Length the handler declared, if any.</param>
    /// <param name="completeLength">The whole body's length when it is known at this point (the handler has returned), else null.</param>
    /// <exception cref="InvalidOperationException">A declared length disagrees with the whole body's length.</exception>
    public static ResponseFraming Decide(int statusCode, bool isConnectRequest, bool isHttp11, long? declaredLength, long? completeLength)
    {
        if (isConnectRequest && statusCode is >= 200 and < 300)
        {
            // RFC 9110 §9.3.6: no Content-Length or Transfer-Encoding in a 2xx to CONNECT; the connection becomes a
            // tunnel, so whatever follows is raw bytes until it closes.
            return new ResponseFraming(ResponseBodyFraming.CloseDelimited, 0);
        }
        if (!StatusAllowsBody(statusCode))
        {
            // A 304 may announce the length a 200 would have had (RFC 9110 §8.6); 1xx and 204 must not. A 205 has no
            // content but, unlike 204, must still frame it: Content-Length: 0 (RFC 9110 §15.3.6).
            if (statusCode == 205)
            {
                return new ResponseFraming(ResponseBodyFraming.ContentLength, 0);
            }
            return statusCode == 304 && declaredLength is long notModified
                ? new ResponseFraming(ResponseBodyFraming.ContentLength, notModified)
                : new ResponseFraming(ResponseBodyFraming.None, 0);
        }
        if (completeLength is long length)
        {
            if (declaredLength is long promised && promised != length)
            {
                throw new InvalidOperationException($"The response declared Content-Length {promised} but its body has {length} bytes.");
            }
            return new ResponseFraming(ResponseBodyFraming.ContentLength, length);
        }
        if (declaredLength is long declared)
        {
            return new ResponseFraming(ResponseBodyFraming.ContentLength, declared);
        }
        // RFC 9112 §6.1: chunked needs an HTTP/1.1 recipient; an HTTP/1.0 client reads to the close instead.
        return new ResponseFraming(isHttp11 ? ResponseBodyFraming.Chunked : ResponseBodyFraming.CloseDelimited, 0);
    }

    /// <summary>RFC 9110 §6.4.1 and §15: 1xx, 204, 205 and 304 responses never carry content.</summary>
    public static bool StatusAllowsBody(int statusCode) => statusCode >= 200 && statusCode is not (204 or 205 or 304);

    /// <summary>Whether body bytes go on the wire: never for HEAD (RFC 9110 §9.3.2) or a status without content.</summary>
    public static bool SendsBody(int statusCode, bool isHeadRequest) => !isHeadRequest && StatusAllowsBody(statusCode);

    /// <summary>
    /// RFC 9112 §9.3 and §9.6: whether the connection persists after this response. It does when the request asked
    /// for it, the response does not ask to close, its body is not delimited by the close, the server is not stopping,
    /// and the connection is still in step (the request's body was read or can be drained, nothing failed).
    /// This is the only place the decision is made; the response head's Connection field is written from it.
    /// </summary>
    public static bool KeepsAlive(bool requestKeepAlive, ResponseBodyFraming framing, bool responseAsksToClose, bool serverStopping, bool connectionInStep) =>
        requestKeepAlive && framing != ResponseBodyFraming.CloseDelimited && !responseAsksToClose && !serverStopping && connectionInStep;

    /// <summary>The Connection option to write: close when not persisting, keep-alive for HTTP/1.0 (RFC 9112 §9.3), else none.</summary>
    public static ConnectionOption ConnectionOptionFor(bool keepAlive, bool isHttp11) =>
        !keepAlive ? ConnectionOption.Close : isHttp11 ? ConnectionOption.None : ConnectionOption.KeepAlive;

    /// <summary>RFC 9110 §7.6.1: whether the response's own Connection field carries the "close" option.</summary>
    public static bool AsksToClose(ReadOnlySpan<ResponseField> fields)
    {
        foreach (ResponseField field in fields)
        {
            if (field.Name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && HttpCharacters.ListHasToken(field.Value, "close"))
            {
                return true;
            }
        }
        return false;
    }
}
