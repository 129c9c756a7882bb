using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// samples/WorkerHealth on Kestrel, for bench/hosting/run.sh: the same worker and checks (copied below), the same
// probes, an ASP.NET Core app as small as WebApplication.CreateSlimBuilder makes it. The address comes from "Urls"
// in appsettings.json, or ASPNETCORE_URLS.
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

builder.Services.AddSingleton<QueueWorker>();
builder.Services.AddHostedService(services => services.GetRequiredService<QueueWorker>());
builder.Services.AddHealthChecks()
    .AddCheck<QueueWorker.Heartbeat>("queue-worker", tags: ["live"])
    .AddCheck<QueueWorker.Readiness>("queue-worker-ready", tags: ["ready"]);

WebApplication app = builder.Build();
app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
app.Run();

/// <summary>A background job that processes a batch every Worker:Interval and remembers when it last did.</summary>
internal sealed partial class QueueWorker(IConfiguration configuration, ILogger<QueueWorker> logger) : BackgroundService
{
    private readonly TimeSpan _interval = TimeSpan.Parse(configuration["Worker:Interval"] ?? "00:00:05");
    private long _lastBatchTicks;
    private int _batches;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            do
            {
                Volatile.Write(ref _lastBatchTicks, Environment.TickCount64);
                BatchDone(logger, Interlocked.Increment(ref _batches));
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Stopped(logger, _batches);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Batch {Count} done")]
    private static partial void BatchDone(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue worker stopped cleanly after {Count} batches")]
    private static partial void Stopped(ILogger logger, int count);

    /// <summary>Healthy while batches keep coming; Degraded after two missed intervals; Unhealthy after five.</summary>
    internal sealed class Heartbeat(QueueWorker worker) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            TimeSpan since = TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref worker._lastBatchTicks));
            string description = $"last batch {since.TotalSeconds:0.0} s ago";
            return Task.FromResult(
                since < worker._interval * 2 ? HealthCheckResult.Healthy(description)
                : since < worker._interval * 5 ? HealthCheckResult.Degraded(description)
                : HealthCheckResult.Unhealthy(description));
        }
    }

    /// <summary>Ready once the first batch is done.</summary>
    internal sealed class Readiness(QueueWorker worker) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(Volatile.Read(ref worker._batches) > 0
                ? HealthCheckResult.Healthy("warmed up")
                : HealthCheckResult.Unhealthy("warming up"));
    }
}
