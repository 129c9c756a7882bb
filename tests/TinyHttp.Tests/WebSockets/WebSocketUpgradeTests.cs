using System;
using System.IO;
using System.IO.Compression;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.WebSockets;

/// <summary>The opening handshake byte for byte (RFC 6455 §4), and frames spoken by hand after it (§5).</summary>
public class WebSocketUpgradeTests
{
    private static byte[] Concat(params byte[][] parts)
    {
        var all = new MemoryStream();
        foreach (byte[] part in parts)
        {
            all.Write(part);
        }
        return all.ToArray();
    }

    [Fact]
    public async Task RawHandshake_GetsTheRfcAcceptValue_Rfc6455_1_3()
    {
        await using var scope = ServerScope.Start(Echo.Frames());
        await using RawSocket client = await scope.ConnectAsync();

        // The example of RFC 6455 §1.3.
        await client.SendAsync("GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\nSec-WebSocket-Version: 13\r\n\r\n");
        string head = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", head);
        Assert.Contains("\r\nUpgrade: websocket\r\n", head);
        Assert.Contains("\r\nConnection: Upgrade\r\n", head);
        Assert.Contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", head);
        Assert.DoesNotContain("Content-Length", head);
        Assert.DoesNotContain("Transfer-Encoding", head);
        Assert.DoesNotContain("Sec-WebSocket-Protocol", head);
        Assert.DoesNotContain("Sec-WebSocket-Extensions", head);
    }

    // RFC 9112 §9.3.2: pipelined requests are answered in order; the upgrade is the second and takes the connection from
    // there (RFC 9110 §7.8). Frames the client sends with the head, before the 101 is read, are the WebSocket's too: the
    // server hands the bytes it already received to it.
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Upgrade_PipelinedOrWithEarlyFrames_ThenSpeaksFrames_Rfc6455_5_2(bool behindAGet, bool frameInTheSameWrite)
    {
        await using var scope = ServerScope.Start(Echo.Frames());
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync(Concat(
            Encoding.Latin1.GetBytes(behindAGet ? "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n" : ""),
            Encoding.Latin1.GetBytes(Echo.UpgradeRequest()),
            frameInTheSameWrite ? Frame.MaskedText("early") : []));

        if (behindAGet)
        {
            string plain = await client.ReadResponseAsync();
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", plain);
            Assert.Equal("plain", RawSocket.Body(plain));
        }
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", await client.ReadResponseAsync());
        if (frameInTheSameWrite)
        {
            Assert.Equal("early", (await Frame.ReadAsync(client)).PayloadText);
        }

        await client.SendAsync(Frame.MaskedText("Hello, "));
        Frame echoed = await Frame.ReadAsync(client);
        Assert.Equal((true, false, Frame.Text, "Hello, "), (echoed.Fin, echoed.Rsv1, echoed.Opcode, echoed.PayloadText));
        byte[] binary = new byte[300];
        new Random(5).NextBytes(binary);
        await client.SendAsync(Frame.Masked(Frame.Binary, binary));
        Frame echoedBinary = await Frame.ReadAsync(client);
        Assert.Equal(Frame.Binary, echoedBinary.Opcode);
        Assert.Equal(binary, echoedBinary.Payload);

        // RFC 6455 §5.5.1: the server answers the client's Close with its own, and then closes the TCP connection.
        await client.SendAsync(Frame.MaskedClose(1000, "done"));
        Frame close = await Frame.ReadAsync(client);
        Assert.Equal((Frame.Close, 1000), (close.Opcode, close.CloseStatus));
        Assert.True(await client.IsClosedByServerAsync());
    }

    // Fields the handler set before accepting go out with the 101 (a cookie, say); a declared Content-Length does not
    // (RFC 9110 §8.6: never in a 1xx), and the upgrade's own fields are the server's.
    [Fact]
    public async Task SwitchingProtocols_CarriesTheHandlersFields_ButNoContentLength()
    {
        await using var scope = ServerScope.Start(async (request, response, requestAborted) =>
        {
            response.Headers.Set("Set-Cookie", "session=1");
            response.Headers.Set("Sec-WebSocket-Accept", "chosen by the handler");
            response.ContentLength = 10;
            await Echo.Frames(new WebSocketAcceptOptions())(request, response, requestAborted);
        });
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync(Echo.UpgradeRequest());
        string head = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", head);
        Assert.Equal("session=1", RawSocket.HeaderValue(head, "Set-Cookie"));
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", RawSocket.HeaderValue(head, "Sec-WebSocket-Accept"));
        Assert.Null(RawSocket.HeaderValue(head, "Content-Length"));
        await client.SendAsync(Frame.MaskedText("works"));
        Assert.Equal("works", (await Frame.ReadAsync(client)).PayloadText);
    }

