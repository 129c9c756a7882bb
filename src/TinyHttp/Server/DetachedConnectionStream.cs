using System;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>
/// The raw connection handed out by <see cref="HttpResponse.DetachConnection"/>: bytes the server had
/// already received past the request head are read first, then the socket.
/// </summary>
internal sealed class DetachedConnectionStream(Socket socket, byte[] leftover) : NetworkStream(socket, ownsSocket: true)
{
    private int _leftoverOffset;

    public override int Read(Span<byte> buffer)
    {
        int fromLeftover = ReadLeftover(buffer);
        return fromLeftover > 0 ? fromLeftover : base.Read(buffer);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int fromLeftover = ReadLeftover(buffer.Span);
        return fromLeftover > 0 ? new ValueTask<int>(fromLeftover) : base.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int ReadLeftover(Span<byte> buffer)
    {
        int count = Math.Min(buffer.Length, leftover.Length - _leftoverOffset);
        if (count <= 0)
        {
            return 0;
        }
        leftover.AsSpan(_leftoverOffset, count).CopyTo(buffer);
        _leftoverOffset += count;
        return count;
    }
}
