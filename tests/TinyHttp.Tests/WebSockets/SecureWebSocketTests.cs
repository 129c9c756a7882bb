using System;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Testing;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.WebSockets;

/// <summary>wss:// (RFC 6455 §3, §4.1 item 11): the same upgrade and frames, inside TLS on an HTTPS endpoint.</summary>
public class SecureWebSocketTests
{
    [Fact]
    public async Task Wss_OverAnHttpsEndpoint_EchoesAndCloses_WithThePinnedCertificate()
    {
        X509Certificate2 certificate = TestCertificate.Localhost;
        await using var scope = ServerScope.Start(
            Echo.Frames(new WebSocketAcceptOptions { SubProtocol = "chat", EnableCompression = true }),
            options => options.Listen(IPAddress.Loopback, 0, new HttpsOptions { ServerCertificate = certificate }));
        int pinChecks = 0;
        using var client = new ClientWebSocket();
        // Trusts exactly the server's certificate, by its SHA-256 hash; nothing in the machine's store.
        client.Options.RemoteCertificateValidationCallback = (_, presented, _, _) =>
        {
            Interlocked.Increment(ref pinChecks);
            return presented is not null
                && presented.GetCertHashString(HashAlgorithmName.SHA256) == certificate.GetCertHashString(HashAlgorithmName.SHA256);
        };
        client.Options.AddSubProtocol("chat");
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();

        await client.ConnectAsync(new Uri($"wss://127.0.0.1:{scope.Server.Port}/secure"), CancellationToken.None);
        await Echo.SendTextAsync(client, "over TLS");
        string echoed = await Echo.ReceiveTextAsync(client);
        byte[] binary = new byte[100_000];
        new Random(11).NextBytes(binary);
        await client.SendAsync(binary, WebSocketMessageType.Binary, true, CancellationToken.None);
        (WebSocketMessageType type, byte[] echoedBinary) = await Echo.ReceiveMessageAsync(client);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        Assert.True(pinChecks > 0);
        Assert.Equal("https", scope.Server.BaseAddress.Scheme);
        Assert.Equal("chat", client.SubProtocol);
        Assert.Equal("over TLS", echoed);
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(binary, echoedBinary);
        Assert.Equal(WebSocketState.Closed, client.State);
        Assert.Equal("bye", client.CloseStatusDescription);
    }

    // A client that trusts another certificate refuses this one: the pin is what makes the connection succeed above.
    [Fact]
    public async Task Wss_WithACertificatePinnedToAnother_FailsToConnect_AndTheServerServesTheNext()
    {
        X509Certificate2 certificate = TestCertificate.Localhost;
        using X509Certificate2 other = TestCertificate.Create("localhost");
        await using var scope = ServerScope.Start(
            Echo.Frames(),
            options => options.Listen(IPAddress.Loopback, 0, new HttpsOptions { ServerCertificate = certificate }));
        var uri = new Uri($"wss://127.0.0.1:{scope.Server.Port}/secure");

        using (var refusing = new ClientWebSocket())
        {
            refusing.Options.RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == other.GetCertHashString(HashAlgorithmName.SHA256);
            await Assert.ThrowsAsync<WebSocketException>(() => refusing.ConnectAsync(uri, CancellationToken.None));
        }

        using var trusting = new ClientWebSocket();
        trusting.Options.RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == certificate.GetCertHashString(HashAlgorithmName.SHA256);
        await trusting.ConnectAsync(uri, CancellationToken.None);
        await Echo.SendTextAsync(trusting, "next");
        Assert.Equal("next", await Echo.ReceiveTextAsync(trusting));
        await trusting.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }
}
