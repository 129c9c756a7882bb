using System;
using System.Diagnostics;
using System.IO;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>
/// The connection's life around its requests: the transport's start (the TLS handshake), the graceful close, abort and
/// detach, the WebSocket a handler accepted, and what the heartbeat and a stopping server ask of it.
/// </summary>
internal sealed partial class HttpConnection
{
    /// <summary>
    /// Runs the transport's start (the TLS handshake) under its timeout. Returns false when the connection is done: the
    /// handshake failed (logged at Debug, counted, never thrown), or plain HTTP came to a TLS port and was answered 400.
    /// </summary>
    private async ValueTask<bool> StartTransportAsync()
    {
        if (_transport.HandshakeTimeout is not TimeSpan timeout)
        {
            return true;
        }
        long started = Stopwatch.GetTimestamp();
        _server.Metrics.TlsHandshakeStarted();
        TlsHandshakeFailure? failure = null;
        Exception? exception = null;
        if (_timeouts.TryEnter(ConnectionPhase.Handshaking, timeout, Environment.TickCount64) && _server.IsStopping)
        {
            CloseIfIdle();
        }
        try
        {
            failure = await _transport.StartAsync().ConfigureAwait(false) switch
            {
                TransportStart.Ready => null,
                TransportStart.PlainHttp => TlsHandshakeFailure.PlainHttp,
                TransportStart.NotTls => TlsHandshakeFailure.NotTls,
                _ => TlsHandshakeFailure.Closed,
            };
        }
        catch (Exception ex)
        {
            exception = ex;
            failure = ex switch
            {
                System.Security.Authentication.AuthenticationException => TlsHandshakeFailure.Authentication,
                // The server's own part failing (a certificate selector or validation callback that threw, a certificate
                // without its key) is the operator's to fix, not the client's doing.
                FileNotFoundException or UnauthorizedAccessException or NotSupportedException or InvalidOperationException => TlsHandshakeFailure.ServerError,
                _ when ConnectionTransport.IsConnectionFailure(ex) => TlsHandshakeFailure.Closed,
                _ => TlsHandshakeFailure.ServerError,
            };
        }
        if (_timeouts.Phase == ConnectionPhase.TimedOut)
        {
            failure = TlsHandshakeFailure.Timeout;
        }
        else if (_timeouts.Phase == ConnectionPhase.ClosedByServer)
        {
            failure = TlsHandshakeFailure.ServerStopping;
        }
        _server.Metrics.TlsHandshakeEnded(started, _transport.Tls, failure);
        if (failure is not TlsHandshakeFailure reason)
        {
            return true;
        }
        if (reason == TlsHandshakeFailure.ServerError)
        {
            _server.Log.TlsHandshakeServerError(Id, exception);
        }
        else
        {
            _server.Log.TlsHandshakeFailed(Id, reason, exception);
        }
        if (reason == TlsHandshakeFailure.PlainHttp)
        {
            await RejectAsync(new BadHttpRequestException(RequestRejectionReason.PlainHttpOnHttpsPort), isHeadRequest: false).ConfigureAwait(false);
            await CloseGracefullyAsync().ConfigureAwait(false);
        }
        return false;
    }

    /// <summary>The TLS session once the handshake completed, or null for plain HTTP.</summary>
    public TlsConnectionInfo? Tls => _transport.Tls;

    /// <summary>
    /// Sends what is queued, then half-closes and reads until the client closes too (briefly, and bounded):
    /// closing with unread input makes the kernel send RST, which can destroy the response before the client reads it.
    /// </summary>
    private async ValueTask CloseGracefullyAsync()
    {
        await _output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await _transport.ShutdownSendAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ConnectionTransport.IsConnectionFailure(ex))
        {
            return;
        }
        if (_timeouts.HasEnded)
        {
            return;
        }
        _timeouts.TryEnter(ConnectionPhase.Closing, LingerTime, Environment.TickCount64);
        if (_input.IsReadingAhead && await _input.ReceiveAsync(CancellationToken.None).ConfigureAwait(false) <= 0)
        {
            return;
        }
        // What the client still sends is read into one buffer all closing connections share and nobody reads: a burst of
        // closing connections rents nothing.
        _input.Consume(_input.Buffered.Length);
        _input.ReleaseIfEmpty();
        _output.ReleaseIfEmpty();
        ReleaseExchange();
        int discarded = 0;
        while (discarded < LingerReadLimit)
        {
            int received;
            try
            {
                received = await _transport.ReceiveAsync(Discarded, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ConnectionTransport.IsConnectionFailure(ex))
            {
                return;
            }
            if (received <= 0)
            {
                return;
            }
            discarded += received;
        }
    }

