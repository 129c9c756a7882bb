using System;
using System.IO;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Protocol;

namespace TinyHttp.Server;

/// <summary>
/// Http1Exchange is the HTTP/1.1 side of one request at a time on a connection: it reads the body through
/// <see cref="RequestBodyReader"/> and writes the response head and body in the framing that
/// <see cref="ResponseFraming"/> decides, chunk-encoding where needed. <see cref="HttpRequest"/> and
/// <see cref="HttpResponse"/> see it only as <see cref="IHttpExchange"/>.
/// </summary>
/// <remarks>
/// An exchange with its request, response and head parser is about a kilobyte of objects, so a connection holds one
/// only while a request is in flight: it takes one from the server's <see cref="ExchangePool"/> when the first byte of a
/// head arrives and gives it back when it goes idle.
/// </remarks>
internal sealed class Http1Exchange : IHttpExchange
{
    private readonly long _maxDrain;
    private readonly ResponseHeadCache _headCache = new();
    private HttpConnection _connection = null!;
    private ConnectionOutput _output = null!;
    private CancellationTokenSource _requestAborted = new();
    private bool _requestAbortedTaken;
    private ResponseFraming _framing;
    private bool _sendsBody;
    private bool _isHeadRequest;
    private bool _isConnectRequest;

    public Http1Exchange(TinyHttpServerOptions options)
    {
        _maxDrain = options.MaxUnreadRequestBodyToDrain;
        Request = new HttpRequest(this);
        Response = new HttpResponse(this, options.ResponseBufferSize);
        Parser = new RequestHeadParser(options.MaxRequestLineLength, options.MaxRequestHeadersTotalSize, options.MaxRequestHeaderCount);
        Body = new RequestBodyReader(options.MaxRequestHeadersTotalSize);
    }

    /// <summary>The request body as it comes off the connection.</summary>
    public RequestBodyReader Body { get; }

    /// <summary>The handler's token: fires when the client goes away or the server aborts the request.</summary>
    public CancellationToken RequestAborted => _requestAborted.Token;

    /// <summary>
    /// Hands out the source behind <see cref="RequestAborted"/> for the caller to cancel; from then on the exchange never
    /// reuses it, so a cancel that lands after the exchange went back to the pool fires no other request's token.
    /// </summary>
    public CancellationTokenSource TakeRequestAborted()
    {
        _requestAbortedTaken = true;
        return _requestAborted;
    }

    /// <summary>The parser for the request head this exchange will carry.</summary>
    public RequestHeadParser Parser { get; }

    /// <summary>Puts the exchange to work on <paramref name="connection"/>, ready to parse a head.</summary>
    public void Bind(HttpConnection connection, ConnectionTransport transport, ConnectionInput input, ConnectionOutput output, ConnectionTimeouts timeouts, IClientGoneSignal clientGone)
    {
        _connection = connection;
        _output = output;
        Body.Bind(transport, input, output, timeouts, clientGone);
        Parser.Reset(Request.Head);
    }

    /// <summary>Ends the exchange and lets go of its connection, for the pool.</summary>
    public void Unbind()
    {
        End();
        // The head's copy stays from one request to the next while the connection is busy (pipelined requests reuse
        // it) and goes back to the pool with the exchange, when the connection waits.
        Request.Release();
        Body.Unbind();
        _connection = null!;
        _output = null!;
        // The source is never disposed: an abort may cancel it from another thread at any moment, and a source without
        // a timer or linked tokens holds nothing that disposing would release. A fired one cannot be reset: replace it.
        if (_requestAbortedTaken || !_requestAborted.TryReset())
        {
            _requestAborted = new CancellationTokenSource();
            _requestAbortedTaken = false;
        }
    }

    public HttpRequest Request { get; }

    HttpRequest IHttpExchange.Request => Request;

    public HttpResponse Response { get; }

    /// <summary>Whether the connection persists after this response, as decided when its head was written.</summary>
    public bool KeepAlive { get; private set; }

    /// <summary>True when the request's method is HEAD.</summary>
    public bool IsHeadRequest => _isHeadRequest;

    public EndPoint? RemoteEndPoint => _connection.RemoteEndPoint;

    public EndPoint? LocalEndPoint => _connection.LocalEndPoint;

    public TlsConnectionInfo? Tls => _connection.Tls;

    public bool BodyReadStarted => Body.HasStarted;

    /// <summary>Starts the exchange for a request whose head was just parsed.</summary>
    public void Begin()
    {
        RequestHead head = Request.Head;
        _isHeadRequest = head.Method.Length == 4 && Request.HeadBytes.Slice(head.Method.Start, 4).SequenceEqual("HEAD"u8);
        _isConnectRequest = head.TargetForm == RequestTargetForm.Authority;
        _framing = default;
        _sendsBody = false;
        KeepAlive = false;
        Body.Reset(head);
        Response.Reset();
    }

    /// <summary>Ends the exchange: the response's buffers go back to the pool and the request forgets its head.</summary>
    public void End()
    {
        Response.Reset();
        // Until the next request begins, a stale reference (a handler's forgotten background task) finds the response
        // complete and throws, instead of writing into whichever request this exchange carries next.
        Response.MarkCompleted();
    }

