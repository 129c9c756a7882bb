using System;
using System.Buffers;
using System.Buffers.Text;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Protocol;
using TinyHttp.Server;

namespace TinyHttp;

/// <summary>
/// HttpResponse is what a handler sends back. Set <see cref="StatusCode"/> and <see cref="Headers"/>, then give
/// the body either whole (<see cref="SetBody(ReadOnlyMemory{byte})"/>) or in pieces (<see cref="WriteAsync"/>).
/// The server chooses the framing: Content-Length when the whole body is known by the time the handler returns
/// (or fits in <see cref="TinyHttpServerOptions.ResponseBufferSize"/>), otherwise chunked on HTTP/1.1 and
/// close-delimited on HTTP/1.0. HEAD requests get the same head and no body; 1xx, 204 and 304 never have a body.
/// </summary>
public sealed class HttpResponse
{
    private const string TextContentType = "text/plain; charset=utf-8";

    private readonly HttpConnection _connection;
    private readonly int _bufferSize;
    private int _statusCode;
    private string? _reasonPhrase;
    private long? _contentLength;
    private ReadOnlyMemory<byte> _wholeBody;
    private bool _hasWholeBody;
    private byte[]? _buffer;
    private int _buffered;
    private long _bytesWritten;
    private long _framedLength;
    private ResponseBodyFraming _framing;
    private bool _isHeadRequest;
    private bool _isConnectRequest;
    private bool _isHttp11;
    private bool _completed;

    internal HttpResponse(HttpConnection connection, int bufferSize)
    {
        _connection = connection;
        _bufferSize = bufferSize;
        Headers = new HttpResponseHeaders(this);
        Body = new ResponseBodyStream(this);
    }

