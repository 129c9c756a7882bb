using System;
using System.Linq;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.WebSockets;

/// <summary>
/// What a graceful stop does to open WebSockets: each is told the server is going away (RFC 6455 §7.4.1, 1001); a
/// handler that finishes its closing handshake lets the stop complete; one that does not is aborted when the drain ends.
/// </summary>
public class WebSocketShutdownTests
{
    // Bounds the awaits that would otherwise hang on a regression; none of them is expected to come near it.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private static Uri WsUri(ServerScope scope) => new($"ws://127.0.0.1:{scope.Server.Port}/ws");

    [Fact]
    public async Task ServerStop_SendsGoingAway_AndTheHandlerFinishes()
    {
        var scope = ServerScope.Start(Echo.Frames());
        using var client = new ClientWebSocket();
        await client.ConnectAsync(WsUri(scope), CancellationToken.None);
        await Echo.SendTextAsync(client, "ping");
        Assert.Equal("ping", await Echo.ReceiveTextAsync(client));

        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task stopping = scope.Server.StopAsync(drain.Token);
        WebSocketReceiveResult closing = await client.ReceiveAsync(new byte[64], CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", CancellationToken.None);

        await stopping;
        Assert.False(drain.IsCancellationRequested);
        Assert.Equal(0, scope.Server.ActiveConnectionCount);
        await scope.DisposeAsync();
    }

    [Fact]
    public async Task ServerStop_WithAHundredOpenWebSockets_ClosesEachWithGoingAway_BeforeTheDrainEnds()
    {
        const int count = 100;
        using var handlersDone = new CountdownEvent(count);
        RequestHandler echo = Echo.Frames(new WebSocketAcceptOptions());
        var scope = ServerScope.Start(async (request, response, requestAborted) =>
        {
            try
            {
                await echo(request, response, requestAborted);
            }
            finally
            {
                handlersDone.Signal();
            }
        });
        ClientWebSocket[] clients = [.. Enumerable.Range(0, count).Select(_ => new ClientWebSocket())];
        try
        {
            using var guard = new CancellationTokenSource(Guard);
            // Each client's echo proves its handler has accepted and is in its receive loop before the stop begins.
            await Task.WhenAll(clients.Select(async (client, i) =>
            {
                await client.ConnectAsync(WsUri(scope), guard.Token);
                await Echo.SendTextAsync(client, $"hello {i}");
                Assert.Equal($"hello {i}", await Echo.ReceiveTextAsync(client, guard.Token));
            }));
            Assert.Equal(count, scope.Server.ActiveConnectionCount);

            using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            Task stopping = scope.Server.StopAsync(drain.Token);
            string[] seen = await Task.WhenAll(clients.Select(async client =>
            {
                WebSocketReceiveResult closing = await client.ReceiveAsync(new byte[64], guard.Token);
                string what = $"{closing.MessageType} {client.CloseStatus} {client.State}";
                await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", guard.Token);
                return what;
            }));
            await stopping;

            Assert.All(seen, what => Assert.Equal("Close EndpointUnavailable CloseReceived", what));
            Assert.False(drain.IsCancellationRequested);
            Assert.Equal(0, scope.Server.ActiveConnectionCount);
            Assert.True(handlersDone.IsSet);
            Assert.All(clients, client => Assert.Equal(WebSocketState.Closed, client.State));
        }
        finally
        {
            foreach (ClientWebSocket client in clients)
            {
                client.Dispose();
            }
            await scope.DisposeAsync();
        }
    }

    // A handler still deciding when the stop begins may accept after it: the WebSocket is told at once that the server is
    // going away, so it cannot outlive the stop.
    [Fact]
    public async Task WebSocketAcceptedAfterTheStopBegan_IsClosedWithGoingAway()
    {
        var requestArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var mayAccept = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RequestHandler echo = Echo.Frames(new WebSocketAcceptOptions());
        var scope = ServerScope.Start(async (request, response, requestAborted) =>
        {
            requestArrived.SetResult();
            await mayAccept.Task;
            await echo(request, response, requestAborted);
        });
        try
        {
            using var client = new ClientWebSocket();
            using var guard = new CancellationTokenSource(Guard);
            Task connecting = client.ConnectAsync(WsUri(scope), guard.Token);
            await requestArrived.Task.WaitAsync(Guard);

            using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Task stopping = scope.Server.StopAsync(drain.Token);
            mayAccept.SetResult();
            await connecting;
            WebSocketReceiveResult closing = await client.ReceiveAsync(new byte[64], guard.Token);
            Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus);
            await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", guard.Token);

            await stopping;
            Assert.False(drain.IsCancellationRequested);
            Assert.Equal(0, scope.Server.ActiveConnectionCount);
        }
        finally
        {
            await scope.DisposeAsync();
        }
    }

    // The handler awaits something other than the WebSocket and never sees the client's Close: when the drain ends the
    // server aborts it, and the handler's token says so.
    [Fact]
    public async Task ServerStop_AbortsAHandlerThatIgnoresTheClose_WhenTheDrainEnds()
    {
        var accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenFired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scope = ServerScope.Start(async (request, response, requestAborted) =>
        {
            using WebSocket socket = await response.AcceptWebSocketAsync();
            using CancellationTokenRegistration registration = requestAborted.Register(() => tokenFired.TrySetResult());
            accepted.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, requestAborted);
            }
            catch (OperationCanceledException)
            {
            }
            handlerDone.SetResult();
        });
        try
        {
            using var client = new ClientWebSocket();
            await client.ConnectAsync(WsUri(scope), CancellationToken.None);
            await accepted.Task.WaitAsync(Guard);

            using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            Task stopping = scope.Server.StopAsync(drain.Token);
            using var guard = new CancellationTokenSource(Guard);
            WebSocketReceiveResult closing = await client.ReceiveAsync(new byte[64], guard.Token);
            Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus);
            await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", guard.Token);

            await stopping.WaitAsync(Guard);
            await tokenFired.Task.WaitAsync(Guard);
            await handlerDone.Task.WaitAsync(Guard);
            Assert.True(drain.IsCancellationRequested);
        }
        finally
        {
            await scope.DisposeAsync();
        }
    }
}
