using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>
/// ConnectionInput is a connection's receive buffer: bytes received and not yet consumed by the head parser or
/// the body reader. The buffer is rented when bytes are about to arrive and returned as soon as nothing is
/// buffered between requests, so an idle connection holds none: it waits for data with a zero-byte receive.
/// </summary>
internal sealed class ConnectionInput(ConnectionTransport transport, int maxBufferSize)
{
    private const int InitialBufferSize = 4096;

    private byte[]? _buffer;
    private int _start;
    private int _end;

    // A receive started while an async handler runs, so a client that goes away is noticed (see StartReadAhead).
    private Task<int>? _readAhead;
    private bool _detached;

    /// <summary>The bytes received and not yet consumed.</summary>
    public ReadOnlySpan<byte> Buffered => _buffer is null ? default : _buffer.AsSpan(_start, _end - _start);

    public bool IsEmpty => _start == _end;

    /// <summary>True while a read-ahead receive is outstanding.</summary>
    public bool IsReadingAhead => _readAhead is not null;

    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>Copies up to <paramref name="destination"/>'s length of buffered bytes out and consumes them.</summary>
    public int CopyTo(Span<byte> destination)
    {
        int count = Math.Min(destination.Length, _end - _start);
        if (count > 0)
        {
            _buffer.AsSpan(_start, count).CopyTo(destination);
            Consume(count);
        }
        return count;
    }

    /// <summary>
    /// The free end of the buffer to receive into, renting or growing the buffer when needed. Growth is bounded by
    /// the parser's limits: a head longer than them is rejected before the buffer reaches the maximum size.
    /// </summary>
    public Memory<byte> GetReceiveMemory()
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
            return _buffer;
        }
        if (_end < _buffer.Length)
        {
            return _buffer.AsMemory(_end);
        }
        int buffered = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, buffered);
        }
        else
        {
            int size = Math.Min(_buffer.Length * 2, Math.Max(maxBufferSize, _buffer.Length + 1));
            byte[] larger = ArrayPool<byte>.Shared.Rent(size);
            Buffer.BlockCopy(_buffer, 0, larger, 0, buffered);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        _start = 0;
        _end = buffered;
        return _buffer.AsMemory(_end);
    }

    /// <summary>
    /// Takes what has already arrived without waiting: the byte count; <see cref="ConnectionTransport.NothingYet"/> when
    /// nothing has (and no buffer is held); 0 when the transport cannot tell without waiting, and the buffer stays for
    /// the receive that follows.
    /// </summary>
    public int TryReceiveNow()
    {
        Memory<byte> destination = GetReceiveMemory();
        int received = transport.TryReceive(destination.Span);
        if (received > 0)
        {
            _end += received;
        }
        else if (received == ConnectionTransport.NothingYet)
        {
            ReleaseIfEmpty();
        }
        return received;
    }

    /// <summary>Counts <paramref name="received"/> bytes that arrived in the memory from <see cref="GetReceiveMemory"/>.</summary>
    public void Advance(int received) => _end += received;

    /// <summary>
    /// Receives more bytes: the outstanding read-ahead's if there is one. Returns the byte count, 0 at the end of the
    /// stream, -1 when the connection failed.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveAsync(CancellationToken cancellationToken)
    {
        int received;
        if (_readAhead is { } readAhead)
        {
            _readAhead = null;
            received = await readAhead.ConfigureAwait(false);
        }
        else
        {
            try
            {
                received = await transport.ReceiveAsync(GetReceiveMemory(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ConnectionTransport.IsConnectionFailure(ex) && ex is not OperationCanceledException)
            {
                received = -1;
            }
        }
        if (received > 0)
        {
            _end += received;
        }
        return received;
    }

    /// <summary>
    /// While an async handler runs with the request body fully read and nothing else buffered, watch the connection:
    /// wait without a buffer until the client sends or closes, then receive what came. If the client closed,
    /// <paramref name="clientGone"/> hears of it (the handler's token fires); if it sent the next pipelined request, the bytes
    /// wait for the next head. The result is applied by whoever takes it: <see cref="ReceiveAsync"/>, or the stream
    /// of a connection detached meanwhile (<see cref="Detach"/>), so the handler can take over the connection at any time.
    /// </summary>
    public void StartReadAhead(IClientGoneSignal clientGone)
    {
        // Under the lock Detach takes: a handler may detach on another thread at any moment after its first await.
        lock (this)
        {
            if (_readAhead is null && IsEmpty && !_detached)
            {
                ReleaseIfEmpty();
                _readAhead = ReadAheadAsync(clientGone);
            }
        }
    }

    private async Task<int> ReadAheadAsync(IClientGoneSignal clientGone)
    {
        int received;
        try
        {
            while (true)
            {
                await transport.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                Memory<byte> destination;
                lock (this)
                {
                    if (_detached)
                    {
                        // The handler took the connection while we waited; the bytes are its to read.
                        return HandedOver;
                    }
                    destination = GetReceiveMemory();
                }
                received = transport.TryReceive(destination.Span);
                if (received != ConnectionTransport.NothingYet)
                {
                    if (received == 0)
                    {
                        received = await transport.ReceiveAsync(destination, CancellationToken.None).ConfigureAwait(false);
                    }
                    break;
                }
                // The wait ended on a sign of bytes that were already read: wait again, without the buffer.
                lock (this)
                {
                    if (_detached)
                    {
                        return HandedOver;
                    }
                    ReturnBufferIfEmpty();
                }
            }
        }
        catch (Exception ex) when (ConnectionTransport.IsConnectionFailure(ex))
        {
            received = -1;
        }
        if (received <= 0)
        {
            clientGone.OnClientGone();
        }
        return received;
    }

    /// <summary>What a read-ahead returns when the connection was detached before it received anything.</summary>
    public const int HandedOver = -2;

    /// <summary>Returns the buffer to the pool when nothing is buffered and nothing can still write into it.</summary>
    public void ReleaseIfEmpty()
    {
        if (_readAhead is null)
        {
            ReturnBufferIfEmpty();
        }
    }

    private void ReturnBufferIfEmpty()
    {
        if (_buffer is not null && _start == _end)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _start = _end = 0;
        }
    }

    /// <summary>Gives up the buffered bytes and any outstanding read-ahead, for a connection handed to the handler.</summary>
    public DetachedInput Detach()
    {
        lock (this)
        {
            _detached = true;
            var detached = new DetachedInput(_buffer, _start, _end, _readAhead);
            _buffer = null;
            _start = _end = 0;
            _readAhead = null;
            return detached;
        }
    }

    /// <summary>Returns the buffer at the end of the connection, unless a read-ahead may still write into it.</summary>
    public void Dispose()
    {
        if (_readAhead is { IsCompleted: false })
        {
            return;
        }
        _readAhead = null;
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
        _start = _end = 0;
    }
}

/// <summary>
/// What a detached connection had received but not consumed: the bytes in <c>Buffer[Start..End]</c>, and a read-ahead
/// still under way whose bytes, when it returns a positive count, follow at <c>Buffer[End..]</c>.
/// </summary>
internal readonly record struct DetachedInput(byte[]? Buffer, int Start, int End, Task<int>? ReadAhead);
