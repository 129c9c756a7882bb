using System;
using System.Buffers;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp;
using TinyHttp.Bench;

int port = BenchEndpoints.ParsePort(args);

var options = new TinyHttpServerOptions();
options.Listen(IPAddress.Loopback, port);
BenchHttps? https = BenchHttps.FromEnvironment();
if (https is not null)
{
    var httpsOptions = new HttpsOptions { ServerCertificate = https.Certificate };
    if (https.HandshakeTimeout is TimeSpan handshakeTimeout)
    {
        httpsOptions.HandshakeTimeout = handshakeTimeout;
    }
    options.Listen(IPAddress.Loopback, https.Port, httpsOptions);
}
await using var server = new TinyHttpServer(options, HandleAsync);
server.Start();
Console.WriteLine($"TinyHttp listening on {server.BaseAddress}{(https is null ? "" : $" and {https}")}");
await BenchEndpoints.WaitForStopAsync();
await server.DisposeAsync();

static Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
{
    switch (request.Path)
    {
        case BenchEndpoints.HelloPath:
            Stats.CountRequest();
            response.ContentType = "text/plain";
            response.SetBody(BenchEndpoints.Hello);
            return Task.CompletedTask;
        case BenchEndpoints.EchoPath:
            Stats.CountRequest();
            return EchoAsync(request, response, requestAborted);
        case BenchEndpoints.StreamPath:
            Stats.CountRequest();
            return StreamAsync(response, requestAborted);
        case BenchEndpoints.StatsPath:
            response.ContentType = "text/plain";
            response.SetBody(Stats.Snapshot());
            return Task.CompletedTask;
        default:
            response.StatusCode = 404;
            return Task.CompletedTask;
    }
}

static async Task EchoAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
{
    // WriteAsync rather than SetBody: SetBody keeps the memory until after the handler returns, and
    // this buffer goes back to the pool before that.
    byte[] buffer = ArrayPool<byte>.Shared.Rent(BenchEndpoints.EchoBufferSize);
    try
    {
        int length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), requestAborted)) > 0)
        {
            length += read;
        }
        response.ContentType = "application/octet-stream";
        response.ContentLength = length;
        await response.WriteAsync(buffer.AsMemory(0, length), requestAborted);
    }
    finally
    {
        ArrayPool<byte>.Shared.Return(buffer);
    }
}

static async Task StreamAsync(HttpResponse response, CancellationToken requestAborted)
{
    response.ContentType = "application/octet-stream";
    byte[] body = BenchEndpoints.StreamBody;
    for (int offset = 0; offset < body.Length; offset += BenchEndpoints.StreamWriteSize)
    {
        await response.WriteAsync(body.AsMemory(offset, BenchEndpoints.StreamWriteSize), requestAborted);
    }
}
