using System;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Bench.Harness;

/// <summary>
/// BenchTls is one run's TLS material, made once and given to every server in the run: a self-signed ECDSA P-256
/// certificate for <c>localhost</c> and 127.0.0.1 with its key, as PEM files, and an OpenSSL configuration that the
/// servers are started with (<c>OPENSSL_CONF</c>). bench/Servers/Shared/BenchHttps.cs reads the files on the server side.
/// </summary>
internal sealed record BenchTls(string CertificateFile, string KeyFile, string OpenSslConfigFile)
{
    /// <summary>
    /// The OpenSSL configuration of every server process. OpenSSL applies <c>system_default</c> to each SSL_CTX it makes,
    /// in .NET's System.Security.Cryptography.Native and in nginx alike, so the servers' own code is untouched.
    /// <c>NumTickets = 0</c>: no TLS 1.3 session tickets. wrk keeps a connection's session across its reconnects
    /// (SSL_shutdown then SSL_clear leave it set), so against a server that issues tickets every handshake after the
    /// first on a wrk connection is a resumption, without certificate or signature. Without tickets each one is a full
    /// handshake, which is what a new client costs and what the https-close scenario measures.
    /// </summary>
    private const string OpenSslConfig =
        """
        # Written by the bench harness (bench/Harness/BenchTls.cs): every server of the run starts with OPENSSL_CONF=this file.
        # NumTickets = 0: the servers issue no TLS 1.3 session tickets, so no client can resume and every handshake is a full one.
        openssl_conf = bench_openssl

        [bench_openssl]
        ssl_conf = bench_ssl

        [bench_ssl]
        system_default = bench_tls

        [bench_tls]
        NumTickets = 0

        """;

    /// <summary>What the certificate is, for the reports.</summary>
    public const string Description = "self-signed ECDSA P-256 (SHA-256), CN=localhost, subjectAltName DNS:localhost, IP:127.0.0.1";

    /// <summary>Writes cert.pem, key.pem and openssl.cnf into <paramref name="directory"/> (made if missing).</summary>
    public static BenchTls Create(string directory)
    {
        Directory.CreateDirectory(directory);
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        var tls = new BenchTls(Path.Combine(directory, "cert.pem"), Path.Combine(directory, "key.pem"), Path.Combine(directory, "openssl.cnf"));
        File.WriteAllText(tls.CertificateFile, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(tls.KeyFile, key.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(tls.OpenSslConfigFile, OpenSslConfig);
        return tls;
    }

    /// <summary>The files of an earlier <see cref="Create"/> in <paramref name="directory"/>.</summary>
    public static BenchTls In(string directory) =>
        new(Path.Combine(directory, "cert.pem"), Path.Combine(directory, "key.pem"), Path.Combine(directory, "openssl.cnf"));

    /// <summary>
    /// Client options that trust exactly this run's certificate (pinned by its bytes): no store, no revocation check.
    /// No TLS resumption either, so a client's every handshake is a full one whatever the server allows.
    /// </summary>
    public SslClientAuthenticationOptions ClientOptions()
    {
        byte[] pinned = X509Certificate2.CreateFromPem(File.ReadAllText(CertificateFile)).RawData;
        return new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowTlsResume = false,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(pinned),
        };
    }

    /// <summary>
    /// One GET over a fresh TLS connection to 127.0.0.1:<paramref name="port"/>, read to the end (Connection: close):
    /// the status, and the protocol and cipher suite negotiated.
    /// </summary>
    public async Task<(int Status, string Tls)> GetAsync(int port, string path, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
        await using var stream = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await stream.AuthenticateAsClientAsync(ClientOptions(), cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), cancellationToken).ConfigureAwait(false);
        using var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException) when (received.Length > 0)
        {
            // A server may close without close_notify after a Connection: close response (Kestrel does); the response is whole.
        }
        string text = Encoding.ASCII.GetString(received.GetBuffer(), 0, (int)received.Length);
        if (!text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || text.Length < 12)
        {
            throw new IOException($"Not an HTTP response over TLS: '{text[..Math.Min(text.Length, 80)]}'.");
        }
        return (int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture), $"{stream.SslProtocol}, {stream.NegotiatedCipherSuite}");
    }
}
