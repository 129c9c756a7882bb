using System;
using System.Buffers;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Bench;

int port = BenchEndpoints.ParsePort(args);

HttpListener listener = StartListener(port);

// HttpListener hands out one context per GetContextAsync call, so a single loop would serve one
// request at a time. Enough loops are kept waiting that every wrk connection (up to 50 here, 800
// pipelined requests) finds one.
const int AcceptLoops = 256;
var loops = new Task[AcceptLoops];
for (int i = 0; i < loops.Length; i++)
{
    loops[i] = Task.Run(() => AcceptLoopAsync(listener));
}

Console.WriteLine($"HttpListener listening on http://127.0.0.1:{port}/");
await BenchEndpoints.WaitForStopAsync();
listener.Stop();
listener.Close();

// HttpListener's managed implementation (Linux) accepts in its endpoint's constructor, and when a
// client is already connecting (the harness polls from the moment the process starts) the accept can
// complete before the endpoint is fully constructed and Start throws ArgumentNullException from
// Monitor.Enter. The half-built endpoint still holds the listening socket, so it is collected (its
// SafeHandle closes the socket) before starting again.
static HttpListener StartListener(int port)
{
    for (int attempt = 1; ; attempt++)
    {
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.IgnoreWriteExceptions = true;
        try
        {
            listener.Start();
            return listener;
        }
        catch (Exception exception) when (exception is ArgumentNullException or HttpListenerException && attempt < 20)
        {
            Console.Error.WriteLine($"HttpListener.Start failed ({exception.Message}); starting again");
            listener.Close();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(attempt);
        }
    }
}

static async Task AcceptLoopAsync(HttpListener listener)
{
    while (listener.IsListening)
    {
        HttpListenerContext context;
        try
        {
            context = await listener.GetContextAsync().ConfigureAwait(false);
        }
        catch (Exception) when (!listener.IsListening)
        {
            return;
        }
        catch (HttpListenerException)
        {
            continue;
        }
        try
        {
            await HandleAsync(context).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A client that went away mid-response; the benchmark goes on.
            context.Response.Abort();
        }
    }
}

static async Task HandleAsync(HttpListenerContext context)
{
    HttpListenerResponse response = context.Response;
    switch (context.Request.Url?.AbsolutePath)
    {
        case BenchEndpoints.HelloPath:
            Stats.CountRequest();
            response.ContentType = "text/plain";
            response.ContentLength64 = BenchEndpoints.Hello.Length;
            await response.OutputStream.WriteAsync(BenchEndpoints.Hello).ConfigureAwait(false);
            break;
        case BenchEndpoints.EchoPath:
            Stats.CountRequest();
            await EchoAsync(context).ConfigureAwait(false);
            break;
        case BenchEndpoints.StreamPath:
            Stats.CountRequest();
            response.ContentType = "application/octet-stream";
            response.SendChunked = true;
            byte[] body = BenchEndpoints.StreamBody;
            for (int offset = 0; offset < body.Length; offset += BenchEndpoints.StreamWriteSize)
            {
                await response.OutputStream.WriteAsync(body.AsMemory(offset, BenchEndpoints.StreamWriteSize)).ConfigureAwait(false);
            }
            break;
        case BenchEndpoints.StatsPath:
            byte[] stats = Stats.Snapshot();
            response.ContentType = "text/plain";
            response.ContentLength64 = stats.Length;
            await response.OutputStream.WriteAsync(stats).ConfigureAwait(false);
            break;
        default:
            response.StatusCode = 404;
            break;
    }
    response.Close();
}

static async Task EchoAsync(HttpListenerContext context)
{
    byte[] buffer = ArrayPool<byte>.Shared.Rent(BenchEndpoints.EchoBufferSize);
    try
    {
        int length = 0;
        int read;
        while (length < buffer.Length && (read = await context.Request.InputStream.ReadAsync(buffer.AsMemory(length)).ConfigureAwait(false)) > 0)
        {
            length += read;
        }
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength64 = length;
        await context.Response.OutputStream.WriteAsync(buffer.AsMemory(0, length)).ConfigureAwait(false);
    }
    finally
    {
        ArrayPool<byte>.Shared.Return(buffer);
    }
}
