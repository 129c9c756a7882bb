using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace TinyHttp.Hosting.Tests;

/// <summary>A server starts and stops with its host.</summary>
public class LifecycleTests
{
    [Fact]
    public async Task TheServerIsBoundWhenTheHostHasStarted_AndClosedWhenItHasStopped()
    {
        HostApplicationBuilder builder = TestHost.Builder("""{ "TinyHttp": { "Endpoints": [ "http://127.0.0.1:0" ] } }""");
        bool boundWhenStarted = false;
        builder.AddTinyHttpServer().UseHandler((request, response, _) =>
        {
            response.SetBody("hello from the host");
            return Task.CompletedTask;
        });
        using IHost host = builder.Build();
        var server = host.Services.GetRequiredService<TinyHttpServer>();
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => boundWhenStarted = server.EndPoints.Count == 1);

        await host.StartAsync();
        Assert.True(boundWhenStarted, "the server was listening when the host reported started");
        using (HttpClient client = TestHost.Client(host))
        {
            Assert.Equal("hello from the host", await client.GetStringAsync("/"));
        }
        int port = server.Port;

        await host.StopAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        SocketException refused = await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task APortInUse_FailsTheHostsStart_NamingTheEndpoint()
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        int port = ((IPEndPoint)occupant.LocalEndPoint!).Port;
        HostApplicationBuilder builder = TestHost.Builder($$"""{ "TinyHttp": { "Endpoints": [ "http://127.0.0.1:{{port}}" ] } }""");
        builder.AddTinyHttpServer();
        using IHost host = builder.Build();

        IOException failure = await Assert.ThrowsAsync<IOException>(() => host.StartAsync());
        Assert.Contains($"127.0.0.1:{port}", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerWithoutEndpoints_ListensOnALoopbackPortOfItsOwn()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        builder.AddTinyHttpServer();
        using IHost host = builder.Build();
        await host.StartAsync();

        var server = host.Services.GetRequiredService<TinyHttpServer>();
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)server.EndPoints[0]).Address);
        using HttpClient client = TestHost.Client(host);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/anything")).StatusCode);
        await host.StopAsync();
    }

    [Fact]
    public async Task AUnixSocketEndpoint_FromItsUrl_Serves()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tinyhttp-hosting-{Guid.NewGuid():N}.sock");
        HostApplicationBuilder builder = TestHost.Builder($$"""{ "TinyHttp": { "Endpoints": [ "http://unix:{{path}}" ] } }""");
        builder.AddTinyHttpServer().UseHandler((request, response, _) =>
        {
            response.SetBody("over a unix socket");
            return Task.CompletedTask;
        });
        using IHost host = builder.Build();
        await host.StartAsync();

        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
        Assert.Equal("over a unix socket", await client.GetStringAsync("http://localhost/"));
        await host.StopAsync();
        Assert.False(File.Exists(path), "the socket file is removed when the server stops");
    }

    [Fact]
    public async Task AnHttpsEndpoint_ServesWithThePemCertificateAndKeyFromConfiguration()
    {
        string folder = Directory.CreateTempSubdirectory("tinyhttp-hosting-").FullName;
        try
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
            File.WriteAllText(Path.Combine(folder, "cert.pem"), certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(folder, "key.pem"), key.ExportPkcs8PrivateKeyPem());
            HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = folder });
            builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes("""
                { "TinyHttp": { "Endpoints": [ "https://127.0.0.1:0" ], "Certificate": { "Path": "cert.pem", "KeyPath": "key.pem" } } }
                """)));
            builder.AddTinyHttpServer().UseHandler((request, response, _) =>
            {
                response.SetBody($"over {request.Tls?.Protocol}");
                return Task.CompletedTask;
            });
            using IHost host = builder.Build();
            await host.StartAsync();

            var server = host.Services.GetRequiredService<TinyHttpServer>();
            Assert.Equal("https", server.BaseAddress.Scheme);
            using var client = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString() },
            })
            { BaseAddress = server.BaseAddress };
            Assert.StartsWith("over Tls1", await client.GetStringAsync("/"), StringComparison.Ordinal);
            await host.StopAsync();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void RegistrationMistakes_ThrowAndSayWhatToDo()
    {
        var services = new ServiceCollection();
        TinyHttpServerBuilder server = services.AddTinyHttpServer();

        Assert.Contains("give the second server a name", Assert.Throws<InvalidOperationException>(() => services.AddTinyHttpServer()).Message, StringComparison.Ordinal);
        services.AddTinyHttpServer("admin");
        Assert.Contains("'admin' is already registered", Assert.Throws<InvalidOperationException>(() => services.AddTinyHttpServer("Admin")).Message, StringComparison.Ordinal);
        Assert.Contains("contains ':'", Assert.Throws<ArgumentException>(() => services.AddTinyHttpServer("a:b")).Message, StringComparison.Ordinal);

        server.UseHandler((_, _, _) => Task.CompletedTask);
        Assert.Contains("call UseHandler once", Assert.Throws<InvalidOperationException>(() => server.UseHandler((_, _, _) => Task.CompletedTask)).Message, StringComparison.Ordinal);

        server.MapHealthChecks();
        Assert.Contains("already answers health checks", Assert.Throws<ArgumentException>(() => server.MapHealthChecks("/healthz")).Message, StringComparison.Ordinal);
        Assert.Contains("absolute path without a query", Assert.Throws<ArgumentException>(() => server.MapHealthChecks("healthz")).Message, StringComparison.Ordinal);
    }
}