    /// <summary>Resets the connection (RST) and fires the request's token.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }
        _closeRequired = true;
        CancelRequest();
        _transport.Abort();
    }

    /// <summary>Hands the connection to the handler: queued bytes are sent, buffered and read-ahead bytes go with it.</summary>
    public Stream Detach()
    {
        if (_detached || Volatile.Read(ref _aborted) != 0)
        {
            throw new InvalidOperationException("The connection was already detached or aborted.");
        }
        ValueTask flushing = _output.FlushAsync(CancellationToken.None);
        if (!flushing.IsCompletedSuccessfully)
        {
            SocketEventLoop.Block(flushing);
        }
        // Detached only once the stream exists: if anything above fails, the connection still closes its transport.
        Stream stream = _transport.DetachAsStream();
        _detached = true;
        return new DetachedConnectionStream(stream, _input.Detach());
    }

    /// <summary>Takes on the WebSocket the handler accepted: counted while open, closed with 1001 when the server stops.</summary>
    public void OnWebSocket(WebSocket webSocket)
    {
        bool stopping;
        // With OnServerStopping under the same lock, one of the two always sees the other: a WebSocket accepted as the
        // server begins to stop still gets its 1001.
        lock (this)
        {
            _webSocket = webSocket;
            stopping = _server.IsStopping;
        }
        _server.Metrics.WebSocketOpened();
        if (stopping)
        {
            _ = CloseWebSocketForStopAsync(webSocket);
        }
    }

    /// <summary>The server is stopping: an idle connection closes now; a WebSocket is told the server is going away.</summary>
    public void OnServerStopping()
    {
        CloseIfIdle();
        WebSocket? webSocket;
        lock (this)
        {
            webSocket = _webSocket;
        }
        if (webSocket is not null)
        {
            _ = CloseWebSocketForStopAsync(webSocket);
        }
    }

    // RFC 6455 §7.4.1: 1001, an endpoint going away. The handler sees the client's Close come back and returns; one that
    // does not is aborted when the drain time ends.
    private static async Task CloseWebSocketForStopAsync(WebSocket webSocket)
    {
        try
        {
            if (webSocket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await webSocket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "The server is stopping.", CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The WebSocket closed or failed meanwhile; the handler finds out from its own calls.
        }
    }

    /// <summary>Called by the server's heartbeat once a second.</summary>
    public void OnHeartbeat(long now)
    {
        switch (_timeouts.OnHeartbeat(now))
        {
            case TimeoutAction.Abort:
                _server.Log.ResponseDataRateTooLow(Id);
                Abort();
                break;
            case TimeoutAction.WakeReceive:
                _transport.ShutdownReceive();
                break;
        }
    }

    /// <summary>Closes the connection if it is between requests; used when the server stops.</summary>
    public void CloseIfIdle()
    {
        if (_timeouts.TryCloseIdle())
        {
            _transport.ShutdownReceive();
        }
    }

    void IClientGoneSignal.OnClientGone() => CancelRequest();

    // Under the connection's lock: an abort from another thread must not fire the token of an exchange that went back
    // to the pool and now carries another connection's request.
    private void CancelRequest()
    {
        CancellationTokenSource? source;
        lock (this)
        {
            source = _exchange?.TakeRequestAborted();
        }
        if (source is null)
        {
            return;
        }
        // Outside the lock: the handler's callbacks run here, and may be slow or call back into the connection. The
        // exchange has marked the source as taken, so it never reuses it for another request even if it goes back to
        // the pool before this line.
        try
        {
            source.Cancel();
        }
        catch (AggregateException ex)
        {
            _server.Log.CancellationCallbackFailed(Id, ex);
        }
    }
}