    /// <summary>The status code, 200 by default. Must be 100–999; cannot change once the response has started.</summary>
    public int StatusCode
    {
        get => _statusCode;
        set
        {
            ThrowIfStarted();
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 100);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 999);
            _statusCode = value;
        }
    }

    /// <summary>The reason phrase; null (the default) sends the RFC 9110 phrase for <see cref="StatusCode"/>, or none for an unknown code.</summary>
    public string? ReasonPhrase
    {
        get => _reasonPhrase;
        set
        {
            ThrowIfStarted();
            if (value is not null && (!HttpCharacters.IsValidFieldValue(value) || value.Contains('\t')))
            {
                throw new ArgumentException("A reason phrase may not contain control characters such as CR or LF.", nameof(value));
            }
            _reasonPhrase = value;
        }
    }

    /// <summary>The header fields to send.</summary>
    public HttpResponseHeaders Headers { get; }

    /// <summary>
    /// The body length to announce. Optional: the server sets it for a whole body. Set it before streaming a body of
    /// known length to avoid chunked coding; writing more throws <see cref="InvalidOperationException"/>, writing less aborts the connection.
    /// </summary>
    public long? ContentLength
    {
        get => _contentLength;
        set
        {
            ThrowIfStarted();
            if (value is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), "ContentLength must be null or non-negative.");
            }
            _contentLength = value;
        }
    }

    /// <summary>The Content-Type field, or null.</summary>
    public string? ContentType
    {
        get => Headers["Content-Type"];
        set => Headers["Content-Type"] = value;
    }

    /// <summary>True once the status line and headers have been sent (or queued to send); after that they cannot change.</summary>
    public bool HasStarted { get; private set; }

    /// <summary>The body as a stream, for APIs that write to one. Writes go through <see cref="WriteAsync"/>.</summary>
    public Stream Body { get; }

    /// <summary>
    /// Sets the whole body. It is sent after the handler returns, with a Content-Length, without copying
    /// (a cached array can be reused across requests). Calling it again replaces the body.
    /// </summary>
    /// <exception cref="InvalidOperationException">The response has started, or the body was already written with <see cref="WriteAsync"/>.</exception>
    public void SetBody(ReadOnlyMemory<byte> body)
    {
        ThrowIfStarted();
        if (_bytesWritten > 0)
        {
            throw new InvalidOperationException("SetBody replaces the whole body, so it cannot follow WriteAsync or Write; use one or the other.");
        }
        _wholeBody = body;
        _hasWholeBody = true;
    }

    /// <summary>Sets the whole body to <paramref name="text"/> in UTF-8, and Content-Type to <c>text/plain; charset=utf-8</c> unless one is set.</summary>
    /// <exception cref="InvalidOperationException">The response has started, or the body was already written.</exception>
    public void SetBody(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        SetBody(Encoding.UTF8.GetBytes(text));
        if (!Headers.Contains("Content-Type"))
        {
            Headers.Set("Content-Type", TextContentType);
        }
    }

    /// <summary>
    /// Writes part of the body. Small writes are buffered; once more than <see cref="TinyHttpServerOptions.ResponseBufferSize"/>
    /// bytes are written (or on <see cref="FlushAsync"/>) the head is sent and the body streams.
    /// </summary>
    /// <exception cref="InvalidOperationException">The status does not allow a body, <see cref="SetBody(ReadOnlyMemory{byte})"/> was used, the write would exceed <see cref="ContentLength"/>, or the handler already returned.</exception>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (!BeginWrite(data.Length))
        {
            return default;
        }
        if (!HasStarted && _buffered + data.Length <= _bufferSize)
        {
            BufferBody(data.Span);
            return default;
        }
        return StartAndWriteAsync(data, cancellationToken);
    }

    /// <summary>Writes part of the body synchronously; the same rules as <see cref="WriteAsync"/>. Blocks when the socket must be written.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (!BeginWrite(data.Length))
        {
            return;
        }
        if (!HasStarted && _buffered + data.Length <= _bufferSize)
        {
            BufferBody(data);
            return;
        }
        if (!HasStarted)
        {
            Start(complete: false);
            EmitBufferedBody();
        }
        EmitBody(data);
    }

    /// <summary>Sends the head (if not yet sent) and everything written so far. Afterwards the body streams.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        if (!HasStarted)
        {
            await StartAsync(complete: false).ConfigureAwait(false);
            await EmitBufferedBodyAsync(cancellationToken).ConfigureAwait(false);
        }
        await _connection.FlushOutputAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resets the connection (TCP RST): the client gets no response. For fault injection and hopeless requests.</summary>
    public void Abort() => _connection.Abort();

    /// <summary>
    /// Takes the connection away from the server: it sends nothing more and reads no further requests on it.
    /// The caller owns the returned stream (bytes the client already sent past this request's head come first);
    /// disposing it closes the connection. For protocol upgrades and for sending deliberately broken responses in tests.
    /// </summary>
    /// <exception cref="InvalidOperationException">The response has started.</exception>
    public Stream DetachConnection()
    {
        ThrowIfStarted();
        HasStarted = true;
        _completed = true;
        return _connection.Detach();
    }

    internal void Reset(bool isHeadRequest, bool isConnectRequest, bool isHttp11)
    {
        _isConnectRequest = isConnectRequest;
        _statusCode = 200;
        _reasonPhrase = null;
        _contentLength = null;
        _wholeBody = default;
        _hasWholeBody = false;
        _buffered = 0;
        _bytesWritten = 0;
        _framedLength = 0;
        _framing = ResponseBodyFraming.None;
        _isHeadRequest = isHeadRequest;
        _isHttp11 = isHttp11;
        _completed = false;
        HasStarted = false;
        Headers.Reset();
    }

    internal void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ConnectionBuffers.Pool.Return(_buffer);
            _buffer = null;
        }
    }

    /// <summary>
    /// Finishes the response after the handler returned: sends the head and whole body, or ends a chunked body.
    /// Returns false when the body is shorter than its Content-Length, so the connection must be aborted.
    /// </summary>
    internal async ValueTask<bool> CompleteAsync()
    {
        if (_completed)
        {
            return true;
        }
        _completed = true;
        if (!HasStarted)
        {
            await StartAsync(complete: true).ConfigureAwait(false);
            if (_framing is ResponseBodyFraming.ContentLength or ResponseBodyFraming.CloseDelimited
                && !_isHeadRequest && ResponseHeadWriter.StatusAllowsBody(_statusCode))
            {
                if (_hasWholeBody)
                {
                    await _connection.WriteOutputAsync(_wholeBody).ConfigureAwait(false);
                }
                else
                {
                    await EmitBufferedBodyAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
            return true;
        }
        if (_framing == ResponseBodyFraming.Chunked && !_isHeadRequest)
        {
            await _connection.EnsureOutputSpaceAsync(ResponseHeadWriter.LastChunk.Length).ConfigureAwait(false);
            _connection.AppendOutput(ResponseHeadWriter.LastChunk);
        }
        return _framing != ResponseBodyFraming.ContentLength || _bytesWritten >= _framedLength || _isHeadRequest;
    }

    /// <summary>True when the response asks for the connection to close (Connection: close or a close-delimited body).</summary>
    internal bool ClosesConnection { get; private set; }

    /// <summary>Marks a server-written error response as sent, so the handler's writes (if any) fail.</summary>
    internal void MarkCompleted()
    {
        HasStarted = true;
        _completed = true;
    }

    private bool BeginWrite(int length)
    {
        ThrowIfCompleted();
        if (_hasWholeBody)
        {
            throw new InvalidOperationException("The body was set with SetBody; WriteAsync cannot add to it.");
        }
        if (!ResponseHeadWriter.StatusAllowsBody(_statusCode))
        {
            throw new InvalidOperationException($"A {_statusCode} response cannot have a body (RFC 9110 §15).");
        }
        long? limit = HasStarted ? (_framing == ResponseBodyFraming.ContentLength ? _framedLength : null) : DeclaredContentLength();
        if (limit is long max && _bytesWritten + length > max)
        {
            throw new InvalidOperationException($"Writing {length} more bytes would exceed the declared Content-Length of {max} ({_bytesWritten} already written).");
        }
        _bytesWritten += length;
        return length > 0;
    }

    private void BufferBody(ReadOnlySpan<byte> data)
    {
        if (_isHeadRequest)
        {
            return;
        }
        _buffer ??= ConnectionBuffers.Pool.Rent(Math.Max(_bufferSize, 1));
        data.CopyTo(_buffer.AsSpan(_buffered));
        _buffered += data.Length;
    }

    private async ValueTask StartAndWriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!HasStarted)
        {
            await StartAsync(complete: false).ConfigureAwait(false);
            await EmitBufferedBodyAsync(cancellationToken).ConfigureAwait(false);
        }
        await EmitBodyAsync(data, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask EmitBufferedBodyAsync(CancellationToken cancellationToken)
    {
        if (_buffered == 0)
        {
            return default;
        }
        int length = _buffered;
        _buffered = 0;
        return EmitBodyAsync(_buffer.AsMemory(0, length), cancellationToken);
    }

    // Sends body bytes in the chosen framing. A chunk that fits the output buffer is queued whole (size line, data
    // and CRLF together), so a streamed body goes out in buffer-sized sends rather than one send per piece.
    private async ValueTask EmitBodyAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_isHeadRequest || data.IsEmpty)
        {
            return;
        }
        if (_framing != ResponseBodyFraming.Chunked)
        {
            await _connection.WriteOutputAsync(data, cancellationToken).ConfigureAwait(false);
            return;
        }
        int framed = ResponseHeadWriter.MaxChunkHeaderLength + data.Length + 2;
        await _connection.EnsureOutputSpaceAsync(Math.Min(framed, HttpConnection.OutputBufferSize), cancellationToken).ConfigureAwait(false);
        _connection.AdvanceOutput(ResponseHeadWriter.WriteChunkHeader(_connection.OutputSpan, data.Length));
        await _connection.WriteOutputAsync(data, cancellationToken).ConfigureAwait(false);
        await _connection.EnsureOutputSpaceAsync(2, cancellationToken).ConfigureAwait(false);
        _connection.AppendOutput("\r\n"u8);
    }

    // Makes room for the head without blocking a thread, then writes it.
    private ValueTask StartAsync(bool complete)
    {
        ValueTask room = _connection.EnsureOutputSpaceAsync(ResponseHeadWriter.MaxLength(_statusCode, _reasonPhrase, Headers.Fields));
        if (room.IsCompletedSuccessfully)
        {
            room.GetAwaiter().GetResult();
            Start(complete);
            return default;
        }
        return AwaitRoomThenStart(room, complete);
    }

    private async ValueTask AwaitRoomThenStart(ValueTask room, bool complete)
    {
        await room.ConfigureAwait(false);
        Start(complete);
    }

    private void EmitBufferedBody()
    {
        if (_buffered > 0)
        {
            EmitBody(_buffer.AsSpan(0, _buffered));
            _buffered = 0;
        }
    }

    // Sends body bytes in the chosen framing; blocks only when the bytes do not fit the output buffer.
    private void EmitBody(ReadOnlySpan<byte> data)
    {
        if (_isHeadRequest || data.IsEmpty)
        {
            return;
        }
        if (_framing == ResponseBodyFraming.Chunked)
        {
            _connection.EnsureOutputSpace(ResponseHeadWriter.MaxChunkHeaderLength);
            _connection.AdvanceOutput(ResponseHeadWriter.WriteChunkHeader(_connection.OutputSpan, data.Length));
            _connection.WriteOutput(data);
            _connection.EnsureOutputSpace(2);
            _connection.AppendOutput("\r\n"u8);
        }
        else
        {
            _connection.WriteOutput(data);
        }
    }

    private void Start(bool complete)
    {
        long? declared = DeclaredContentLength();
        long length = 0;
        if (!ResponseHeadWriter.StatusAllowsBody(_statusCode))
        {
            // A 304 may announce the length a 200 would have had (RFC 9110 §8.6); 1xx and 204 must not. A 205 has no
            // content but, unlike 204, must still frame it: Content-Length: 0 (RFC 9110 §15.3.6).
            _framing = _statusCode == 205 || (_statusCode == 304 && declared is not null) ? ResponseBodyFraming.ContentLength : ResponseBodyFraming.None;
            length = _statusCode == 205 ? 0 : declared ?? 0;
        }
        else if (_isConnectRequest && _statusCode < 300)
        {
            // RFC 9110 §9.3.6: no Content-Length or Transfer-Encoding in a 2xx to CONNECT; the connection becomes a
            // tunnel, so whatever follows is raw bytes until it closes.
            _framing = ResponseBodyFraming.CloseDelimited;
        }
        else if (complete)
        {
            length = _hasWholeBody ? _wholeBody.Length : _bytesWritten;
            if (declared is long promised && promised != length)
            {
                throw new InvalidOperationException($"The response declared Content-Length {promised} but its body has {length} bytes.");
            }
            _framing = ResponseBodyFraming.ContentLength;
        }
        else if (declared is long promised)
        {
            _framing = ResponseBodyFraming.ContentLength;
            length = promised;
        }
        else
        {
            _framing = _isHttp11 ? ResponseBodyFraming.Chunked : ResponseBodyFraming.CloseDelimited;
        }
        _framedLength = length;

        bool keepAlive = _connection.CanKeepAlive && _framing != ResponseBodyFraming.CloseDelimited && !HandlerAskedToClose();
        ClosesConnection = !keepAlive;
        ConnectionOption connection = !keepAlive ? ConnectionOption.Close : _isHttp11 ? ConnectionOption.None : ConnectionOption.KeepAlive;

        ReadOnlySpan<ResponseField> fields = Headers.Fields;
        _connection.EnsureOutputSpace(ResponseHeadWriter.MaxLength(_statusCode, _reasonPhrase, fields));
        int written = ResponseHeadWriter.Write(_connection.OutputSpan, _statusCode, _reasonPhrase, fields, _framing, length, connection);
        _connection.AdvanceOutput(written);
        HasStarted = true;
    }

    private long? DeclaredContentLength()
    {
        if (_contentLength is not null)
        {
            return _contentLength;
        }
        if (Headers.TryGetValue("Content-Length", out string? text))
        {
            if (!Utf8Parser.TryParse(Encoding.ASCII.GetBytes(text!), out long value, out int consumed) || consumed != text!.Length || value < 0)
            {
                throw new InvalidOperationException($"The Content-Length header '{text}' is not a non-negative integer; set HttpResponse.ContentLength instead.");
            }
            return value;
        }
        return null;
    }

    private bool HandlerAskedToClose()
    {
        if (!Headers.TryGetValue("Connection", out string? value))
        {
            return false;
        }
        foreach (Range part in value.AsSpan().Split(','))
        {
            if (value.AsSpan()[part].Trim().Equals("close", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private void ThrowIfStarted()
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("The response has started: status, reason and headers can no longer change.");
        }
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("The response is complete: the handler returned, or the connection was detached or aborted.");
        }
    }
}
