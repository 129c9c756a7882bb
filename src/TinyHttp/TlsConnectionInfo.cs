using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace TinyHttp;

/// <summary>
/// TlsConnectionInfo describes the TLS session a request arrived on (<see cref="HttpRequest.Tls"/>, null for plain
/// HTTP): what was negotiated in the handshake, and the client's certificate when it sent one.
/// </summary>
public sealed class TlsConnectionInfo
{
    internal TlsConnectionInfo(SslStream tls)
    {
        Protocol = tls.SslProtocol;
        CipherSuite = tls.NegotiatedCipherSuite;
        ServerName = string.IsNullOrEmpty(tls.TargetHostName) ? null : tls.TargetHostName;
        ApplicationProtocol = tls.NegotiatedApplicationProtocol.ToString();
        ClientCertificate = tls.RemoteCertificate as X509Certificate2 ?? (tls.RemoteCertificate is { } other ? new X509Certificate2(other) : null);
    }

    /// <summary>The TLS version: <see cref="SslProtocols.Tls12"/> or <see cref="SslProtocols.Tls13"/>.</summary>
    public SslProtocols Protocol { get; }

    /// <summary>The cipher suite, for example <see cref="TlsCipherSuite.TLS_AES_256_GCM_SHA384"/>.</summary>
    public TlsCipherSuite CipherSuite { get; }

    /// <summary>The host name the client asked for with SNI, or null when it sent none (a client connecting by IP address).</summary>
    public string? ServerName { get; }

    /// <summary>The application protocol agreed with ALPN (<c>http/1.1</c>), or empty when the client offered none.</summary>
    public string ApplicationProtocol { get; }

    /// <summary>The client's certificate when it sent one and it was accepted, else null.</summary>
    public X509Certificate2? ClientCertificate { get; }
}
