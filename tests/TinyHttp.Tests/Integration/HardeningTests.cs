using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Integration;

/// <summary>Many connections at once: graceful shutdown under load, slowloris, concurrent lifecycle calls.</summary>
[Collection(nameof(HardeningTests))]
[CollectionDefinition(nameof(HardeningTests), DisableParallelization = true)]
public class HardeningTests
{
    [Fact]
    public async Task StopAsync_With500RequestsInFlight_DeliversEveryResponse()
    {
        const int inFlight = 500;
        int entered = 0;
        var allEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scope = ServerScope.Start(async (request, response, ct) =>
        {
            if (request.Path.StartsWith("/busy/", StringComparison.Ordinal))
            {
                if (Interlocked.Increment(ref entered) == inFlight)
                {
                    allEntered.SetResult();
                }
                await release.Task;
            }
            response.SetBody("done " + request.Path);
        });
        await using RawSocket idle = await scope.ConnectAsync();
        await idle.SendAsync("GET /warm HTTP/1.1\r\nHost: x\r\n\r\n");
        await idle.ReadResponseAsync();

        var clients = new List<RawSocket>();
        for (int i = 0; i < inFlight; i++)
        {
            RawSocket client = await scope.ConnectAsync();
            await client.SendAsync($"GET /busy/{i} HTTP/1.1\r\nHost: x\r\n\r\n");
            clients.Add(client);
        }
        await allEntered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        int port = scope.Server.Port;

        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task stopping = scope.Server.StopAsync(drain.Token);

        Assert.True(await idle.IsClosedByServerAsync());
        using (var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await Assert.ThrowsAsync<SocketException>(() => late.ConnectAsync(IPAddress.Loopback, port));
        }
        release.SetResult();
        string[] responses = await Task.WhenAll(clients.Select(c => c.ReadToEndAsync()));
        await stopping;

        for (int i = 0; i < inFlight; i++)
        {
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", responses[i]);
            Assert.Equal($"done /busy/{i}", RawSocket.Body(responses[i]));
            Assert.Equal("close", RawSocket.HeaderValue(responses[i], "Connection"));
        }
        Assert.Equal(0, scope.Server.ActiveConnectionCount);
        foreach (RawSocket client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Slowloris_DoesNotStarveAWellBehavedClient_AndIsCutAtTheHeaderTimeout()
    {
        const int attackers = 2000;
        await using var scope = ServerScope.Start((request, response) => response.SetBody("served"),
            options => options.RequestHeadersTimeout = TimeSpan.FromSeconds(2));
        var slow = new List<RawSocket>();
        for (int i = 0; i < attackers; i++)
        {
            RawSocket client = await scope.ConnectAsync();
            await client.SendAsync("GET / HTTP/1.1\r\nHo");
            slow.Add(client);
        }

        using (var wellBehaved = new HttpClient())
        {
            Assert.Equal("served", await wellBehaved.GetStringAsync(scope.Url("/")));
        }
        foreach (RawSocket client in slow)
        {
            await client.SendAsync("s");
        }
        string[] endings = await Task.WhenAll(slow.Select(c => c.ReadToEndAsync()));

        Assert.All(endings, ending => Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", ending));
        foreach (RawSocket client in slow)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task StartStopDispose_FromManyThreadsAtOnce_IsSafe()
    {
        for (int round = 0; round < 20; round++)
        {
            var server = new TinyHttpServer(new TinyHttpServerOptions(), (request, response) => response.SetBody("ok"));
            var gate = new ManualResetEventSlim();
            int started = 0;
            Task[] calls = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                gate.Wait();
                switch (i % 4)
                {
                    case 0:
                        try
                        {
                            server.Start();
                            Interlocked.Increment(ref started);
                        }
                        catch (InvalidOperationException)
                        {
                        }
                        break;
                    case 1:
                        using (var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
                        {
                            await server.StopAsync(drain.Token);
                        }
                        break;
                    case 2:
                        await server.DisposeAsync();
                        break;
                    default:
                        server.Dispose();
                        break;
                }
            })).ToArray();
            gate.Set();
            await Task.WhenAll(calls);
            await server.DisposeAsync();

            Assert.True(started <= 1);
            Assert.Equal(0, server.ActiveConnectionCount);
        }
    }
}

/// <summary>Clients that vanish mid-request or mid-response: tokens fire, connections are released, nothing goes unobserved.</summary>
[Collection(nameof(HardeningTests))]
public class DisconnectTests
{
    [Fact]
    public async Task ClientsThatVanish_LeaveNoConnectionsAndNoUnobservedExceptions()
    {
        var unobserved = new ConcurrentQueue<Exception>();
        EventHandler<UnobservedTaskExceptionEventArgs> onUnobserved = (_, e) => unobserved.Enqueue(e.Exception);
        TaskScheduler.UnobservedTaskException += onUnobserved;
        try
        {
            var logger = new ClosedConnectionCounter();
            var tokensFired = new ConcurrentQueue<string>();
            var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var handler = new RequestHandler(async (request, response, ct) =>
            {
                using var registration = ct.Register(() => tokensFired.Enqueue(request.Path));
                if (request.Path == "/upload")
                {
                    await Assert.ThrowsAsync<BadHttpRequestException>(() => request.ReadBodyAsBytesAsync(ct));
                }
                else if (request.Path == "/download")
                {
                    var chunk = new byte[64 * 1024];
                    while (!ct.IsCancellationRequested)
                    {
                        await response.WriteAsync(chunk, ct);
                        await response.FlushAsync(ct);
                    }
                }
                else if (request.Path == "/wait")
                {
                    waiting.SetResult();
                    await Task.Delay(Timeout.Infinite, ct);
                }
            });
            await using var server = new TinyHttpServer(new TinyHttpServerOptions(), handler, logger);
            server.Start();

            await using (RawSocket partialHead = await RawSocket.ConnectAsync(server))
            {
                await partialHead.SendAsync("GET / HTTP/1.1\r\nHo");
            }
            await using (RawSocket partialBody = await RawSocket.ConnectAsync(server))
            {
                await partialBody.SendAsync("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b");
            }
            using (var download = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                await download.ConnectAsync(server.EndPoints[0]);
                await download.SendAsync("GET /download HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), SocketFlags.None);
                await download.ReceiveAsync(new byte[1024], SocketFlags.None);
                download.LingerState = new LingerOption(true, 0);
            }
            using (var reset = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                await reset.ConnectAsync(server.EndPoints[0]);
                await reset.SendAsync("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), SocketFlags.None);
                await waiting.Task;
                reset.LingerState = new LingerOption(true, 0);
            }

            await logger.WaitForClosedAsync(4).WaitAsync(TimeSpan.FromSeconds(60));
            GC.Collect();
            GC.WaitForPendingFinalizers();

            Assert.Equal(0, server.ActiveConnectionCount);
            Assert.Contains("/wait", tokensFired);
            Assert.Contains("/download", tokensFired);
            Assert.Empty(unobserved);
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= onUnobserved;
        }
    }

    /// <summary>Counts the server's ConnectionClosed events so the test can await them instead of polling.</summary>
    private sealed class ClosedConnectionCounter : Microsoft.Extensions.Logging.ILogger
    {
        private readonly object _gate = new();
        private readonly List<(int Count, TaskCompletionSource Signal)> _closedWaiters = new();
        private int _closed;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name != "ConnectionClosed")
            {
                return;
            }
            lock (_gate)
            {
                _closed++;
                foreach ((int count, TaskCompletionSource signal) in _closedWaiters)
                {
                    if (_closed >= count)
                    {
                        signal.TrySetResult();
                    }
                }
            }
        }

        public Task WaitForClosedAsync(int count)
        {
            lock (_gate)
            {
                var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_closed >= count)
                {
                    signal.SetResult();
                }
                _closedWaiters.Add((count, signal));
                return signal.Task;
            }
        }
    }
}
