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
internal sealed class TlsTransport(Socket socket, TlsEndpoint endpoint) : ConnectionTransport(socket)
{
    private const byte HandshakeRecord = 0x16;

    private SslStream? _tls;
    private bool _plain;

    public override TimeSpan? HandshakeTimeout => endpoint.HandshakeTimeout;

    public override TlsConnectionInfo? Tls { get; protected set; }

    public override async ValueTask<TransportStart> StartAsync()
    {
        // Nothing is rented or created until the client speaks: a connection that never does costs only its socket.
        await Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
        Span<byte> first = stackalloc byte[1];
        if (Socket.Receive(first, SocketFlags.Peek) == 0)
        {
            return TransportStart.Closed;
        }
        if (first[0] != HandshakeRecord)
        {
            // An HTTP request line starts with a method token; answer it in plain text, as nginx and Kestrel do.
            _plain = first[0] is >= (byte)'A' and <= (byte)'Z';
            return _plain ? TransportStart.PlainHttp : TransportStart.NotTls;
        }
        _tls = new SslStream(new NetworkStream(Socket, ownsSocket: true), leaveInnerStreamOpen: false);
        await _tls.AuthenticateAsServerAsync(TlsEndpoint.SelectOptions, endpoint, CancellationToken.None).ConfigureAwait(false);
        Tls = new TlsConnectionInfo(_tls);
        return TransportStart.Ready;
    }

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _plain ? Socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken) : Secure.ReadAsync(buffer, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _plain ? SendAllOnSocketAsync(data, cancellationToken) : Secure.WriteAsync(data, cancellationToken);

    public override async ValueTask ShutdownSendAsync()
    {
        if (_tls is not null)
        {
            // RFC 8446 §6.1: close_notify before the transport closes, so the peer can tell the end from a truncation.
            await _tls.ShutdownAsync().ConfigureAwait(false);
        }
        Socket.Shutdown(SocketShutdown.Send);
    }

    public override void Abort()
    {
        base.Abort();
        _tls?.Dispose();
    }

    public override void Dispose()
    {
        _tls?.Dispose();
        Socket.Dispose();
    }

    public override Stream DetachAsStream() => _tls is null ? new NetworkStream(Socket, ownsSocket: true) : _tls;

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
