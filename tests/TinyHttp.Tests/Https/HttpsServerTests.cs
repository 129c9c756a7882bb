using System;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Https;

/// <summary>HTTPS endpoints over real sockets: handshakes, what the request learns of the session, and failures that leave the server serving.</summary>
public class HttpsServerTests
{
    private static readonly Lazy<X509Certificate2> Certificate = new(() => MakeCertificate("localhost"));

    internal static X509Certificate2 MakeCertificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static TinyHttpServer StartHttps(Action<HttpRequest, HttpResponse> handler, HttpsOptions? https = null)
    {
        var options = new TinyHttpServerOptions().Listen(IPAddress.Loopback, 0, https ?? new HttpsOptions { ServerCertificate = Certificate.Value });
        var server = new TinyHttpServer(options, handler);
        server.Start();
        return server;
    }

    private static HttpClient PinnedClient(X509Certificate2 certificate) => new(new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString() },
    });

    [Fact]
    public async Task HttpClient_GetsAResponseOverTls_AndTheRequestSeesTheSession()
    {
        TlsConnectionInfo? seen = null;
        await using TinyHttpServer server = StartHttps((request, response) =>
        {
            seen = request.Tls;
            response.SetBody("secure");
        });
        // Asking for HTTP/2 or lower makes the client offer h2 and http/1.1 with ALPN; the server must pick http/1.1.
        using HttpClient client = PinnedClient(Certificate.Value);
        client.DefaultRequestVersion = HttpVersion.Version20;
        client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;

        Assert.Equal("https", server.BaseAddress.Scheme);
        Assert.Equal("secure", await client.GetStringAsync(server.BaseAddress));
        Assert.Equal("secure", await client.GetStringAsync(server.BaseAddress));
        Assert.NotNull(seen);
        Assert.True(seen!.Protocol is SslProtocols.Tls12 or SslProtocols.Tls13);
        Assert.Equal("http/1.1", seen.ApplicationProtocol);
        Assert.Null(seen.ClientCertificate);
    }

    [Fact]
    public async Task PlainHttpToTheTlsPort_Gets400_AndTheServerKeepsServing()
    {
        await using TinyHttpServer server = StartHttps((request, response) => response.SetBody("ok"));
        await using (RawSocket plain = await RawSocket.ConnectAsync(server))
        {
            await plain.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            string answer = await plain.ReadToEndAsync();
            Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", answer);
            Assert.Contains("plain HTTP", answer);
        }
        using HttpClient client = PinnedClient(Certificate.Value);
        Assert.Equal("ok", await client.GetStringAsync(server.BaseAddress));
    }

    [Fact]
    public async Task ClientRejectingTheCertificate_FailsOnlyItsHandshake()
    {
        await using TinyHttpServer server = StartHttps((request, response) => response.SetBody("ok"));
        using (var refusing = new HttpClient())
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => refusing.GetStringAsync(server.BaseAddress));
        }
        using HttpClient client = PinnedClient(Certificate.Value);
        Assert.Equal("ok", await client.GetStringAsync(server.BaseAddress));
    }

    [Fact]
    public async Task Garbage_ClosesTheConnection_AndTheServerKeepsServing()
    {
        await using TinyHttpServer server = StartHttps((request, response) => response.SetBody("ok"));
        await using (RawSocket garbage = await RawSocket.ConnectAsync(server))
        {
            await garbage.SendAsync("\u0001\u0002\u0003\u0004");
            Assert.Equal("", await garbage.ReadToEndAsync());
        }
        using HttpClient client = PinnedClient(Certificate.Value);
        Assert.Equal("ok", await client.GetStringAsync(server.BaseAddress));
    }
}
