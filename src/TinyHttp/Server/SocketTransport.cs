using System;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>
/// SocketTransport is a plain TCP (or Unix domain) socket. Sends and receives are tried at once without blocking and go
/// asynchronous only when the kernel has no room or no data: a small response leaves in one system call, and the bytes a
/// zero-byte wait announced are read without another round through the socket engine. On Linux the waits go to
/// TinyHttp's own <see cref="SocketEventLoop"/>, which completes them on the thread that saw the event, and the calls
/// that do not wait are <see cref="SocketCalls"/>' (the socket stays in blocking mode, without the runtime's engine
/// state, unless a sendfile or a detach brings the runtime's own calls); elsewhere the socket is in non-blocking mode
/// and waits go to the runtime's socket engine. A connection that never waits to send never creates the socket's
/// cached send state, which keeps an idle connection small.
/// </summary>
internal sealed class SocketTransport : ConnectionTransport
{
    private readonly Socket _socket;
    private readonly SocketReadiness? _readiness;

    public SocketTransport(Socket socket)
        : base(socket)
    {
        _socket = socket;
        if (SocketEventLoop.Shared is { } loop)
        {
            // The loop's calls never block (SocketCalls): the socket keeps its mode, without the runtime's engine state.
            _readiness = new SocketReadiness(loop, socket);
        }
        else
        {
            _socket.Blocking = false;
        }
    }

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!buffer.IsEmpty)
        {
            int received = ReceiveNow(buffer.Span, out SocketError error);
            if (error == SocketError.Success)
            {
                return new ValueTask<int>(received);
            }
            if (error != SocketError.WouldBlock)
            {
                return ValueTask.FromException<int>(new SocketException((int)error));
            }
        }
        // Either way the ValueTask is backed by a reusable object of the socket's: no allocation.
        if (_readiness is null)
        {
            return _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        }
        return buffer.IsEmpty ? _readiness.WaitReadableAsync(cancellationToken) : _readiness.ReceiveAsync(buffer, cancellationToken);
    }

    public override int TryReceive(Span<byte> buffer)
    {
        int received = ReceiveNow(buffer, out SocketError error);
        return error switch
        {
            SocketError.Success => received,
            SocketError.WouldBlock => NothingYet,
            _ => 0,
        };
    }

    // Through the loop's bookkeeping when there is one: it must see every receive that did not wait.
    private int ReceiveNow(Span<byte> buffer, out SocketError error) =>
        _readiness is not null ? _readiness.ReceiveNow(buffer, SocketFlags.None, out error) : _socket.Receive(buffer, SocketFlags.None, out error);

    private int SendNow(ReadOnlySpan<byte> data, out SocketError error) =>
        _readiness is not null ? _readiness.SendNow(data, out error) : _socket.Send(data, SocketFlags.None, out error);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        int sent = SendNow(data.Span, out SocketError error);
        if (error == SocketError.Success && sent == data.Length)
        {
            return default;
        }
        if (error is not (SocketError.Success or SocketError.WouldBlock))
        {
            return ValueTask.FromException(new SocketException((int)error));
        }
        return _readiness is not null
            ? _readiness.SendAsync(data.Slice(sent), cancellationToken)
            : SendAllOnSocketAsync(data.Slice(sent), cancellationToken);
    }

    public override bool CanSendFile => true;

    // Socket.SendPacketsAsync with a file element is sendfile(2) on Linux and macOS and TransmitPackets on Windows: the
    // kernel moves the bytes from the page cache to the socket. Socket.SendFileAsync would too, but only for a whole file
    // named by path; this takes a region of a file already open, so a range is sent the same way and the file that was
    // checked is the file that is sent.
    public override async ValueTask SendFileAsync(FileStream file, long offset, long count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var operation = new SendFileOperation();
        while (count > 0)
        {
            int piece = (int)Math.Min(count, MaxSendFilePiece);
            await operation.SendAsync(_socket, new SendPacketsElement(file, offset, piece, endOfPacket: false)).ConfigureAwait(false);
            offset += piece;
            count -= piece;
        }
    }

    // SendPacketsElement counts in int; larger regions go in pieces.
    private const int MaxSendFilePiece = 1 << 30;

    /// <summary>One SendPacketsAsync at a time, awaitable. Made per file: a connection that never sends one never holds it.</summary>
    private sealed class SendFileOperation : SocketAsyncEventArgs
    {
        private TaskCompletionSource? _completion;

        private int _expected;

        public Task SendAsync(Socket socket, SendPacketsElement element)
        {
            SendPacketsElements = [element];
            _expected = element.Count;
            _completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!socket.SendPacketsAsync(this))
            {
                Complete();
            }
            return _completion.Task;
        }

        protected override void OnCompleted(SocketAsyncEventArgs e) => Complete();

        private void Complete()
        {
            if (SocketError == SocketError.Success && BytesTransferred == _expected)
            {
                _completion!.TrySetResult();
            }
            else if (SocketError == SocketError.Success)
            {
                // sendfile(2) stops at the end of the file: it shrank after its length went into Content-Length. The
                // body is short, so the connection cannot carry another response.
                _completion!.TrySetException(new IOException($"The file ended {_expected - BytesTransferred} bytes before the length that was announced."));
            }
            else
            {
                _completion!.TrySetException(new SocketException((int)SocketError));
            }
        }
    }

    public override ValueTask ShutdownSendAsync()
    {
        _socket.Shutdown(SocketShutdown.Send);
        return default;
    }

    public override void Dispose()
    {
        // The loop lets go of the descriptor before it is closed, so its number cannot come back to the loop as another socket.
        _readiness?.Close();
        _socket.Dispose();
    }

    public override Stream DetachAsStream()
    {
        // NetworkStream refuses a non-blocking socket; the stream's owner expects ordinary blocking reads and writes.
        // Out of the loop first: a loop thread must not receive on the socket once reads on it may block.
        _readiness?.Detach();
        _socket.Blocking = true;
        return new NetworkStream(_socket, ownsSocket: true);
    }
}
