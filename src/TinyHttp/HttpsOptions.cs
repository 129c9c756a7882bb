using System;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace TinyHttp;

/// <summary>
/// HttpsOptions turn an endpoint into an HTTPS endpoint: TLS through <see cref="SslStream"/>, then HTTP/1.1 inside it.
/// Give them to <see cref="TinyHttpServerOptions.Listen(System.Net.IPAddress, int, HttpsOptions?)"/> or another
/// <c>Listen</c> method; endpoints without them speak plain HTTP, and one server can have both.
/// </summary>
/// <example>
/// <code>
/// var https = new HttpsOptions { ServerCertificate = X509Certificate2.CreateFromPemFile("cert.pem", "key.pem") };
/// var options = new TinyHttpServerOptions().ListenLocalhost(8443, https);
/// </code>
/// </example>
public sealed class HttpsOptions
{
    /// <summary>The certificate, with its private key, that the server presents. Required unless <see cref="ServerCertificateSelector"/> is set.</summary>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>
    /// Chooses the certificate by the host name the client asked for with SNI (null when it sent none), for one endpoint
    /// serving several names. Returning null fails that handshake. When set, it is used instead of <see cref="ServerCertificate"/>.
    /// </summary>
    public Func<string?, X509Certificate2?>? ServerCertificateSelector { get; set; }

    /// <summary>The TLS versions accepted. Default TLS 1.2 and TLS 1.3; older versions are refused.</summary>
    public SslProtocols EnabledProtocols { get; set; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Whether the server asks for a client certificate. Default <see cref="ClientCertificateMode.NoCertificate"/>.</summary>
    public ClientCertificateMode ClientCertificateMode { get; set; }

    /// <summary>
    /// Decides whether a client certificate is accepted: the certificate, its chain as the platform built it, and the
    /// errors found. Without it, only a certificate that chains to a root the machine trusts is accepted. The accepted
    /// certificate is on <see cref="TlsConnectionInfo.ClientCertificate"/>.
    /// </summary>
    public Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool>? ClientCertificateValidation { get; set; }

    /// <summary>
    /// How long a client has to complete the TLS handshake after connecting. Default 10 seconds. A client that takes
    /// longer (or sends nothing) is disconnected; the connection counted toward
    /// <see cref="TinyHttpServerOptions.MaxConcurrentConnections"/> until then.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        if (ServerCertificate is null && ServerCertificateSelector is null)
        {
            throw new InvalidOperationException("HttpsOptions needs a ServerCertificate (with its private key) or a ServerCertificateSelector.");
        }
        if (ServerCertificate is not null && ServerCertificateSelector is not null)
        {
            throw new InvalidOperationException("HttpsOptions has both a ServerCertificate and a ServerCertificateSelector; set one (the selector can return the certificate for every name).");
        }
        if (ClientCertificateValidation is not null && ClientCertificateMode == ClientCertificateMode.NoCertificate)
        {
            throw new InvalidOperationException("HttpsOptions.ClientCertificateValidation is set but ClientCertificateMode is NoCertificate, so it would never run; set ClientCertificateMode to AllowCertificate or RequireCertificate.");
        }
        if (ServerCertificate is { HasPrivateKey: false })
        {
            throw new InvalidOperationException($"The server certificate '{ServerCertificate.Subject}' has no private key; load it with its key (for example X509Certificate2.CreateFromPemFile(certPath, keyPath)).");
        }
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero, nameof(HandshakeTimeout));
    }
}

/// <summary>Whether an HTTPS endpoint asks clients for a certificate.</summary>
public enum ClientCertificateMode
{
    /// <summary>The server does not ask for a client certificate.</summary>
    NoCertificate,

    /// <summary>The server asks; a client may send none, and one that sends a certificate must pass validation.</summary>
    AllowCertificate,

    /// <summary>The server asks, and a client without an accepted certificate fails the handshake.</summary>
    RequireCertificate,
}
