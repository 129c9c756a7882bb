using System;
using System.Globalization;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp;

// usage: StaticFileServer DIRECTORY PORT — serves DIRECTORY at / on 127.0.0.1:PORT until SIGTERM or Ctrl+C.
if (args.Length != 2 || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out int port))
{
    Console.Error.WriteLine("usage: StaticFileServer DIRECTORY PORT");
    return 2;
}
var files = new StaticFiles(args[0]);
await using var server = new TinyHttpServer(new TinyHttpServerOptions().Listen(IPAddress.Loopback, port), files.HandleAsync);
server.Start();
Console.WriteLine($"TinyHttp serving {args[0]} on {server.BaseAddress}");
using var stop = new CancellationTokenSource();
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
return 0;
