using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>
/// The raw connection handed out by <see cref="HttpResponse.DetachConnection"/>: bytes the server had already
/// received past the request head come first, then what a read-ahead still under way receives, then the transport's
/// own stream. Disposing it closes the connection.
/// </summary>
internal sealed class DetachedConnectionStream(Stream inner, DetachedInput leftover) : Stream
{
    private byte[]? _buffer = leftover.Buffer;
    private int _start = leftover.Start;
    private int _end = leftover.End;
    private Task<int>? _readAhead = leftover.ReadAhead;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException("A connection is not seekable.");

    public override long Position
    {
        get => throw new NotSupportedException("A connection is not seekable.");
        set => throw new NotSupportedException("A connection is not seekable.");
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Once the leftovers are read, every read is the transport's own: no state machine of ours per read (a WebSocket
        // waiting for its next frame would otherwise allocate one each time).
        if (_readAhead is null && _start == _end)
        {
            return inner.ReadAsync(buffer, cancellationToken);
        }
        return ReadWithLeftoversAsync(buffer, cancellationToken);
    }

    private async ValueTask<int> ReadWithLeftoversAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_readAhead is { } readAhead && _start == _end)
        {
            // Cleared only once it has finished: a cancelled wait must not let the next read race the read-ahead.
            int result = await readAhead.WaitAsync(cancellationToken).ConfigureAwait(false);
            _readAhead = null;
            if (TakeReadAhead(result) is int end)
            {
                return end;
            }
        }
        int fromLeftover = ReadLeftover(buffer.Span);
        return fromLeftover > 0 || buffer.IsEmpty ? fromLeftover : await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override int Read(Span<byte> buffer)
    {
        if (_readAhead is { } readAhead && _start == _end)
        {
            int result = readAhead.GetAwaiter().GetResult();
            _readAhead = null;
            if (TakeReadAhead(result) is int end)
            {
                return end;
            }
        }
        int fromLeftover = ReadLeftover(buffer);
        return fromLeftover > 0 || buffer.IsEmpty ? fromLeftover : inner.Read(buffer);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A connection is not seekable.");

    public override void SetLength(long value) => throw new NotSupportedException("A connection is not seekable.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            // A read-ahead still pending may write into the buffer until the connection's close completes it.
            if (_buffer is not null && (_readAhead is null || _readAhead.IsCompleted))
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }
            _buffer = null;
        }
        base.Dispose(disposing);
    }

    /// <summary>Counts a finished read-ahead's bytes in; returns 0 when it saw the end of the connection, null to read on.</summary>
    private int? TakeReadAhead(int received)
    {
        if (received > 0)
        {
            _end += received;
            return null;
        }
        return received == ConnectionInput.HandedOver ? null : 0;
    }

    private int ReadLeftover(Span<byte> buffer)
    {
        int count = Math.Min(buffer.Length, _end - _start);
        if (count <= 0)
        {
            return 0;
        }
        _buffer.AsSpan(_start, count).CopyTo(buffer);
        _start += count;
        if (_start == _end && _readAhead is null)
        {
            // Drained: a WebSocket that idles for hours holds no buffer of the server's.
            ArrayPool<byte>.Shared.Return(_buffer!);
            _buffer = null;
            _start = _end = 0;
        }
        return count;
    }
}
