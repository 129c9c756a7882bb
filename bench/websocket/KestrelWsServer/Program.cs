using System;
using System.Net;
using System.Net.WebSockets;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TinyHttp.Bench.WebSockets;

int port = WsEcho.ParsePort(args);

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));

WebApplication app = builder.Build();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = WsEcho.KeepAliveInterval });

// A terminal middleware rather than MapGet, as in bench/Servers/KestrelBenchServer: routing is the framework's cost,
// not the server's.
app.Run(context =>
{
    switch (context.Request.Path.Value)
    {
        case WsEcho.EchoPath when context.WebSockets.IsWebSocketRequest:
            return EchoAsync(context);
        case WsEcho.EchoPath:
            context.Response.StatusCode = 426;
            return Task.CompletedTask;
        case WsEcho.StatsPath:
            byte[] stats = WsEcho.Snapshot();
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = stats.Length;
            return context.Response.Body.WriteAsync(stats).AsTask();
        default:
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
    }
});

await app.StartAsync();
Console.WriteLine($"Kestrel WebSocket echo on http://127.0.0.1:{port}/");
await WsEcho.WaitForStopAsync();
await app.StopAsync();

static async Task EchoAsync(HttpContext context)
{
    using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
    await WsEcho.EchoAsync(socket, context.RequestAborted);
}
