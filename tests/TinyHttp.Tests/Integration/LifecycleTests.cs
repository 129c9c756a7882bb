using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Integration;

/// <summary>Start, Stop and Dispose; endpoints: port 0, port in use, IPv6, Unix sockets.</summary>
public class LifecycleTests
{
    private static TinyHttpServer NewServer(TinyHttpServerOptions options) =>
        new(options, (request, response) => response.SetBody("ok"));

    [Fact]
    public async Task PortZero_PicksAFreePortAndReportsIt()
    {
        await using TinyHttpServer server = NewServer(new TinyHttpServerOptions());
        server.Start();

        Assert.NotEqual(0, server.Port);
        Assert.Equal(new Uri($"http://127.0.0.1:{server.Port}/"), server.BaseAddress);
        using var client = new HttpClient();
        Assert.Equal("ok", await client.GetStringAsync(server.BaseAddress));
    }

    [Fact]
    public async Task PortInUse_FailsInStartNamingTheEndpoint()
    {
        await using TinyHttpServer first = NewServer(new TinyHttpServerOptions());
        first.Start();
        await using TinyHttpServer second = NewServer(new TinyHttpServerOptions().Listen(IPAddress.Loopback, first.Port));

        var ex = Assert.Throws<IOException>(second.Start);

        Assert.Contains($"127.0.0.1:{first.Port}", ex.Message);
        Assert.IsType<SocketException>(ex.InnerException);
    }

    [Fact]
    public async Task IPv6Loopback_Serves()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return;
        }
        await using TinyHttpServer server = NewServer(new TinyHttpServerOptions().Listen(IPAddress.IPv6Loopback, 0));
        server.Start();

        Assert.Equal($"http://[::1]:{server.Port}/", server.BaseAddress.ToString());
        using var client = new HttpClient();
        Assert.Equal("ok", await client.GetStringAsync(server.BaseAddress));
    }

    [Fact]
    public async Task IPv6Any_IsDualMode()
    {
        await using TinyHttpServer server = NewServer(new TinyHttpServerOptions().Listen(IPAddress.IPv6Any, 0));
        server.Start();
        using var client = new HttpClient();

        Assert.Equal("ok", await client.GetStringAsync($"http://127.0.0.1:{server.Port}/"));
        Assert.Equal("ok", await client.GetStringAsync($"http://[::1]:{server.Port}/"));
    }

    [Fact]
    public async Task UnixDomainSocket_Serves()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tinyhttp-{Guid.NewGuid():N}.sock");
        await using (TinyHttpServer server = NewServer(new TinyHttpServerOptions().ListenUnixSocket(path)))
        {
            server.Start();
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            };
            using var client = new HttpClient(handler);

            Assert.Equal("ok", await client.GetStringAsync(server.BaseAddress));
            Assert.Throws<InvalidOperationException>(() => server.Port);
        }
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task SeveralEndpoints_AllServe()
    {
        await using TinyHttpServer server = NewServer(new TinyHttpServerOptions().Listen(IPAddress.Loopback, 0).Listen(IPAddress.Loopback, 0));
        server.Start();
        using var client = new HttpClient();

        Assert.Equal(2, server.EndPoints.Count);
        foreach (EndPoint endPoint in server.EndPoints)
        {
            Assert.Equal("ok", await client.GetStringAsync($"http://{endPoint}/"));
        }
    }

    [Fact]
    public async Task Misuse_IsAPreciseInvalidOperationException()
    {
        TinyHttpServer server = NewServer(new TinyHttpServerOptions());
        Assert.Throws<InvalidOperationException>(() => server.BaseAddress);
        server.Start();
        Assert.Contains("already started", Assert.Throws<InvalidOperationException>(server.Start).Message);
        await server.StopAsync();
        await server.StopAsync();
        Assert.Contains("cannot be restarted", Assert.Throws<InvalidOperationException>(server.Start).Message);
        await server.DisposeAsync();
        await server.DisposeAsync();
        Assert.IsAssignableFrom<InvalidOperationException>(Assert.Throws<ObjectDisposedException>(server.Start));
    }

    [Fact]
    public void StopBeforeStart_IsHarmless()
    {
        TinyHttpServer server = NewServer(new TinyHttpServerOptions());
        server.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task StopAsync_DrainsAnInFlightRequest_AndRefusesNewConnections()
    {
        var inHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scope = ServerScope.Start(async (request, response, ct) =>
        {
            if (request.Path == "/slow")
            {
                inHandler.SetResult();
                await release.Task;
            }
            response.SetBody("finished");
        });
        await using RawSocket idle = await scope.ConnectAsync();
        await idle.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await idle.ReadResponseAsync();
        await using RawSocket busy = await scope.ConnectAsync();
        await busy.SendAsync("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        await inHandler.Task;
        int port = scope.Server.Port;

        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task stopping = scope.Server.StopAsync(drain.Token);

        Assert.True(await idle.IsClosedByServerAsync());
        await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using var refused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await refused.ConnectAsync(IPAddress.Loopback, port);
        });
        Assert.False(stopping.IsCompleted);
        release.SetResult();
        string response = await busy.ReadToEndAsync();
        await stopping;

        Assert.Equal("finished", RawSocket.Body(response));
        Assert.Equal("close", RawSocket.HeaderValue(response, "Connection"));
        Assert.Equal(0, scope.Server.ActiveConnectionCount);
    }

    [Fact]
    public async Task StopAsync_AbortsRequestsStillRunningAfterTheDrainTime()
    {
        var inHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenFired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scope = ServerScope.Start(async (request, response, ct) =>
        {
            using var registration = ct.Register(() => tokenFired.TrySetResult());
            inHandler.SetResult();
            await tokenFired.Task;
        });
        await using RawSocket client = await scope.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await inHandler.Task;

        using var drain = new CancellationTokenSource();
        Task stopping = scope.Server.StopAsync(drain.Token);
        drain.Cancel();
        await stopping;

        await tokenFired.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("", await client.ReadToEndAsync());
    }
}
