// A page with live updates over a WebSocket: open http://localhost:8890/ in two browser tabs and type in one.
//   dotnet run --project samples/LiveEcho [-- --port 9000]
// Ctrl+C stops it gracefully: every page is told the server is going away (WebSocket Close 1001), then the process exits.
using System;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using LiveEcho;

int port = 8890;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[i + 1], out int parsed) && parsed is >= 0 and <= 65535)
    {
        port = parsed;
        i++;
    }
    else
    {
        Console.Error.WriteLine("usage: LiveEcho [--port N]   (default 8890)");
        return 2;
    }
}

LiveEchoServer liveEcho;
try
{
    liveEcho = LiveEchoServer.Start(port);
}
catch (System.IO.IOException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

await using (liveEcho)
{
    Console.WriteLine($"Open http://localhost:{liveEcho.Server.Port}/ in a browser (two tabs to see the broadcast) — press Ctrl+C to stop.");

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
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
    }

    Console.WriteLine($"Stopping… ({liveEcho.ConnectedPages} open pages)");
    using (var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
    {
        await liveEcho.StopAsync(drain.Token);   // pages get Close (1001) and close; what is left after 5 s is aborted
    }
    Console.WriteLine("Stopped.");
}
return 0;
