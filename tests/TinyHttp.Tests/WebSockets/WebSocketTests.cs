using System;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.WebSockets;

/// <summary>Messages over a WebSocket the server accepted, with the runtime's ClientWebSocket on the other end.</summary>
public class WebSocketTests
{
    private static Uri WsUri(ServerScope scope) => new($"ws://127.0.0.1:{scope.Server.Port}/ws");

    private static async Task<ClientWebSocket> ConnectAsync(ServerScope scope, Action<ClientWebSocketOptions>? configure = null)
    {
        var client = new ClientWebSocket();
        configure?.Invoke(client.Options);
        await client.ConnectAsync(WsUri(scope), CancellationToken.None);
        return client;
    }

    [Fact]
    public async Task ClientWebSocket_EchoesTextAndBinary_AndClosesNormally()
    {
        await using var scope = ServerScope.Start(Echo.Frames());
        using ClientWebSocket client = await ConnectAsync(scope, options => options.AddSubProtocol("chat.v2"));

        Assert.Equal("chat.v2", client.SubProtocol);
        await Echo.SendTextAsync(client, "hello");
        Assert.Equal("hello", await Echo.ReceiveTextAsync(client));
        byte[] binary = new byte[200_000];
        new Random(3).NextBytes(binary);
        await client.SendAsync(binary, WebSocketMessageType.Binary, true, CancellationToken.None);
        (WebSocketMessageType type, byte[] echoed) = await Echo.ReceiveMessageAsync(client);
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(binary, echoed);

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, client.State);
    }

    // RFC 6455 §5.4: a message may be sent as several frames; the receiver sees one message. The frame echo sends the
    // fragments back as they come; the message echo proves the server's side put them together.
    [Theory]
    [InlineData("frames", WebSocketMessageType.Text)]
    [InlineData("frames", WebSocketMessageType.Binary)]
    [InlineData("messages", WebSocketMessageType.Text)]
    [InlineData("messages", WebSocketMessageType.Binary)]
    public async Task FragmentedMessage_ArrivesWhole_Rfc6455_5_4(string echo, WebSocketMessageType type)
    {
        await using var scope = ServerScope.Start(echo == "frames" ? Echo.Frames() : Echo.Messages());
        using ClientWebSocket client = await ConnectAsync(scope);
        string[] fragments = ["Frag", "mented ", "", "messages arrive ", "whole ✓"];

        for (int i = 0; i < fragments.Length; i++)
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(fragments[i]), type, endOfMessage: i == fragments.Length - 1, CancellationToken.None);
        }
        await Echo.SendTextAsync(client, "next");

        (WebSocketMessageType receivedType, byte[] message) = await Echo.ReceiveMessageAsync(client);
        Assert.Equal(type, receivedType);
        Assert.Equal(string.Concat(fragments), Encoding.UTF8.GetString(message));
        Assert.Equal("next", await Echo.ReceiveTextAsync(client));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    // The message echo receives each 1 MiB message whole and sends it back in one frame: both directions carry it.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OneMebibyteMessages_TravelBothWays(bool compressed)
    {
        await using var scope = ServerScope.Start(Echo.Messages(new WebSocketAcceptOptions { EnableCompression = compressed }));
        using ClientWebSocket client = await ConnectAsync(scope, options =>
        {
            options.DangerousDeflateOptions = compressed ? new WebSocketDeflateOptions() : null;
        });
        byte[] random = new byte[1 << 20];
        new Random(15).NextBytes(random);
        string text = string.Create(1 << 20, 0, (span, _) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + (i * 7 % 26));
            }
        });

        await client.SendAsync(random, WebSocketMessageType.Binary, true, CancellationToken.None);
        (WebSocketMessageType type, byte[] echoed) = await Echo.ReceiveMessageAsync(client);
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(random, echoed);
        await Echo.SendTextAsync(client, text);
        Assert.Equal(text, await Echo.ReceiveTextAsync(client));

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, client.State);
    }

    // RFC 6455 §7.1.2, §5.5.1: the client sends Close, the server answers with its own, and both end Closed.
    [Fact]
    public async Task CloseStartedByTheClient_EndsClosedOnBothSides_Rfc6455_5_5_1()
    {
        var serverSaw = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scope = ServerScope.Start(async (request, response, requestAborted) =>
        {
            using WebSocket socket = await response.AcceptWebSocketAsync();
            (WebSocketMessageType type, _) = await Echo.ReceiveMessageAsync(socket, requestAborted);
            string received = $"{type} {socket.CloseStatus} {socket.CloseStatusDescription} {socket.State}";
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", requestAborted);
            serverSaw.SetResult($"{received}, then {socket.State}");
        });
        using ClientWebSocket client = await ConnectAsync(scope);

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        Assert.Equal(WebSocketState.Closed, client.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        Assert.Equal("bye", client.CloseStatusDescription);
        Assert.Equal("Close NormalClosure done CloseReceived, then Closed", await serverSaw.Task);
    }

    // The handler sends a last message, then closes; CloseAsync returns once the client's Close came back.
    [Fact]
    public async Task CloseStartedByTheServer_EndsClosedOnBothSides_Rfc6455_5_5_1()
    {
        var serverState = new TaskCompletionSource<WebSocketState>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scope = ServerScope.Start(async (request, response, requestAborted) =>
        {
            using WebSocket socket = await response.AcceptWebSocketAsync();
            await Echo.SendTextAsync(socket, "goodbye");
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", requestAborted);
            serverState.SetResult(socket.State);
        });
        using ClientWebSocket client = await ConnectAsync(scope);

        Assert.Equal("goodbye", await Echo.ReceiveTextAsync(client));
        WebSocketReceiveResult closing = await client.ReceiveAsync(new byte[16], CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        Assert.Equal("done", client.CloseStatusDescription);
        Assert.Equal(WebSocketState.CloseReceived, client.State);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", CancellationToken.None);

        Assert.Equal(WebSocketState.Closed, client.State);
        Assert.Equal(WebSocketState.Closed, await serverState.Task);
    }

    // A client that vanishes without a Close fails the handler's receive; the handler lets that escape, and the server
    // goes on serving other clients.
    [Fact]
    public async Task ClientAbort_FailsTheHandlersReceive_AndTheServerServesTheNextClient()
    {
        var failure = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        RequestHandler echo = Echo.Frames();
        await using var scope = ServerScope.Start(async (request, response, requestAborted) =>
        {
            try
            {
                await echo(request, response, requestAborted);
            }
            catch (Exception ex)
            {
                failure.TrySetResult(ex);
                throw;
            }
        });
        using (ClientWebSocket first = await ConnectAsync(scope))
        {
            await Echo.SendTextAsync(first, "ping");
            Assert.Equal("ping", await Echo.ReceiveTextAsync(first));

            first.Abort();

            Assert.Equal(WebSocketState.Aborted, first.State);
        }
        WebSocketException thrown = Assert.IsType<WebSocketException>(await failure.Task);
        Assert.Equal(WebSocketError.ConnectionClosedPrematurely, thrown.WebSocketErrorCode);

        using ClientWebSocket second = await ConnectAsync(scope);
        await Echo.SendTextAsync(second, "still here");
        Assert.Equal("still here", await Echo.ReceiveTextAsync(second));
        await second.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task Deflate_IsNegotiatedWhenTheHandlerEnablesIt_Rfc7692()
    {
        await using var scope = ServerScope.Start(Echo.Frames(new WebSocketAcceptOptions { EnableCompression = true }));
        using ClientWebSocket client = await ConnectAsync(scope, options =>
        {
            options.DangerousDeflateOptions = new WebSocketDeflateOptions();
            options.CollectHttpResponseDetails = true;
        });
        string text = new('a', 10_000);

        await Echo.SendTextAsync(client, text);

        Assert.Equal(text, await Echo.ReceiveTextAsync(client));
        Assert.Equal("permessage-deflate", string.Join(",", client.HttpResponseHeaders!["Sec-WebSocket-Extensions"]));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    // RFC 7692 §7.1: what the client asks of the server's compressor comes back in the answer, and both sides then keep
    // to it: with no context takeover, every message starts a fresh window.
    [Fact]
    public async Task Deflate_AnswersTheClientsParameters_AndBothSidesKeepToThem_Rfc7692_7_1()
    {
        await using var scope = ServerScope.Start(Echo.Frames(new WebSocketAcceptOptions { EnableCompression = true }));
        using ClientWebSocket client = await ConnectAsync(scope, options =>
        {
            options.DangerousDeflateOptions = new WebSocketDeflateOptions
            {
                ClientMaxWindowBits = 12,
                ServerMaxWindowBits = 10,
                ClientContextTakeover = false,
                ServerContextTakeover = false,
            };
            options.CollectHttpResponseDetails = true;
        });

        for (int i = 0; i < 3; i++)
        {
            string text = new string((char)('a' + i), 5_000) + i;
            await Echo.SendTextAsync(client, text);
            Assert.Equal(text, await Echo.ReceiveTextAsync(client));
        }

        string answer = string.Join(",", client.HttpResponseHeaders!["Sec-WebSocket-Extensions"]);
        Assert.StartsWith("permessage-deflate;", answer);
        Assert.Contains("client_max_window_bits=12", answer);
        Assert.Contains("server_max_window_bits=10", answer);
        Assert.Contains("client_no_context_takeover", answer);
        Assert.Contains("server_no_context_takeover", answer);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    // Compression is the handler's choice (WebSocketAcceptOptions.EnableCompression, off by default): without it the
    // offer is ignored, the 101 names no extension (RFC 6455 §9.1), and the client speaks uncompressed.
    [Fact]
    public async Task Deflate_IsNotNegotiatedWhenTheHandlerDoesNotEnableIt()
    {
        await using var scope = ServerScope.Start(Echo.Frames(new WebSocketAcceptOptions()));
        using ClientWebSocket client = await ConnectAsync(scope, options =>
        {
            options.DangerousDeflateOptions = new WebSocketDeflateOptions();
            options.CollectHttpResponseDetails = true;
        });
        string text = new('a', 10_000);

        await Echo.SendTextAsync(client, text);

        Assert.Equal(text, await Echo.ReceiveTextAsync(client));
        Assert.Equal(101, (int)client.HttpStatusCode);
        Assert.False(client.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Extensions"));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }
}
