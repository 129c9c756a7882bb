using System;
using System.Buffers;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>
/// ConnectionOutput queues response bytes and sends them in as few sends as it can: a head and a small body leave
/// together, and pipelined responses leave together before the connection waits for the client again. The buffer
/// is rented on the first write and returned once everything queued is sent and the response is complete.
/// Every send runs under the response data-rate clock.
/// </summary>
internal sealed class ConnectionOutput(ConnectionTransport transport, ConnectionTimeouts timeouts, IClientGoneSignal clientGone)
{
    /// <summary>The most that is queued before a send: a whole buffered response (ResponseBufferSize, 16 KiB by default) and its head fit.</summary>
    public const int MaxBufferSize = 32 * 1024;

    // Small while responses are small (a typical head and body fit 4 KiB); once more is needed, the full size, so
    // streamed chunks queue up and leave in large sends.
    private const int InitialBufferSize = 4096;

    private byte[]? _buffer;
    private int _length;

    public int QueuedCount => _length;

    /// <summary>
    /// At least <paramref name="size"/> bytes of space at the end of the queue, growing the buffer while keeping
    /// what is queued: for a response head or a chunk header, which are written whole and never split.
    /// </summary>
    public Span<byte> GetSpan(int size)
    {
        if (_buffer is null || _buffer.Length - _length < size)
        {
            Grow(size);
        }
        return _buffer.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    /// <summary>Queues <paramref name="data"/>, sending first when the queue would grow past <see cref="MaxBufferSize"/>; data larger than that is sent from the caller's memory.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_length + data.Length <= MaxBufferSize)
        {
            data.Span.CopyTo(GetSpan(data.Length));
            _length += data.Length;
            return default;
        }
        return FlushThenWriteAsync(data, cancellationToken);
    }

    /// <summary>True when a write of <paramref name="size"/> bytes fits without sending first.</summary>
    public bool Fits(int size) => _length + size <= MaxBufferSize;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushThenWriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        if (data.Length <= MaxBufferSize)
        {
            data.Span.CopyTo(GetSpan(data.Length));
            _length += data.Length;
            return;
        }
        await SendAsync(data, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/> after what is queued.
    /// A region larger than the queue goes straight from the file when the transport can send files (sendfile on a plain
    /// socket), after the queue is flushed so the head leaves first; otherwise (TLS, a stream, a small region) the file is
    /// read into the queue's own buffer, so a small file leaves in one send with its head.
    /// </summary>
    /// <exception cref="IOException">The file ended before <paramref name="count"/> bytes, or the connection failed.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendFileAsync(FileStream file, long offset, long count, CancellationToken cancellationToken)
    {
        if (transport.CanSendFile && count > MaxBufferSize - _length)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            timeouts.StartSendClock((int)Math.Min(count, int.MaxValue), Environment.TickCount64);
            try
            {
                await transport.SendFileAsync(file, offset, count, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ConnectionTransport.IsConnectionFailure(ex) && ex is not OperationCanceledException)
            {
                clientGone.OnClientGone();
                throw;
            }
            finally
            {
                timeouts.StopSendClock();
            }
            return;
        }
        while (count > 0)
        {
            if (_length == MaxBufferSize)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            int room = (int)Math.Min(count, MaxBufferSize - _length);
            GetSpan(room);
            int read = await RandomAccess.ReadAsync(file.SafeFileHandle, _buffer!.AsMemory(_length, room), offset, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"The file {file.Name} ended {count} bytes before the length the response announced; it changed while it was sent.");
            }
            _length += read;
            offset += read;
            count -= read;
        }
    }

    /// <summary>Sends everything queued.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_length == 0)
        {
            return default;
        }
        int length = _length;
        _length = 0;
        return SendAsync(_buffer.AsMemory(0, length), cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // A client that stops reading leaves the send pending; the heartbeat aborts it once it has taken longer
        // than MinResponseDataRate allows for its size.
        timeouts.StartSendClock(data.Length, Environment.TickCount64);
        try
        {
            await transport.SendAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ConnectionTransport.IsConnectionFailure(ex) && ex is not OperationCanceledException)
        {
            // The client is gone: tell the handler through its token as well as through this exception.
            clientGone.OnClientGone();
            throw;
        }
        finally
        {
            timeouts.StopSendClock();
        }
    }

    /// <summary>Returns the buffer to the pool when nothing is queued.</summary>
    public void ReleaseIfEmpty()
    {
        if (_buffer is not null && _length == 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    /// <summary>Drops whatever is queued and returns the buffer: the connection is gone.</summary>
    public void Dispose()
    {
        _length = 0;
        ReleaseIfEmpty();
    }

    private void Grow(int size)
    {
        int needed = _length + size;
        int capacity = needed <= InitialBufferSize ? InitialBufferSize : Math.Max(needed, MaxBufferSize);
        byte[] larger = ArrayPool<byte>.Shared.Rent(capacity);
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = larger;
    }
}
