using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using TinyHttp.Protocol;

namespace TinyHttp.Server;

/// <summary>
/// HttpConnection runs HTTP/1.1 on one accepted transport: read a request head, call the handler, complete the
/// response, drain what the handler left unread, repeat while the connection persists. Its parts are separate
/// types: <see cref="ConnectionInput"/> (receive buffer), <see cref="RequestBodyReader"/> (request body),
/// <see cref="ConnectionOutput"/> (send queue), <see cref="ConnectionTimeouts"/> (every deadline) and
/// <see cref="Http1Exchange"/> (what the public request and response talk to). Between requests it holds no
/// buffer: it waits for the next byte with a zero-byte receive.
/// </summary>
internal sealed partial class HttpConnection : IThreadPoolWorkItem, IClientGoneSignal
{
    private const int LingerReadLimit = 1024 * 1024;
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(2);
    private static readonly byte[] Discarded = new byte[4096];

    private readonly ServerContext _server;
    private readonly ConnectionTransport _transport;
    private readonly ConnectionTimeouts _timeouts;
    private readonly ConnectionInput _input;
    private readonly ConnectionOutput _output;
    // Taken from the server's pool while a request is in flight (see Http1Exchange); null while idle.
    private Http1Exchange? _exchange;
    private long _requestCount;
    private bool _headStarted;
    // Set when the connection can no longer carry another request: a rejection, a failed handler, an abort.
    private bool _closeRequired;
    private bool _detached;
    private WebSocket? _webSocket;
    private int _aborted;

    public HttpConnection(ServerContext server, ConnectionTransport transport, long id)
    {
        _server = server;
        _transport = transport;
        Id = id;
        TinyHttpServerOptions options = server.Options;
        _timeouts = new ConnectionTimeouts(options.MinRequestBodyDataRate, options.MinResponseDataRate);
        _input = new ConnectionInput(transport, options.MaxRequestLineLength + options.MaxRequestHeadersTotalSize + 4096);
        _output = new ConnectionOutput(transport, _timeouts, this);
    }

    public long Id { get; }

    public EndPoint? RemoteEndPoint => _transport.RemoteEndPoint;

    public EndPoint? LocalEndPoint => _transport.LocalEndPoint;

    public bool IsServerStopping => _server.IsStopping;

    /// <summary>False once something made the connection unfit for another request.</summary>
    public bool InStep => !_closeRequired && _exchange?.Body.OutOfStep != true;

