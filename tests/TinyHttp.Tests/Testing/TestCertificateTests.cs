using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Testing;

public sealed class TestCertificateTests
{
    [Fact]
    public void Localhost_names_localhost_and_both_loopback_addresses_for_server_authentication()
    {
        X509Certificate2 certificate = TestCertificate.Localhost;

        X509SubjectAlternativeNameExtension names = Assert.Single(certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["localhost"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], names.EnumerateIPAddresses());
        X509EnhancedKeyUsageExtension usages = Assert.Single(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], usages.EnhancedKeyUsages.Cast<Oid>().Select(oid => oid.Value));
        Assert.Equal("CN=localhost", certificate.Subject);
        Assert.Equal(certificate.Subject, certificate.Issuer);
        Assert.True(certificate.HasPrivateKey);
        Assert.InRange(certificate.NotBefore.ToUniversalTime(), DateTime.UtcNow.AddDays(-1), DateTime.UtcNow);
        Assert.InRange(certificate.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(300), DateTime.UtcNow.AddDays(400));
    }

    [Fact]
    public async Task Localhost_is_one_instance_for_every_caller_on_every_thread()
    {
        X509Certificate2[] seen = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => TestCertificate.Localhost)));

        Assert.All(seen, certificate => Assert.Same(TestCertificate.Localhost, certificate));
    }

    [Fact]
    public void Create_makes_a_new_certificate_for_the_names_given_each_time()
    {
        using X509Certificate2 first = TestCertificate.Create("api.test", "10.1.2.3");
        using X509Certificate2 second = TestCertificate.Create("api.test", "10.1.2.3");

        X509SubjectAlternativeNameExtension names = Assert.Single(first.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["api.test"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("10.1.2.3")], names.EnumerateIPAddresses());
        Assert.Equal("CN=api.test", first.Subject);
        Assert.True(first.HasPrivateKey);
        Assert.NotEqual(first.GetCertHashString(HashAlgorithmName.SHA256), second.GetCertHashString(HashAlgorithmName.SHA256));
    }

    [Fact]
    public void Create_without_a_name_says_to_give_one()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => TestCertificate.Create());

        Assert.Contains("at least one host", error.Message);
    }

    [Fact]
    public void The_pem_file_holds_the_certificate_and_not_its_key_and_parses_back()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tinyhttp-{Guid.NewGuid():N}.pem");
        try
        {
            TestCertificate.Localhost.WritePemFile(path);

            string pem = File.ReadAllText(path);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----\n", pem);
            Assert.EndsWith("-----END CERTIFICATE-----\n", pem);
            Assert.DoesNotContain("PRIVATE KEY", pem);
            using X509Certificate2 parsed = X509Certificate2.CreateFromPem(pem);
            Assert.Equal(TestCertificate.Localhost.RawData, parsed.RawData);
            Assert.False(parsed.HasPrivateKey);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_pinned_client_refuses_another_certificate_for_the_same_names()
    {
        using X509Certificate2 impostor = TestCertificate.Create("localhost", "127.0.0.1", "::1");
        await using TinyHttpServer server = StartHttps(impostor);

        using (var pinnedToLocalhost = new HttpClient(TestCertificate.CreatePinnedHandler(TestCertificate.Localhost)))
        {
            HttpRequestException error = await Assert.ThrowsAsync<HttpRequestException>(() => pinnedToLocalhost.GetStringAsync(server.BaseAddress));
            Assert.IsType<AuthenticationException>(error.InnerException);
        }
        using var pinnedToImpostor = new HttpClient(TestCertificate.CreatePinnedHandler(impostor));
        Assert.Equal("ok", await pinnedToImpostor.GetStringAsync(server.BaseAddress));
    }

    [Fact]
    public async Task A_pinned_client_refuses_the_pinned_certificate_when_it_is_for_another_host()
    {
        using X509Certificate2 other = TestCertificate.Create("other");
        await using TinyHttpServer server = StartHttps(other);
        using var client = new HttpClient(TestCertificate.CreatePinnedHandler(other));

        HttpRequestException error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(server.BaseAddress));

        Assert.IsType<AuthenticationException>(error.InnerException);
    }

    private static TinyHttpServer StartHttps(X509Certificate2 certificate)
    {
        var options = new TinyHttpServerOptions().Listen(IPAddress.Loopback, 0, new HttpsOptions { ServerCertificate = certificate });
        var server = new TinyHttpServer(options, (request, response) => response.SetBody("ok"));
        server.Start();
        return server;
    }
}
