using System;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace TinyHttp.Server;

/// <summary>
/// SocketReadiness is one socket's waits in the <see cref="SocketEventLoop"/>: at most one receive and one send at a
/// time, each a reusable awaitable (no allocation per wait), completed on the loop thread that saw the event with the
/// bytes already moved. The socket is registered on its first wait, one-shot: every wait re-arms it with what is
/// still waited for. Closing unregisters it before the socket is closed, so its descriptor number cannot be reused
/// while the loop still knows it. While registered it holds a reference on the socket's handle: a
/// <see cref="Socket.Dispose()"/> not preceded by <see cref="Close"/> would wait for that reference (the runtime retries
/// its close until it can), so every owner of a registered socket closes this first.
/// </summary>
internal sealed class SocketReadiness(SocketEventLoop loop, Socket socket) : IValueTaskSource<int>, IValueTaskSource
{
    private ManualResetValueTaskSourceCore<int> _receive;
    private ManualResetValueTaskSourceCore<bool> _send;
    private Memory<byte> _receiveBuffer;
    private ReadOnlyMemory<byte> _sendData;
    private bool _receivePending;
    private bool _sendPending;
    private bool _closed;
    private bool _registered;
    private bool _handleReferenced;
    private CancellationToken _receiveToken;
    private CancellationToken _sendToken;
    private CancellationTokenRegistration _receiveCancellation;
    private CancellationTokenRegistration _sendCancellation;

    /// <summary>The slot and generation events for this socket carry; 0 until registered.</summary>
    public ulong Data { get; private set; }

