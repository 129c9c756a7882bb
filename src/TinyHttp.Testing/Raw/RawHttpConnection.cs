using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Testing;

/// <summary>
/// RawHttpConnection is a socket that speaks bytes, the telnet of a test suite: it sends exactly what it is
/// given (split into pieces and paused if asked, to act as a slow client) and reads back whole responses
/// framed by Content-Length, chunked coding or close. Every read is bounded by <see cref="ReadTimeout"/> and
/// fails with a message that shows the bytes that did arrive.
/// </summary>
/// <remarks>
/// One connection is meant for one test: sends and reads may not overlap with other sends or reads on the same instance.
/// Bytes that arrive after a response stay buffered for the next read, so pipelined responses are read one by one.
/// </remarks>
public sealed class RawHttpConnection : IAsyncDisposable, IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _buffered;
    private bool _endOfStream;

    private RawHttpConnection(Socket socket) => _socket = socket;

    /// <summary>
    /// ReadTimeout bounds each read method call as a whole (not each socket read). Default 10 seconds: long enough
    /// for a loaded CI machine, short enough that a hung server fails the test instead of the test run.
    /// </summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>RemoteEndPoint is the server's end of the connection.</summary>
    public EndPoint? RemoteEndPoint => _socket.RemoteEndPoint;

    /// <summary>LocalEndPoint is this client's end of the connection.</summary>
    public EndPoint? LocalEndPoint => _socket.LocalEndPoint;

    /// <summary>Connects to <paramref name="host"/> and <paramref name="port"/> over TCP.</summary>
    /// <param name="host">A host name or an IP address, for example <c>127.0.0.1</c>.</param>
    /// <param name="port">The TCP port.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The open connection.</returns>
    public static async Task<RawHttpConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        EndPoint endPoint = IPAddress.TryParse(host, out IPAddress? address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
        return await ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Connects to the host and port of <paramref name="uri"/> (its path is ignored); <c>https</c> is refused because this client does not speak TLS.</summary>
    /// <param name="uri">An absolute <c>http</c> URI, such as a server's <c>BaseAddress</c>.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The open connection.</returns>
    public static Task<RawHttpConnection> ConnectAsync(Uri uri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"'{uri}' is not an absolute http URI; RawHttpConnection speaks plain HTTP only.", nameof(uri));
        }
        return ConnectAsync(uri.Host, uri.Port, cancellationToken);
    }

    /// <summary>Connects to a Unix domain socket at <paramref name="path"/>.</summary>
    /// <param name="path">The socket file's path.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The open connection.</returns>
    public static Task<RawHttpConnection> ConnectUnixSocketAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
    }

    /// <summary>Connects to <paramref name="endPoint"/>: an <see cref="IPEndPoint"/>, a <see cref="DnsEndPoint"/> or a <see cref="UnixDomainSocketEndPoint"/>.</summary>
    /// <param name="endPoint">Where to connect, for example one of <c>TinyHttpServer.EndPoints</c>.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The open connection.</returns>
    public static async Task<RawHttpConnection> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        Socket socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : endPoint is DnsEndPoint
                ? new Socket(SocketType.Stream, ProtocolType.Tcp)
                : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (socket.AddressFamily != AddressFamily.Unix)
            {
                // Each send is its own segment, so pieces and pauses reach the server as pieces.
                socket.NoDelay = true;
            }
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new RawHttpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="bytes"/> exactly.</summary>
    /// <param name="bytes">The bytes to send.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the bytes are handed to the network.</returns>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        while (!bytes.IsEmpty)
        {
            int sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    /// <summary>
    /// Sends <paramref name="text"/> one byte per char (ISO-8859-1), with no line ending added: write
    /// <c>"GET / HTTP/1.1\r\nHost: x\r\n\r\n"</c> in full.
    /// </summary>
    /// <param name="text">The text to send; chars above U+00FF are refused.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the bytes are handed to the network.</returns>
    /// <exception cref="ArgumentException">The text has a char that is not one byte.</exception>
    public Task SendAsync(string text, CancellationToken cancellationToken = default) => SendAsync(ByteText.Latin1(text), cancellationToken);

    /// <summary>
    /// Sends <paramref name="pieces"/> one after another, pausing <paramref name="pause"/> between them, so the
    /// server sees a request split exactly where the test chose.
    /// </summary>
    /// <param name="pause">The pause between two pieces.</param>
    /// <param name="pieces">The pieces, as text (ISO-8859-1).</param>
    /// <returns>A task that completes when the last piece is sent.</returns>
    public async Task SendInPiecesAsync(TimeSpan pause, params string[] pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        for (int i = 0; i < pieces.Length; i++)
        {
            if (i > 0)
            {
                await Task.Delay(pause).ConfigureAwait(false);
            }
            await SendAsync(pieces[i]).ConfigureAwait(false);
        }
    }

    /// <summary>Sends <paramref name="bytes"/> like a slow client: <paramref name="bytesPerSend"/> bytes at a time, pausing <paramref name="pause"/> between sends.</summary>
    /// <param name="bytes">The bytes to send.</param>
    /// <param name="bytesPerSend">How many bytes each send carries; at least 1.</param>
    /// <param name="pause">The pause between two sends.</param>
    /// <param name="cancellationToken">Cancels the sends and pauses.</param>
    /// <returns>A task that completes when the last byte is sent.</returns>
    public async Task SendSlowlyAsync(ReadOnlyMemory<byte> bytes, int bytesPerSend, TimeSpan pause, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerSend, 1);
        for (int offset = 0; offset < bytes.Length; offset += bytesPerSend)
        {
            if (offset > 0)
            {
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            }
            await SendAsync(bytes.Slice(offset, Math.Min(bytesPerSend, bytes.Length - offset)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends <paramref name="text"/> (ISO-8859-1) like a slow client; see <see cref="SendSlowlyAsync(ReadOnlyMemory{byte}, int, TimeSpan, CancellationToken)"/>.</summary>
    /// <param name="text">The text to send.</param>
    /// <param name="bytesPerSend">How many bytes each send carries; at least 1.</param>
    /// <param name="pause">The pause between two sends.</param>
    /// <param name="cancellationToken">Cancels the sends and pauses.</param>
    /// <returns>A task that completes when the last byte is sent.</returns>
    public Task SendSlowlyAsync(string text, int bytesPerSend, TimeSpan pause, CancellationToken cancellationToken = default) =>
        SendSlowlyAsync(ByteText.Latin1(text), bytesPerSend, pause, cancellationToken);

    /// <summary>
    /// ShutdownSend half-closes the connection: the server reads end-of-stream (FIN), while this client can still
    /// read what the server sends back.
    /// </summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Abort resets the connection (TCP RST) instead of closing it gracefully, as a client that crashed would.</summary>
    public void Abort()
    {
        if (_socket.AddressFamily != AddressFamily.Unix)
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        _socket.Dispose();
    }

    /// <summary>
    /// Reads one complete response. Interim 1xx responses (except 101 Switching Protocols) are read too and
    /// returned in <see cref="RawHttpResponse.InterimResponses"/> of the final response.
    /// </summary>
    /// <param name="isHeadRequest">True when the request was HEAD, so the response has no body whatever its headers say.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The final response.</returns>
    /// <exception cref="TimeoutException">No complete response within <see cref="ReadTimeout"/>; the message shows the bytes received.</exception>
    /// <exception cref="IOException">The connection closed or was reset before the response was complete; the message shows the bytes received.</exception>
    /// <exception cref="FormatException">The bytes are not a valid response; the message shows them.</exception>
    public async Task<RawHttpResponse> ReadResponseAsync(bool isHeadRequest = false, CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource deadline = StartDeadline(cancellationToken);
        List<RawHttpResponse>? interim = null;
        while (true)
        {
            RawHttpResponse response = await ReadOneAsync(isHeadRequest, deadline.Token, cancellationToken, interim).ConfigureAwait(false);
            if (response.StatusCode is >= 100 and < 200 && response.StatusCode != 101)
            {
                (interim ??= new List<RawHttpResponse>()).Add(response);
                continue;
            }
            if (interim is not null)
            {
                response.InterimResponses = interim;
            }
            return response;
        }
    }

    /// <summary>
    /// Reads <paramref name="count"/> complete responses, as answers to that many pipelined requests (none of them HEAD).
    /// Interim 1xx responses are attached to the final response they precede.
    /// </summary>
    /// <param name="count">How many final responses to read.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The responses in the order they arrived.</returns>
    /// <exception cref="TimeoutException">A response did not arrive within <see cref="ReadTimeout"/> (each response has its own); the message says how many did and shows the bytes.</exception>
    /// <exception cref="IOException">The connection closed or was reset first.</exception>
    /// <exception cref="FormatException">The bytes are not valid responses.</exception>
    public async Task<IReadOnlyList<RawHttpResponse>> ReadResponsesAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var responses = new List<RawHttpResponse>(count);
        for (int i = 0; i < count; i++)
        {
            try
            {
                responses.Add(await ReadResponseAsync(isHeadRequest: false, cancellationToken).ConfigureAwait(false));
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"Read {i} of {count} pipelined responses. {e.Message}", e);
            }
            catch (IOException e)
            {
                throw new IOException($"Read {i} of {count} pipelined responses. {e.Message}", e);
            }
        }
        return responses;
    }

    /// <summary>Reads everything the server sends until it closes the connection, including bytes already buffered.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The bytes; empty when the server closed without sending anything more.</returns>
    /// <exception cref="TimeoutException">The server did not close within <see cref="ReadTimeout"/>; the message shows the bytes received.</exception>
    /// <exception cref="IOException">The connection was reset; the message shows the bytes received before the reset.</exception>
    public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource deadline = StartDeadline(cancellationToken);
        while (!_endOfStream)
        {
            await FillAsync(deadline.Token, cancellationToken, "the server to close the connection").ConfigureAwait(false);
        }
        byte[] all = _buffer.AsSpan(0, _buffered).ToArray();
        _buffered = 0;
        return all;
    }

    /// <summary>Closes the connection gracefully (FIN).</summary>
    public void Dispose() => _socket.Dispose();

    /// <summary>Closes the connection gracefully (FIN).</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<RawHttpResponse> ReadOneAsync(bool isHeadRequest, CancellationToken deadline, CancellationToken callerToken, List<RawHttpResponse>? interim)
    {
        while (true)
        {
            ParseOutcome outcome = ResponseParser.Parse(_buffer.AsSpan(0, _buffered), isHeadRequest, _endOfStream);
            switch (outcome.Status)
            {
                case ParseStatus.Complete:
                    Consume(outcome.Consumed);
                    return outcome.Response!;
                case ParseStatus.Invalid:
                    throw new FormatException($"{outcome.Error} Received {ByteText.Describe(_buffer.AsSpan(0, _buffered))}");
            }
            if (_endOfStream)
            {
                string interimNote = interim is null ? string.Empty : $" (after {interim.Count} interim response(s))";
                throw new IOException(
                    $"The server closed the connection before a complete response{interimNote}. Received {ByteText.Describe(_buffer.AsSpan(0, _buffered))}");
            }
            await FillAsync(deadline, callerToken, "a complete response").ConfigureAwait(false);
        }
    }

    private async Task FillAsync(CancellationToken deadline, CancellationToken callerToken, string waitingFor)
    {
        if (_buffered == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        int read;
        try
        {
            read = await _socket.ReceiveAsync(_buffer.AsMemory(_buffered), SocketFlags.None, deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            throw new TimeoutException(string.Create(
                CultureInfo.InvariantCulture,
                $"Timed out after {ReadTimeout.TotalSeconds:0.###} s waiting for {waitingFor}. Received {ByteText.Describe(_buffer.AsSpan(0, _buffered))}"));
        }
        catch (SocketException e)
        {
            throw new IOException(
                $"The connection failed ({e.SocketErrorCode}) while waiting for {waitingFor}. Received {ByteText.Describe(_buffer.AsSpan(0, _buffered))}", e);
        }
        if (read == 0)
        {
            _endOfStream = true;
        }
        _buffered += read;
    }

    private void Consume(int count)
    {
        _buffer.AsSpan(count, _buffered - count).CopyTo(_buffer);
        _buffered -= count;
    }

    private CancellationTokenSource StartDeadline(CancellationToken cancellationToken)
    {
        CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ReadTimeout);
        return deadline;
    }
}
