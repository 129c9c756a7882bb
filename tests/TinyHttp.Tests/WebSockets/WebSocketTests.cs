using System;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.WebSockets;

/// <summary>WebSocket upgrades over real sockets, with the runtime's ClientWebSocket and with exact bytes.</summary>
public class WebSocketTests
{
    private static async Task EchoAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
    {
        if (!request.IsWebSocketRequest)
        {
            response.StatusCode = 400;
            return;
        }
        string[] offered = [.. request.WebSocketSubProtocols];
        using WebSocket socket = await response.AcceptWebSocketAsync(new WebSocketAcceptOptions
        {
            SubProtocol = offered.Length > 0 ? offered[0] : null,
            EnableCompression = true,
        });
        var buffer = new byte[64 * 1024];
        while (true)
        {
            WebSocketReceiveResult received = await socket.ReceiveAsync(buffer, requestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", requestAborted);
                return;
            }
            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, requestAborted);
        }
    }

    private static Uri WsUri(ServerScope scope) => new($"ws://127.0.0.1:{scope.Server.Port}/ws");

    [Fact]
    public async Task ClientWebSocket_EchoesTextAndBinary_AndClosesNormally()
    {
        await using var scope = ServerScope.Start(EchoAsync);
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol("chat.v2");
        await client.ConnectAsync(WsUri(scope), CancellationToken.None);

        Assert.Equal("chat.v2", client.SubProtocol);
        await client.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal("hello", await ReceiveTextAsync(client));
        byte[] binary = new byte[200_000];
        new Random(3).NextBytes(binary);
        await client.SendAsync(binary, WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.Equal(binary, await ReceiveAllAsync(client, binary.Length));

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, client.State);
    }

    [Fact]
    public async Task Deflate_IsNegotiatedWhenTheHandlerEnablesIt()
    {
        await using var scope = ServerScope.Start(EchoAsync);
        using var client = new ClientWebSocket();
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        client.Options.CollectHttpResponseDetails = true;
        await client.ConnectAsync(WsUri(scope), CancellationToken.None);
        string text = new('a', 10_000);

        await client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

        Assert.Equal(text, await ReceiveTextAsync(client));
        Assert.Equal("permessage-deflate", string.Join(",", client.HttpResponseHeaders!["Sec-WebSocket-Extensions"]));
    }

    [Fact]
    public async Task ServerStop_SendsGoingAway_AndTheHandlerFinishes()
    {
        var scope = ServerScope.Start(EchoAsync);
        using var client = new ClientWebSocket();
        await client.ConnectAsync(WsUri(scope), CancellationToken.None);
        await client.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal("ping", await ReceiveTextAsync(client));

        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task stopping = scope.Server.StopAsync(drain.Token);
        var buffer = new byte[64];
        WebSocketReceiveResult closing = await client.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", CancellationToken.None);

        await stopping;
        Assert.False(drain.IsCancellationRequested);
        Assert.Equal(0, scope.Server.ActiveConnectionCount);
        await scope.DisposeAsync();
    }

    [Theory]
    [InlineData("Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n")]
    [InlineData("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: c2hvcnQ=\r\n", "400 Bad Request", null)]
    [InlineData("Sec-WebSocket-Version: 13\r\n", "400 Bad Request", null)]
    [InlineData("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://evil.example\r\n", "403 Forbidden", null)]
    public async Task BadUpgrade_IsRefusedWithTheRfcStatus(string fields, string status, string? extraField)
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
    }

    [Fact]
    public async Task RawHandshake_GetsTheRfcAcceptValue()
    {
        await using var scope = ServerScope.Start(EchoAsync);
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
        Assert.DoesNotContain("Sec-WebSocket-Protocol", head);
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket client) => Encoding.UTF8.GetString(await ReceiveAllAsync(client, 1 << 20));

    private static async Task<byte[]> ReceiveAllAsync(ClientWebSocket client, int max)
    {
        var buffer = new byte[max];
        int total = 0;
        while (true)
        {
            WebSocketReceiveResult received = await client.ReceiveAsync(new ArraySegment<byte>(buffer, total, buffer.Length - total), CancellationToken.None);
            total += received.Count;
            if (received.EndOfMessage)
            {
                return buffer[..total];
            }
        }
    }
}
