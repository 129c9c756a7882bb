using System;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>
/// StreamTransport moves bytes through any <see cref="Stream"/> layered on an accepted socket; the tests run the whole
/// server through it (over a NetworkStream) to hold the seam to the same assertions as the socket transport. The socket
/// underneath is kept for what a stream cannot do: half-closing the receive side to wake a waiting read, and resetting.
/// A zero-byte read waits for data without a buffer (NetworkStream passes it down to the socket).
/// </summary>
internal sealed class StreamTransport(Stream stream, Socket socket) : ConnectionTransport(socket)
{
    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        stream.ReadAsync(buffer, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        stream.WriteAsync(data, cancellationToken);

    public override async ValueTask ShutdownSendAsync()
    {
        await stream.FlushAsync().ConfigureAwait(false);
        Socket.Shutdown(SocketShutdown.Send);
    }

    public override void Dispose()
    {
        stream.Dispose();
        Socket.Dispose();
    }

    public override Stream DetachAsStream() => stream;
}
