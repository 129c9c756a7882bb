using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace TinyHttp.Testing;

/// <summary>
/// TestCertificate makes self-signed TLS server certificates for tests, in memory: no files, no certificate store,
/// nothing to install or clean up. <see cref="Localhost"/> is the one the HTTPS fixtures and stub servers present;
/// <see cref="CreatePinnedHandler"/> makes a client that trusts exactly one certificate and no other.
/// </summary>
/// <remarks>
/// Nothing here trusts a certificate machine-wide. A client outside .NET trusts it through a file:
/// <c>TestCertificate.Localhost.WritePemFile(path)</c>, then <c>curl --cacert path https://127.0.0.1:port/</c>.
/// </remarks>
public static class TestCertificate
{
    // RFC 5280 §4.2.1.12: id-kp-serverAuth.
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    private static readonly Lazy<X509Certificate2> LocalhostCertificate = new(() => Create("localhost", "127.0.0.1", "::1"));

    /// <summary>
    /// Localhost is a certificate for <c>localhost</c>, <c>127.0.0.1</c> and <c>::1</c>, with its private key, made on
    /// first use and then the same instance for the rest of the process (making it is thread-safe). Do not dispose it.
    /// </summary>
    public static X509Certificate2 Localhost => LocalhostCertificate.Value;

    /// <summary>
    /// Create makes a new self-signed server certificate, with its private key, for <paramref name="hostNames"/>: each
    /// an IP address or a DNS name (<c>*.example.test</c> included), all in its subject alternative names, the first also
    /// its common name. It is an ECDSA P-256 key, valid from five minutes ago for a year, for server authentication.
    /// Every call makes a different certificate, as tests of SNI or of a client refusing a certificate need.
    /// </summary>
    /// <param name="hostNames">The names the certificate is for; at least one.</param>
    /// <returns>The new certificate; the caller owns it.</returns>
    /// <exception cref="ArgumentException">No names were given, or one is empty.</exception>
    public static X509Certificate2 Create(params string[] hostNames)
    {
        ArgumentNullException.ThrowIfNull(hostNames);
        if (hostNames.Length == 0)
        {
            throw new ArgumentException("Name at least one host, for example TestCertificate.Create(\"api.test\").", nameof(hostNames));
        }
        var names = new SubjectAlternativeNameBuilder();
        foreach (string name in hostNames)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(hostNames));
            if (IPAddress.TryParse(name, out IPAddress? address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(name);
            }
        }
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(hostNames[0]);

        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthentication)], critical: false));
        request.CertificateExtensions.Add(names.Build());
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 ephemeral = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));

        // CreateSelfSigned leaves the key ephemeral, in this process's memory. On Linux, OpenSSL serves TLS with such a
        // key, so SslStream takes the certificate as it is. Windows' SChannel cannot: its handshakes run partly in LSASS,
        // which an in-memory key never reaches, so the server fails with "No credentials are available in the security
        // package" (dotnet/runtime#23749). Importing a PKCS#12 export gives the key a container SChannel can use. It is
        // done on every platform, so the certificate Linux CI tests is the one a developer's Windows machine gets.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>
    /// WritePemFile writes <paramref name="certificate"/> (not its private key) to <paramref name="path"/> as PEM, for a
    /// client outside .NET to trust: <c>curl --cacert path</c>, a browser driver, Python's <c>requests</c>. It is the
    /// text of <see cref="X509Certificate2.ExportCertificatePem"/> with a final line break.
    /// </summary>
    /// <param name="certificate">The certificate, for example <see cref="Localhost"/> or a fixture's <c>Certificate</c>.</param>
    /// <param name="path">The file to write; an existing file is replaced.</param>
    public static void WritePemFile(this X509Certificate2 certificate, string path)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n", Encoding.ASCII);
    }

    /// <summary>
    /// CreatePinnedHandler returns a handler for an <see cref="HttpClient"/> that trusts <paramref name="trusted"/> and
    /// nothing else: a server must present exactly that certificate (compared by its SHA-256 hash), whatever the
    /// machine trusts, and it must be for the host the client asked for. Another certificate fails the request with
    /// <see cref="HttpRequestException"/>.
    /// </summary>
    /// <example><c>using var client = new HttpClient(TestCertificate.CreatePinnedHandler(certificate)) { BaseAddress = server.BaseAddress };</c></example>
    /// <param name="trusted">The one certificate to trust.</param>
    /// <returns>A new handler; the <see cref="HttpClient"/> made with it disposes it.</returns>
    public static SocketsHttpHandler CreatePinnedHandler(X509Certificate2 trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        return new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = Pin(trusted) } };
    }

    /// <summary>A validation callback that accepts exactly <paramref name="trusted"/>, for the host asked for.</summary>
    internal static RemoteCertificateValidationCallback Pin(X509Certificate2 trusted)
    {
        byte[] pinned = trusted.GetCertHash(HashAlgorithmName.SHA256);
        return (_, presented, _, errors) => IsPinned(presented, errors, pinned);
    }

    /// <summary>
    /// The pin replaces the chain (a self-signed certificate never chains to a trusted root, so chain errors are
    /// expected), not the rest: the certificate must be the pinned one and name the host, as it would have to for a
    /// client that installed it as a root.
    /// </summary>
    internal static bool IsPinned(X509Certificate? presented, SslPolicyErrors errors, byte[] pinned) =>
        presented is not null
        && (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) == 0
        && presented.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(pinned);
}
