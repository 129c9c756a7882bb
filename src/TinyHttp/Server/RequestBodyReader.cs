using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Protocol;

namespace TinyHttp.Server;

/// <summary>
/// RequestBodyReader reads one request's body off the connection (RFC 9112 §6): a Content-Length body straight
/// into the reader's memory, a chunked body through <see cref="ChunkedBodyDecoder"/>. It sends <c>100 Continue</c>
/// when the body is first wanted, enforces the body size limit and the request body data rate, and drains what the
/// handler left unread. It travels with its <see cref="Http1Exchange"/>: bound to a connection while a request is in
/// flight; <see cref="Reset"/> starts each request's body.
/// </summary>
internal sealed class RequestBodyReader(int maxTrailerSize)
{
    private ConnectionTransport _transport = null!;
    private ConnectionInput _input = null!;
    private ConnectionOutput _output = null!;
    private ConnectionTimeouts _timeouts = null!;

    private long _remaining;
    private bool _chunked;
    private ChunkedBodyDecoder _decoder;
    private bool _expectContinue;
    private bool _continueSent;
    private long _decodedBytes;
    private long _wireBytes;

    private IClientGoneSignal? _clientGone;

    /// <summary>Reads through a connection's transport and buffers; <paramref name="clientGone"/> fires the handler's token when the client disappears mid-body.</summary>
    public void Bind(ConnectionTransport transport, ConnectionInput input, ConnectionOutput output, ConnectionTimeouts timeouts, IClientGoneSignal clientGone)
    {
        _transport = transport;
        _input = input;
        _output = output;
        _timeouts = timeouts;
        _clientGone = clientGone;
    }

    public void Unbind()
    {
        _transport = null!;
        _input = null!;
        _output = null!;
        _timeouts = null!;
        _clientGone = null;
    }

    /// <summary>True when the whole body has been read (or there is none).</summary>
    public bool IsComplete { get; private set; }

    /// <summary>True once the handler first read the body.</summary>
    public bool HasStarted { get; private set; }

    /// <summary>True when the body can no longer be read in step with the wire (a malformed or abandoned body): the connection must close.</summary>
    public bool OutOfStep { get; private set; }

    public void Reset(RequestHead head)
    {
        _chunked = head.IsChunked;
        _remaining = head.IsChunked ? 0 : Math.Max(head.ContentLength, 0);
        _decoder = head.IsChunked ? new ChunkedBodyDecoder(maxTrailerSize) : default;
        _expectContinue = head.ExpectContinue;
        _continueSent = false;
        _decodedBytes = 0;
        _wireBytes = 0;
        IsComplete = !head.HasBody;
        HasStarted = false;
        OutOfStep = false;
        _timeouts.ResetBodyRate();
    }

    /// <summary>
    /// Whether what is left of the body can be read and discarded to keep the connection: not when the client still
    /// waits for 100 Continue (it may never send the body), nor when more than <paramref name="maxDrain"/> bytes are announced.
    /// </summary>
    public bool CanBeDrained(long maxDrain) =>
        IsComplete || (!OutOfStep && !(_expectContinue && !_continueSent) && (_chunked || _remaining <= maxDrain));

    /// <summary>Reads decoded body bytes for the handler; 0 at the end of the body.</summary>
    /// <exception cref="BadHttpRequestException">The body is too large, malformed, too slow, or ended early.</exception>
    public ValueTask<int> ReadAsync(Memory<byte> destination, long? maxBodySize, long? contentLength, bool responseStarted, CancellationToken cancellationToken)
    {
        if (IsComplete || destination.IsEmpty)
        {
            return new ValueTask<int>(0);
        }
        if (!HasStarted)
        {
            HasStarted = true;
            if (contentLength > maxBodySize)
            {
                OutOfStep = true;
                throw new BadHttpRequestException(RequestRejectionReason.RequestBodyTooLarge);
            }
        }
        return ReadCoreAsync(destination, maxBodySize, responseStarted, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadCoreAsync(Memory<byte> destination, long? maxBodySize, bool responseStarted, CancellationToken cancellationToken)
    {
        if (_expectContinue && !_continueSent && !responseStarted)
        {
            // RFC 9110 §10.1.1: the client waits for 100 before sending the body; send it when the body is first wanted.
            ReadOnlySpan<byte> interim = ResponseHeadWriter.ContinueStatusLine;
            interim.CopyTo(_output.GetSpan(interim.Length));
            _output.Advance(interim.Length);
            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        _continueSent = true;
        int read;
        try
        {
            read = _chunked
                ? await ReadChunkedAsync(destination, cancellationToken).ConfigureAwait(false)
                : await ReadContentLengthAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or OperationCanceledException)
        {
            // A malformed body, or a handler that gave up on it: what is left of it can no longer be framed.
            OutOfStep = true;
            throw;
        }
        _decodedBytes += read;
        if (_decodedBytes > maxBodySize)
        {
            OutOfStep = true;
            throw new BadHttpRequestException(RequestRejectionReason.RequestBodyTooLarge);
        }
        return read;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadContentLengthAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int wanted = (int)Math.Min(destination.Length, _remaining);
        int read = _input.CopyTo(destination.Span.Slice(0, wanted));
        if (read == 0)
        {
            // Nothing buffered: receive straight into the caller's memory, never past this body's end.
            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            _timeouts.BeginBodyWait(Environment.TickCount64);
            try
            {
                read = await _transport.ReceiveAsync(destination.Slice(0, wanted), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _timeouts.EndBodyWait(Environment.TickCount64, 0);
                throw;
            }
            catch (Exception ex) when (ConnectionTransport.IsConnectionFailure(ex))
            {
                read = 0;
            }
            EndBodyWait(read);
        }
        _remaining -= read;
        _wireBytes += read;
        IsComplete = _remaining == 0;
        return read;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadChunkedAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            bool done = _decoder.Decode(_input.Buffered, destination.Span, out int consumed, out int written);
            _input.Consume(consumed);
            _wireBytes += consumed;
            if (done)
            {
                IsComplete = true;
            }
            if (written > 0 || done)
            {
                return written;
            }
            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            _timeouts.BeginBodyWait(Environment.TickCount64);
            int received;
            try
            {
                received = await _input.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _timeouts.EndBodyWait(Environment.TickCount64, 0);
                throw;
            }
            EndBodyWait(received);
        }
    }

    /// <summary>Ends a wait for body bytes; throws when the client closed or the body came too slowly.</summary>
    private void EndBodyWait(int received)
    {
        if (_timeouts.EndBodyWait(Environment.TickCount64, received) && received > 0)
        {
            return;
        }
        bool timedOut = _timeouts.Phase == ConnectionPhase.TimedOut;
        OutOfStep = true;
        _clientGone?.OnClientGone();
        throw new BadHttpRequestException(timedOut ? RequestRejectionReason.RequestBodyTimeout : RequestRejectionReason.UnexpectedEndOfRequestBody);
    }

    /// <summary>Reads and discards what the handler left of the body, within <paramref name="limit"/> wire bytes. Returns false to close instead.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> DrainAsync(long limit)
    {
        if (!CanBeDrained(limit))
        {
            return false;
        }
        // Counted in wire bytes: chunk framing can carry far more bytes than the body it decodes to.
        long drainStart = _wireBytes;
        byte[] scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (!IsComplete)
            {
                await ReadCoreAsync(scratch, maxBodySize: null, responseStarted: true, CancellationToken.None).ConfigureAwait(false);
                if (_wireBytes - drainStart > limit)
                {
                    return false;
                }
            }
            return true;
        }
        catch (BadHttpRequestException)
        {
            return false;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
