using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>The read-only stream behind <see cref="HttpRequest.Body"/>; one per exchange, reused for every request the exchange carries.</summary>
internal sealed class RequestBodyStream(IHttpExchange exchange) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException("The request body is a forward-only stream; use HttpRequest.ContentLength.");

    public override long Position
    {
        get => throw new NotSupportedException("The request body is a forward-only stream.");
        set => throw new NotSupportedException("The request body is a forward-only stream.");
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        exchange.ReadBodyAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        exchange.ReadBodyAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        SocketEventLoop.Block(exchange.ReadBodyAsync(buffer.AsMemory(offset, count), CancellationToken.None));

    public override int Read(Span<byte> buffer)
    {
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            int read = Read(rented, 0, buffer.Length);
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("The request body is a forward-only stream.");

    public override void SetLength(long value) => throw new NotSupportedException("The request body is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The request body is read-only.");
}
