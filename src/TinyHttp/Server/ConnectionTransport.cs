using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>
/// ConnectionTransport is the seam between an HTTP connection and the bytes under it: a duplex byte stream that
/// knows nothing of HTTP. <see cref="SocketTransport"/> moves bytes over a plain socket, <see cref="TlsTransport"/> through
/// an SslStream, <see cref="StreamTransport"/> over any <see cref="Stream"/> (the tests run the server through it). The
/// connection owns the memory it reads into and writes from; a plain socket buffers nothing, so an idle plain connection
/// holds no buffer at either layer (an SslStream keeps TLS records of its own, and lets go of them when it is drained).
/// <see cref="InMemoryTransport"/> has no socket at all: it overrides everything that would touch one.
/// </summary>
internal abstract class ConnectionTransport(Socket? socket)
{
    private readonly Socket? _socket = socket;

    /// <summary>The accepted socket under the transport; only transports made with one may use it.</summary>
    protected Socket Socket => _socket ?? throw new InvalidOperationException($"{GetType().Name} has no socket.");

    /// <summary>The peer's address, or null when unknown (always for a transport without a socket).</summary>
    public EndPoint? RemoteEndPoint => _socket?.RemoteEndPoint;

    /// <summary>The local address the connection arrived on, or null when unknown (always for a transport without a socket).</summary>
    public EndPoint? LocalEndPoint => _socket?.LocalEndPoint;

    /// <summary>How long <see cref="StartAsync"/> may take (a TLS handshake), or null when there is nothing to start.</summary>
    public virtual TimeSpan? HandshakeTimeout => null;

    /// <summary>The TLS session once a handshake completed, or null.</summary>
    public virtual TlsConnectionInfo? Tls { get => null; protected set { } }

    /// <summary>Makes the transport ready for HTTP: nothing for a plain socket, the TLS handshake for TLS.</summary>
    /// <exception cref="IOException">The handshake failed (also <see cref="System.Security.Authentication.AuthenticationException"/>).</exception>
    public virtual ValueTask<TransportStart> StartAsync() => new(TransportStart.Ready);

    /// <summary>
    /// Receives into <paramref name="buffer"/>; returns the byte count, 0 at end of stream. An empty buffer waits until
    /// data or the end of stream is available without consuming anything, so a waiting connection needs no memory. Such
    /// a wait may end early on a plain socket (see <see cref="SocketReadiness.WaitReadableAsync"/>): <see cref="TryReceive"/>
    /// then says <see cref="NothingYet"/>, and the caller waits again.
    /// </summary>
    /// <exception cref="IOException">The connection failed (also <see cref="SocketException"/>, <see cref="ObjectDisposedException"/>).</exception>
    public abstract ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>
    /// Receives what has already arrived without waiting; returns the byte count, <see cref="NothingYet"/> when the
    /// transport knows nothing has, or 0 when it cannot tell without waiting (at the end of the stream, after a failure, or
    /// always for a transport that cannot receive without waiting): the caller then receives with <see cref="ReceiveAsync"/>.
    /// </summary>
    public virtual int TryReceive(Span<byte> buffer) => 0;

    /// <summary>What <see cref="TryReceive"/> returns when nothing has arrived.</summary>
    public const int NothingYet = -1;

    /// <summary>Sends all of <paramref name="data"/>.</summary>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// True when <see cref="SendFileAsync"/> moves file bytes to the connection without copying them through the
    /// process (sendfile on a plain socket). Otherwise the connection reads the file into its own buffer and sends that.
    /// </summary>
    public virtual bool CanSendFile => false;

    /// <summary>
    /// Sends <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/>, straight from the file
    /// to the connection; only when <see cref="CanSendFile"/>. Whatever was sent before must already have left.
    /// </summary>
    /// <exception cref="IOException">The connection failed, or the file ended early (also <see cref="SocketException"/>).</exception>
    public virtual ValueTask SendFileAsync(FileStream file, long offset, long count, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This transport cannot send a file directly; check CanSendFile.");

    /// <summary>Sends all of <paramref name="data"/> on the socket itself, however many sends it takes.</summary>
    protected async ValueTask SendAllOnSocketAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            data = data.Slice(await Socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Ends the sending direction (FIN, after a TLS close_notify where there is one); the peer sees the end of stream.</summary>
    public abstract ValueTask ShutdownSendAsync();

    /// <summary>Ends the receiving direction, so a pending receive completes with 0: how timeouts and shutdown wake a waiting connection.</summary>
    public virtual void ShutdownReceive()
    {
        try
        {
            Socket.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
        }
    }

    /// <summary>Resets the connection (TCP RST) and releases it (<see cref="Dispose"/>); pending operations fail.</summary>
    public virtual void Abort()
    {
        try
        {
            Socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
        }
        Dispose();
    }

    /// <summary>Closes the connection and releases it.</summary>
    public abstract void Dispose();

    /// <summary>
    /// Hands the connection to a caller as a stream, after which the transport does nothing more with it. The stream
    /// owns the connection: disposing it closes the connection.
    /// </summary>
    public abstract Stream DetachAsStream();

    /// <summary>True for the exceptions a failed, reset or closed connection throws.</summary>
    public static bool IsConnectionFailure(Exception ex) =>
        ex is SocketException or ObjectDisposedException or IOException or OperationCanceledException;
}

/// <summary>
/// The connection as its parts see it when they find the client gone (a failed send, a body that ended early, a
/// read-ahead that saw the close): the handler's token must fire. An interface rather than a delegate, so a
/// connection carries no extra object for it.
/// </summary>
internal interface IClientGoneSignal
{
    void OnClientGone();
}

/// <summary>How <see cref="ConnectionTransport.StartAsync"/> ended.</summary>
internal enum TransportStart
{
    /// <summary>HTTP can flow.</summary>
    Ready,
    /// <summary>The client sent plain HTTP to a TLS endpoint; the transport now moves plain bytes, so it can be answered.</summary>
    PlainHttp,
    /// <summary>The client sent something that is neither TLS nor HTTP.</summary>
    NotTls,
    /// <summary>The client closed before sending anything.</summary>
    Closed,
}

/// <summary>Why a TLS handshake did not complete; logged by name and tagged on the handshake metric.</summary>
internal enum TlsHandshakeFailure
{
    /// <summary>The client did not finish within HttpsOptions.HandshakeTimeout.</summary>
    Timeout,
    /// <summary>TLS itself failed: no common protocol or cipher, a certificate the client refused, a refused client certificate.</summary>
    Authentication,
    /// <summary>The client spoke plain HTTP; it was answered 400.</summary>
    PlainHttp,
    /// <summary>The client sent something that is neither TLS nor HTTP.</summary>
    NotTls,
    /// <summary>The client closed or reset the connection.</summary>
    Closed,
    /// <summary>The server began to stop.</summary>
    ServerStopping,
    /// <summary>The server's own TLS settings failed (a callback threw, a certificate without its key).</summary>
    ServerError,
}
