using System;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>
/// SocketStream is a non-blocking socket as a <see cref="Stream"/> whose waits go to the <see cref="SocketEventLoop"/>:
/// what a <see cref="TlsTransport"/>'s <see cref="System.Net.Security.SslStream"/> reads and writes through, so TLS
/// connections are served on the loop's threads as plain ones are. Reads and writes are tried at once and wait only
/// when the kernel has no data or no room. The synchronous members wait with poll(2) on this socket alone (a
/// detached stream's owner may call them on any thread). The stream owns the socket.
/// </summary>
internal sealed class SocketStream : Stream
{
    private readonly Socket _socket;
    private readonly SocketReadiness _readiness;

    public SocketStream(Socket socket, SocketReadiness readiness)
    {
        _socket = socket;
        _socket.Blocking = false;
        _readiness = readiness;
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException("A socket has no length.");

    public override long Position
    {
        get => throw new NotSupportedException("A socket has no position.");
        set => throw new NotSupportedException("A socket has no position.");
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!buffer.IsEmpty)
        {
            int received = _readiness.ReceiveNow(buffer.Span, SocketFlags.None, out SocketError error);
            if (error == SocketError.Success)
            {
                return new ValueTask<int>(received);
            }
            if (error != SocketError.WouldBlock)
            {
                return ValueTask.FromException<int>(new IOException("The connection failed.", new SocketException((int)error)));
            }
        }
        return _readiness.ReceiveAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int sent = _readiness.SendNow(buffer.Span, out SocketError error);
        if (error == SocketError.Success && sent == buffer.Length)
        {
            return default;
        }
        if (error is not (SocketError.Success or SocketError.WouldBlock))
        {
            return ValueTask.FromException(new IOException("The connection failed.", new SocketException((int)error)));
        }
        return _readiness.SendAsync(buffer.Slice(sent), cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            int received = _socket.Receive(buffer, SocketFlags.None, out SocketError error);
            if (error != SocketError.WouldBlock)
            {
                return error == SocketError.Success ? received : throw new IOException("The connection failed.", new SocketException((int)error));
            }
            _socket.Poll(-1, SelectMode.SelectRead);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int sent = _socket.Send(buffer, SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                _socket.Poll(-1, SelectMode.SelectWrite);
                continue;
            }
            if (error != SocketError.Success)
            {
                throw new IOException("The connection failed.", new SocketException((int)error));
            }
            buffer = buffer.Slice(sent);
        }
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A socket cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A socket has no length.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // The loop lets go of the descriptor before it is closed (SocketReadiness.Close).
            _readiness.Close();
            _socket.Dispose();
        }
        base.Dispose(disposing);
    }
}
