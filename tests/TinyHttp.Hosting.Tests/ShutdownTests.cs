using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace TinyHttp.Hosting.Tests;

/// <summary>Stopping the host drains the server first, within the host's shutdown time.</summary>
public class ShutdownTests
{
    // Guards against a hang only: a passing test is done in well under a second.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ARequestInFlight_Finishes_WhileTheServicesItUses_AreStillRunning()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        var logs = new LogCapture();
        var stopStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        logs.OnEntry = (category, eventId) =>
        {
            if (category == "TinyHttp.Server" && eventId.Name == "StopStarted")
            {
                stopStarted.TrySetResult();
            }
        };
        builder.Logging.AddProvider(logs);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dependency = new Dependency();
        builder.AddTinyHttpServer().UseHandler(async (request, response, _) =>
        {
            entered.SetResult();
            await release.Task;
            response.SetBody($"dependency running: {dependency.Running}");
        });
        // Registered after the server: without the server's own ordering, the host would stop it first.
        builder.Services.AddSingleton<IHostedService>(dependency);
        using IHost host = builder.Build();
        await host.StartAsync();
        using HttpClient client = TestHost.Client(host);

        Task<string> inFlight = client.GetStringAsync("/");
        await entered.Task.WaitAsync(HangGuard);
        Task stopping = host.StopAsync();
        await stopStarted.Task.WaitAsync(HangGuard);
        Assert.False(stopping.IsCompleted, "the host waits for the request in flight");
        release.SetResult();

        Assert.Equal("dependency running: True", await inFlight.WaitAsync(HangGuard));
        await stopping.WaitAsync(HangGuard);
        Assert.False(dependency.Running);
    }

    [Fact]
    public async Task ARequestStillRunning_WhenTheHostsShutdownTimeoutEnds_IsAborted()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromMilliseconds(200));
        Task<bool> aborted = StartStuckHandler(builder, out TaskCompletionSource entered);
        using IHost host = builder.Build();
        await host.StartAsync();
        using HttpClient client = TestHost.Client(host);

        Task<HttpResponseMessage> inFlight = client.GetAsync("/");
        await entered.Task.WaitAsync(HangGuard);
        await host.StopAsync().WaitAsync(HangGuard);

        Assert.True(await aborted.WaitAsync(HangGuard), "the handler's requestAborted fired");
        await Assert.ThrowsAsync<HttpRequestException>(() => inFlight.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task TheServersOwnShutdownTimeout_EndsTheDrain_WhenShorterThanTheHosts()
    {
        HostApplicationBuilder builder = TestHost.Builder("""{ "TinyHttp": { "ShutdownTimeout": "00:00:00.2" } }""");
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = Timeout.InfiniteTimeSpan);
        Task<bool> aborted = StartStuckHandler(builder, out TaskCompletionSource entered);
        using IHost host = builder.Build();
        await host.StartAsync();
        using HttpClient client = TestHost.Client(host);

        Task<HttpResponseMessage> inFlight = client.GetAsync("/");
        await entered.Task.WaitAsync(HangGuard);
        await host.StopAsync().WaitAsync(HangGuard);

        Assert.True(await aborted.WaitAsync(HangGuard));
        await Assert.ThrowsAsync<HttpRequestException>(() => inFlight.WaitAsync(HangGuard));
    }

    private static Task<bool> StartStuckHandler(HostApplicationBuilder builder, out TaskCompletionSource entered)
    {
        var handlerEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.AddTinyHttpServer().UseHandler(async (request, response, requestAborted) =>
        {
            handlerEntered.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, requestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.SetResult(true);
                throw;
            }
        });
        entered = handlerEntered;
        return aborted.Task;
    }

    private sealed class Dependency : IHostedService
    {
        public bool Running { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Running = true;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Running = false;
            return Task.CompletedTask;
        }
    }
}
