using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Server;

namespace TinyHttp.Testing;

/// <summary>
/// RawHttpConnection is a socket that speaks bytes, the telnet of a test suite: it sends exactly what it is
/// given (split into pieces and paused if asked, to act as a slow client) and reads back whole responses
/// framed by Content-Length, chunked coding or close. Every read is bounded by <see cref="ReadTimeout"/> and
/// fails with a message that shows the bytes that did arrive.
/// </summary>
/// <remarks>
/// <para>One connection is meant for one test: sends and reads may not overlap with other sends or reads on the same instance.
/// Bytes that arrive after a response stay buffered for the next read, so pipelined responses are read one by one.</para>
/// <para>Over TLS (<see cref="ConnectTlsAsync"/>, or an HTTPS fixture's <c>ConnectRawAsync</c>) the same methods send and
/// read the same bytes inside the TLS session: each send is one write to the <see cref="SslStream"/>, so one or more
/// TLS records.</para>
/// </remarks>
public sealed class RawHttpConnection : IAsyncDisposable, IDisposable
{
    // Exactly one of these carries the bytes: a plain socket, TLS over a socket, or an in-memory connection (InMemoryServer).
    private readonly Socket? _socket;
    private readonly SslStream? _tls;
    private readonly InMemoryStream? _memory;
    private byte[] _buffer = new byte[16 * 1024];
    private int _buffered;
    private bool _endOfStream;

    private RawHttpConnection(Socket socket, SslStream? tls)
    {
        _socket = socket;
        _tls = tls;
    }

    /// <summary>A connection with no socket, to a server's in-memory transport; see <see cref="InMemoryServer"/>.</summary>
    internal RawHttpConnection(InMemoryStream memory)
    {
        _memory = memory;
    }

    private Stream? ByteStream => _tls is not null ? _tls : _memory;

    /// <summary>
    /// ReadTimeout bounds each read method call as a whole (not each socket read). Default 10 seconds: long enough
    /// for a loaded CI machine, short enough that a hung server fails the test instead of the test run.
    /// </summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>RemoteEndPoint is the server's end of the connection; null for an in-memory connection.</summary>
    public EndPoint? RemoteEndPoint => _socket?.RemoteEndPoint;

    /// <summary>LocalEndPoint is this client's end of the connection; null for an in-memory connection.</summary>
    public EndPoint? LocalEndPoint => _socket?.LocalEndPoint;

    /// <summary>Connects to <paramref name="host"/> and <paramref name="port"/> over TCP.</summary>
    /// <param name="host">A host name or an IP address, for example <c>127.0.0.1</c>.</param>
    /// <param name="port">The TCP port.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The open connection.</returns>
    public static async Task<RawHttpConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        return await ConnectAsync(ToEndPoint(host, port), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Connects to the host and port of <paramref name="uri"/> (its path is ignored) in plain text. An <c>https</c> URI is
    /// refused, because TLS needs to know which certificate to trust: use <see cref="ConnectTlsAsync"/>, or a fixture's
    /// <c>ConnectRawAsync</c>, which knows.
    /// </summary>
    /// <param name="uri">An absolute <c>http</c> URI, such as a server's <c>BaseAddress</c>.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The open connection.</returns>
    public static Task<RawHttpConnection> ConnectAsync(Uri uri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException(
                $"'{uri}' is not an absolute http URI; ConnectAsync speaks plain HTTP only. For https, use " +
                "RawHttpConnection.ConnectTlsAsync(endPoint, certificateToTrust) or the fixture's ConnectRawAsync().",
                nameof(uri));
        }
        return ConnectAsync(uri.Host, uri.Port, cancellationToken);
    }

