using System;
using System.Buffers;
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
        int count = Math.Min(buffer.Length, CopyBufferSize);
        byte[] rented = ArrayPool<byte>.Shared.Rent(count);
        try
        {
            int read = Read(rented, 0, count);
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The most a copy of the body rents at once. Stream's own copy buffer (81,920 bytes) comes from the pool as a 128 KiB
    /// array: a large object, which the pool keeps after the copy and full collections do not compact, so the pooled
    /// arrays strand the large object heap's regions for minutes after a burst (bench/soak/README.md, "Memory after a
    /// burst"). Arrays of this size live in the small object heap, which full collections compact.
    /// </summary>
    internal const int CopyBufferSize = 16 * 1024;

    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        ValidateCopyToArguments(destination, bufferSize);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(bufferSize, CopyBufferSize));
        try
        {
            int read;
            while ((read = await exchange.ReadBodyAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override void CopyTo(Stream destination, int bufferSize)
    {
        ValidateCopyToArguments(destination, bufferSize);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(bufferSize, CopyBufferSize));
        try
        {
            int read;
            while ((read = Read(buffer, 0, buffer.Length)) > 0)
            {
                destination.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("The request body is a forward-only stream.");

    public override void SetLength(long value) => throw new NotSupportedException("The request body is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The request body is read-only.");
}
