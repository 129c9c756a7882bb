using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TinyHttp.Soak;

/// <summary>
/// KestrelSoakServer is the comparison (<c>run.sh --server kestrel</c>): Kestrel hosted as an ASP.NET Core app would
/// host it (<c>WebApplication.CreateSlimBuilder</c>, default <c>KestrelServerOptions</c>), with the same routes, the
/// same bytes and the same <c>/stats</c> as <see cref="SoakServer"/>, and the same runtime settings (workstation
/// concurrent GC, from bench/Directory.Build.props). It runs until SIGTERM or SIGINT.
/// </summary>
internal static class KestrelSoakServer
{
    private const int PieceSize = 4096;
    private const int WholeBodyLimit = 64 * 1024;

    private static int s_connections;

    public static async Task<int> RunAsync(string portFile)
    {
        var events = new ServerEventCounter();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Kestrel's own events (bad requests, resets) are Debug; counted, like TinyHttp's, by name. The rest of ASP.NET
        // Core only from Warning on: hosting's per-request Information events have no counterpart in TinyHttp.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Debug);
        builder.Logging.AddProvider(new EventCounterProvider(events));
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => async connection =>
        {
            // Kestrel has no public count of open connections; a connection middleware keeps one.
            Interlocked.Increment(ref s_connections);
            try
            {
                await next(connection);
            }
            finally
            {
                Interlocked.Decrement(ref s_connections);
            }
        })));

        WebApplication app = builder.Build();
        app.Run(context => HandleAsync(context, events));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        int port = new Uri(address).Port;
        await File.WriteAllTextAsync(portFile, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Console.WriteLine($"soak server (Kestrel) listening on {address} (pid {Environment.ProcessId})");
        // The host's console lifetime stops the app on SIGTERM or SIGINT.
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static async Task HandleAsync(HttpContext context, ServerEventCounter events)
    {
        string query = context.Request.QueryString.Value ?? "";
        CancellationToken requestAborted = context.RequestAborted;
        switch (context.Request.Path.Value)
        {
            case "/data":
            {
                int length = Math.Max(Payload.QueryValue(query, "n"), 0);
                int seed = Payload.QueryValue(query, "s");
                context.Response.ContentType = "application/octet-stream";
                context.Response.ContentLength = length;
                if (length <= WholeBodyLimit)
                {
                    await context.Response.Body.WriteAsync(Payload.Create(seed, length), requestAborted);
                    return;
                }
                await WritePiecesAsync(context.Response, seed, length, flushEach: false, requestAborted);
                return;
            }
            case "/stream":
                await WritePiecesAsync(context.Response, Payload.QueryValue(query, "s"), Math.Max(Payload.QueryValue(query, "n"), 0), flushEach: true, requestAborted);
                return;
            case "/echo":
            {
                byte[] body;
                try
                {
                    body = await ReadBodyAsync(context.Request, requestAborted);
                }
                catch (Microsoft.AspNetCore.Http.BadHttpRequestException)
                {
                    // A malformed body: Kestrel answers 400 itself once the handler returns (TinyHttp does the same).
                    // Thrown on, it would be logged as an application error, stack trace and all.
                    return;
                }
                context.Response.ContentType = "application/octet-stream";
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body, requestAborted);
                return;
            }
            case "/stats":
                await WriteTextAsync(context.Response, SoakServer.Stats(Volatile.Read(ref s_connections), events.Counts, query));
                return;
            case "/gc-config":
                await WriteTextAsync(context.Response, SoakServer.GcConfig());
                return;
            default:
                context.Response.StatusCode = 404;
                await WriteTextAsync(context.Response, "no such page");
                return;
        }
    }

    /// <summary>
    /// The whole request body as one array, read the way TinyHttp's <c>ReadBodyAsBytesAsync</c> reads it: a length within
    /// the limit straight into an array of that size, anything else as it comes (a length over the limit is refused by the first read).
    /// </summary>
    private static async Task<byte[]> ReadBodyAsync(Microsoft.AspNetCore.Http.HttpRequest request, CancellationToken requestAborted)
    {
        long? limit = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (request.ContentLength is long length && length <= Math.Min(limit ?? long.MaxValue, Array.MaxLength))
        {
            byte[] body = GC.AllocateUninitializedArray<byte>((int)length);
            await request.Body.ReadExactlyAsync(body, requestAborted);
            return body;
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, requestAborted);
        return buffer.ToArray();
    }

    private static async Task WritePiecesAsync(Microsoft.AspNetCore.Http.HttpResponse response, int seed, int length, bool flushEach, CancellationToken requestAborted)
    {
        byte[] piece = System.Buffers.ArrayPool<byte>.Shared.Rent(PieceSize);
        try
        {
            for (int offset = 0; offset < length; offset += PieceSize)
            {
                int count = Math.Min(PieceSize, length - offset);
                Payload.Fill(seed, offset, piece.AsSpan(0, count));
                await response.Body.WriteAsync(piece.AsMemory(0, count), requestAborted);
                if (flushEach)
                {
                    await response.Body.FlushAsync(requestAborted);
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(piece);
        }
    }

    private static Task WriteTextAsync(Microsoft.AspNetCore.Http.HttpResponse response, string text)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes).AsTask();
    }

    private sealed class EventCounterProvider(ServerEventCounter events) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => events;

        public void Dispose()
        {
        }
    }
}
