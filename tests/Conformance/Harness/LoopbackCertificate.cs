using System;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TinyHttp.Conformance;

/// <summary>
/// LoopbackCertificate is the certificate TinyHttp presents in the TLS run: self-signed, ECDSA P-256, for localhost,
/// 127.0.0.1 and ::1, made once per process. The TLS client trusts exactly this certificate, by its bytes, so nothing
/// is installed in or read from a trust store.
/// </summary>
internal static class LoopbackCertificate
{
    private static readonly Lazy<X509Certificate2> Made = new(Make);

    /// <summary>Instance is the certificate, with its private key.</summary>
    public static X509Certificate2 Instance => Made.Value;

    private static X509Certificate2 Make()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        // RFC 5280 §4.2.1.12: id-kp-serverAuth.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using X509Certificate2 ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        // Windows' TLS stack cannot use the ephemeral key CreateSelfSigned returns; a PKCS #12 round trip gives it a stored one.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
    }
}
