using System;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Tests.Integration;
using Xunit;

namespace TinyHttp.Tests.WebSockets;

/// <summary>
/// tinyhttp.server.active_websockets, on the meter of the server's own IMeterFactory (so tests running in parallel do
/// not see each other's WebSockets). The server counts a WebSocket before AcceptWebSocketAsync returns, so an echo
/// proves it is counted; StopAsync completes after every handler has returned, so the count is final then.
/// </summary>
public class WebSocketMetricsTests
{
    private const string ActiveWebSockets = "tinyhttp.server.active_websockets";

    [Fact]
    public async Task ActiveWebSockets_CountsOpenWebSockets_AndReturnsToZeroWhenTheServerStops()
    {
        using var factory = new TestMeterFactory();
        using var recorded = new MeasurementRecorder(
            instrument => factory.Created(instrument.Meter) && instrument.Name == ActiveWebSockets);
        await using var server = new TinyHttpServer(new TinyHttpServerOptions(), Echo.Frames(), meterFactory: factory);
        server.Start();
        var uri = new Uri($"ws://127.0.0.1:{server.Port}/ws");
        using var first = new ClientWebSocket();
        using var second = new ClientWebSocket();

        Assert.Equal(0, recorded.Sum(ActiveWebSockets));
        await first.ConnectAsync(uri, CancellationToken.None);
        await Echo.SendTextAsync(first, "one");
        Assert.Equal("one", await Echo.ReceiveTextAsync(first));
        Assert.Equal(1, recorded.Sum(ActiveWebSockets));
        await second.ConnectAsync(uri, CancellationToken.None);
        await Echo.SendTextAsync(second, "two");
        Assert.Equal("two", await Echo.ReceiveTextAsync(second));
        Assert.Equal(2, recorded.Sum(ActiveWebSockets));

        // The first closes on its own; the second is closed by the stop (1001) and answers.
        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task stopping = server.StopAsync(drain.Token);
        WebSocketReceiveResult closing = await second.ReceiveAsync(new byte[64], CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        await second.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", CancellationToken.None);
        await stopping;

        Assert.False(drain.IsCancellationRequested);
        Assert.Equal(0, recorded.Sum(ActiveWebSockets));
        Assert.Equal(4, recorded.Of(ActiveWebSockets).Count);
    }
}
