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
/// bytes already moved. The socket is registered once, edge-triggered, as the runtime's own engine registers its
/// sockets (for reads on its first wait, and writes added on the first send that has to wait), so a wait costs no system
/// call of its own. An edge announces bytes once:
/// a send or a receive into a buffer waits only after the socket said it would block, and an edge that came while
/// nothing waited is remembered for the next wait; a wait without a buffer waits only when a receive has found the
/// socket empty since the last read edge (<see cref="ReceiveNow"/> keeps track). Closing unregisters it before the
/// socket is closed, so its descriptor number cannot be reused while the loop still knows it. While registered it holds a reference on the socket's handle: a
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
    // Bit 0 (MayHoldBytes): a read edge came and no receive has found the socket empty since, so it may hold bytes that
    // no new edge will announce. Bit 1 (ShortReadsMislead): the peer's FIN, an error or urgent data arrived, after which
    // a receive can return fewer bytes than asked with more to read (the end of the stream, or what follows the urgent
    // mark); from then on only "would block" shows the socket empty. The bits above count read edges, so that a receive
    // begun before an edge cannot clear what the edge set (ReceiveNow).
    private int _receiveState;
    private const int MayHoldBytes = 1;
    private const int ShortReadsMislead = 2;
    private const int OneEdge = 4;
    // A write edge came while no send waited: the socket may take more, and no new edge will say so.
    private bool _sendReady;
    // False for a WaitReadableAsync: an edge ends it without a look at the socket.
    private bool _receiveExact;
    private bool _closed;
    private bool _registered;
    private bool _writesRegistered;
    private bool _handleReferenced;
    private CancellationToken _receiveToken;
    private CancellationToken _sendToken;
    private CancellationTokenRegistration _receiveCancellation;
    private CancellationTokenRegistration _sendCancellation;

    /// <summary>The slot and generation events for this socket carry; 0 until registered.</summary>
    public ulong Data { get; private set; }

    /// <summary>Waits until data or the end of the stream arrives, then receives into <paramref name="buffer"/> (nothing when empty).</summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) => Receive(buffer, exact: true, cancellationToken);

    /// <summary>
    /// Waits, without a buffer, for the next sign that data or the end of the stream arrived, and costs no system call
    /// of its own. The sign can be stale (its bytes already read by a receive that did not wait): a caller that finds
    /// nothing when it then receives waits again.
    /// </summary>
    public ValueTask<int> WaitReadableAsync(CancellationToken cancellationToken) => Receive(Memory<byte>.Empty, exact: false, cancellationToken);

    private ValueTask<int> Receive(Memory<byte> buffer, bool exact, CancellationToken cancellationToken)
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
            if ((Volatile.Read(ref _receiveState) & MayHoldBytes) != 0)
            {
                if (!exact)
                {
                    return new ValueTask<int>(0);
                }
                int count = ReceiveOrPeek(buffer.Span, out SocketError error);
                if (error == SocketError.Success)
                {
                    return new ValueTask<int>(count);
                }
                if (error != SocketError.WouldBlock)
                {
                    return ValueTask.FromException<int>(new SocketException((int)error));
                }
            }
            if (Register(forSend: false) is Exception failed)
            {
                return ValueTask.FromException<int>(failed);
            }
            _receive.Reset();
            _receive.RunContinuationsAsynchronously = false;
            _receiveBuffer = buffer;
            _receiveExact = exact;
            _receivePending = true;
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
            if (_sendReady)
            {
                _sendReady = false;
                SocketError error = SendAvailable(ref data);
                if (error == SocketError.Success && data.IsEmpty)
                {
                    return default;
                }
                if (error is not (SocketError.Success or SocketError.WouldBlock))
                {
                    return ValueTask.FromException(new SocketException((int)error));
                }
            }
            if (Register(forSend: true) is Exception failed)
            {
                return ValueTask.FromException(failed);
            }
            _send.Reset();
            _send.RunContinuationsAsynchronously = false;
            _sendData = data;
            _sendPending = true;
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
            // A wait that finds the socket still not ready (a stale edge) stays: the kernel sends a new edge when that changes.
            if ((events & (Epoll.Out | Epoll.Error | Epoll.HangUp)) != 0)
            {
                if (_sendPending)
                {
                    SocketError error = SendAvailable(ref _sendData);
                    if (error != SocketError.WouldBlock && (error != SocketError.Success || _sendData.IsEmpty))
                    {
                        sendError = error == SocketError.Success ? null : new SocketException((int)error);
                        _sendPending = false;
                        _sendData = default;
                        sent = true;
                    }
                }
                else
                {
                    _sendReady = true;
                }
            }
            if ((events & (Epoll.In | Epoll.Priority | Epoll.ReadHangUp | Epoll.Error | Epoll.HangUp)) != 0)
            {
                // Two steps, each atomic: a receive's CompareExchange from before this edge fails after either.
                Interlocked.Add(ref _receiveState, OneEdge);
                bool misleading = (events & (Epoll.ReadHangUp | Epoll.Error | Epoll.HangUp | Epoll.Priority)) != 0;
                Interlocked.Or(ref _receiveState, misleading ? MayHoldBytes | ShortReadsMislead : MayHoldBytes);
                if (_receivePending)
                {
                    // A wait without a buffer ends here without a look at the socket unless it must be exact: the edge
                    // may be stale, and its caller finds that out with the receive it makes next.
                    SocketError error = SocketError.Success;
                    if (_receiveExact)
                    {
                        receivedCount = ReceiveOrPeek(_receiveBuffer.Span, out error);
                    }
                    if (error != SocketError.WouldBlock)
                    {
                        receiveError = error == SocketError.Success ? null : new SocketException((int)error);
                        _receivePending = false;
                        _receiveBuffer = default;
                        received = true;
                    }
                }
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

    // Sends as much of data as the socket takes, leaving the rest in it: Success when all went, WouldBlock when the socket is full.
    private SocketError SendAvailable(ref ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            int count = SendNow(data.Span, out SocketError error);
            if (error != SocketError.Success)
            {
                return error;
            }
            data = data.Slice(count);
        }
        return SocketError.Success;
    }

    /// <summary>
    /// Receives what is there without waiting, whatever the socket's mode (<see cref="SocketCalls.Receive"/>); every
    /// receive on a registered socket that does not wait goes through here. One that finds the socket empty
    /// (it would block, or returned fewer bytes than asked) tells the waits without a buffer that they may wait, unless a
    /// read edge came while it ran.
    /// </summary>
    /// <remarks>A socket closed by someone else is reported like any other failure (here and in <see cref="SendNow"/>): an
    /// exception must never reach the loop thread.</remarks>
    public int ReceiveNow(Span<byte> buffer, SocketFlags flags, out SocketError error)
    {
        int mark = Volatile.Read(ref _receiveState);
        int received;
        try
        {
            received = SocketCalls.Receive(socket.SafeHandle, buffer, flags, out error);
        }
        catch (ObjectDisposedException)
        {
            error = SocketError.OperationAborted;
            return 0;
        }
        // A short read found the socket empty (TCP and Unix stream sockets return all that is queued, up to the buffer),
        // unless a FIN, an error or urgent data came. An end of stream (0 bytes) stays readable.
        bool empty = error == SocketError.WouldBlock
            || (error == SocketError.Success && received > 0 && received < buffer.Length && (mark & ShortReadsMislead) == 0);
        if (empty && (mark & MayHoldBytes) != 0)
        {
            Interlocked.CompareExchange(ref _receiveState, mark & ~MayHoldBytes, mark);
        }
        return received;
    }

    /// <summary>Sends what the socket takes now, without waiting, whatever the socket's mode; the count sent.</summary>
    public int SendNow(ReadOnlySpan<byte> data, out SocketError error)
    {
        try
        {
            return SocketCalls.Send(socket.SafeHandle, data, out error);
        }
        catch (ObjectDisposedException)
        {
            error = SocketError.OperationAborted;
            return 0;
        }
    }

    // Receives into buffer; for an empty buffer (an exact wait without a buffer) peeks a byte instead, so that a socket
    // with nothing to read says WouldBlock rather than 0. Data, an end of stream or an error all end such a wait with 0,
    // as a zero-byte receive does: the receive that follows reads what is there or reports the error.
    private int ReceiveOrPeek(Span<byte> buffer, out SocketError error)
    {
        if (!buffer.IsEmpty)
        {
            return ReceiveNow(buffer, SocketFlags.None, out error);
        }
        Span<byte> peeked = stackalloc byte[1];
        ReceiveNow(peeked, SocketFlags.Peek, out error);
        if (error != SocketError.WouldBlock)
        {
            error = SocketError.Success;
        }
        return 0;
    }

    // Under the lock, before a wait. Reads are registered on the first wait, writes on the first send that has to wait
    // (most connections never have one): registered from the start, every new socket would report itself writable at
    // once, an event for a loop thread to take and handle for nothing. The kernel checks the socket as it adds or
    // changes it, so what arrived before is an edge like any other.
    private Exception? Register(bool forSend)
    {
        uint events = Epoll.In | Epoll.Priority | Epoll.ReadHangUp | Epoll.EdgeTriggered | (forSend || _writesRegistered ? Epoll.Out : 0);
        if (_registered && (!forSend || _writesRegistered))
        {
            return null;
        }
        try
        {
            if (Data == 0)
            {
                bool referenced = false;
                socket.SafeHandle.DangerousAddRef(ref referenced);
                _handleReferenced = referenced;
                Data = loop.Register(this);
            }
            int fd = (int)socket.SafeHandle.DangerousGetHandle();
            int error = Epoll.Control(loop.Handle, _registered ? Epoll.Modify : Epoll.Add, fd, events, Data);
            if (error != 0)
            {
                return new IOException($"epoll_ctl failed with errno {error}.");
            }
        }
        catch (ObjectDisposedException ex)
        {
            return ex;
        }
        _registered = true;
        _writesRegistered = (events & Epoll.Out) != 0;
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
            _writesRegistered = false;
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