    // RFC 7692 §6: a compressed message has RSV1 set on its first frame, and its payload is raw DEFLATE with the final
    // 0x00 0x00 0xFF 0xFF taken off (§7.2.1). Without the extension negotiated, RSV1 stays clear (RFC 6455 §5.2).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Deflate_CompressesTheServersMessagesOnTheWire_Rfc7692_7_2(bool enableCompression)
    {
        await using var scope = ServerScope.Start(Echo.Frames(new WebSocketAcceptOptions { EnableCompression = enableCompression }));
        await using RawSocket client = await scope.ConnectAsync();
        string text = new('a', 1000);

        await client.SendAsync(Echo.UpgradeRequest(fields: "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"));
        string head = await client.ReadResponseAsync();
        await client.SendAsync(Frame.MaskedText(text));
        Frame echoed = await Frame.ReadAsync(client);

        Assert.StartsWith("HTTP/1.1 101 ", head);
        Assert.Equal(enableCompression ? "permessage-deflate" : null, RawSocket.HeaderValue(head, "Sec-WebSocket-Extensions"));
        Assert.Equal((true, enableCompression, Frame.Text), (echoed.Fin, echoed.Rsv1, echoed.Opcode));
        if (enableCompression)
        {
            Assert.True(echoed.Payload.Length < text.Length);
            using var inflating = new DeflateStream(new MemoryStream(Concat(echoed.Payload, [0x00, 0x00, 0xFF, 0xFF])), CompressionMode.Decompress);
            Assert.Equal(text, new StreamReader(inflating, Encoding.UTF8).ReadToEnd());
        }
        else
        {
            Assert.Equal(text, echoed.PayloadText);
        }
    }

    [Theory]
    [InlineData("Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n")]
    [InlineData("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: c2hvcnQ=\r\n", "400 Bad Request", null)]
    [InlineData("Sec-WebSocket-Version: 13\r\n", "400 Bad Request", null)]
    [InlineData("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://evil.example\r\n", "403 Forbidden", null)]
    public async Task BadUpgrade_IsRefusedWithTheRfcStatus_Rfc6455_4_2_2(string fields, string status, string? extraField)
    {
        await using var scope = ServerScope.Start(async (request, response, ct) =>
        {
            using WebSocket socket = await response.AcceptWebSocketAsync(new WebSocketAcceptOptions
            {
                AllowOrigin = origin => origin is null || origin == "http://localhost",
            });
        });
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync($"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n{fields}\r\n");
        string answer = await client.ReadToEndAsync();

        Assert.StartsWith($"HTTP/1.1 {status}\r\n", answer);
        if (extraField is not null)
        {
            Assert.Contains(extraField, answer);
        }
        Assert.DoesNotContain("Sec-WebSocket-Accept", answer);
    }

    // RFC 6455 §10.2: a browser names the page's origin; a local tool's server accepts only its own (cross-site WebSocket
    // hijacking), and the handler's AllowOrigin decides. "{port}" stands for the server's port.
    [Theory]
    [InlineData("http://localhost:{port}", "101 Switching Protocols")]
    [InlineData("http://localhost:1", "403 Forbidden")]
    [InlineData("https://localhost:{port}", "403 Forbidden")]
    [InlineData("http://127.0.0.1:{port}", "403 Forbidden")]
    [InlineData("http://evil.example", "403 Forbidden")]
    [InlineData("null", "403 Forbidden")]
    [InlineData(null, "403 Forbidden")]
    public async Task BrowserUpgrade_IsAcceptedOnlyFromTheAllowedOrigin_Rfc6455_10_2(string? origin, string status)
    {
        string? allowed = null;
        RequestHandler echo = Echo.Frames(new WebSocketAcceptOptions { AllowOrigin = candidate => candidate == allowed });
        await using var scope = ServerScope.Start(echo);
        allowed = $"http://localhost:{scope.Server.Port}";
        await using RawSocket client = await scope.ConnectAsync();

        string originField = origin is null ? "" : $"Origin: {origin.Replace("{port}", scope.Server.Port.ToString())}\r\n";
        await client.SendAsync(Echo.UpgradeRequest(fields: originField + "User-Agent: Mozilla/5.0\r\n"));
        string head = await client.ReadResponseAsync();

        Assert.StartsWith($"HTTP/1.1 {status}\r\n", head);
        if (status.StartsWith("101", StringComparison.Ordinal))
        {
            Assert.Contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", head);
            await client.SendAsync(Frame.MaskedText("same origin"));
            Assert.Equal("same origin", (await Frame.ReadAsync(client)).PayloadText);
        }
        else
        {
            Assert.DoesNotContain("Sec-WebSocket-Accept", head);
            Assert.True(await client.IsClosedByServerAsync());
        }
    }

