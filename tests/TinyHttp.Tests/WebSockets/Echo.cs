using System;
using System.IO;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Tests.WebSockets;

/// <summary>The handlers and client-side reads the WebSocket tests share.</summary>
internal static class Echo
{
    /// <summary>A raw upgrade request with RFC 6455 §1.3's key; <paramref name="fields"/> are added, each ending in CRLF.</summary>
    public static string UpgradeRequest(string path = "/ws", string fields = "") =>
        $"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{fields}\r\n";

    /// <summary>
    /// A handler that accepts with <paramref name="options"/> (the first offered subprotocol when it names none) and echoes
    /// every frame as it comes until the client closes; a request that is no upgrade gets 200 "plain".
    /// </summary>
    public static RequestHandler Frames(WebSocketAcceptOptions? options = null) => async (request, response, requestAborted) =>
    {
        if (!request.IsWebSocketRequest)
        {
            response.SetBody("plain");
            return;
        }
        using WebSocket socket = await response.AcceptWebSocketAsync(options ?? FirstOffered(request));
        var buffer = new byte[64 * 1024];
        while (true)
        {
            WebSocketReceiveResult received = await socket.ReceiveAsync(buffer, requestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await AnswerCloseAsync(socket, requestAborted);
                return;
            }
            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, requestAborted);
        }
    };

    /// <summary>
    /// A handler that reads each whole message, however many frames it came in, and sends it back as one frame.
    /// </summary>
    public static RequestHandler Messages(WebSocketAcceptOptions? options = null) => async (request, response, requestAborted) =>
    {
        using WebSocket socket = await response.AcceptWebSocketAsync(options);
        while (true)
        {
            (WebSocketMessageType type, byte[] message) = await ReceiveMessageAsync(socket, requestAborted);
            if (type == WebSocketMessageType.Close)
            {
                await AnswerCloseAsync(socket, requestAborted);
                return;
            }
            await socket.SendAsync(message, type, endOfMessage: true, requestAborted);
        }
    };

    /// <summary>
    /// RFC 6455 §5.5.1: answer a Close with a Close, unless we sent ours first (the server stopping) and the handshake is
    /// already complete.
    /// </summary>
    public static async Task AnswerCloseAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        if (socket.State == WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken);
        }
    }

    /// <summary>Reads one whole message; its type is Close (with no bytes) when the peer closed instead.</summary>
    public static async Task<(WebSocketMessageType Type, byte[] Message)> ReceiveMessageAsync(WebSocket socket, CancellationToken cancellationToken = default)
    {
        var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            WebSocketReceiveResult received = await socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, []);
            }
            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                return (received.MessageType, message.ToArray());
            }
        }
    }

    public static async Task<string> ReceiveTextAsync(WebSocket socket, CancellationToken cancellationToken = default)
    {
        (WebSocketMessageType type, byte[] message) = await ReceiveMessageAsync(socket, cancellationToken);
        if (type != WebSocketMessageType.Text)
        {
            throw new InvalidOperationException($"Expected a text message, received {type}.");
        }
        return Encoding.UTF8.GetString(message);
    }

    public static Task SendTextAsync(WebSocket socket, string text, bool endOfMessage = true) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage, CancellationToken.None);

    private static WebSocketAcceptOptions FirstOffered(HttpRequest request) => new()
    {
        SubProtocol = request.WebSocketSubProtocols.Count > 0 ? request.WebSocketSubProtocols[0] : null,
        EnableCompression = true,
    };
}
