using System;
using System.Buffers;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using TinyHttp.Protocol;

namespace TinyHttp.Server;

/// <summary>
/// HttpConnection runs one accepted socket: read a request head, call the handler, complete the
/// response, drain what the handler left unread, repeat while the connection persists.
/// Everything per request is reused: buffers, the request and response objects, the parser and
/// the cancellation source, so a kept-alive connection allocates nothing in steady state.
/// </summary>
internal sealed class HttpConnection : IThreadPoolWorkItem
{
    private const int InitialReceiveBufferSize = 4096;
    /// <summary>Large enough for a whole buffered response (ResponseBufferSize, 16 KiB by default) and its head.</summary>
    public const int OutputBufferSize = 32 * 1024;
    private const int InitialOutputBufferSize = 4096;
    private const int LingerReadLimit = 1024 * 1024;
    private static readonly long LingerMilliseconds = 2000;

    private readonly ServerContext _server;
    private readonly Socket _socket;
    private readonly RequestHeadParser _parser;
    private readonly HttpRequest _request;
    private readonly HttpResponse _response;
    private readonly int _maxReceiveBufferSize;
    private CancellationTokenSource _requestAborted = new();

    private byte[] _receiveBuffer;
    private int _receiveStart;
    private int _receiveEnd;
    private byte[] _outputBuffer;
    private int _outputLength;

    // Request body state for the current request.
    private long _bodyRemaining;
    private bool _bodyChunked;
    private ChunkedBodyDecoder _chunkedDecoder;
    private bool _bodyComplete;
    private long _bodyBytesRead;
    private long _bodyWireBytes;
    private bool _continueSent;

    // A receive started while an async handler runs, so a client that goes away is noticed (see StartReadAhead).
    private ValueTask<int> _readAhead;
    private bool _readAheadPending;

    private static readonly ResponseField[] ErrorFields = [new ResponseField("Content-Type", ErrorBodies.ContentType)];

    private int _state;
    private long _deadline = long.MaxValue;

    // Request body data rate: time spent waiting for body bytes, and when the current wait began.
    private long _bodyWaitMilliseconds;
    private long _bodyWaitStartedAt;

    // Response data rate: when the pending send must have completed, or 0 when none is pending.
    private long _sendDeadline;
    private long _requestCount;
    private bool _headStarted;
    private bool _isHeadRequest;
    private bool _mustClose;
    private bool _detached;
    private int _aborted;

    public HttpConnection(ServerContext server, Socket socket, long id)
    {
        _server = server;
        _socket = socket;
        Id = id;
        TinyHttpServerOptions options = server.Options;
        _parser = new RequestHeadParser(options.MaxRequestLineLength, options.MaxRequestHeadersTotalSize, options.MaxRequestHeaderCount);
        _maxReceiveBufferSize = options.MaxRequestLineLength + options.MaxRequestHeadersTotalSize + InitialReceiveBufferSize;
        _request = new HttpRequest(this);
        _response = new HttpResponse(this, options.ResponseBufferSize);
        _receiveBuffer = ConnectionBuffers.Pool.Rent(InitialReceiveBufferSize);
        // The output buffer is rented when the first response is written, so connections that never complete a
        // request (slow or idle clients) hold only their receive buffer. It is kept afterwards: renting and
        // returning it around every request measurably allocates (about 28 B per request in AllocationTests).
        _outputBuffer = Array.Empty<byte>();
    }

    public long Id { get; }

    public EndPoint? RemoteEndPoint => _socket.RemoteEndPoint;

    public EndPoint? LocalEndPoint => _socket.LocalEndPoint;

    public bool BodyReadStarted { get; private set; }

    /// <summary>
    /// Whether the response being written may leave the connection open: the request asked for it, the
    /// server is not stopping, and what is left of the request body can be drained.
    /// </summary>
    public bool CanKeepAlive =>
        !_mustClose && _request.Head.KeepAlive && !_server.IsStopping && (_bodyComplete || BodyCanBeDrained);

