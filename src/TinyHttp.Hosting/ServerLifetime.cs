using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TinyHttp.Hosting;

/// <summary>
/// Runs the host's TinyHttp servers with it. They bind in <see cref="StartedAsync"/>, after every hosted service has
/// started and before the host reports started, so requests never reach an application that is still starting and a
/// port in use fails the host's start. They drain in <see cref="StoppingAsync"/>, before any hosted service stops, so
/// in-flight requests finish while what they use still runs: all at once, so no server keeps accepting while another
/// drains. Each drain ends when the host's shutdown token fires (<c>HostOptions.ShutdownTimeout</c>) or after that
/// server's own <see cref="TinyHttpServerOptions.ShutdownTimeout"/>, whichever comes first, and the requests still running
/// are then aborted.
/// </summary>
/// <remarks>
/// One service for every server, registered with the first <c>AddTinyHttpServer</c>. The servers and their options are
/// resolved when they start, not when the host resolves its hosted services, so that the host's start-up check
/// (<see cref="StartupCheck"/>) reports configuration mistakes first.
/// </remarks>
internal sealed class ServerLifetime(IServiceProvider services) : IHostedLifecycleService
{
    private readonly List<(TinyHttpServer Server, TimeSpan ShutdownTimeout)> _started = new();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        IOptionsMonitor<TinyHttpServerOptions> options = services.GetRequiredService<IOptionsMonitor<TinyHttpServerOptions>>();
        foreach (ServerRegistration registration in services.GetServices<ServerRegistration>())
        {
            TinyHttpServer server = services.GetRequiredKeyedService<TinyHttpServer>(registration.Name);
            server.Start();
            _started.Add((server, options.Get(registration.Name).ShutdownTimeout));
        }
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        var drains = new Task[_started.Count];
        for (int i = 0; i < drains.Length; i++)
        {
            drains[i] = DrainAsync(_started[i].Server, _started[i].ShutdownTimeout, cancellationToken);
        }
        return Task.WhenAll(drains);
    }

    // StoppingAsync has stopped the servers; this only waits for them, should a host call StopAsync alone.
    public Task StopAsync(CancellationToken cancellationToken)
    {
        var stops = new Task[_started.Count];
        for (int i = 0; i < stops.Length; i++)
        {
            stops[i] = _started[i].Server.StopAsync(cancellationToken);
        }
        return Task.WhenAll(stops);
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task DrainAsync(TinyHttpServer server, TimeSpan shutdownTimeout, CancellationToken cancellationToken)
    {
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (shutdownTimeout.TotalMilliseconds < int.MaxValue)
        {
            drain.CancelAfter(shutdownTimeout);
        }
        await server.StopAsync(drain.Token).ConfigureAwait(false);
    }
}
