using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace TinyHttp.Hosting;

/// <summary>
/// Runs one server with the host. It binds in <see cref="StartedAsync"/>, after every hosted service has started and
/// before the host reports started, so requests never reach an application that is still starting and a port in use
/// fails the host's start. It drains in <see cref="StoppingAsync"/>, before any hosted service stops, so in-flight
/// requests finish while what they use still runs; the drain ends when the host's shutdown token fires
/// (<c>HostOptions.ShutdownTimeout</c>) or after the server's own <see cref="TinyHttpServerOptions.ShutdownTimeout"/>,
/// whichever comes first, and the requests still running are then aborted.
/// </summary>
internal sealed class ServerLifetime(TinyHttpServer server, TinyHttpServerOptions options) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        server.Start();
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.ShutdownTimeout.TotalMilliseconds < int.MaxValue)
        {
            drain.CancelAfter(options.ShutdownTimeout);
        }
        await server.StopAsync(drain.Token).ConfigureAwait(false);
    }

    // StoppingAsync has stopped the server; this only waits for it, should a host call StopAsync alone.
    public Task StopAsync(CancellationToken cancellationToken) => server.StopAsync(cancellationToken);

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
