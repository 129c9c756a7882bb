// The classic first web server: "Hello, World!" at http://localhost:8888/hello.
//   dotnet run --project samples/HelloWorld [-- --port 9000]
// Ctrl+C stops it gracefully: in-flight requests finish, then the process exits.
using System;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using TinyHttp;

int port = 8888;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[i + 1], out int parsed) && parsed is >= 0 and <= 65535)
    {
        port = parsed;
        i++;
    }
    else
    {
        Console.Error.WriteLine("usage: HelloWorld [--port N]   (default 8888)");
        return 2;
    }
}

byte[] hello = Encoding.ASCII.GetBytes("Hello, World!");
byte[] notFound = Encoding.ASCII.GetBytes("Not Found\n");

var options = new TinyHttpServerOptions().ListenLocalhost(port);
await using var server = new TinyHttpServer(options, (request, response) =>
{
    response.ContentType = "text/plain; charset=utf-8";
    if (request.Path == "/hello")
    {
        response.SetBody(hello);
    }
    else
    {
        response.StatusCode = 404;
        response.SetBody(notFound);
    }
});

try
{
    server.Start();
}
catch (System.IO.IOException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

Console.WriteLine($"Listening on http://localhost:{server.Port}/hello — press Ctrl+C to stop.");

// Ctrl+C (SIGINT) and SIGTERM (docker stop, systemd) both mean "stop gracefully".
using var stop = new CancellationTokenSource();
void RequestStop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);

try
{
    await System.Threading.Tasks.Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

Console.WriteLine("Stopping…");
using (var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
{
    await server.StopAsync(drain.Token);   // finish in-flight requests, abort what is left after 5 s
}
Console.WriteLine("Stopped.");
return 0;
