using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Protocol;
using TinyHttp.Server;

namespace TinyHttp;

/// <summary>
/// HttpResponse is what a handler sends back. Set <see cref="StatusCode"/> and <see cref="Headers"/>, then give
/// the body either whole (<see cref="SetBody(ReadOnlyMemory{byte})"/>) or in pieces (<see cref="WriteAsync"/>).
/// The server chooses the framing: Content-Length when the whole body is known by the time the handler returns
/// (or fits in <see cref="TinyHttpServerOptions.ResponseBufferSize"/>), otherwise chunked on HTTP/1.1 and
/// close-delimited on HTTP/1.0. HEAD requests get the same head and no body; 1xx, 204 and 304 never have a body.
/// </summary>
public sealed class HttpResponse
{
    private const string TextContentType = "text/plain; charset=utf-8";

    private readonly IHttpExchange _exchange;
    private readonly int _bufferSize;
    private int _statusCode = 200;
    private long? _contentLength;
    private string? _reasonPhrase;
    private ReadOnlyMemory<byte> _wholeBody;
    private bool _hasWholeBody;
    private byte[]? _buffer;
    private int _buffered;
    private long _bytesWritten;
    private ResponseFraming _framing;
    private bool _completed;

    internal HttpResponse(IHttpExchange exchange, int bufferSize)
    {
        _exchange = exchange;
        _bufferSize = bufferSize;
        Headers = new HttpResponseHeaders(this);
        Body = new ResponseBodyStream(this);
    }