    private bool BodyCanBeDrained =>
        !(_request.Head.ExpectContinue && !_continueSent)
        && (_bodyChunked || _bodyRemaining <= _server.Options.MaxUnreadRequestBodyToDrain);

    // RunAsync handles every exception itself; the server tracks the connection, not the task.
    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    // ---- The request loop -------------------------------------------------------------------

    // The loop that waits for request heads lives in this one long-lived state machine: a kept-alive
    // connection spends most of its life here, and awaiting the socket directly (rather than through nested
    // async methods) means waiting costs no allocation however many connections wait at once.
    private async Task RunAsync()
    {
        if (_server.Log.IsEnabled(LogLevel.Debug))
        {
            // Reading RemoteEndPoint builds an endpoint object; only pay for it when someone will see it.
            _server.Log.ConnectionOpened(Id, RemoteEndPoint);
        }
        try
        {
            SetState(ConnectionState.Idle, _server.Options.RequestHeadersTimeout);
            BeginRequestHead();
            while (true)
            {
                HeadProgress progress = ParseBufferedHead(out BadHttpRequestException? rejection);
                if (progress == HeadProgress.Complete)
                {
                    if (!await ProcessRequestAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                    SetState(ConnectionState.Idle, _server.Options.KeepAliveTimeout);
                    BeginRequestHead();
                    continue;
                }
                if (progress == HeadProgress.Rejected)
                {
                    await RejectAsync(rejection!).ConfigureAwait(false);
                    break;
                }
                if (progress == HeadProgress.Closed)
                {
                    break;
                }

                // ReceiveAsync's steps, written out here on purpose: calling it would put a pooled box between
                // this loop and the socket on every wait (see the comment above RunAsync).
                await FlushOutputAsync(CancellationToken.None).ConfigureAwait(false);
                int received;
                try
                {
                    received = await StartReceive().ConfigureAwait(false);
                }
                catch (Exception ex) when (IsConnectionFailure(ex))
                {
                    received = -1;
                }
                if (received > 0)
                {
                    _receiveEnd += received;
                    continue;
                }
                if (_state == ConnectionState.TimedOut && _headStarted)
                {
                    await RejectAsync(new BadHttpRequestException(RequestRejectionReason.RequestHeadersTimeout)).ConfigureAwait(false);
                }
                break;
            }
            if (!_detached && Volatile.Read(ref _aborted) == 0)
            {
                await CloseGracefullyAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
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

    private void BeginRequestHead()
    {
        _parser.Reset(_request.Head);
        _headStarted = false;
    }

    /// <summary>Parses what is buffered of the next request head; moves the connection's state as the head arrives.</summary>
    private HeadProgress ParseBufferedHead(out BadHttpRequestException? rejection)
    {
        rejection = null;
        if (_server.IsStopping)
        {
            return HeadProgress.Closed;
        }
        ReadOnlySpan<byte> buffered = _receiveBuffer.AsSpan(_receiveStart, _receiveEnd - _receiveStart);
        int headLength;
        try
        {
            headLength = _parser.Parse(buffered, _request.Head);
        }
        catch (BadHttpRequestException ex)
        {
            rejection = ex;
            return HeadProgress.Rejected;
        }

        if (headLength >= 0)
        {
            if (!TrySetState(ConnectionState.Processing, long.MaxValue))
            {
                return HeadProgress.Closed;
            }
            _requestCount++;
            _request.CaptureHead(buffered.Slice(0, headLength), _server.Options.MaxRequestBodySize);
            Consume(headLength);
            return HeadProgress.Complete;
        }

        if (!_headStarted && _parser.HasStarted(buffered))
        {
            _headStarted = true;
            // The headers timeout runs from the first byte of a request on a kept-alive connection;
            // the first request's clock started when the connection was accepted.
            long deadline = _requestCount == 0 ? Volatile.Read(ref _deadline) : DeadlineAfter(_server.Options.RequestHeadersTimeout);
            if (!TrySetState(ConnectionState.ReadingHead, deadline))
            {
                return HeadProgress.Closed;
            }
        }
        return HeadProgress.NeedMoreData;
    }

    /// <summary>Runs the handler for the parsed request and completes its response. Returns false when the connection should close.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ProcessRequestAsync()
    {
        RequestHead head = _request.Head;
        _bodyChunked = head.IsChunked;
        _bodyRemaining = head.IsChunked ? 0 : Math.Max(head.ContentLength, 0);
        _bodyComplete = !head.HasBody;
        _bodyBytesRead = 0;
        _bodyWireBytes = 0;
        _bodyWaitMilliseconds = 0;
        _continueSent = false;
        long startTimestamp = Stopwatch.GetTimestamp();
        ServerMetrics.ActiveRequests.Add(1);
        BodyReadStarted = false;
        if (_bodyChunked)
        {
            _chunkedDecoder = new ChunkedBodyDecoder(_server.Options.MaxRequestHeadersTotalSize);
        }
        _isHeadRequest = head.Method.Length == 4 && _request.HeadBytes.Slice(head.Method.Start, 4).SequenceEqual("HEAD"u8);
        bool isConnect = head.TargetForm == RequestTargetForm.Authority;
        _response.Reset(_isHeadRequest, isConnect, head.IsHttp11);

        Exception? failure = null;
        try
        {
            Task handling = _server.Handler(_request, _response, _requestAborted.Token);
            if (!handling.IsCompleted)
            {
                StartReadAhead();
            }
            await handling.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            ServerMetrics.ActiveRequests.Add(-1);
        }

        if (Volatile.Read(ref _aborted) != 0 || _detached)
        {
            return false;
        }
        if (failure is null)
        {
            try
            {
                if (!await _response.CompleteAsync().ConfigureAwait(false))
                {
                    _server.Log.ResponseBodyIncomplete(Id, _request.Method, _request.RawTarget);
                    Abort();
                    return false;
                }
            }
            catch (Exception ex) when (!IsConnectionFailure(ex))
            {
                failure = ex;
            }
        }
        if (failure is not null && !await HandleFailureAsync(failure).ConfigureAwait(false))
        {
            return false;
        }
        ServerMetrics.RecordRequest(startTimestamp, _request.Method, _response.StatusCode, head.IsHttp11);

        if (_mustClose || _response.ClosesConnection || !head.KeepAlive || _server.IsStopping)
        {
            return false;
        }
        if (!_bodyComplete && !await DrainRequestBodyAsync().ConfigureAwait(false))
        {
            return false;
        }
        ResetRequestAborted();
        return true;
    }

    /// <summary>Answers for a handler that threw. Returns false when the connection must close.</summary>
    private async ValueTask<bool> HandleFailureAsync(Exception failure)
    {
        if (_requestAborted.IsCancellationRequested && IsConnectionFailure(failure) && failure is not BadHttpRequestException)
        {
            // The client went away or the server aborted the request: the handler's cancellation or failed write is
            // the news, not a bug in the handler, and there is nobody left to answer.
            return false;
        }
        if (failure is BadHttpRequestException rejection)
        {
            // The handler let a body-read rejection escape (413, malformed chunk, early end): answer it, then close.
            if (_response.HasStarted)
            {
                Abort();
                return false;
            }
            await RejectAsync(rejection).ConfigureAwait(false);
            return false;
        }

        _server.Log.HandlerFailed(Id, _request.Method, _request.RawTarget, failure);
        if (_response.HasStarted)
        {
            // Part of a response is on the wire; anything we add would corrupt it. Cut the connection.
            Abort();
            return false;
        }
        _response.Reset(_isHeadRequest, isConnectRequest: false, _request.Head.IsHttp11);
        _response.StatusCode = 500;
        _response.SetBody(ErrorBodies.InternalServerError);
        _response.ContentType = ErrorBodies.ContentType;
        return await _response.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>Sends a server-generated error response with Connection: close.</summary>
    private async ValueTask RejectAsync(BadHttpRequestException rejection)
    {
        _mustClose = true;
        _server.Log.RequestRejected(Id, rejection.Reason, rejection.StatusCode);
        ServerMetrics.RecordRejection(rejection.Reason);
        byte[] body = ErrorBodies.For(rejection);
        await EnsureOutputSpaceAsync(ResponseHeadWriter.MaxLength(rejection.StatusCode, null, ErrorFields) + body.Length).ConfigureAwait(false);
        int written = ResponseHeadWriter.Write(OutputSpan, rejection.StatusCode, null, ErrorFields,
            ResponseBodyFraming.ContentLength, body.Length, ConnectionOption.Close);
        AdvanceOutput(written);
        AppendOutput(body);
        _response.MarkCompleted();
        await FlushOutputAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Reads and discards what the handler left of the body, within the drain limit. Returns false to close instead.</summary>
    private async ValueTask<bool> DrainRequestBodyAsync()
    {
        if (!BodyCanBeDrained)
        {
            return false;
        }
        long limit = _server.Options.MaxUnreadRequestBodyToDrain;
        // Counted in wire bytes: chunk framing can carry far more bytes than the body it decodes to.
        long drainStart = _bodyWireBytes;
        byte[] scratch = ConnectionBuffers.Pool.Rent(4096);
        try
        {
            while (!_bodyComplete)
            {
                int read = await ReadBodyCoreAsync(scratch, CancellationToken.None, enforceLimit: false).ConfigureAwait(false);
                if (_bodyWireBytes - drainStart > limit)
                {
                    return false;
                }
            }
            return true;
        }
        catch (BadHttpRequestException)
        {
            return false;
        }
        finally
        {
            ConnectionBuffers.Pool.Return(scratch);
        }
    }

    // ---- Request body -----------------------------------------------------------------------

    /// <summary>Reads decoded body bytes for the handler. Returns 0 at the end of the body.</summary>
    public ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_bodyComplete || destination.IsEmpty)
        {
            return new ValueTask<int>(0);
        }
        if (!BodyReadStarted)
        {
            BodyReadStarted = true;
            if (_request.ContentLength is long length && length > _request.MaxBodySize)
            {
                _mustClose = true;
                throw new BadHttpRequestException(RequestRejectionReason.RequestBodyTooLarge);
            }
        }
        return ReadBodyCoreAsync(destination, cancellationToken, enforceLimit: true);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadBodyCoreAsync(Memory<byte> destination, CancellationToken cancellationToken, bool enforceLimit)
    {
        if (_request.Head.ExpectContinue && !_continueSent && !_response.HasStarted)
        {
            // RFC 9110 §10.1.1: the client waits for 100 before sending the body; send it when the body is first wanted.
            _continueSent = true;
            await EnsureOutputSpaceAsync(ResponseHeadWriter.ContinueStatusLine.Length).ConfigureAwait(false);
            AppendOutput(ResponseHeadWriter.ContinueStatusLine);
            await FlushOutputAsync(cancellationToken).ConfigureAwait(false);
        }
        _continueSent = true;

        int read;
        try
        {
            read = _bodyChunked
                ? await ReadChunkedAsync(destination).ConfigureAwait(false)
                : await ReadContentLengthAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException)
        {
            _mustClose = true;
            throw;
        }
        _bodyBytesRead += read;
        if (enforceLimit && _bodyBytesRead > _request.MaxBodySize)
        {
            _mustClose = true;
            throw new BadHttpRequestException(RequestRejectionReason.RequestBodyTooLarge);
        }
        return read;
    }

    private async ValueTask<int> ReadContentLengthAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int wanted = (int)Math.Min(destination.Length, _bodyRemaining);
        int buffered = _receiveEnd - _receiveStart;
        int read;
        if (buffered > 0)
        {
            read = Math.Min(wanted, buffered);
            _receiveBuffer.AsSpan(_receiveStart, read).CopyTo(destination.Span);
            Consume(read);
        }
        else
        {
            // Nothing buffered: receive straight into the caller's memory, never past this body's end.
            await FlushOutputAsync(cancellationToken).ConfigureAwait(false);
            BeginBodyWait();
            try
            {
                read = await _socket.ReceiveAsync(destination.Slice(0, wanted), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The handler gave up on the body; what is left of it can no longer be framed.
                _mustClose = true;
                EndBodyWait();
                throw;
            }
            catch (Exception ex) when (IsConnectionFailure(ex))
            {
                read = 0;
            }
            EndBodyWait(read);
        }
        _bodyRemaining -= read;
        _bodyWireBytes += read;
        _bodyComplete = _bodyRemaining == 0;
        return read;
    }

    private async ValueTask<int> ReadChunkedAsync(Memory<byte> destination)
    {
        while (true)
        {
            ReadOnlySpan<byte> buffered = _receiveBuffer.AsSpan(_receiveStart, _receiveEnd - _receiveStart);
            bool done = _chunkedDecoder.Decode(buffered, destination.Span, out int consumed, out int written);
            Consume(consumed);
            _bodyWireBytes += consumed;
            if (done)
            {
                _bodyComplete = true;
            }
            if (written > 0 || done)
            {
                return written;
            }
            BeginBodyWait();
            int received = await ReceiveAsync().ConfigureAwait(false);
            EndBodyWait(received);
        }
    }

    private void BeginBodyWait()
    {
        _bodyWaitStartedAt = Environment.TickCount64;
        TrySetState(ConnectionState.ReadingBody, long.MaxValue);
    }

    /// <summary>Ends a wait for body bytes; throws when the client closed or the body was too slow.</summary>
    private void EndBodyWait(int received)
    {
        bool timedOut = Volatile.Read(ref _state) == ConnectionState.TimedOut;
        EndBodyWait();
        if (received > 0 && !timedOut)
        {
            return;
        }
        _mustClose = true;
        CancelRequest();
        throw new BadHttpRequestException(timedOut
            ? RequestRejectionReason.RequestBodyTimeout
            : RequestRejectionReason.UnexpectedEndOfRequestBody);
    }

    private void EndBodyWait()
    {
        _bodyWaitMilliseconds += Environment.TickCount64 - _bodyWaitStartedAt;
        TrySetState(ConnectionState.Processing, long.MaxValue);
    }

    // ---- Receiving --------------------------------------------------------------------------

    /// <summary>Receives into the free end of the receive buffer. Returns the byte count, 0 at end of stream, -1 on failure.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveAsync()
    {
        // Responses queued for pipelined requests go out before we wait for the client again.
        await FlushOutputAsync(CancellationToken.None).ConfigureAwait(false);
        int received;
        try
        {
            received = await StartReceive().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            received = -1;
        }
        if (received > 0)
        {
            _receiveEnd += received;
        }
        return received;
    }

    /// <summary>The next receive into the free end of the buffer: the pending read-ahead if there is one.</summary>
    private ValueTask<int> StartReceive()
    {
        if (_readAheadPending)
        {
            _readAheadPending = false;
            return _readAhead;
        }
        MakeRoomToReceive();
        return _socket.ReceiveAsync(_receiveBuffer.AsMemory(_receiveEnd), SocketFlags.None);
    }

    /// <summary>
    /// While an async handler runs with the request body fully read, receive ahead into the buffer. If the
    /// client closes, the receive completes with 0 and the handler's token fires; if it sends the next
    /// pipelined request, the bytes are kept for the next head.
    /// </summary>
    private void StartReadAhead()
    {
        if (!_bodyComplete || _readAheadPending || _mustClose)
        {
            return;
        }
        MakeRoomToReceive();
        _readAhead = ReadAheadAsync();
        _readAheadPending = true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadAheadAsync()
    {
        int received;
        try
        {
            received = await _socket.ReceiveAsync(_receiveBuffer.AsMemory(_receiveEnd), SocketFlags.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            received = -1;
        }
        if (received <= 0)
        {
            CancelRequest();
        }
        return received;
    }

    private void MakeRoomToReceive()
    {
        if (_receiveStart == _receiveEnd)
        {
            _receiveStart = _receiveEnd = 0;
        }
        if (_receiveEnd < _receiveBuffer.Length)
        {
            return;
        }
        int buffered = _receiveEnd - _receiveStart;
        if (_receiveStart > 0)
        {
            Buffer.BlockCopy(_receiveBuffer, _receiveStart, _receiveBuffer, 0, buffered);
            _receiveStart = 0;
            _receiveEnd = buffered;
            return;
        }
        // Full from the start: a long head. The parser's limits bound it, so growth is bounded too.
        int size = Math.Min(_receiveBuffer.Length * 2, Math.Max(_maxReceiveBufferSize, _receiveBuffer.Length + 1));
        byte[] larger = ConnectionBuffers.Pool.Rent(size);
        Buffer.BlockCopy(_receiveBuffer, 0, larger, 0, buffered);
        ConnectionBuffers.Pool.Return(_receiveBuffer);
        _receiveBuffer = larger;
    }

    private void Consume(int count)
    {
        _receiveStart += count;
        if (_receiveStart == _receiveEnd)
        {
            _receiveStart = _receiveEnd = 0;
        }
    }

    // ---- Output -----------------------------------------------------------------------------

    public Span<byte> OutputSpan => _outputBuffer.AsSpan(_outputLength);

    public void AdvanceOutput(int count) => _outputLength += count;

    public void AppendOutput(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_outputBuffer.AsSpan(_outputLength));
        _outputLength += bytes.Length;
    }

    /// <summary>Makes at least <paramref name="size"/> bytes free in the output buffer, sending what is queued if needed.</summary>
    public ValueTask EnsureOutputSpaceAsync(int size, CancellationToken cancellationToken = default)
    {
        if (_outputBuffer.Length - _outputLength >= size || TryGrowKeepingOutput(size))
        {
            return default;
        }
        return FlushAndGrowAsync(size, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushAndGrowAsync(int size, CancellationToken cancellationToken)
    {
        await FlushOutputAsync(cancellationToken).ConfigureAwait(false);
        GrowOutput(size);
    }

    /// <summary>Synchronous <see cref="EnsureOutputSpaceAsync"/>, for the handler's synchronous writes.</summary>
    public void EnsureOutputSpace(int size)
    {
        if (_outputBuffer.Length - _outputLength >= size || TryGrowKeepingOutput(size))
        {
            return;
        }
        FlushOutput();
        GrowOutput(size);
    }

    /// <summary>
    /// Moves the queued bytes into a full-size buffer when the small one is too small but the full size would hold
    /// them and <paramref name="size"/> more: a 4 KiB response body after its head then still leaves in one send.
    /// </summary>
    private bool TryGrowKeepingOutput(int size)
    {
        if (_outputBuffer.Length >= OutputBufferSize || _outputLength + size > OutputBufferSize)
        {
            return false;
        }
        byte[] larger = ConnectionBuffers.Pool.Rent(OutputBufferSize);
        _outputBuffer.AsSpan(0, _outputLength).CopyTo(larger);
        ReturnOutputBuffer();
        _outputBuffer = larger;
        return true;
    }

    private void GrowOutput(int size)
    {
        if (_outputBuffer.Length < size)
        {
            ReturnOutputBuffer();
            // Small while responses are small (a typical head and body fit 4 KiB); once more is needed, the full
            // size, so streamed chunks queue up and leave in large sends.
            _outputBuffer = ConnectionBuffers.Pool.Rent(size <= InitialOutputBufferSize ? InitialOutputBufferSize : Math.Max(size, OutputBufferSize));
        }
    }

    private void ReturnOutputBuffer()
    {
        if (_outputBuffer.Length > 0)
        {
            ConnectionBuffers.Pool.Return(_outputBuffer);
            _outputBuffer = Array.Empty<byte>();
        }
    }

    /// <summary>Queues <paramref name="data"/>, or sends it straight from the caller's memory when it is larger than the buffer.</summary>
    public ValueTask WriteOutputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (_outputBuffer.Length - _outputLength >= data.Length || TryGrowKeepingOutput(data.Length))
        {
            AppendOutput(data.Span);
            return default;
        }
        return FlushThenWriteAsync(data, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushThenWriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await FlushOutputAsync(cancellationToken).ConfigureAwait(false);
        if (data.Length <= OutputBufferSize)
        {
            GrowOutput(data.Length);
            AppendOutput(data.Span);
            return;
        }
        await SendAsync(data, cancellationToken).ConfigureAwait(false);
    }

    public void WriteOutput(ReadOnlySpan<byte> data)
    {
        if (_outputBuffer.Length - _outputLength < data.Length && !TryGrowKeepingOutput(data.Length))
        {
            FlushOutput();
            if (data.Length > OutputBufferSize)
            {
                Send(data);
                return;
            }
            GrowOutput(data.Length);
        }
        AppendOutput(data);
    }

    public ValueTask FlushOutputAsync(CancellationToken cancellationToken)
    {
        if (_outputLength == 0)
        {
            return default;
        }
        int length = _outputLength;
        _outputLength = 0;
        return SendAsync(_outputBuffer.AsMemory(0, length), cancellationToken);
    }

    public void FlushOutput()
    {
        if (_outputLength > 0)
        {
            int length = _outputLength;
            _outputLength = 0;
            Send(_outputBuffer.AsSpan(0, length));
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        StartSendClock(data.Length);
        try
        {
            while (!data.IsEmpty)
            {
                int sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                data = data.Slice(sent);
            }
        }
        catch (Exception ex) when (IsConnectionFailure(ex) && ex is not OperationCanceledException)
        {
            // The client is gone: tell the handler through its token as well as through this exception.
            CancelRequest();
            throw;
        }
        finally
        {
            Volatile.Write(ref _sendDeadline, 0);
        }
    }

    private void Send(ReadOnlySpan<byte> data)
    {
        StartSendClock(data.Length);
        try
        {
            while (!data.IsEmpty)
            {
                data = data.Slice(_socket.Send(data, SocketFlags.None));
            }
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            CancelRequest();
            throw;
        }
        finally
        {
            Volatile.Write(ref _sendDeadline, 0);
        }
    }

    // A client that stops reading leaves the send pending; the heartbeat aborts it once the send has
    // taken longer than MinResponseDataRate allows for its size.
    private void StartSendClock(int bytes)
    {
        if (_server.Options.MinResponseDataRate is { } rate)
        {
            Volatile.Write(ref _sendDeadline, Environment.TickCount64 + rate.AllowedMilliseconds(bytes));
        }
    }

    // ---- Closing ----------------------------------------------------------------------------

    /// <summary>
    /// Sends what is queued, then half-closes and reads until the client closes too (briefly, and bounded):
    /// closing with unread input makes the kernel send RST, which can destroy the response before the client reads it.
    /// </summary>
    private async ValueTask CloseGracefullyAsync()
    {
        await FlushOutputAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            return;
        }
        if (_state == ConnectionState.TimedOut || _state == ConnectionState.ClosedByServer)
        {
            return;
        }
        _receiveStart = _receiveEnd = 0;
        SetState(ConnectionState.Closing, TimeSpan.FromMilliseconds(LingerMilliseconds));
        int discarded = 0;
        while (discarded < LingerReadLimit)
        {
            int received = await ReceiveAsync().ConfigureAwait(false);
            if (received <= 0)
            {
                return;
            }
            discarded += received;
            _receiveStart = _receiveEnd = 0;
        }
    }

    /// <summary>Resets the connection (RST) and fires the request's token.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }
        _mustClose = true;
        CancelRequest();
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
        }
        _socket.Dispose();
    }

    public Stream Detach()
    {
        if (_readAheadPending)
        {
            throw new InvalidOperationException("DetachConnection must be called before the handler's first await; the server is already reading the next request.");
        }
        _detached = true;
        FlushOutput();
        byte[] leftover = _receiveBuffer.AsSpan(_receiveStart, _receiveEnd - _receiveStart).ToArray();
        _receiveStart = _receiveEnd = 0;
        return new DetachedConnectionStream(_socket, leftover);
    }

    /// <summary>Called by the server's heartbeat once a second.</summary>
    public void OnHeartbeat(long now)
    {
        long sendDeadline = Volatile.Read(ref _sendDeadline);
        if (sendDeadline != 0 && now > sendDeadline)
        {
            _server.Log.ResponseDataRateTooLow(Id);
            Abort();
            return;
        }
        int state = Volatile.Read(ref _state);
        if (state == ConnectionState.ReadingBody && _server.Options.MinRequestBodyDataRate is { } rate)
        {
            long waited = _bodyWaitMilliseconds + (now - Volatile.Read(ref _bodyWaitStartedAt));
            if (waited > rate.AllowedMilliseconds(_bodyBytesRead)
                && Interlocked.CompareExchange(ref _state, ConnectionState.TimedOut, state) == state)
            {
                ShutdownReceive();
            }
            return;
        }
        if (now < Volatile.Read(ref _deadline))
        {
            return;
        }
        if (state is ConnectionState.Idle or ConnectionState.ReadingHead or ConnectionState.Closing
            && Interlocked.CompareExchange(ref _state, ConnectionState.TimedOut, state) == state)
        {
            // Ending the receive side makes the pending receive return 0; the loop then answers 408 or closes.
            ShutdownReceive();
        }
    }

    /// <summary>Closes the connection if it is between requests; used when the server stops.</summary>
    public void CloseIfIdle()
    {
        if (Interlocked.CompareExchange(ref _state, ConnectionState.ClosedByServer, ConnectionState.Idle) == ConnectionState.Idle)
        {
            ShutdownReceive();
        }
    }

    private void ShutdownReceive()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
        }
    }

    private void CancelRequest()
    {
        try
        {
            _requestAborted.Cancel();
        }
        catch (AggregateException ex)
        {
            _server.Log.CancellationCallbackFailed(Id, ex);
        }
    }

    // The source is never disposed: Abort may cancel it from the shutdown thread at any moment, and a
    // source without a timer or linked tokens holds nothing that disposing would release.
    private void ResetRequestAborted()
    {
        if (!_requestAborted.TryReset())
        {
            _requestAborted = new CancellationTokenSource();
        }
    }

    private void Release()
    {
        if (!_detached)
        {
            _socket.Dispose();
            // A read-ahead may still be writing into the receive buffer until the socket's dispose completes it;
            // only return buffers that nothing can touch any more.
            if (!_readAheadPending)
            {
                ConnectionBuffers.Pool.Return(_receiveBuffer);
            }
            ReturnOutputBuffer();
        }
        _response.ReturnBuffer();
        _request.ReturnHeadBuffer();
    }

    // ---- State ------------------------------------------------------------------------------

    private static long DeadlineAfter(TimeSpan timeout) => Environment.TickCount64 + (long)timeout.TotalMilliseconds;

    /// <summary>Enters a waiting state with a deadline, unless a timeout or shutdown already ended the connection.</summary>
    private void SetState(int state, TimeSpan timeout)
    {
        if (!TrySetState(state, DeadlineAfter(timeout)))
        {
            return;
        }
        if (state == ConnectionState.Idle && _server.IsStopping)
        {
            CloseIfIdle();
        }
    }

    /// <summary>Moves to <paramref name="state"/> unless the heartbeat or a shutdown got there first (TimedOut, ClosedByServer).</summary>
    private bool TrySetState(int state, long deadline)
    {
        int current = Volatile.Read(ref _state);
        if (current is ConnectionState.TimedOut or ConnectionState.ClosedByServer)
        {
            return false;
        }
        Volatile.Write(ref _deadline, deadline);
        return Interlocked.CompareExchange(ref _state, state, current) == current;
    }

    internal static bool IsConnectionFailure(Exception ex) =>
        ex is SocketException or ObjectDisposedException or IOException or OperationCanceledException;

    private static class ConnectionState
    {
        public const int Idle = 0;
        public const int ReadingHead = 1;
        public const int Processing = 2;
        public const int Closing = 3;
        public const int TimedOut = 4;
        public const int ClosedByServer = 5;
        public const int ReadingBody = 6;
    }
}
