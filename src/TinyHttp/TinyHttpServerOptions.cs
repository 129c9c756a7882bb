using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;

namespace TinyHttp;

/// <summary>
/// TinyHttpServerOptions holds where a <see cref="TinyHttpServer"/> listens and every limit it enforces.
/// Each limit states its default and the status code a request that breaks it receives.
/// The server copies nothing: change options before <see cref="TinyHttpServer.Start"/>, not after.
/// </summary>
public sealed class TinyHttpServerOptions
{
    /// <summary>
    /// The endpoints to listen on: <see cref="IPEndPoint"/> (port 0 picks a free port; <see cref="IPAddress.IPv6Any"/>
    /// listens dual-mode on IPv4 and IPv6) or <see cref="UnixDomainSocketEndPoint"/>.
    /// When empty, the server listens on 127.0.0.1 with a free port.
    /// </summary>
    public IList<EndPoint> EndPoints { get; } = new List<EndPoint>();

    // The endpoints added with HttpsOptions, by the identity of the EndPoint object in EndPoints.
    private readonly Dictionary<EndPoint, HttpsOptions> _https = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Adds an endpoint on <paramref name="address"/> and <paramref name="port"/> (0 for a free port); with
    /// <paramref name="https"/>, an HTTPS endpoint.
    /// </summary>
    /// <returns>These options, for chaining.</returns>
    public TinyHttpServerOptions Listen(IPAddress address, int port, HttpsOptions? https = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        return Add(new IPEndPoint(address, port), https);
    }

    /// <summary>The HTTPS options of an endpoint in <see cref="EndPoints"/>, or null for a plain HTTP endpoint.</summary>
    internal HttpsOptions? HttpsFor(EndPoint endPoint) => _https.GetValueOrDefault(endPoint);

    private TinyHttpServerOptions Add(EndPoint endPoint, HttpsOptions? https)
    {
        EndPoints.Add(endPoint);
        if (https is not null)
        {
            _https[endPoint] = https;
        }
        return this;
    }

    /// <summary>
    /// Listens on the loopback interface: 127.0.0.1 and, where the machine has IPv6, [::1], both on
    /// <paramref name="port"/>. With port 0 only 127.0.0.1 is used, since two free ports would differ.
    /// </summary>
    /// <returns>These options, for chaining.</returns>
    public TinyHttpServerOptions ListenLocalhost(int port, HttpsOptions? https = null)
    {
        Listen(IPAddress.Loopback, port, https);
        if (port != 0 && Socket.OSSupportsIPv6)
        {
            Add(new LocalhostIPv6EndPoint(port), https);
        }
        return this;
    }

    /// <summary>Listens on every interface, IPv4 and IPv6 (dual-mode), on <paramref name="port"/>.</summary>
    /// <returns>These options, for chaining.</returns>
    public TinyHttpServerOptions ListenAnyIP(int port, HttpsOptions? https = null) =>
        Listen(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, port, https);

    /// <summary>Listens on a Unix domain socket at <paramref name="path"/>. A stale socket file left by a crashed process is replaced.</summary>
    /// <returns>These options, for chaining.</returns>
    public TinyHttpServerOptions ListenUnixSocket(string path, HttpsOptions? https = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Add(new UnixDomainSocketEndPoint(path), https);
    }

    /// <summary>Longest request line (method, target and version) in bytes. Default 8 KiB (8192). Longer → 414 URI Too Long.</summary>
    public int MaxRequestLineLength { get; set; } = 8 * 1024;

    /// <summary>Largest header section in bytes, field lines and their CRLFs. Default 32 KiB (32768). Larger → 431.</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>Most header fields in one request. Default 100. More → 431 Request Header Fields Too Large.</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>
    /// Largest request body in bytes, unless a handler changes <see cref="HttpRequest.MaxBodySize"/> before reading.
    /// Default 30,000,000 (as Kestrel). Larger → 413 Content Too Large. Null means no limit.
    /// </summary>
    public long? MaxRequestBodySize { get; set; } = 30_000_000;

    /// <summary>
    /// How much of a request body the handler left unread the server will read and discard to keep the
    /// connection open for the next request. Default 256 KiB (262144). A larger remainder closes the connection instead.
    /// </summary>
    public long MaxUnreadRequestBodyToDrain { get; set; } = 256 * 1024;

    /// <summary>
    /// Time allowed to receive a request's whole header section, from its first byte (or from accepting
    /// the connection, for the first request). Default 30 seconds. Exceeded → 408 Request Timeout and close.
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an idle persistent connection waits for its next request before it is closed. Default 130 seconds (as Kestrel).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>
    /// The slowest a client may send a request body while the handler waits for it: default 240 bytes/s after a
    /// 5-second grace period (as Kestrel). Slower → 408 Request Timeout and close. Null disables the check.
    /// </summary>
    public MinDataRate? MinRequestBodyDataRate { get; set; } = new(240, TimeSpan.FromSeconds(5));

    /// <summary>
    /// The slowest a client may read a response: default 240 bytes/s after a 5-second grace period (as Kestrel).
    /// A client that stops reading has its connection aborted and the handler's token fires. Null disables the check.
    /// </summary>
    public MinDataRate? MinResponseDataRate { get; set; } = new(240, TimeSpan.FromSeconds(5));

    /// <summary>
    /// Most connections open at once; null (the default) means no limit. A connection beyond the limit is answered
    /// at once with 503 Service Unavailable and Connection: close, without reading its request.
    /// </summary>
    public int? MaxConcurrentConnections { get; set; }

    /// <summary>
    /// How long <see cref="TinyHttpServer.DisposeAsync"/> and <see cref="TinyHttpServer.Dispose"/> let in-flight
    /// requests finish before aborting them. Default 30 seconds.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Response bytes a handler may write before the server sends the head and starts streaming. Default 16 KiB (16384).
    /// A body that fits and is complete when the handler returns gets a Content-Length; a longer one is sent chunked.</summary>
    public int ResponseBufferSize { get; set; } = 16 * 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestLineLength, 16, nameof(MaxRequestLineLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestHeadersTotalSize, 64, nameof(MaxRequestHeadersTotalSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestHeaderCount, 1, nameof(MaxRequestHeaderCount));
        if (MaxRequestBodySize is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRequestBodySize), "MaxRequestBodySize must be null or non-negative.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(MaxUnreadRequestBodyToDrain, nameof(MaxUnreadRequestBodyToDrain));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestHeadersTimeout, TimeSpan.Zero, nameof(RequestHeadersTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(KeepAliveTimeout, TimeSpan.Zero, nameof(KeepAliveTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownTimeout, TimeSpan.Zero, nameof(ShutdownTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(ResponseBufferSize, 0, nameof(ResponseBufferSize));
        if (MaxConcurrentConnections is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentConnections), "MaxConcurrentConnections must be null or at least 1.");
        }
        foreach (HttpsOptions https in _https.Values)
        {
            https.Validate();
        }
    }

    /// <summary>
    /// Makes the transport for each accepted socket; null (the default) is a plain <see cref="Server.SocketTransport"/>.
    /// Tests use it to run the whole server over <see cref="Server.StreamTransport"/>; HTTPS endpoints use their own TLS transport.
    /// </summary>
    internal Func<System.Net.Sockets.Socket, Server.ConnectionTransport>? TransportFactory { get; set; }

    /// <summary>[::1] added by <see cref="ListenLocalhost"/>: skipped without error when the machine has no IPv6 loopback.</summary>
    internal sealed class LocalhostIPv6EndPoint(int port) : IPEndPoint(IPAddress.IPv6Loopback, port);
}
