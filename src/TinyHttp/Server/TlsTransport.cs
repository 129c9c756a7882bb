using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>
/// TlsTransport is TLS over an accepted socket, through <see cref="SslStream"/>. <see cref="StartAsync"/> waits for the
/// client's first byte without a buffer, then either runs the handshake (a TLS record starts with 0x16, RFC 8446 §5.1)
/// or, when the client spoke plain HTTP to this port, switches to plain bytes so the connection can answer 400.
/// </summary>
internal sealed class TlsTransport : ConnectionTransport
{
    private const byte HandshakeRecord = 0x16;

    private readonly TlsEndpoint _endpoint;
    // What TLS runs over: on Linux a SocketStream whose waits go to the SocketEventLoop (so TLS connections are served
    // on its threads as plain ones are), elsewhere a NetworkStream on the runtime's socket engine.
    private readonly Stream _inner;
    private readonly SocketReadiness? _readiness;
    private SslStream? _tls;
    private bool _plain;

    public TlsTransport(Socket socket, TlsEndpoint endpoint)
        : base(socket)
    {
        _endpoint = endpoint;
        if (SocketEventLoop.Shared is { } loop)
        {
            _readiness = new SocketReadiness(loop, socket);
            _inner = new SocketStream(socket, _readiness);
        }
        else
        {
            _inner = new NetworkStream(socket, ownsSocket: true);
        }
    }

    public override TimeSpan? HandshakeTimeout => _endpoint.HandshakeTimeout;

    public override TlsConnectionInfo? Tls { get; protected set; }

    public override async ValueTask<TransportStart> StartAsync()
    {
        // Nothing is rented or created until the client speaks: a connection that never does costs only its socket.
        int first;
        do
        {
            await (_readiness is not null
                ? _readiness.WaitReadableAsync(CancellationToken.None)
                : Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None)).ConfigureAwait(false);
        }
        while ((first = PeekFirstByte()) == WouldBlock);
        if (first < 0)
        {
            return TransportStart.Closed;
        }
        if (first != HandshakeRecord)
        {
            // An HTTP request line starts with a method token; answer it in plain text, as nginx and Kestrel do.
            _plain = first is >= 'A' and <= 'Z';
            return _plain ? TransportStart.PlainHttp : TransportStart.NotTls;
        }
        _tls = new SslStream(_inner, leaveInnerStreamOpen: false);
        await _tls.AuthenticateAsServerAsync(TlsEndpoint.SelectOptions, _endpoint, CancellationToken.None).ConfigureAwait(false);
        Tls = new TlsConnectionInfo(_tls);
        return TransportStart.Ready;
    }

    private const int WouldBlock = -2;

    // The client's first byte, left in the socket; -1 when the client closed or failed, WouldBlock when it is not there yet.
    private int PeekFirstByte()
    {
        Span<byte> first = stackalloc byte[1];
        int peeked = _readiness is not null
            ? _readiness.ReceiveNow(first, SocketFlags.Peek, out SocketError error)
            : Socket.Receive(first, SocketFlags.Peek, out error);
        return error == SocketError.WouldBlock ? WouldBlock : error != SocketError.Success || peeked == 0 ? -1 : first[0];
    }

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _plain ? _inner.ReadAsync(buffer, cancellationToken) : Secure.ReadAsync(buffer, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _plain ? _inner.WriteAsync(data, cancellationToken) : Secure.WriteAsync(data, cancellationToken);

    public override async ValueTask ShutdownSendAsync()
    {
        if (_tls is not null)
        {
            // RFC 8446 §6.1: close_notify before the transport closes, so the peer can tell the end from a truncation.
            await _tls.ShutdownAsync().ConfigureAwait(false);
        }
        Socket.Shutdown(SocketShutdown.Send);
    }

    public override void Dispose()
    {
        // The SslStream disposes the stream under it, which lets the loop go of the socket before closing it.
        _tls?.Dispose();
        _inner.Dispose();
    }

    public override Stream DetachAsStream() => _tls ?? _inner;

    private SslStream Secure => _tls ?? throw new InvalidOperationException("The TLS handshake has not completed.");
}

/// <summary>
/// TlsEndpoint is an HTTPS endpoint's TLS settings, made once: the server authentication options for each certificate
/// (with its chain built once, in an <see cref="SslStreamCertificateContext"/>), chosen per handshake by SNI.
/// </summary>
internal sealed class TlsEndpoint
{
    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http11];

    private readonly HttpsOptions _options;
    private readonly SslServerAuthenticationOptions? _fixed;
    // Keyed weakly by the certificate object: a selector that loads a fresh certificate (a renewal) lets the old one's
    // options go with it, instead of the table growing for the life of the server.
    private readonly ConditionalWeakTable<X509Certificate2, SslServerAuthenticationOptions> _selected = new();
    private readonly ConditionalWeakTable<X509Certificate2, SslServerAuthenticationOptions>.CreateValueCallback _build;
    private readonly RemoteCertificateValidationCallback? _validateClient;

    public TlsEndpoint(HttpsOptions options)
    {
        _options = options;
        HandshakeTimeout = options.HandshakeTimeout;
        _validateClient = options.ClientCertificateMode == ClientCertificateMode.NoCertificate ? null : ValidateClient;
        _build = For;
        if (options.ServerCertificateSelector is null)
        {
            _fixed = For(options.ServerCertificate!);
        }
    }

    public TimeSpan HandshakeTimeout { get; }

    /// <summary>The <see cref="ServerOptionsSelectionCallback"/>: the options for the certificate SNI selects.</summary>
    public static ValueTask<SslServerAuthenticationOptions> SelectOptions(SslStream stream, SslClientHelloInfo hello, object? state, CancellationToken cancellationToken)
    {
        var endpoint = (TlsEndpoint)state!;
        if (endpoint._fixed is { } fixedOptions)
        {
            return new ValueTask<SslServerAuthenticationOptions>(fixedOptions);
        }
        X509Certificate2 certificate = endpoint._options.ServerCertificateSelector!(string.IsNullOrEmpty(hello.ServerName) ? null : hello.ServerName)
            ?? throw new AuthenticationException($"No certificate for the host name '{hello.ServerName}'.");
        return new ValueTask<SslServerAuthenticationOptions>(endpoint._selected.GetValue(certificate, endpoint._build));
    }

    private SslServerAuthenticationOptions For(X509Certificate2 certificate) => new()
    {
        ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true),
        EnabledSslProtocols = _options.EnabledProtocols,
        ApplicationProtocols = Alpn,
        ClientCertificateRequired = _options.ClientCertificateMode != ClientCertificateMode.NoCertificate,
        RemoteCertificateValidationCallback = _validateClient,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        AllowRenegotiation = false,
    };

    private bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return _options.ClientCertificateMode != ClientCertificateMode.RequireCertificate;
        }
        if (_options.ClientCertificateValidation is { } validate)
        {
            return validate(certificate as X509Certificate2 ?? new X509Certificate2(certificate), chain, errors);
        }
        return errors == SslPolicyErrors.None;
    }
}