    /// <summary>The status code, 200 by default. Must be 100–999; cannot change once the response has started.</summary>
    public int StatusCode
    {
        get => _statusCode;
        set
        {
            ThrowIfStarted();
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 100);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 999);
            _statusCode = value;
        }
    }

    /// <summary>The reason phrase; null (the default) sends the RFC 9110 phrase for <see cref="StatusCode"/>, or none for an unknown code.</summary>
    public string? ReasonPhrase
    {
        get => _reasonPhrase;
        set
        {
            ThrowIfStarted();
            if (value is not null && (!HttpCharacters.IsValidFieldValue(value) || value.Contains('\t')))
            {
                throw new ArgumentException("A reason phrase may not contain control characters such as CR or LF.", nameof(value));
            }
            _reasonPhrase = value;
        }
    }

    /// <summary>The header fields to send.</summary>
    public HttpResponseHeaders Headers { get; }

    /// <summary>
    /// The body length to announce. It is the response's one Content-Length: <see cref="Headers"/> shows it as the
    /// <c>Content-Length</c> field, and setting that field sets this. Optional: the server sets it for a whole body. Set it
    /// before streaming a body of known length to avoid chunked coding; writing more throws
    /// <see cref="InvalidOperationException"/>, writing less aborts the connection.
    /// </summary>
    public long? ContentLength
    {
        get => _contentLength;
        set
        {
            ThrowIfStarted();
            if (value is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), "ContentLength must be null or non-negative.");
            }
            _contentLength = value;
        }
    }

    /// <summary>The Content-Type field, or null.</summary>
    public string? ContentType
    {
        get => Headers["Content-Type"];
        set => Headers["Content-Type"] = value;
    }

    /// <summary>True once the status line and headers have been sent (or queued to send); after that they cannot change.</summary>
    public bool HasStarted { get; private set; }

    /// <summary>The body as a stream, for APIs that write to one. Writes go through <see cref="WriteAsync"/>.</summary>
    public Stream Body { get; }

    /// <summary>
    /// Sets the whole body. It is sent after the handler returns, with a Content-Length, without copying
    /// (a cached array can be reused across requests). Calling it again replaces the body.
    /// </summary>
    /// <exception cref="InvalidOperationException">The response has started, or the body was already written with <see cref="WriteAsync"/>.</exception>
    public void SetBody(ReadOnlyMemory<byte> body)
    {
        ThrowIfStarted();
        if (_bytesWritten > 0)
        {
            throw new InvalidOperationException("SetBody replaces the whole body, so it cannot follow WriteAsync or Write; use one or the other.");
        }
        _wholeBody = body;
        _hasWholeBody = true;
    }

    /// <summary>Sets the whole body to <paramref name="text"/> in UTF-8, and Content-Type to <c>text/plain; charset=utf-8</c> unless one is set.</summary>
    /// <exception cref="InvalidOperationException">The response has started, or the body was already written.</exception>
    public void SetBody(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        SetBody(Encoding.UTF8.GetBytes(text));
        if (!Headers.Contains("Content-Type"))
        {
            Headers.Set("Content-Type", TextContentType);
        }
    }

    /// <summary>
    /// Writes part of the body. Small writes are buffered; once more than <see cref="TinyHttpServerOptions.ResponseBufferSize"/>
    /// bytes are written (or on <see cref="FlushAsync"/>) the head is sent and the body streams.
    /// </summary>
    /// <exception cref="InvalidOperationException">The status does not allow a body, <see cref="SetBody(ReadOnlyMemory{byte})"/> was used, the write would exceed <see cref="ContentLength"/>, or the handler already returned.</exception>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (!BeginWrite(data.Length))
        {
            return default;
        }
        if (!HasStarted && _buffered + data.Length <= _bufferSize)
        {
            BufferBody(data.Span);
            return default;
        }
        return StartAndWriteAsync(data, cancellationToken);
    }

    /// <summary>
    /// Writes part of the body synchronously; the same rules as <see cref="WriteAsync"/>. Writes go through the
    /// asynchronous path: a write that fits the buffers returns at once, one that must send blocks until it is sent.
    /// </summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (!BeginWrite(data.Length))
        {
            return;
        }
        if (!HasStarted && _buffered + data.Length <= _bufferSize)
        {
            BufferBody(data);
            return;
        }
        // The caller's span cannot cross an await: copy it into pooled memory for the send, piece by piece, so the
        // pooled array stays a small object (see RequestBodyStream.CopyBufferSize).
        byte[] copy = ArrayPool<byte>.Shared.Rent(Math.Min(data.Length, RequestBodyStream.CopyBufferSize));
        try
        {
            while (!data.IsEmpty)
            {
                int count = Math.Min(data.Length, copy.Length);
                data[..count].CopyTo(copy);
                data = data[count..];
                Server.SocketEventLoop.Block(StartAndWriteAsync(copy.AsMemory(0, count), CancellationToken.None));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>
    /// Writes <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/> as part of the body,
    /// under the same rules as <see cref="WriteAsync"/>. On a plain TCP connection a region larger than the output buffer
    /// goes from the file to the socket without passing through managed memory (sendfile); over TLS, or for a small
    /// region, it is read into the connection's output buffer.
    /// </summary>
    internal async ValueTask SendFileAsync(FileStream file, long offset, long count, CancellationToken cancellationToken)
    {
        if (!BeginWrite(count))
        {
            return;
        }
        if (!HasStarted)
        {
            Start(complete: false);
            await EmitBufferedBodyAsync(cancellationToken).ConfigureAwait(false);
        }
        await _exchange.SendFileAsync(file, offset, count, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the head (if not yet sent) and everything written so far. Afterwards the body streams.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        if (!HasStarted)
        {
            Start(complete: false);
            await EmitBufferedBodyAsync(cancellationToken).ConfigureAwait(false);
        }
        await _exchange.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resets the connection (TCP RST): the client gets no response. For fault injection and hopeless requests.</summary>
    public void Abort() => _exchange.Abort();

    /// <summary>
    /// Takes the connection away from the server: it sends nothing more and reads no further requests on it.
    /// The caller owns the returned stream (bytes the client already sent past this request's head come first);
    /// disposing it closes the connection. For protocol upgrades and for sending deliberately broken responses in tests.
    /// It may be called at any point before the response starts, also after the handler has awaited.
    /// </summary>
    /// <exception cref="InvalidOperationException">The response has started.</exception>
    public Stream DetachConnection()
    {
        ThrowIfStarted();
        HasStarted = true;
        _completed = true;
        return _exchange.Detach();
    }

    /// <summary>
    /// Accepts a WebSocket upgrade (<see cref="HttpRequest.IsWebSocketRequest"/>): answers <c>101 Switching Protocols</c>
    /// with the RFC 6455 §4.2.2 fields (and any the handler set in <see cref="Headers"/>) and returns the WebSocket, made by
    /// the runtime's own implementation over the connection. The WebSocket lives as long as the handler: when the handler
    /// returns, the server disposes it; when the server stops, it sends a Close frame (1001, going away) and waits for the
    /// handler within the drain time, then aborts it and fires the handler's token.
    /// </summary>
    /// <exception cref="InvalidOperationException">The request is not a WebSocket upgrade, the response has started, or <see cref="WebSocketAcceptOptions.SubProtocol"/> was not offered.</exception>
    /// <exception cref="BadHttpRequestException">The upgrade is malformed: a bad Sec-WebSocket-Key (400), a version other than 13 (426), or an origin refused by <see cref="WebSocketAcceptOptions.AllowOrigin"/> (403). Let it escape and the server answers with that status.</exception>
    public async Task<WebSocket> AcceptWebSocketAsync(WebSocketAcceptOptions? options = null)
    {
        ThrowIfStarted();
        options ??= DefaultWebSocketOptions;
        HttpRequest request = _exchange.Request;
        if (!request.IsWebSocketRequest)
        {
            throw new InvalidOperationException("This is not a WebSocket upgrade request (a GET over HTTP/1.1 with Upgrade: websocket and Connection: Upgrade); check HttpRequest.IsWebSocketRequest first.");
        }
        if (request.Headers["Sec-WebSocket-Version"]?.Trim() != WebSocketHandshake.SupportedVersion)
        {
            throw new BadHttpRequestException(RequestRejectionReason.UnsupportedWebSocketVersion);
        }
        string? key = request.Headers["Sec-WebSocket-Key"]?.Trim();
        if (!WebSocketHandshake.IsValidKey(key))
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidWebSocketKey);
        }
        if (options.AllowOrigin is { } allowOrigin && !allowOrigin(request.Headers["Origin"]))
        {
            throw new BadHttpRequestException(RequestRejectionReason.WebSocketOriginRefused);
        }
        if (_bytesWritten > 0 || _hasWholeBody)
        {
            throw new InvalidOperationException("A body was already written or set; a 101 Switching Protocols response has none. Accept the WebSocket before writing anything.");
        }
        if (options.KeepAliveInterval < TimeSpan.Zero && options.KeepAliveInterval != Timeout.InfiniteTimeSpan)
        {
            throw new InvalidOperationException("WebSocketAcceptOptions.KeepAliveInterval must be zero (no keep-alive pings) or positive.");
        }
        if (options.SubProtocol is { } token && !HttpCharacters.IsToken(token))
        {
            throw new InvalidOperationException($"'{token}' is not a valid subprotocol name: RFC 6455 §4.1 requires a token (no spaces, slashes or separators).");
        }
        if (options.SubProtocol is { } chosen && !Offered(request.WebSocketSubProtocols, chosen))
        {
            throw new InvalidOperationException($"The client did not offer the subprotocol '{chosen}'; choose one of HttpRequest.WebSocketSubProtocols, or none.");
        }

        Headers.Set("Upgrade", "websocket");
        Headers.Set("Sec-WebSocket-Accept", WebSocketHandshake.AcceptValue(key!));
        if (options.SubProtocol is not null)
        {
            Headers.Set("Sec-WebSocket-Protocol", options.SubProtocol);
        }
        WebSocketDeflateOptions? deflate = null;
        if (options.EnableCompression
            && WebSocketHandshake.NegotiateDeflate(request.Headers.GetValues("Sec-WebSocket-Extensions"), out DeflateSettings agreed) is { } extension)
        {
            Headers.Set("Sec-WebSocket-Extensions", extension);
            deflate = new WebSocketDeflateOptions
            {
                ClientMaxWindowBits = agreed.ClientMaxWindowBits,
                ServerMaxWindowBits = agreed.ServerMaxWindowBits,
                ClientContextTakeover = agreed.ClientContextTakeover,
                ServerContextTakeover = agreed.ServerContextTakeover,
            };
        }
        _statusCode = 101;
        ResponseField[] fields = Headers.Fields.ToArray();
        HasStarted = true;
        _completed = true;
        Stream stream = await _exchange.UpgradeAsync(fields).ConfigureAwait(false);
        WebSocket webSocket;
        try
        {
            webSocket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
            {
                IsServer = true,
                SubProtocol = options.SubProtocol,
                KeepAliveInterval = options.KeepAliveInterval,
                DangerousDeflateOptions = deflate,
            });
        }
        catch
        {
            // The 101 is sent and the connection is ours alone: close it rather than leave it to the finalizer.
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        _exchange.OnWebSocket(webSocket);
        return webSocket;
    }

    private static readonly WebSocketAcceptOptions DefaultWebSocketOptions = new();

    // RFC 6455 §4.1: subprotocol names are tokens, compared as they are (case-sensitive).
    private static bool Offered(IReadOnlyList<string> offered, string chosen)
    {
        foreach (string name in offered)
        {
            if (name == chosen)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Makes the response new for the next request; returns the small-write buffer to the pool.</summary>
    internal void Reset()
    {
        _statusCode = 200;
        _reasonPhrase = null;
        _contentLength = null;
        _wholeBody = default;
        _hasWholeBody = false;
        _buffered = 0;
        _bytesWritten = 0;
        _framing = default;
        _completed = false;
        HasStarted = false;
        Headers.Reset();
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    /// <summary>
    /// Finishes the response after the handler returned: queues the head and whole body, or ends a streamed body.
    /// Returns false when the body is shorter than its Content-Length, so the connection must be aborted.
    /// </summary>
    internal ValueTask<bool> CompleteAsync()
    {
        if (_completed)
        {
            return new ValueTask<bool>(true);
        }
        _completed = true;
        if (!HasStarted)
        {
            Start(complete: true);
            ValueTask writing = _hasWholeBody ? _exchange.WriteBodyAsync(_wholeBody, CancellationToken.None) : EmitBufferedBodyAsync(CancellationToken.None);
            return writing.IsCompletedSuccessfully ? new ValueTask<bool>(true) : AwaitTrue(writing);
        }
        _exchange.EndBody();
        return new ValueTask<bool>(_framing.Kind != ResponseBodyFraming.ContentLength || _bytesWritten >= _framing.ContentLength
            || _exchange.Request.Method == "HEAD");
    }

    private static async ValueTask<bool> AwaitTrue(ValueTask writing)
    {
        await writing.ConfigureAwait(false);
        return true;
    }

    /// <summary>Marks a server-written error response as sent, so the handler's writes (if any) fail.</summary>
    internal void MarkCompleted()
    {
        HasStarted = true;
        _completed = true;
    }

    private bool BeginWrite(long length)
    {
        ThrowIfCompleted();
        if (_hasWholeBody)
        {
            throw new InvalidOperationException("The body was set with SetBody; WriteAsync cannot add to it.");
        }
        if (!ResponseFraming.StatusAllowsBody(_statusCode))
        {
            throw new InvalidOperationException($"A {_statusCode} response cannot have a body (RFC 9110 §15).");
        }
        long? limit = HasStarted ? (_framing.Kind == ResponseBodyFraming.ContentLength ? _framing.ContentLength : null) : ContentLength;
        if (limit is long max && _bytesWritten + length > max)
        {
            throw new InvalidOperationException($"Writing {length} more bytes would exceed the declared Content-Length of {max} ({_bytesWritten} already written).");
        }
        _bytesWritten += length;
        return length > 0;
    }

    private void BufferBody(ReadOnlySpan<byte> data)
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(Math.Max(_bufferSize, 1));
        data.CopyTo(_buffer.AsSpan(_buffered));
        _buffered += data.Length;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask StartAndWriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!HasStarted)
        {
            Start(complete: false);
            await EmitBufferedBodyAsync(cancellationToken).ConfigureAwait(false);
        }
        await _exchange.WriteBodyAsync(data, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask EmitBufferedBodyAsync(CancellationToken cancellationToken)
    {
        if (_buffered == 0)
        {
            return default;
        }
        int length = _buffered;
        _buffered = 0;
        return _exchange.WriteBodyAsync(_buffer.AsMemory(0, length), cancellationToken);
    }

    private void Start(bool complete)
    {
        long? completeLength = complete ? (_hasWholeBody ? _wholeBody.Length : _bytesWritten) : null;
        _framing = _exchange.StartResponse(_statusCode, _reasonPhrase, Headers.Fields, ContentLength, completeLength);
        HasStarted = true;
    }

    private void ThrowIfStarted()
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("The response has started: status, reason and headers can no longer change.");
        }
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("The response is complete: the handler returned, or the connection was detached or aborted.");
        }
    }
}