    public ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken) =>
        Body.ReadAsync(destination, Request.MaxBodySize, Request.ContentLength, Response.HasStarted, cancellationToken);

    public ResponseFraming StartResponse(int statusCode, string? reasonPhrase, ReadOnlySpan<ResponseField> fields, long? declaredLength, long? completeLength)
    {
        RequestHead head = Request.Head;
        if (_isHeadRequest && declaredLength is not null)
        {
            // RFC 9110 §9.3.2, §8.6: a HEAD response may announce the length a GET would have had, and sends no body.
            completeLength = null;
        }
        _framing = ResponseFraming.Decide(statusCode, _isConnectRequest, head.IsHttp11, declaredLength, completeLength);
        _sendsBody = ResponseFraming.SendsBody(statusCode, _isHeadRequest) && _framing.Kind != ResponseBodyFraming.None;
        KeepAlive = ResponseFraming.KeepsAlive(head.KeepAlive, _framing.Kind, ResponseFraming.AsksToClose(fields),
            _connection.IsServerStopping, _connection.InStep && Body.CanBeDrained(_maxDrain));
        ConnectionOption option = ResponseFraming.ConnectionOptionFor(KeepAlive, head.IsHttp11);
        ReadOnlySpan<byte> cached = _headCache.Find(statusCode, reasonPhrase, fields, _framing.Kind, _framing.ContentLength, option);
        if (!cached.IsEmpty)
        {
            cached.CopyTo(_output.GetSpan(cached.Length));
            _output.Advance(cached.Length);
            return _framing;
        }
        Span<byte> destination = _output.GetSpan(ResponseHeadWriter.MaxLength(statusCode, reasonPhrase, fields));
        _output.Advance(_headCache.Write(destination, statusCode, reasonPhrase, fields, _framing.Kind, _framing.ContentLength, option));
        return _framing;
    }

    // A chunk that fits the output queue goes in whole (size line, data and CRLF together), so a streamed body leaves
    // in buffer-sized sends rather than one send per piece.
    public ValueTask WriteBodyAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!_sendsBody || data.IsEmpty)
        {
            return default;
        }
        if (_framing.Kind != ResponseBodyFraming.Chunked)
        {
            return _output.WriteAsync(data, cancellationToken);
        }
        if (_output.Fits(data.Length + ChunkedBodyEncoder.MaxFramingOverhead))
        {
            _output.Advance(ChunkedBodyEncoder.WriteChunk(_output.GetSpan(data.Length + ChunkedBodyEncoder.MaxFramingOverhead), data.Span));
            return default;
        }
        return WriteLargeChunkAsync(data, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteLargeChunkAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _output.Advance(ChunkedBodyEncoder.WriteChunkHeader(_output.GetSpan(ChunkedBodyEncoder.MaxChunkHeaderLength), data.Length));
        await _output.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        ChunkedBodyEncoder.ChunkEnd.CopyTo(_output.GetSpan(2));
        _output.Advance(2);
    }

    public ValueTask SendFileAsync(FileStream file, long offset, long count, CancellationToken cancellationToken)
    {
        if (!_sendsBody || count == 0)
        {
            return default;
        }
        return _framing.Kind == ResponseBodyFraming.Chunked
            ? SendFileChunkAsync(file, offset, count, cancellationToken)
            : _output.SendFileAsync(file, offset, count, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendFileChunkAsync(FileStream file, long offset, long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            int piece = (int)Math.Min(count, int.MaxValue);
            _output.Advance(ChunkedBodyEncoder.WriteChunkHeader(_output.GetSpan(ChunkedBodyEncoder.MaxChunkHeaderLength), piece));
            await _output.SendFileAsync(file, offset, piece, cancellationToken).ConfigureAwait(false);
            ChunkedBodyEncoder.ChunkEnd.CopyTo(_output.GetSpan(2));
            _output.Advance(2);
            offset += piece;
            count -= piece;
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    public void EndBody()
    {
        if (_sendsBody && _framing.Kind == ResponseBodyFraming.Chunked)
        {
            ReadOnlySpan<byte> last = ChunkedBodyEncoder.LastChunk;
            last.CopyTo(_output.GetSpan(last.Length));
            _output.Advance(last.Length);
        }
    }

    public void Abort() => _connection.Abort();

    public Stream Detach() => _connection.Detach();

    public async ValueTask<Stream> UpgradeAsync(ResponseField[] fields)
    {
        Span<byte> destination = _output.GetSpan(ResponseHeadWriter.MaxLength(101, null, fields));
        _output.Advance(ResponseHeadWriter.Write(destination, 101, null, fields, ResponseBodyFraming.None, 0, ConnectionOption.Upgrade));
        await _output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        // The upgraded connection may idle for hours: the 101's buffer goes back now, not when the handler returns.
        _output.ReleaseIfEmpty();
        return _connection.Detach();
    }

    public void OnWebSocket(System.Net.WebSockets.WebSocket webSocket) => _connection.OnWebSocket(webSocket);
}

/// <summary>
/// ExchangePool keeps the exchanges of a server's idle connections for its busy ones: as many exist as requests have been
/// in flight at once, and the pool keeps up to a bound of them (a burst's surplus goes to the garbage collector).
/// </summary>
internal sealed class ExchangePool(TinyHttpServerOptions options)
{
    private const int MaxRetained = 256;
    private readonly Http1Exchange?[] _items = new Http1Exchange?[MaxRetained];
    private int _count;

    public Http1Exchange Rent()
    {
        lock (_items)
        {
            if (_count > 0)
            {
                Http1Exchange exchange = _items[--_count]!;
                _items[_count] = null;
                return exchange;
            }
        }
        return new Http1Exchange(options);
    }

    public void Return(Http1Exchange exchange)
    {
        exchange.Unbind();
        lock (_items)
        {
            if (_count < MaxRetained)
            {
                _items[_count++] = exchange;
            }
        }
    }
}