    /// <summary>
    /// Connects to <paramref name="endPoint"/> and completes a TLS handshake (TLS 1.2 or 1.3, offering <c>http/1.1</c> with
    /// ALPN) that trusts <paramref name="trustedCertificate"/> and nothing else: the server must present exactly that
    /// certificate, for <paramref name="serverName"/>. Then every method sends and reads inside the TLS session.
    /// </summary>
    /// <param name="endPoint">Where to connect, for example one of <c>TinyHttpServer.EndPoints</c>.</param>
    /// <param name="trustedCertificate">The one certificate the server may present, for example <see cref="TestCertificate.Localhost"/>.</param>
    /// <param name="serverName">The host name sent with SNI and checked against the certificate; null for the endpoint's
    /// address or host (an IP address sends no SNI).</param>
    /// <param name="cancellationToken">Cancels the connect and the handshake.</param>
    /// <returns>The open connection, its handshake done.</returns>
    /// <exception cref="AuthenticationException">The handshake failed, or the server presented another certificate, or one not for
    /// <paramref name="serverName"/>; the message says which it presented.</exception>
    public static async Task<RawHttpConnection> ConnectTlsAsync(
        EndPoint endPoint, X509Certificate2 trustedCertificate, string? serverName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(trustedCertificate);
        string targetHost = serverName ?? endPoint switch
        {
            IPEndPoint ip => ip.Address.ToString(),
            DnsEndPoint dns => dns.Host,
            _ => "localhost",
        };
        Socket socket = await ConnectSocketAsync(endPoint, cancellationToken).ConfigureAwait(false);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        byte[] pinned = trustedCertificate.GetCertHash(HashAlgorithmName.SHA256);
        (string Subject, byte[] Hash, SslPolicyErrors Errors)? refused = null;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                bool accepted = TestCertificate.IsPinned(certificate, errors, pinned);
                if (!accepted && certificate is not null)
                {
                    refused = (certificate.Subject, certificate.GetCertHash(HashAlgorithmName.SHA256), errors);
                }
                return accepted;
            },
        };
        try
        {
            await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return new RawHttpConnection(socket, tls);
        }
        catch (AuthenticationException e) when (refused is { } seen)
        {
            tls.Dispose();
            throw new AuthenticationException(DescribeRefusal(endPoint, targetHost, seen.Subject, seen.Hash, trustedCertificate, pinned), e);
        }
        catch
        {
            tls.Dispose();
            throw;
        }
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
        return new RawHttpConnection(await ConnectSocketAsync(endPoint, cancellationToken).ConfigureAwait(false), tls: null);
    }

    private static async Task<Socket> ConnectSocketAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
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
            return socket;
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
        if (ByteStream is { } stream)
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            return;
        }
        while (!bytes.IsEmpty)
        {
            int sent = await _socket!.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
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
    /// read what the server sends back. Over TLS it first sends the TLS close_notify alert (waiting until it is written),
    /// then the FIN, so the server sees a clean end of the TLS session rather than a truncated one. In memory, the server
    /// reads the end of the stream just the same.
    /// </summary>
    public void ShutdownSend()
    {
        if (_memory is not null)
        {
            _memory.ShutdownSend();
            return;
        }
        if (_tls is not null)
        {
            // RFC 8446 §6.1: close_notify says the data ended here on purpose. SslStream has no synchronous form; the
            // alert is one small write, so waiting for it here costs a test nothing.
            _tls.ShutdownAsync().GetAwaiter().GetResult();
        }
        _socket!.Shutdown(SocketShutdown.Send);
    }

    /// <summary>
    /// Abort resets the connection (TCP RST) instead of closing it gracefully, as a client that crashed would; over TLS,
    /// without close_notify. In memory, the server's reads and writes fail as they would on a reset.
    /// </summary>
    public void Abort()
    {
        if (_memory is not null)
        {
            _memory.Abort();
            return;
        }
        if (_socket!.AddressFamily != AddressFamily.Unix)
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        _socket.Dispose();
        _tls?.Dispose();
    }

    /// <summary>
    /// Reads one complete response. Interim 1xx responses (except 101 Switching Protocols) are read too and
    /// returned in <see cref="RawHttpResponse.InterimResponses"/> of the final response. To act between an interim response
    /// and the final one (send a body once <c>100 Continue</c> arrives), read them one at a time with <see cref="ReadNextResponseAsync"/>.
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
            if (response.IsInterim)
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
    /// Reads the next response on the connection, whatever its status: an interim 1xx response (<see cref="RawHttpResponse.IsInterim"/>)
    /// comes back on its own, so a client can wait for <c>100 Continue</c> before it sends a body:
    /// <code>
    /// await connection.SendAsync("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    /// RawHttpResponse next = await connection.ReadNextResponseAsync();
    /// if (next.IsInterim) { await connection.SendAsync("hello"); next = await connection.ReadResponseAsync(); }
    /// </code>
    /// An interim response read here is not repeated in the next final response's <see cref="RawHttpResponse.InterimResponses"/>.
    /// </summary>
    /// <param name="isHeadRequest">True when the request was HEAD, so a final response has no body whatever its headers say.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The next response, interim or final.</returns>
    /// <exception cref="TimeoutException">No complete response within <see cref="ReadTimeout"/>; the message shows the bytes received.</exception>
    /// <exception cref="IOException">The connection closed or was reset before the response was complete; the message shows the bytes received.</exception>
    /// <exception cref="FormatException">The bytes are not a valid response; the message shows them.</exception>
    public async Task<RawHttpResponse> ReadNextResponseAsync(bool isHeadRequest = false, CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource deadline = StartDeadline(cancellationToken);
        return await ReadOneAsync(isHeadRequest, deadline.Token, cancellationToken, interim: null).ConfigureAwait(false);
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

    /// <summary>Closes the connection gracefully (FIN); over TLS, without close_notify (use <see cref="ShutdownSend"/> first for one).</summary>
    public void Dispose()
    {
        _memory?.Dispose();
        _tls?.Dispose();
        _socket?.Dispose();
    }

    /// <summary>Closes the connection gracefully (FIN); over TLS, without close_notify (use <see cref="ShutdownSend"/> first for one).</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
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
            read = ByteStream is { } stream
                ? await stream.ReadAsync(_buffer.AsMemory(_buffered), deadline).ConfigureAwait(false)
                : await _socket!.ReceiveAsync(_buffer.AsMemory(_buffered), SocketFlags.None, deadline).ConfigureAwait(false);
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
        catch (IOException e) when (_memory is not null)
        {
            throw new IOException($"The connection failed ({e.Message}) while waiting for {waitingFor}. Received {ByteText.Describe(_buffer.AsSpan(0, _buffered))}", e);
        }
        catch (IOException e) when (_tls is not null)
        {
            // SslStream reports a reset as an IOException around the SocketException, or a bad record on its own.
            string failure = e.InnerException is SocketException socketError ? socketError.SocketErrorCode.ToString() : e.Message;
            throw new IOException(
                $"The TLS connection failed ({failure}) while waiting for {waitingFor}. Received {ByteText.Describe(_buffer.AsSpan(0, _buffered))}", e);
        }
        if (read == 0)
        {
            _endOfStream = true;
        }
        _buffered += read;
    }

    private static EndPoint ToEndPoint(string host, int port) =>
        IPAddress.TryParse(host, out IPAddress? address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);

    // Called for a certificate the pin refused: either another certificate, or the trusted one for another host.
    private static string DescribeRefusal(
        EndPoint endPoint, string targetHost, string presentedSubject, byte[] presentedHash, X509Certificate2 trusted, byte[] trustedHash) =>
        presentedHash.AsSpan().SequenceEqual(trustedHash)
            ? $"The server at {endPoint} presented the trusted certificate '{trusted.Subject}', but it is not for '{targetHost}'; " +
                "connect with a serverName the certificate names, or make one for that name with TestCertificate.Create."
            : $"The server at {endPoint} presented the certificate '{presentedSubject}' (SHA-256 {Convert.ToHexString(presentedHash)}), " +
                $"not the trusted '{trusted.Subject}' (SHA-256 {Convert.ToHexString(trustedHash)}). Pass the server's certificate to RawHttpConnection.ConnectTlsAsync.";

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
