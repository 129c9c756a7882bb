using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>The write-only stream behind <see cref="HttpResponse.Body"/>; it forwards to the response's write methods.</summary>
internal sealed class ResponseBodyStream(HttpResponse response) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException("The response body is a forward-only stream.");

    public override long Position
    {
        get => throw new NotSupportedException("The response body is a forward-only stream.");
        set => throw new NotSupportedException("The response body is a forward-only stream.");
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        response.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        response.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => response.Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => response.Write(buffer);

    public override Task FlushAsync(CancellationToken cancellationToken) => response.FlushAsync(cancellationToken).AsTask();

    public override void Flush() => SocketEventLoop.Block(response.FlushAsync());

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The response body is write-only.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("The response body is a forward-only stream.");

    public override void SetLength(long value) => throw new NotSupportedException("The response body is a forward-only stream.");
}
