using System;
using System.Net;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp;
using TinyHttp.Bench.WebSockets;

int port = WsEcho.ParsePort(args);

var options = new TinyHttpServerOptions();
options.Listen(IPAddress.Loopback, port);
await using var server = new TinyHttpServer(options, HandleAsync);
server.Start();
Console.WriteLine($"TinyHttp WebSocket echo on {server.BaseAddress}");
await WsEcho.WaitForStopAsync();
await server.DisposeAsync();

static Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
{
    switch (request.Path)
    {
        case WsEcho.EchoPath when request.IsWebSocketRequest:
            return EchoAsync(response, requestAborted);
        case WsEcho.EchoPath:
            response.StatusCode = 426;
            return Task.CompletedTask;
        case WsEcho.StatsPath:
            response.ContentType = "text/plain";
            response.SetBody(WsEcho.Snapshot());
            return Task.CompletedTask;
        default:
            response.StatusCode = 404;
            return Task.CompletedTask;
    }
}

static async Task EchoAsync(HttpResponse response, CancellationToken requestAborted)
{
    using WebSocket socket = await response.AcceptWebSocketAsync(new WebSocketAcceptOptions { KeepAliveInterval = WsEcho.KeepAliveInterval });
    await WsEcho.EchoAsync(socket, requestAborted);
}
