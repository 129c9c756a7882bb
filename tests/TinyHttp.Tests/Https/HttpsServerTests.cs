using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Https;

/// <summary>HTTPS endpoints over real sockets: handshakes, what the request learns of the session, and failures that leave the server serving.</summary>
public class HttpsServerTests
{
    private static readonly Lazy<X509Certificate2> Certificate = new(() => MakeCertificate("localhost"));

    internal static X509Certificate2 MakeCertificate(string name, bool forClient = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        // serverAuth, or clientAuth for a client certificate (RFC 5280 §4.2.1.12).
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(forClient ? "1.3.6.1.5.5.7.3.2" : "1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>A TLS client over a raw socket: exact bytes in, exact bytes out.</summary>
    internal static async Task<SslStream> ConnectTlsAsync(EndPoint endPoint, string targetHost, X509Certificate2? trusted = null, X509Certificate2? clientCertificate = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
                trusted is null || (presented is not null && presented.GetCertHashString() == trusted.GetCertHashString()),
        });
        return tls;
    }

    internal static async Task<string> ReadUntilAsync(Stream stream, string end, int count = 1)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        int found = 0;
        while (found < count)
        {
            int read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }
            received.Append(Encoding.Latin1.GetString(buffer, 0, read));
            found = CountOf(received.ToString(), end);
        }
        return received.ToString();
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
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

    [Fact]
    public async Task KeptAliveConnection_CarriesSeveralRequests()
    {
        var peers = new ConcurrentBag<string>();
        await using TinyHttpServer server = StartHttps((request, response) =>
        {
            peers.Add(request.RemoteEndPoint!.ToString()!);
            response.SetBody("x");
        });
        using HttpClient client = PinnedClient(Certificate.Value);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("x", await client.GetStringAsync(server.BaseAddress));
        }
        Assert.Single(new System.Collections.Generic.HashSet<string>(peers));
    }

    [Fact]
    public async Task ChunkedUploadAndDownload_AndExpectContinue_WorkOverTls()
    {
        await using TinyHttpServer server = StartHttps(static (request, response) =>
        {
            byte[] body = request.ReadBodyAsBytesAsync().GetAwaiter().GetResult();
            for (int offset = 0; offset < body.Length; offset += 1000)
            {
                response.Write(body.AsSpan(offset, Math.Min(1000, body.Length - offset)));
                response.FlushAsync().AsTask().GetAwaiter().GetResult();
            }
        });
        using HttpClient client = PinnedClient(Certificate.Value);
        client.DefaultRequestHeaders.ExpectContinue = true;
        byte[] payload = new byte[50_000];
        new Random(7).NextBytes(payload);
        // A stream without a length goes out chunked; the server streams it back chunked, 1,000 bytes at a time.
        using var content = new StreamContent(new NonSeekableStream(payload));
        using HttpResponseMessage reply = await client.PostAsync(server.BaseAddress, content);

        Assert.True(reply.Headers.TransferEncodingChunked);
        Assert.Equal(payload, await reply.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task PipelinedRequests_InOneTlsWrite_AreAnsweredInOrder()
    {
        await using TinyHttpServer server = StartHttps((request, response) => response.SetBody(request.Path));
        await using SslStream tls = await ConnectTlsAsync(server.EndPoints[0], "localhost", Certificate.Value);

        await tls.WriteAsync(Encoding.ASCII.GetBytes("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n"));
        string responses = await ReadUntilAsync(tls, "\r\n\r\n/", count: 2);

        Assert.Matches("(?s)^HTTP/1.1 200 OK\r\n.*\r\n\r\n/oneHTTP/1.1 200 OK\r\n.*\r\n\r\n/two$", responses);
    }

    [Fact]
    public async Task Sni_ChoosesTheCertificateForTheNameAsked()
    {
        X509Certificate2 first = MakeCertificate("first.test");
        X509Certificate2 second = MakeCertificate("second.test");
        var https = new HttpsOptions { ServerCertificateSelector = name => name == "second.test" ? second : first };
        await using TinyHttpServer server = StartHttps((request, response) => response.SetBody(request.Tls!.ServerName ?? "none"), https);

        foreach ((string host, X509Certificate2 expected) in new[] { ("first.test", first), ("second.test", second) })
        {
            await using SslStream tls = await ConnectTlsAsync(server.EndPoints[0], host, expected);
            Assert.Equal(expected.GetCertHashString(), tls.RemoteCertificate!.GetCertHashString());
            await tls.WriteAsync("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8.ToArray());
            Assert.EndsWith("\r\n\r\n" + host, await ReadUntilAsync(tls, "never", count: 1));
        }
    }

    [Fact]
    public async Task ClientCertificate_AcceptedIsSeen_RefusedFailsTheHandshakeOnly()
    {
        X509Certificate2 accepted = MakeCertificate("accepted-client", forClient: true);
        X509Certificate2 refused = MakeCertificate("refused-client", forClient: true);
        var https = new HttpsOptions
        {
            ServerCertificate = Certificate.Value,
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            ClientCertificateValidation = (certificate, _, _) => certificate.GetCertHashString() == accepted.GetCertHashString(),
        };
        await using TinyHttpServer server = StartHttps((request, response) => response.SetBody(request.Tls!.ClientCertificate!.Subject), https);

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using SslStream rejected = await ConnectTlsAsync(server.EndPoints[0], "localhost", Certificate.Value, refused);
            // TLS 1.3 reports the server's refusal after the handshake, on the first read.
            await rejected.WriteAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
            if (await rejected.ReadAsync(new byte[1]) == 0)
            {
                throw new IOException("closed");
            }
        });
        await using SslStream tls = await ConnectTlsAsync(server.EndPoints[0], "localhost", Certificate.Value, accepted);
        await tls.WriteAsync("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8.ToArray());
        Assert.EndsWith("CN=accepted-client", await ReadUntilAsync(tls, "never"));
    }

    [Fact]
    public async Task ClientVanishingMidHandshake_OrStalling_LeavesTheServerServing()
    {
        var https = new HttpsOptions { ServerCertificate = Certificate.Value, HandshakeTimeout = TimeSpan.FromSeconds(1) };
        await using TinyHttpServer server = StartHttps((request, response) => response.SetBody("ok"), https);
        // The start of a TLS record, then nothing: cut at the handshake timeout.
        await using (RawSocket stalled = await RawSocket.ConnectAsync(server))
        {
            await stalled.SendAsync(new byte[] { 0x16, 0x03, 0x01 });
            Assert.Equal("", await stalled.ReadToEndAsync());
        }
        // The start of a TLS record, then gone.
        await using (RawSocket vanishing = await RawSocket.ConnectAsync(server))
        {
            await vanishing.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x40, 0x01 });
        }
        using HttpClient client = PinnedClient(Certificate.Value);
        Assert.Equal("ok", await client.GetStringAsync(server.BaseAddress));
    }

    [Fact]
    public async Task PlainAndTlsEndpoints_ServeSideBySide()
    {
        var options = new TinyHttpServerOptions()
            .Listen(IPAddress.Loopback, 0)
            .Listen(IPAddress.Loopback, 0, new HttpsOptions { ServerCertificate = Certificate.Value });
        await using var server = new TinyHttpServer(options, (request, response) => response.SetBody(request.Tls is null ? "plain" : "tls"));
        server.Start();
        var tlsEndPoint = (IPEndPoint)server.EndPoints[1];
        using HttpClient client = PinnedClient(Certificate.Value);

        Assert.Equal("http", server.BaseAddress.Scheme);
        Assert.Equal("plain", await client.GetStringAsync(server.BaseAddress));
        Assert.Equal("tls", await client.GetStringAsync(new Uri($"https://127.0.0.1:{tlsEndPoint.Port}/")));
    }

    [Fact]
    public async Task GracefulStop_FinishesTheTlsRequestInFlight()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new TinyHttpServerOptions().Listen(IPAddress.Loopback, 0, new HttpsOptions { ServerCertificate = Certificate.Value });
        var server = new TinyHttpServer(options, async (request, response, ct) =>
        {
            entered.SetResult();
            await release.Task;
            response.SetBody("finished");
        });
        server.Start();
        using HttpClient client = PinnedClient(Certificate.Value);
        Task<string> inFlight = client.GetStringAsync(server.BaseAddress);
        await entered.Task;

        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task stopping = server.StopAsync(drain.Token);
        release.SetResult();

        Assert.Equal("finished", await inFlight);
        await stopping;
        Assert.Equal(0, server.ActiveConnectionCount);
        await server.DisposeAsync();
    }

    /// <summary>A stream HttpClient cannot measure, so its content goes out chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