    // AcceptWebSocketAsync on a request that is no upgrade is the handler's mistake: InvalidOperationException, which
    // escapes like any other and becomes a 500, with none of the 101's fields.
    [Theory]
    [InlineData("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("POST /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.0\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    public async Task Accept_OnARequestThatIsNoUpgrade_Throws_AndIsAnswered500(string request)
    {
        var thrown = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var isWebSocketRequest = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scope = ServerScope.Start(async (request, response, ct) =>
        {
            isWebSocketRequest.TrySetResult(request.IsWebSocketRequest);
            try
            {
                await response.AcceptWebSocketAsync();
            }
            catch (Exception ex)
            {
                thrown.TrySetResult(ex);
                throw;
            }
        });
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync(request);
        string answer = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 500 ", answer);
        Assert.Null(RawSocket.HeaderValue(answer, "Upgrade"));
        Assert.Null(RawSocket.HeaderValue(answer, "Sec-WebSocket-Accept"));
        Assert.False(await isWebSocketRequest.Task);
        Assert.IsType<InvalidOperationException>(await thrown.Task);
    }

    // RFC 6455 §4.2.2: the server may only choose a subprotocol the client offered; choosing another is the handler's
    // mistake, not the client's.
    [Theory]
    [InlineData("")]
    [InlineData("Sec-WebSocket-Protocol: chat\r\n")]
    [InlineData("Sec-WebSocket-Protocol: chat, superchat.v2\r\n")]
    [InlineData("Sec-WebSocket-Protocol: SUPERCHAT\r\n")]
    public async Task Accept_WithASubProtocolTheClientDidNotOffer_Throws_AndIsAnswered500_Rfc6455_4_2_2(string offer)
    {
        var thrown = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scope = ServerScope.Start(async (request, response, ct) =>
        {
            try
            {
                await response.AcceptWebSocketAsync(new WebSocketAcceptOptions { SubProtocol = "superchat" });
            }
            catch (Exception ex)
            {
                thrown.TrySetResult(ex);
                throw;
            }
        });
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync(Echo.UpgradeRequest(fields: offer));
        string answer = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 500 ", answer);
        Assert.Null(RawSocket.HeaderValue(answer, "Sec-WebSocket-Accept"));
        Assert.Null(RawSocket.HeaderValue(answer, "Sec-WebSocket-Protocol"));
        Assert.IsType<InvalidOperationException>(await thrown.Task);
    }

    // RFC 6455 §4.2.2 item 5.4 (/subprotocol/): the 101 names the subprotocol the server chose, and has no such field when
    // it chose none, whatever the client offered.
    [Theory]
    [InlineData("", null)]
    [InlineData("Sec-WebSocket-Protocol: chat, superchat\r\n", null)]
    [InlineData("Sec-WebSocket-Protocol: chat, superchat\r\n", "superchat")]
    [InlineData("Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: superchat\r\n", "superchat")]
    [InlineData("Sec-WebSocket-Protocol: chat\r\n", "chat")]
    public async Task SwitchingProtocols_NamesTheSubProtocolOnlyWhenOneWasChosen_Rfc6455_4_2_2(string offer, string? chosen)
    {
        await using var scope = ServerScope.Start(Echo.Frames(new WebSocketAcceptOptions { SubProtocol = chosen }));
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync(Echo.UpgradeRequest(fields: offer));
        string head = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 101 ", head);
        Assert.Equal(chosen, RawSocket.HeaderValue(head, "Sec-WebSocket-Protocol"));
        await client.SendAsync(Frame.MaskedText("works"));
        Assert.Equal("works", (await Frame.ReadAsync(client)).PayloadText);
    }
}
