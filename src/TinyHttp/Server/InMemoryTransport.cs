using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>
/// InMemoryTransport is a connection with no socket under it: two <see cref="InMemoryPipe"/>s, one each way, whose other
/// ends are an <see cref="InMemoryStream"/> the test holds as its client. The HTTP connection above it is the same one a
/// socket gets, so a handler run this way goes through the real parser, framing, keep-alive and timeouts, and the client
/// reads the exact bytes a socket would have carried. TinyHttp.Testing's <c>InMemoryServer</c> is built on it.
/// </summary>
internal sealed class InMemoryTransport : ConnectionTransport
{
    private readonly InMemoryPipe _fromClient;
    private readonly InMemoryPipe _toClient;

    private InMemoryTransport(InMemoryPipe fromClient, InMemoryPipe toClient)
        : base(socket: null)
    {
        _fromClient = fromClient;
        _toClient = toClient;
    }

    /// <summary>Makes a connection: the server's transport and the client's stream, its two ends.</summary>
    public static (InMemoryTransport Server, InMemoryStream Client) CreatePair()
    {
        var fromClient = new InMemoryPipe();
        var toClient = new InMemoryPipe();
        return (new InMemoryTransport(fromClient, toClient), new InMemoryStream(reads: toClient, writes: fromClient));
    }

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _fromClient.ReadAsync(buffer, cancellationToken);

    public override int TryReceive(Span<byte> buffer) => _fromClient.TryRead(buffer);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _toClient.Write(data.Span);
        return default;
    }

    public override ValueTask ShutdownSendAsync()
    {
        _toClient.Complete();
        return default;
    }

    public override void ShutdownReceive() => _fromClient.Complete();

    public override void Abort()
    {
        var reset = new IOException("The connection was reset (the in-memory transport was aborted).");
        _fromClient.Fail(reset);
        _toClient.Fail(reset);
    }

    public override void Dispose()
    {
        _toClient.Complete();
        _fromClient.Complete();
    }

    public override Stream DetachAsStream() => new InMemoryStream(reads: _fromClient, writes: _toClient);
}

/// <summary>
/// InMemoryStream is one end of an in-memory connection: it reads one pipe and writes the other. <see cref="ShutdownSend"/>
/// half-closes (the other end reads the end of stream), <see cref="Abort"/> resets both directions, and disposing closes both.
/// </summary>
internal sealed class InMemoryStream(InMemoryPipe reads, InMemoryPipe writes) : Stream
{
    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => reads.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        reads.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => reads.ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        writes.Write(buffer.Span);
        return default;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => writes.Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Ends this end's sending direction: the other end reads the end of stream, and can still answer.</summary>
    public void ShutdownSend() => writes.Complete();

    /// <summary>Resets the connection: reads and writes at both ends fail with an <see cref="IOException"/>.</summary>
    public void Abort()
    {
        var reset = new IOException("The connection was reset (the in-memory client aborted it).");
        reads.Fail(reset);
        writes.Fail(reset);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            writes.Complete();
            reads.Complete();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// InMemoryPipe carries bytes one way: writes never wait (the buffer grows; a test's responses are small), reads wait for
/// bytes, the end, or a failure. A read with an empty buffer waits the same way and consumes nothing, as a socket's
/// zero-byte receive does, so the connection's wait-without-a-buffer works unchanged.
/// </summary>
internal sealed class InMemoryPipe
{
    private readonly object _gate = new();
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _count;
    private bool _completed;
    private Exception? _failure;
    private TaskCompletionSource? _waiting;

    /// <summary>Appends <paramref name="data"/>.</summary>
    /// <exception cref="IOException">The pipe was completed or failed: the reading side has gone.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            if (_failure is not null)
            {
                throw new IOException(_failure.Message, _failure);
            }
            if (_completed)
            {
                throw new IOException("The connection is closed for sending.");
            }
            if (_start + _count + data.Length > _buffer.Length)
            {
                if (_count + data.Length > _buffer.Length)
                {
                    Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _count + data.Length));
                }
                _buffer.AsSpan(_start, _count).CopyTo(_buffer);
                _start = 0;
            }
            data.CopyTo(_buffer.AsSpan(_start + _count));
            _count += data.Length;
            wake = TakeWaiter();
        }
        wake?.TrySetResult();
    }

    /// <summary>Ends the pipe: once the bytes in it are read, reads return 0.</summary>
    public void Complete()
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            _completed = true;
            wake = TakeWaiter();
        }
        wake?.TrySetResult();
    }

    /// <summary>Fails the pipe: pending and later reads and writes throw <paramref name="failure"/>; unread bytes are dropped.</summary>
    public void Fail(Exception failure)
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            _failure ??= failure;
            _count = 0;
            wake = TakeWaiter();
        }
        wake?.TrySetResult();
    }

    /// <summary>Reads what is there without waiting; 0 when nothing is.</summary>
    public int TryRead(Span<byte> destination)
    {
        lock (_gate)
        {
            return _failure is null ? Take(destination) : 0;
        }
    }

    /// <summary>Reads at least one byte, or returns 0 at the end; with an empty <paramref name="destination"/>, waits for either and consumes nothing.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_failure is not null)
                {
                    throw new IOException(_failure.Message, _failure);
                }
                if (_count > 0)
                {
                    return Take(destination.Span);
                }
                if (_completed)
                {
                    return 0;
                }
                wait = (_waiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private int Take(Span<byte> destination)
    {
        int taken = Math.Min(destination.Length, _count);
        _buffer.AsSpan(_start, taken).CopyTo(destination);
        _start += taken;
        _count -= taken;
        if (_count == 0)
        {
            _start = 0;
        }
        return taken;
    }

    private TaskCompletionSource? TakeWaiter()
    {
        TaskCompletionSource? waiting = _waiting;
        _waiting = null;
        return waiting;
    }
}
