using System;
using System.IO;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Protocol;

namespace TinyHttp;

/// <summary>
/// IHttpExchange is one request and its response as a protocol carries them: what <see cref="HttpRequest"/> and
/// <see cref="HttpResponse"/> need from whatever stands behind them. The HTTP/1.1 connection implements it over any
/// transport; an HTTP/2 stream or an in-memory test exchange could too. The public types keep the handler-facing
/// state (status, fields, the small-write buffer); the exchange decides framing and moves bytes.
/// </summary>
internal interface IHttpExchange
{
    EndPoint? RemoteEndPoint { get; }

    EndPoint? LocalEndPoint { get; }

    /// <summary>The TLS session the request arrived on, or null for plain HTTP.</summary>
    TlsConnectionInfo? Tls { get; }

    /// <summary>True once the handler first read the request body.</summary>
    bool BodyReadStarted { get; }

    /// <summary>Reads decoded request body bytes; 0 at its end.</summary>
    ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>
    /// Queues the response head and returns the framing chosen for the body. <paramref name="completeLength"/> is the
    /// whole body's length when it is known (the handler returned), else null.
    /// </summary>
    ResponseFraming StartResponse(int statusCode, string? reasonPhrase, ReadOnlySpan<ResponseField> fields, long? declaredLength, long? completeLength);

    /// <summary>Sends body bytes in the chosen framing; drops them where the response has no body on the wire (HEAD, 304).</summary>
    ValueTask WriteBodyAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// Sends <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/> as body bytes, straight
    /// from the file where the transport allows; dropped where the response has no body on the wire.
    /// </summary>
    ValueTask SendFileAsync(FileStream file, long offset, long count, CancellationToken cancellationToken);

    /// <summary>Sends everything queued.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>Ends a streamed body (the last chunk); queued, sent with the next flush.</summary>
    void EndBody();

    /// <summary>Resets the connection; the handler's token fires.</summary>
    void Abort();

    /// <summary>Takes the connection away from the server as a stream.</summary>
    Stream Detach();

    /// <summary>
    /// Sends <c>101 Switching Protocols</c> with <paramref name="fields"/> and hands over the connection for the new
    /// protocol (RFC 9110 §15.2.2).
    /// </summary>
    ValueTask<Stream> UpgradeAsync(ResponseField[] fields);

    /// <summary>Registers the WebSocket made over the upgraded stream.</summary>
    void OnWebSocket(System.Net.WebSockets.WebSocket webSocket);

    /// <summary>The request this exchange carries.</summary>
    HttpRequest Request { get; }
}
