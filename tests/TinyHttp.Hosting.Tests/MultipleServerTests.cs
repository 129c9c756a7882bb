using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace TinyHttp.Hosting.Tests;

/// <summary>A public server and an internal admin server in one host, each with its own section, logs and handler.</summary>
public class MultipleServerTests
{
    [Fact]
    public async Task TwoServers_EachReadTheirOwnSection_ServeTheirOwnHandler_AndLogUnderTheirOwnCategory()
    {
        HostApplicationBuilder builder = TestHost.Builder("""
            {
              "TinyHttp": {
                "Endpoints": [ "http://127.0.0.1:0" ],
                "MaxRequestHeaderCount": 50,
                "admin": { "Endpoints": [ "http://[::1]:0" ], "MaxConcurrentConnections": 4 }
              }
            }
            """);
        var logs = new LogCapture();
        builder.Logging.AddProvider(logs);
        builder.Services.AddHealthChecks();
        builder.AddTinyHttpServer().UseHandler((request, response, _) =>
        {
            response.SetBody("public");
            return Task.CompletedTask;
        });
        builder.AddTinyHttpServer("admin").MapHealthChecks();
        using IHost host = builder.Build();
        await host.StartAsync();

        var publicServer = host.Services.GetRequiredService<TinyHttpServer>();
        var admin = host.Services.GetRequiredKeyedService<TinyHttpServer>("admin");
        Assert.NotSame(publicServer, admin);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)publicServer.EndPoints[0]).Address);
        Assert.Equal(IPAddress.IPv6Loopback, ((IPEndPoint)admin.EndPoints[0]).Address);
        using (HttpClient client = TestHost.Client(host))
        using (HttpClient adminClient = TestHost.Client(host, "admin"))
        {
            Assert.Equal("public", await client.GetStringAsync("/healthz"));
            Assert.Equal(HttpStatusCode.OK, (await adminClient.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await adminClient.GetAsync("/")).StatusCode);
        }
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<TinyHttpServerOptions>>();
        Assert.Equal((50, (int?)null), (options.Get("").MaxRequestHeaderCount, options.Get("").MaxConcurrentConnections));
        Assert.Equal((100, (int?)4), (options.Get("admin").MaxRequestHeaderCount, options.Get("admin").MaxConcurrentConnections));

        await host.StopAsync();
        IEnumerable<string> listening = logs.Entries.Where(entry => entry.EventId.Name == "Listening").Select(entry => entry.Category);
        Assert.Equal(["TinyHttp.Server", "TinyHttp.Server.admin"], listening.Order());
    }

    [Fact]
    public async Task Metrics_ComeFromTheHostsMeterFactory()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        builder.AddTinyHttpServer().UseHandler((request, response, _) => Task.CompletedTask);
        using IHost host = builder.Build();
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var durations = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "TinyHttp" && ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "http.server.request.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (durations)
            {
                durations.Add(value);
            }
        });
        listener.Start();
        await host.StartAsync();
        using (HttpClient client = TestHost.Client(host))
        {
            await client.GetAsync("/");
        }
        await host.StopAsync();

        lock (durations)
        {
            Assert.Single(durations);
        }
    }

    [Fact]
    public async Task Stopping_TheHost_StopsEveryServerAtOnce_NotOneAfterAnothersDrain()
    {
        HostApplicationBuilder builder = TestHost.Builder("""
            { "TinyHttp": { "Endpoints": [ "http://127.0.0.1:0" ], "admin": { "Endpoints": [ "http://127.0.0.1:0" ] } } }
            """);
        var logs = new LogCapture();
        var bothStopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int stopping = 0;
        logs.OnEntry = (_, eventId) =>
        {
            if (eventId.Name == "StopStarted" && System.Threading.Interlocked.Increment(ref stopping) == 2)
            {
                bothStopping.TrySetResult();
            }
        };
        builder.Logging.AddProvider(logs);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.AddTinyHttpServer().UseHandler(async (request, response, _) =>
        {
            inFlight.TrySetResult();
            await release.Task;
            response.SetBody("done");
        });
        builder.AddTinyHttpServer("admin").UseHandler((request, response, _) => Task.CompletedTask);
        using IHost host = builder.Build();
        await host.StartAsync();
        using HttpClient client = TestHost.Client(host);
        Task<string> held = client.GetStringAsync("/");
        await inFlight.Task;

        // The public server's drain waits for the held request; the admin server must stop accepting meanwhile.
        Task stop = host.StopAsync();
        await bothStopping.Task.WaitAsync(TimeSpan.FromSeconds(30));
        release.SetResult();
        Assert.Equal("done", await held);
        await stop;
    }
}
