using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using TinyHttp;

namespace LiveEcho;

/// <summary>
/// LiveEchoServer serves a page at <c>/</c> that connects back to <c>/ws</c> over a WebSocket. Every text message a page
/// sends is broadcast to all connected pages, and a tick with a counter goes to all of them once a second, so each page
/// shows updates it did not cause. Messages to pages are JSON objects: <c>{"type":"welcome","you":3}</c>,
/// <c>{"type":"tick","n":42}</c> and <c>{"type":"message","from":3,"text":"hi"}</c>.
/// </summary>
public sealed class LiveEchoServer : IAsyncDisposable
{
    /// <summary>The longest message a page may send, in UTF-8 bytes; a longer one closes its WebSocket with 1009 (too big).</summary>
    public const int MaxMessageBytes = 4096;

    // A page that reads slower than messages come loses the oldest queued ones rather than holding up the others.
    private const int QueuedMessagesPerPage = 64;

    private readonly ConcurrentDictionary<int, Channel<byte[]>> _pages = new();
    private readonly CancellationTokenSource _stopTicking = new();
    private readonly TinyHttpServer _server;
    private Task _ticking = Task.CompletedTask;
    private int _lastPageId;

    private LiveEchoServer(int port)
    {
        _server = new TinyHttpServer(new TinyHttpServerOptions().ListenLocalhost(port), HandleAsync);
    }

    /// <summary>The running server; <see cref="TinyHttpServer.Port"/> is the bound port, also when 0 was asked for.</summary>
    public TinyHttpServer Server => _server;

    /// <summary>How many pages have the WebSocket open now.</summary>
    public int ConnectedPages => _pages.Count;

    /// <summary>Starts serving on localhost (127.0.0.1, and [::1] for a fixed port) and starts the ticks.</summary>
    /// <param name="port">The port; 0 picks a free one on 127.0.0.1.</param>
    /// <exception cref="System.IO.IOException">The port is taken.</exception>
    public static LiveEchoServer Start(int port)
    {
        var liveEcho = new LiveEchoServer(port);
        liveEcho._server.Start();
        liveEcho._ticking = liveEcho.TickAsync(liveEcho._stopTicking.Token);
        return liveEcho;
    }

    /// <summary>
    /// Stops the ticks, then stops the server gracefully: every page gets Close (1001, going away) and its handler
    /// finishes; what is left when <paramref name="cancellationToken"/> fires is aborted.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await StopTickingAsync();
        await _server.StopAsync(cancellationToken);
    }

    /// <summary>Stops the ticks and the server (within the server's shutdown timeout) and releases them.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopTickingAsync();
        await _server.DisposeAsync();
        _stopTicking.Dispose();
    }

    private async Task StopTickingAsync()
    {
        _stopTicking.Cancel();
        await _ticking;
    }

    private async Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
    {
        switch (request.Path)
        {
            case "/" when request.Method is "GET" or "HEAD":
                response.ContentType = "text/html; charset=utf-8";
                // The page is self-contained: scripts and styles inline, connections only back to this server.
                response.Headers["Content-Security-Policy"] =
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";
                response.Headers["Cache-Control"] = "no-store";
                response.SetBody(LiveEchoPage.Html);
                break;
            case "/ws" when request.IsWebSocketRequest:
                using (WebSocket socket = await response.AcceptWebSocketAsync(new WebSocketAcceptOptions { AllowOrigin = IsOwnOrigin }))
                {
                    await ServePageAsync(socket, requestAborted);
                }
                break;
            case "/ws":
                response.StatusCode = 426;
                response.Headers["Upgrade"] = "websocket";
                response.ContentType = "text/plain; charset=utf-8";
                response.SetBody("/ws speaks WebSocket; open / in a browser.\n");
                break;
            default:
                response.StatusCode = 404;
                response.ContentType = "text/plain; charset=utf-8";
                response.SetBody("Not Found\n");
                break;
        }
    }

    // Only this server's own page may open the WebSocket, so a page from another site open in the same browser cannot
    // talk to it (cross-site WebSocket hijacking, RFC 6455 §10.2). A client that sends no Origin is not a browser page:
    // such a program could send any Origin it liked, so refusing it would protect nothing.
    private bool IsOwnOrigin(string? origin)
    {
        if (origin is null)
        {
            return true;
        }
        int port = _server.Port;
        return origin == $"http://localhost:{port}" || origin == $"http://127.0.0.1:{port}" || origin == $"http://[::1]:{port}";
    }

    // The runtime's WebSocket allows one receive and one send at a time: this handler receives, and a second loop sends
    // what the broadcasts queue for this page.
    private async Task ServePageAsync(WebSocket socket, CancellationToken requestAborted)
    {
        int id = Interlocked.Increment(ref _lastPageId);
        Channel<byte[]> outbox = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueuedMessagesPerPage)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        outbox.Writer.TryWrite(Encode("welcome", "you", id, text: null));
        _pages[id] = outbox;
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        Task sending = SendQueuedAsync(socket, outbox.Reader, stopSending.Token);
        try
        {
            await ReceiveAndBroadcastAsync(id, socket, requestAborted);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The page went away without a Close, or the server aborted it at the end of a stop's drain time.
        }
        finally
        {
            _pages.TryRemove(id, out _);
            outbox.Writer.TryComplete();
            stopSending.Cancel();
            await sending;
        }
    }

    private async Task ReceiveAndBroadcastAsync(int id, WebSocket socket, CancellationToken requestAborted)
    {
        byte[] buffer = new byte[MaxMessageBytes];
        while (true)
        {
            int length = 0;
            ValueWebSocketReceiveResult received;
            do
            {
                if (length == buffer.Length)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"Messages are at most {MaxMessageBytes} bytes.", requestAborted);
                    return;
                }
                received = await socket.ReceiveAsync(buffer.AsMemory(length), requestAborted);
                length += received.Count;
            }
            while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

            switch (received.MessageType)
            {
                case WebSocketMessageType.Close:
                    // The page closed (tab gone), or answered the server's own Close when it stops.
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, requestAborted);
                    }
                    return;
                case WebSocketMessageType.Text:
                    Broadcast(Encode("message", "from", id, Encoding.UTF8.GetString(buffer, 0, length)));
                    break;
                default:
                    await socket.CloseAsync(WebSocketCloseStatus.InvalidMessageType, "Send text messages.", requestAborted);
                    return;
            }
        }
    }

    private static async Task SendQueuedAsync(WebSocket socket, ChannelReader<byte[]> outbox, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (byte[] message in outbox.ReadAllAsync(cancellationToken))
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            // The WebSocket closed or failed; the receiving side sees it too and ends the page's handler.
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        long n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Broadcast(Encode("tick", "n", ++n, text: null));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Encoded once, shared by every page's queue.
    private void Broadcast(byte[] message)
    {
        foreach (Channel<byte[]> outbox in _pages.Values)
        {
            outbox.Writer.TryWrite(message);
        }
    }

    private static byte[] Encode(string type, string numberName, long number, string? text)
    {
        var json = new ArrayBufferWriter<byte>(64 + (text?.Length ?? 0) * 3);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteNumber(numberName, number);
            if (text is not null)
            {
                writer.WriteString("text", text);
            }
            writer.WriteEndObject();
        }
        return json.WrittenSpan.ToArray();
    }
}