    // RunAsync handles every exception itself; the server tracks the connection, not the task.
    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    // The loop that waits for request heads lives in this one long-lived state machine: a kept-alive connection
    // spends most of its life here, and awaiting the transport directly (rather than through nested async methods)
    // means waiting costs no allocation however many connections wait at once.
    private async Task RunAsync()
    {
        if (_server.Log.IsEnabled(LogLevel.Debug))
        {
            // Reading RemoteEndPoint builds an endpoint object; only pay for it when someone will see it.
            _server.Log.ConnectionOpened(Id, RemoteEndPoint);
        }
        try
        {
            if (!await StartTransportAsync().ConfigureAwait(false))
            {
                return;
            }
            EnterIdle(_server.Options.RequestHeadersTimeout);
            while (true)
            {
                HeadProgress progress = ParseBufferedHead(out BadHttpRequestException? rejection);
                if (progress == HeadProgress.Complete)
                {
                    if (!await ProcessRequestAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                    // The connection stays in Processing until the next head is found incomplete: a pipelined request
                    // that is already buffered goes from one request to the next without a phase change.
                    _exchange?.Parser.Reset(_exchange.Request.Head);
                    _headStarted = false;
                    continue;
                }
                if (progress == HeadProgress.Rejected)
                {
                    await RejectAsync(rejection!, IsHeadMethod(_input.Buffered)).ConfigureAwait(false);
                    break;
                }
                if (progress == HeadProgress.Closed)
                {
                    break;
                }

                // Responses queued for pipelined requests go out before we wait for the client again.
                await _output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                int received;
                if (_input.IsReadingAhead)
                {
                    // An async handler's read-ahead is still waiting (without a buffer): idle like any other wait.
                    ReleaseExchange();
                    _output.ReleaseIfEmpty();
                    received = await _input.ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    try
                    {
                        // A new connection's first request has usually arrived by now: TryReceiveNow takes it without waiting.
                        received = _input.IsEmpty && _requestCount == 0 ? _input.TryReceiveNow() : 0;
                        if (_input.IsEmpty && received <= 0)
                        {
                            do
                            {
                                // Nothing buffered: hold no memory while the client thinks.
                                ReleaseExchange();
                                _output.ReleaseIfEmpty();
                                _input.ReleaseIfEmpty();
                                await _transport.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                            }
                            // A wait can end on a sign of bytes that were already read (SocketReadiness): wait again.
                            while ((received = _input.TryReceiveNow()) == ConnectionTransport.NothingYet);
                        }
                        if (received <= 0)
                        {
                            received = await _transport.ReceiveAsync(_input.GetReceiveMemory(), CancellationToken.None).ConfigureAwait(false);
                            _input.Advance(received);
                        }
                    }
                    catch (Exception ex) when (ConnectionTransport.IsConnectionFailure(ex))
                    {
                        received = -1;
                    }
                }
                if (received > 0)
                {
                    continue;
                }
                if (_timeouts.Phase == ConnectionPhase.TimedOut && _headStarted)
                {
                    await RejectAsync(new BadHttpRequestException(RequestRejectionReason.RequestHeadersTimeout), IsHeadMethod(_input.Buffered)).ConfigureAwait(false);
                }
                break;
            }
            if (!_detached && Volatile.Read(ref _aborted) == 0)
            {
                await CloseGracefullyAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ConnectionTransport.IsConnectionFailure(ex))
        {
            // The peer reset or the server aborted us; nothing more can be said on this connection.
        }
        catch (Exception ex)
        {
            _server.Log.ConnectionFailed(Id, ex);
        }
        finally
        {
            Release();
            _server.Log.ConnectionClosed(Id);
            _server.OnConnectionClosed(this);
        }
    }

    private enum HeadProgress
    {
        NeedMoreData,
        Complete,
        Rejected,
        Closed,
    }

    private void EnterIdle(TimeSpan timeout)
    {
        if (_timeouts.TryEnter(ConnectionPhase.Idle, timeout, Environment.TickCount64) && _server.IsStopping)
        {
            CloseIfIdle();
        }
    }

    /// <summary>A request has ended and the next head is not all here: the keep-alive clock starts now.</summary>
    private void EnterIdleAfterRequest()
    {
        if (_timeouts.Phase == ConnectionPhase.Processing)
        {
            EnterIdle(_server.Options.KeepAliveTimeout);
        }
    }

    /// <summary>Parses what is buffered of the next request head; moves the connection's phase as the head arrives.</summary>
    private HeadProgress ParseBufferedHead(out BadHttpRequestException? rejection)
    {
        rejection = null;
        if (_server.IsStopping)
        {
            return HeadProgress.Closed;
        }
        ReadOnlySpan<byte> buffered = _input.Buffered;
        if (buffered.IsEmpty)
        {
            EnterIdleAfterRequest();
            return HeadProgress.NeedMoreData;
        }
        Http1Exchange exchange = Exchange;
        int headLength;
        try
        {
            headLength = exchange.Parser.Parse(buffered, exchange.Request.Head);
        }
        catch (BadHttpRequestException ex)
        {
            rejection = ex;
            return HeadProgress.Rejected;
        }

        if (headLength >= 0)
        {
            if (!_timeouts.TryEnter(ConnectionPhase.Processing, long.MaxValue))
            {
                return HeadProgress.Closed;
            }
            _requestCount++;
            exchange.Request.CaptureHead(buffered.Slice(0, headLength), _server.Options.MaxRequestBodySize);
            _input.Consume(headLength);
            return HeadProgress.Complete;
        }

        EnterIdleAfterRequest();
        if (!_headStarted && exchange.Parser.HasStarted(buffered))
        {
            _headStarted = true;
            // The headers timeout runs from the first byte of a request on a kept-alive connection;
            // the first request's clock started when the connection was accepted.
            long deadline = _requestCount == 0
                ? _timeouts.Deadline
                : Environment.TickCount64 + (long)_server.Options.RequestHeadersTimeout.TotalMilliseconds;
            if (!_timeouts.TryEnter(ConnectionPhase.ReadingHead, deadline))
            {
                return HeadProgress.Closed;
            }
        }
        return HeadProgress.NeedMoreData;
    }

    /// <summary>Runs the handler for the parsed request and completes its response. Returns false when the connection should close.</summary>
    /// <remarks>
    /// A request's steps (run the handler, queue the response, drain the body's rest) are separate methods that each
    /// return a completed task when nothing had to wait, and hand over to an async method only from the step that
    /// waits. A handler that finishes at once, the common case on a kept-alive connection, then costs no async state
    /// machine at all.
    /// </remarks>
    private ValueTask<bool> ProcessRequestAsync()
    {
        Http1Exchange exchange = Exchange;
        exchange.Begin();
        long startTimestamp = _server.Metrics.MeasuresRequestDuration ? Stopwatch.GetTimestamp() : 0;
        bool counted = _server.Metrics.RequestStarted();
        Task handling;
        try
        {
            handling = _server.Handler(exchange.Request, exchange.Response, exchange.RequestAborted);
        }
        catch (Exception ex)
        {
            return AfterHandler(ex, startTimestamp, counted);
        }
        if (handling.IsCompletedSuccessfully)
        {
            return AfterHandler(null, startTimestamp, counted);
        }
        if (!handling.IsCompleted && exchange.Body.IsComplete)
        {
            _input.StartReadAhead(this);
        }
        return AwaitHandlerAsync(handling, startTimestamp, counted);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> AwaitHandlerAsync(Task handling, long startTimestamp, bool counted)
    {
        Exception? failure = null;
        try
        {
            await handling.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        return await AfterHandler(failure, startTimestamp, counted).ConfigureAwait(false);
    }

    /// <summary>The handler has returned (or thrown, <paramref name="failure"/>): queue its response or answer its failure.</summary>
    private ValueTask<bool> AfterHandler(Exception? failure, long startTimestamp, bool counted)
    {
        _server.Metrics.RequestEnded(counted);
        if (_webSocket is { } webSocket)
        {
            // The WebSocket's life is the handler's: once it returns, whatever is left is cut.
            webSocket.Abort();
            webSocket.Dispose();
            _server.Metrics.WebSocketClosed();
        }
        if (Volatile.Read(ref _aborted) != 0 || _detached)
        {
            return new ValueTask<bool>(false);
        }
        if (failure is not null)
        {
            return FailThenEndAsync(failure, startTimestamp);
        }
        ValueTask<bool> completing;
        try
        {
            completing = Exchange.Response.CompleteAsync();
        }
        catch (Exception ex) when (!ConnectionTransport.IsConnectionFailure(ex))
        {
            completing = ValueTask.FromException<bool>(ex);
        }
        return completing.IsCompletedSuccessfully ? EndRequest(completing.Result, startTimestamp) : CompleteThenEndAsync(completing, startTimestamp);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> CompleteThenEndAsync(ValueTask<bool> completing, long startTimestamp)
    {
        bool complete;
        try
        {
            complete = await completing.ConfigureAwait(false);
        }
        catch (Exception ex) when (!ConnectionTransport.IsConnectionFailure(ex))
        {
            return await FailThenEndAsync(ex, startTimestamp).ConfigureAwait(false);
        }
        return await EndRequest(complete, startTimestamp).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FailThenEndAsync(Exception failure, long startTimestamp) =>
        await HandleFailureAsync(failure).ConfigureAwait(false) && await EndRequest(complete: true, startTimestamp).ConfigureAwait(false);

    /// <summary>
    /// The response is queued (<paramref name="complete"/> false: shorter than its Content-Length). Records the request
    /// and readies the connection for the next one; returns false when it should close instead.
    /// </summary>
    private ValueTask<bool> EndRequest(bool complete, long startTimestamp)
    {
        Http1Exchange exchange = Exchange;
        HttpRequest request = exchange.Request;
        if (!complete)
        {
            _server.Log.ResponseBodyIncomplete(Id, request.Method, request.RawTarget);
            Abort();
            return new ValueTask<bool>(false);
        }
        _server.Metrics.RecordRequest(startTimestamp, request, exchange.Response.StatusCode);
        if (!exchange.KeepAlive || !InStep || _server.IsStopping)
        {
            return new ValueTask<bool>(false);
        }
        if (!exchange.Body.IsComplete)
        {
            return DrainThenEndAsync(exchange);
        }
        exchange.End();
        return new ValueTask<bool>(true);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> DrainThenEndAsync(Http1Exchange exchange)
    {
        if (!await exchange.Body.DrainAsync(_server.Options.MaxUnreadRequestBodyToDrain).ConfigureAwait(false))
        {
            return false;
        }
        exchange.End();
        return true;
    }

    /// <summary>Answers for a handler that threw. Returns false when the connection must close.</summary>
    private async ValueTask<bool> HandleFailureAsync(Exception failure)
    {
        Http1Exchange exchange = Exchange;
        HttpResponse response = exchange.Response;
        if (exchange.RequestAborted.IsCancellationRequested && ConnectionTransport.IsConnectionFailure(failure) && failure is not BadHttpRequestException)
        {
            // The client went away or the server aborted the request: the handler's cancellation or failed write is
            // the news, not a bug in the handler, and there is nobody left to answer.
            return false;
        }
        if (failure is BadHttpRequestException rejection)
        {
            // The handler let a body-read rejection escape (413, malformed chunk, early end): answer it, then close.
            if (response.HasStarted)
            {
                Abort();
                return false;
            }
            await RejectAsync(rejection, exchange.IsHeadRequest).ConfigureAwait(false);
            return false;
        }

        _server.Log.HandlerFailed(Id, exchange.Request.Method, exchange.Request.RawTarget, failure);
        if (response.HasStarted)
        {
            // Part of a response is on the wire; anything we add would corrupt it. Cut the connection.
            Abort();
            return false;
        }
        _closeRequired |= !exchange.Body.CanBeDrained(_server.Options.MaxUnreadRequestBodyToDrain);
        response.Reset();
        response.StatusCode = 500;
        response.ContentType = ErrorBodies.ContentType;
        response.SetBody(ErrorBodies.InternalServerError);
        return await response.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>Sends a server-generated error response with Connection: close, framed as any response is.</summary>
    private async ValueTask RejectAsync(BadHttpRequestException rejection, bool isHeadRequest)
    {
        _closeRequired = true;
        _server.Log.RequestRejected(Id, rejection.Reason, rejection.StatusCode);
        _server.Metrics.RecordRejection(rejection.Reason);
        ErrorBodies.Write(_output, rejection, isHeadRequest);
        _exchange?.Response.MarkCompleted();
        await _output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Whether the head being parsed (or rejected) is a HEAD request: its error response then has no body.</summary>
    private bool IsHeadMethod(ReadOnlySpan<byte> head)
    {
        if (_exchange is null)
        {
            return false;
        }
        ByteRange method = _exchange.Request.Head.Method;
        return method.Length == 4 && method.Start + 4 <= head.Length && head.Slice(method.Start, 4).SequenceEqual("HEAD"u8);
    }

    private void Release()
    {
        if (!_detached)
        {
            _transport.Dispose();
            _input.Dispose();
        }
        _output.Dispose();
        ReleaseExchange();
    }

    private Http1Exchange Exchange => _exchange ?? AcquireExchange();

    private Http1Exchange AcquireExchange()
    {
        Http1Exchange exchange = _server.Exchanges.Rent();
        exchange.Bind(this, _transport, _input, _output, _timeouts, this);
        return _exchange = exchange;
    }

    private void ReleaseExchange()
    {
        Http1Exchange? exchange;
        lock (this)
        {
            exchange = _exchange;
            _exchange = null;
        }
        if (exchange is not null)
        {
            _server.Exchanges.Return(exchange);
        }
    }
}
