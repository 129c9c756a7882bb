using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TinyHttp.Hosting;

/// <summary>
/// Runs one server with the host. It binds in <see cref="StartedAsync"/>, after every hosted service has started and
/// before the host reports started, so requests never reach an application that is still starting and a port in use
/// fails the host's start. It drains in <see cref="StoppingAsync"/>, before any hosted service stops, so in-flight
/// requests finish while what they use still runs; the drain ends when the host's shutdown token fires
/// (<c>HostOptions.ShutdownTimeout</c>) or after the server's own <see cref="TinyHttpServerOptions.ShutdownTimeout"/>,
/// whichever comes first, and the requests still running are then aborted.
/// </summary>
/// <remarks>
/// The server and its options are resolved when it starts, not when the host resolves its hosted services, so that
/// the host's start-up check (<see cref="StartupCheck"/>) reports configuration mistakes first.
/// </remarks>
internal sealed class ServerLifetime(IServiceProvider services, string name) : IHostedLifecycleService
{
    private TinyHttpServer? _server;
    private TimeSpan _shutdownTimeout;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        TinyHttpServer server = services.GetRequiredKeyedService<TinyHttpServer>(name);
        _shutdownTimeout = services.GetRequiredService<IOptionsMonitor<TinyHttpServerOptions>>().Get(name).ShutdownTimeout;
        server.Start();
        _server = server;
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (_server is not TinyHttpServer server)
        {
            return;
        }
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_shutdownTimeout.TotalMilliseconds < int.MaxValue)
        {
            drain.CancelAfter(_shutdownTimeout);
        }
        await server.StopAsync(drain.Token).ConfigureAwait(false);
    }

    // StoppingAsync has stopped the server; this only waits for it, should a host call StopAsync alone.
    public Task StopAsync(CancellationToken cancellationToken) => _server?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
