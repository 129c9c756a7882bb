using System;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Integration;

/// <summary>
/// The kept-alive hot path (read a request, call a handler that sets a cached body, write the response)
/// allocates nothing in steady state. Runs alone: the allocation counter is process-wide.
/// </summary>
[Collection(nameof(HardeningTests))]
public class AllocationTests
{
    private static readonly byte[] Hello = Encoding.ASCII.GetBytes("Hello, World!");

    [Fact]
    public async Task KeepAliveRequests_AllocateNothingInSteadyState()
    {
        await using var scope = ServerScope.Start((request, response) =>
        {
            // Routing on Method and Path as a real handler would: both strings must come without allocating.
            if (request.Method == "GET" && request.Path == "/hello")
            {
                response.ContentType = "text/plain";
                response.SetBody(Hello);
            }
        });
        await AssertSteadyStateAllocatesNothingAsync(scope);
    }

    [Fact]
    public async Task KeepAliveRequests_ThroughARouterToALiteralRoute_AllocateNothingInSteadyState()
    {
        var router = new HttpRouter();
        for (int i = 0; i < 20; i++)
        {
            router.Map($"GET /api/v1/items{i}/{{id}}", (request, response) => response.SetBody(request.GetRouteValue("id")!));
            router.Map($"POST /api/v1/items{i}", (request, response) => response.StatusCode = 201);
        }
        router.Map("/static/", (request, response) => response.StatusCode = 404);
        router.Map("GET /hello", (request, response) =>
        {
            response.ContentType = "text/plain";
            response.SetBody(Hello);
        });
        await using var scope = ServerScope.Start(router.HandleAsync);
        await AssertSteadyStateAllocatesNothingAsync(scope);
    }

    private static async Task AssertSteadyStateAllocatesNothingAsync(ServerScope scope)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(scope.Server.EndPoints[0]);
        ReadOnlyMemory<byte> request = Encoding.ASCII.GetBytes("GET /hello HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\nUser-Agent: test\r\n\r\n");
        Memory<byte> buffer = new byte[4096];
        int responseLength = await RoundTripAsync(socket, request, buffer);

        await RunAsync(socket, request, buffer, responseLength, 2_000);
        const int measured = 20_000;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await RunAsync(socket, request, buffer, responseLength, measured);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        // A single per-request object would be at least 24 bytes; the slack absorbs the once-a-second Date and timer work.
        Assert.True(allocated / (double)measured < 8, $"{allocated} bytes for {measured} requests ({allocated / (double)measured:F2} per request)");
    }

    // One async method for the whole loop, so the client itself allocates once per call, not per request.
    private static async Task RunAsync(Socket socket, ReadOnlyMemory<byte> request, Memory<byte> buffer, int responseLength, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await socket.SendAsync(request, SocketFlags.None);
            int received = 0;
            while (received < responseLength)
            {
                int read = await socket.ReceiveAsync(buffer[received..], SocketFlags.None);
                if (read == 0)
                {
                    throw new InvalidOperationException("The server closed the connection.");
                }
                received += read;
            }
        }
    }

    private static async Task<int> RoundTripAsync(Socket socket, ReadOnlyMemory<byte> request, Memory<byte> buffer)
    {
        await socket.SendAsync(request, SocketFlags.None);
        int received = 0;
        while (buffer.Span[..received].IndexOf("Hello, World!"u8) < 0)
        {
            received += await socket.ReceiveAsync(buffer[received..], SocketFlags.None);
        }
        return received;
    }
}
