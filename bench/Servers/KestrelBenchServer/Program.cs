using System;
using System.Buffers;
using System.Net;
using System.Security.Authentication;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using TinyHttp.Bench;

int port = BenchEndpoints.ParsePort(args);

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
BenchHttps? https = BenchHttps.FromEnvironment();
builder.WebHost.UseKestrel(kestrel =>
{
    kestrel.Listen(IPAddress.Loopback, port);
    if (https is not null)
    {
        kestrel.Listen(IPAddress.Loopback, https.Port, listen =>
        {
            // HTTP/1.1 only, as TinyHttp: ALPN then offers http/1.1 alone on both, and no client here asks for h2.
            listen.Protocols = HttpProtocols.Http1;
            var httpsOptions = new HttpsConnectionAdapterOptions
            {
                ServerCertificate = https.Certificate,
                SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            };
            if (https.HandshakeTimeout is TimeSpan handshakeTimeout)
            {
                httpsOptions.HandshakeTimeout = handshakeTimeout;
            }
            listen.UseHttps(httpsOptions);
        });
    }
});

WebApplication app = builder.Build();

// A terminal middleware rather than MapGet: routing is the framework's cost, not the server's, and
// every other server here dispatches on the path with a switch too.
app.Run(context =>
{
    switch (context.Request.Path.Value)
    {
        case BenchEndpoints.HelloPath:
            Stats.CountRequest();
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = BenchEndpoints.Hello.Length;
            return context.Response.Body.WriteAsync(BenchEndpoints.Hello).AsTask();
        case BenchEndpoints.EchoPath:
            Stats.CountRequest();
            return EchoAsync(context);
        case BenchEndpoints.StreamPath:
            Stats.CountRequest();
            return StreamAsync(context);
        case BenchEndpoints.StatsPath:
            byte[] stats = Stats.Snapshot();
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = stats.Length;
            return context.Response.Body.WriteAsync(stats).AsTask();
        default:
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
    }
});

await app.StartAsync();
Console.WriteLine($"Kestrel listening on http://127.0.0.1:{port}/{(https is null ? "" : $" and {https}")}");
await BenchEndpoints.WaitForStopAsync();
await app.StopAsync();

static async Task EchoAsync(HttpContext context)
{
    byte[] buffer = ArrayPool<byte>.Shared.Rent(BenchEndpoints.EchoBufferSize);
    try
    {
        int length = 0;
        int read;
        while (length < buffer.Length && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted)) > 0)
        {
            length += read;
        }
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = length;
        await context.Response.Body.WriteAsync(buffer.AsMemory(0, length), context.RequestAborted);
    }
    finally
    {
        ArrayPool<byte>.Shared.Return(buffer);
    }
}

static async Task StreamAsync(HttpContext context)
{
    context.Response.ContentType = "application/octet-stream";
    byte[] body = BenchEndpoints.StreamBody;
    for (int offset = 0; offset < body.Length; offset += BenchEndpoints.StreamWriteSize)
    {
        await context.Response.Body.WriteAsync(body.AsMemory(offset, BenchEndpoints.StreamWriteSize), context.RequestAborted);
    }
}
