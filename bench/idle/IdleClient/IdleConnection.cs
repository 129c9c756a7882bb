using System;
using System.Buffers.Text;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Bench.Idle;

/// <summary>
/// IdleConnection is one client connection, plain or TLS (an <see cref="SslStream"/> over the socket): it sends a
/// request, reads exactly one response framed by its Content-Length, and otherwise sits still, so the server holds it
/// as an idle keep-alive connection.
/// </summary>
internal sealed class IdleConnection : IDisposable
{
    /// <summary>The request of the brief, byte for byte; every server here answers it with <see cref="HelloBody"/>.</summary>
    public static ReadOnlyMemory<byte> HelloRequest { get; } = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray();

    public static ReadOnlySpan<byte> HelloBody => "Hello, World!"u8;

    // IP_BIND_ADDRESS_NO_PORT (linux/in.h): bind() takes only the address and connect() picks the port, so the
    // port need only be unique per (source, destination) pair rather than per source address.
    private const int IpBindAddressNoPort = 24;

    private readonly Socket _socket;
    private readonly SslStream? _tls;

    private IdleConnection(Socket socket, SslStream? tls)
    {
        _socket = socket;
        _tls = tls;
    }

    /// <summary>The TLS protocol and cipher suite, as one word (<c>Tls13/TLS_AES_256_GCM_SHA384</c>), or null for plain HTTP.</summary>
    public string? Negotiated => _tls is null ? null : $"{_tls.SslProtocol}/{_tls.NegotiatedCipherSuite}";

    /// <summary>
    /// Connects from <paramref name="source"/> (any port) to <paramref name="server"/>, and with <paramref name="tls"/>
    /// completes a TLS handshake over it.
    /// </summary>
    public static async Task<IdleConnection> OpenAsync(IPAddress source, IPEndPoint server, SslClientAuthenticationOptions? tls, CancellationToken cancellationToken)
    {
        Socket socket = await ConnectAsync(source, server, cancellationToken).ConfigureAwait(false);
        if (tls is null)
        {
            return new IdleConnection(socket, null);
        }
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false));
        try
        {
            await stream.AuthenticateAsClientAsync(tls, cancellationToken).ConfigureAwait(false);
            return new IdleConnection(socket, stream);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            Reset(socket);
            throw;
        }
    }

    /// <summary>A TCP connection from <paramref name="source"/> (any port) to <paramref name="server"/>, NoDelay.</summary>
    public static async Task<Socket> ConnectAsync(IPAddress source, IPEndPoint server, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (!source.Equals(IPAddress.Any))
            {
                socket.SetRawSocketOption((int)SocketOptionLevel.IP, IpBindAddressNoPort, BitConverter.GetBytes(1));
                socket.Bind(new IPEndPoint(source, 0));
            }
            await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <see cref="HelloRequest"/> and reads the response. Returns null when it is a complete 200 with
    /// the hello body and nothing after it, which leaves the connection reusable; otherwise what was wrong.
    /// </summary>
    public async Task<string?> GetHelloAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        await SendAsync(HelloRequest, cancellationToken).ConfigureAwait(false);
        Response response = await ReadResponseAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (response.Status != 200)
        {
            return $"status {response.Status}";
        }
        if (response.Close)
        {
            return "Connection: close in the response";
        }
        if (!buffer.AsSpan(response.BodyStart, response.BodyLength).SequenceEqual(HelloBody))
        {
            return "wrong body";
        }
        return null;
    }

    public async Task SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        if (_tls is not null)
        {
            await _tls.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            return;
        }
        while (!request.IsEmpty)
        {
            int sent = await _socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            request = request[sent..];
        }
    }

    /// <summary>
    /// Reads one response whose head and body fit in <paramref name="buffer"/>. Throws
    /// <see cref="InvalidResponseException"/> for anything but a Content-Length-framed response followed by
    /// nothing: bytes after the body mean the framing was wrong.
    /// </summary>
    public async Task<Response> ReadResponseAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        int length = 0;
        int headEnd;
        while ((headEnd = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            length += await ReceiveSomeAsync(buffer, length, cancellationToken).ConfigureAwait(false);
        }
        (int status, long contentLength, bool close) = ParseHead(buffer.AsSpan(0, headEnd + 2));
        int bodyStart = headEnd + 4;
        if (bodyStart + contentLength > buffer.Length)
        {
            throw new InvalidResponseException($"a body of {contentLength} bytes, more than this client reads");
        }
        int end = bodyStart + (int)contentLength;
        while (length < end)
        {
            length += await ReceiveSomeAsync(buffer, length, cancellationToken).ConfigureAwait(false);
        }
        if (length > end)
        {
            throw new InvalidResponseException($"{length - end} bytes after the body");
        }
        return new Response(status, bodyStart, (int)contentLength, close);
    }

    private async Task<int> ReceiveSomeAsync(byte[] buffer, int offset, CancellationToken cancellationToken)
    {
        if (offset == buffer.Length)
        {
            throw new InvalidResponseException("a response head larger than this client reads");
        }
        int read = _tls is null
            ? await _socket.ReceiveAsync(buffer.AsMemory(offset), SocketFlags.None, cancellationToken).ConfigureAwait(false)
            : await _tls.ReadAsync(buffer.AsMemory(offset), cancellationToken).ConfigureAwait(false);
        return read > 0 ? read : throw new InvalidResponseException("the server closed the connection");
    }

    private static (int Status, long ContentLength, bool Close) ParseHead(ReadOnlySpan<byte> head)
    {
        int lineEnd = head.IndexOf("\r\n"u8);
        ReadOnlySpan<byte> statusLine = head[..lineEnd];
        if (!statusLine.StartsWith("HTTP/1.1 "u8) || statusLine.Length < 12
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out int consumed) || consumed != 3)
        {
            throw new InvalidResponseException("not an HTTP/1.1 status line");
        }
        long contentLength = -1;
        bool close = false;
        head = head[(lineEnd + 2)..];
        while (!head.IsEmpty)
        {
            lineEnd = head.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> field = head[..lineEnd];
            head = head[(lineEnd + 2)..];
            int colon = field.IndexOf((byte)':');
            if (colon <= 0)
            {
                throw new InvalidResponseException("a header line without a colon");
            }
            ReadOnlySpan<byte> name = field[..colon];
            ReadOnlySpan<byte> value = field[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out contentLength, out consumed) || consumed != value.Length || contentLength < 0)
                {
                    throw new InvalidResponseException("a Content-Length that is not a number");
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                throw new InvalidResponseException("a Transfer-Encoding response (this client expects a Content-Length)");
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8) && Ascii.EqualsIgnoreCase(value, "close"u8))
            {
                close = true;
            }
        }
        return contentLength >= 0 ? (status, contentLength, close) : throw new InvalidResponseException("no Content-Length");
    }

    /// <summary>Resets the connection (RST), so neither side keeps it in TIME_WAIT for the next server's run.</summary>
    public void Abort()
    {
        _tls?.Dispose();
        Reset(_socket);
    }

    /// <summary>Closes <paramref name="socket"/> with a reset (SO_LINGER 0) rather than a FIN.</summary>
    public static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        socket.Dispose();
    }

    public void Dispose()
    {
        _tls?.Dispose();
        _socket.Dispose();
    }
}

/// <summary>One response in the reader's buffer: its status, where its body is, and whether it said Connection: close.</summary>
internal readonly record struct Response(int Status, int BodyStart, int BodyLength, bool Close);

/// <summary>InvalidResponseException says why bytes from the server were not one well-framed response.</summary>
internal sealed class InvalidResponseException(string message) : Exception(message);