    /// <summary>Waits until data or the end of the stream arrives, then receives into <paramref name="buffer"/> (nothing when empty).</summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }
        lock (this)
        {
            if (_receivePending)
            {
                return ValueTask.FromException<int>(new InvalidOperationException("A receive is already waiting on this connection; receives must not overlap."));
            }
            if (_closed)
            {
                return ValueTask.FromException<int>(Closed());
            }
            _receive.Reset();
            _receive.RunContinuationsAsynchronously = false;
            _receiveBuffer = buffer;
            _receivePending = true;
            if (Arm() is Exception failed)
            {
                _receivePending = false;
                return ValueTask.FromException<int>(failed);
            }
            short version = _receive.Version;
            if (cancellationToken.CanBeCanceled)
            {
                _receiveToken = cancellationToken;
                _receiveCancellation = cancellationToken.UnsafeRegister(static (state, token) => ((SocketReadiness)state!).Cancel(token, receive: true), this);
            }
            return new ValueTask<int>(this, version);
        }
    }

    /// <summary>Waits until the socket takes more, sending <paramref name="data"/> until all of it has gone.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        lock (this)
        {
            if (_sendPending)
            {
                return ValueTask.FromException(new InvalidOperationException("A send is already waiting on this connection; sends must not overlap."));
            }
            if (_closed)
            {
                return ValueTask.FromException(Closed());
            }
            _send.Reset();
            _send.RunContinuationsAsynchronously = false;
            _sendData = data;
            _sendPending = true;
            if (Arm() is Exception failed)
            {
                _sendPending = false;
                return ValueTask.FromException(failed);
            }
            short version = _send.Version;
            if (cancellationToken.CanBeCanceled)
            {
                _sendToken = cancellationToken;
                _sendCancellation = cancellationToken.UnsafeRegister(static (state, token) => ((SocketReadiness)state!).Cancel(token, receive: false), this);
            }
            return new ValueTask(this, version);
        }
    }

    /// <summary>Moves the bytes the event allows and completes what it finished, on this thread.</summary>
    public void OnEvents(uint events)
    {
        bool received = false, sent = false;
        int receivedCount = 0;
        Exception? receiveError = null, sendError = null;
        lock (this)
        {
            if (_closed)
            {
                return;
            }
            if (_sendPending && (events & (Epoll.Out | Epoll.Error | Epoll.HangUp)) != 0)
            {
                while (!_sendData.IsEmpty)
                {
                    int count = Send(_sendData.Span, out SocketError error);
                    if (error == SocketError.WouldBlock)
                    {
                        break;
                    }
                    if (error != SocketError.Success)
                    {
                        sendError = new SocketException((int)error);
                        break;
                    }
                    _sendData = _sendData.Slice(count);
                }
                if (sendError is not null || _sendData.IsEmpty)
                {
                    _sendPending = false;
                    _sendData = default;
                    sent = true;
                }
            }
            if (_receivePending && (events & (Epoll.In | Epoll.Error | Epoll.HangUp)) != 0)
            {
                SocketError error = SocketError.Success;
                if (!_receiveBuffer.IsEmpty)
                {
                    receivedCount = Receive(_receiveBuffer.Span, out error);
                }
                if (error != SocketError.WouldBlock)
                {
                    receiveError = error == SocketError.Success ? null : new SocketException((int)error);
                    _receivePending = false;
                    _receiveBuffer = default;
                    received = true;
                }
            }
            if (Arm() is Exception failed)
            {
                receiveError ??= _receivePending ? failed : null;
                sendError ??= _sendPending ? failed : null;
                received |= _receivePending;
                sent |= _sendPending;
                _receivePending = _sendPending = false;
            }
        }
        // Outside the lock: completing runs the waiter's continuation here, and it may wait again. When one event ends
        // both waits, the send's continuation goes to the thread pool: run here, it could wait (synchronously) for what
        // the receive's completion, still below it on this stack, would bring.
        try
        {
            if (sent)
            {
                _send.RunContinuationsAsynchronously = received;
                CompleteSend(sendError);
            }
        }
        finally
        {
            if (received)
            {
                CompleteReceive(receivedCount, receiveError);
            }
        }
    }

    /// <summary>
    /// Unregisters the socket and fails what was waiting (on the thread pool, not on the caller's thread). Call before
    /// closing the socket.
    /// </summary>
    public void Close() => End(null);

    /// <summary>Fails what is waiting with <paramref name="error"/> and unregisters the socket (the loop's last resort).</summary>
    public void Fail(Exception error) => End(new IOException("The connection failed in the event loop.", error));

    // Fails the waits with error, or with a closed connection's SocketException (made only when something waits).
    private void End(Exception? error)
    {
        bool received, sent;
        lock (this)
        {
            received = _receivePending;
            sent = _sendPending;
            _receivePending = _sendPending = false;
            if (!_closed)
            {
                _closed = true;
                Unregister();
            }
        }
        if (sent)
        {
            _send.RunContinuationsAsynchronously = true;
            CompleteSend(error ?? Closed());
        }
        if (received)
        {
            _receive.RunContinuationsAsynchronously = true;
            CompleteReceive(0, error ?? Closed());
        }
    }

    /// <summary>
    /// Leaves the loop for a connection handed over as a stream: a receive or send still waiting is finished by the
    /// runtime's socket engine instead, so the stream's owner can close the socket whenever it likes.
    /// </summary>
    public void Detach()
    {
        bool received, sent;
        Memory<byte> buffer;
        ReadOnlyMemory<byte> data;
        lock (this)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            received = _receivePending;
            sent = _sendPending;
            buffer = _receiveBuffer;
            data = _sendData;
            _receivePending = _sendPending = false;
            Unregister();
        }
        if (received)
        {
            _ = HandOverReceiveAsync(buffer);
        }
        if (sent)
        {
            _ = HandOverSendAsync(data);
        }
    }

    private async Task HandOverReceiveAsync(Memory<byte> buffer)
    {
        _receive.RunContinuationsAsynchronously = true;
        try
        {
            CompleteReceive(await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ConnectionTransport.IsConnectionFailure(ex))
        {
            CompleteReceive(0, ex);
        }
    }

    private async Task HandOverSendAsync(ReadOnlyMemory<byte> data)
    {
        _send.RunContinuationsAsynchronously = true;
        try
        {
            while (!data.IsEmpty)
            {
                data = data.Slice(await socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false));
            }
            CompleteSend(null);
        }
        catch (Exception ex) when (ConnectionTransport.IsConnectionFailure(ex))
        {
            CompleteSend(ex);
        }
    }

    private void Cancel(CancellationToken token, bool receive)
    {
        lock (this)
        {
            if (receive ? !_receivePending || _receiveToken != token : !_sendPending || _sendToken != token)
            {
                return;
            }
            if (receive)
            {
                _receivePending = false;
                _receiveBuffer = default;
                _receive.RunContinuationsAsynchronously = true;
            }
            else
            {
                // Part of the data may have gone: the connection cannot carry anything after it, as with the runtime's sends.
                _sendPending = false;
                _sendData = default;
                _send.RunContinuationsAsynchronously = true;
            }
        }
        if (receive)
        {
            _receive.SetException(new OperationCanceledException(token));
        }
        else
        {
            _send.SetException(new OperationCanceledException(token));
        }
    }

    private void CompleteReceive(int count, Exception? error)
    {
        if (error is null)
        {
            _receive.SetResult(count);
        }
        else
        {
            _receive.SetException(error);
        }
    }

    private void CompleteSend(Exception? error)
    {
        if (error is null)
        {
            _send.SetResult(true);
        }
        else
        {
            _send.SetException(error);
        }
    }

    // The socket's calls, with a socket closed by someone else reported like any other failure: an exception must never
    // reach the loop thread.
    private int Send(ReadOnlySpan<byte> data, out SocketError error)
    {
        try
        {
            return socket.Send(data, SocketFlags.None, out error);
        }
        catch (ObjectDisposedException)
        {
            error = SocketError.OperationAborted;
            return 0;
        }
    }

    private int Receive(Span<byte> buffer, out SocketError error)
    {
        try
        {
            return socket.Receive(buffer, SocketFlags.None, out error);
        }
        catch (ObjectDisposedException)
        {
            error = SocketError.OperationAborted;
            return 0;
        }
    }

    // Under the lock: registers or re-arms the socket for what is still waited for.
    private Exception? Arm()
    {
        try
        {
            return ArmSocket();
        }
        catch (ObjectDisposedException ex)
        {
            return ex;
        }
    }

    private Exception? ArmSocket()
    {
        uint interest = (_receivePending ? Epoll.In : 0) | (_sendPending ? Epoll.Out : 0);
        if (interest == 0)
        {
            return null;
        }
        if (Data == 0)
        {
            bool referenced = false;
            socket.SafeHandle.DangerousAddRef(ref referenced);
            _handleReferenced = referenced;
            Data = loop.Register(this);
        }
        int fd = (int)socket.SafeHandle.DangerousGetHandle();
        int error = Epoll.Control(loop.Handle, _registered ? Epoll.Modify : Epoll.Add, fd, interest | Epoll.OneShot, Data);
        if (error != 0)
        {
            return new IOException($"epoll_ctl failed with errno {error}.");
        }
        _registered = true;
        return null;
    }

    // Under the lock.
    private void Unregister()
    {
        if (Data != 0)
        {
            if (_registered)
            {
                Epoll.Control(loop.Handle, Epoll.Delete, (int)socket.SafeHandle.DangerousGetHandle(), 0, 0);
            }
            loop.Unregister(Data);
            // Once: a second Unregister must not free the slot again, and a late event no longer matches.
            Data = 0;
            _registered = false;
        }
        if (_handleReferenced)
        {
            _handleReferenced = false;
            socket.SafeHandle.DangerousRelease();
        }
    }

    private static SocketException Closed() => new((int)SocketError.OperationAborted);

    int IValueTaskSource<int>.GetResult(short token)
    {
        try
        {
            return _receive.GetResult(token);
        }
        finally
        {
            DisposeCancellation(ref _receiveCancellation, ref _receiveToken);
        }
    }

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _receive.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _receive.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource.GetResult(short token)
    {
        try
        {
            _send.GetResult(token);
        }
        finally
        {
            DisposeCancellation(ref _sendCancellation, ref _sendToken);
        }
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _send.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _send.OnCompleted(continuation, state, token, flags);

    private static void DisposeCancellation(ref CancellationTokenRegistration registration, ref CancellationToken token)
    {
        if (token.CanBeCanceled)
        {
            // Dispose waits for a callback already running; the callback only takes the lock, which is not held here.
            registration.Dispose();
            registration = default;
            token = default;
        }
    }
}
