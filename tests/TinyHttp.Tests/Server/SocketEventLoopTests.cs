using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Server;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Server;

/// <summary>
/// The Linux event loop runs a kept-alive connection's next request on the thread that saw it arrive. A handler that
/// blocks holds that thread; these tests block every loop thread and check that the server still serves. (Where there
/// is no loop, not Linux or TINYHTTP_SOCKET_EVENT_LOOP=0, they check the same of the thread pool.)
/// </summary>
public class SocketEventLoopTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task HandlersBlockingEveryLoopThread_DoNotKeepANewClientWaiting()
    {
        int blockers = SocketEventLoop.Shared?.ThreadCount ?? Environment.ProcessorCount;
        using var release = new ManualResetEventSlim();
        using var entered = new CountdownEvent(blockers);
        var threadNames = new ConcurrentBag<string?>();
        await using var scope = ServerScope.Start((request, response) =>
        {
            if (request.Path == "/block")
            {
                threadNames.Add(Thread.CurrentThread.Name);
                entered.Signal();
                release.Wait(HangGuard);
            }
            response.SetBody("ok");
        });

        var connections = new List<RawSocket>();
        try
        {
            for (int i = 0; i < blockers; i++)
            {
                // The first request of a connection may run wherever the connection started; the second arrives while
                // the connection waits in the loop, so it runs on a loop thread.
                RawSocket connection = await scope.ConnectAsync();
                connections.Add(connection);
                await connection.SendAsync("GET /warm HTTP/1.1\r\nHost: x\r\n\r\n");
                Assert.StartsWith("HTTP/1.1 200", await connection.ReadResponseAsync());
                await connection.SendAsync("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
            }
            Assert.True(await Task.Run(() => entered.Wait(HangGuard)), "not every blocking request reached its handler");
            if (SocketEventLoop.Shared is not null)
            {
                Assert.All(threadNames, name => Assert.Equal("TinyHttp socket events", name));
            }

            using var client = new HttpClient();
            Assert.Equal("ok", await client.GetStringAsync(scope.Url("/probe")).WaitAsync(HangGuard));
        }
        finally
        {
            release.Set();
        }
        foreach (RawSocket connection in connections)
        {
            Assert.StartsWith("HTTP/1.1 200", await connection.ReadResponseAsync().WaitAsync(HangGuard));
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task SynchronousWritesThatMustWait_CompleteOnALoopThread()
    {
        // A synchronous handler writing more than the socket takes at once blocks its loop thread until the client
        // reads; the wait completes through the loop, so another thread must take over waiting for events.
        byte[] chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'x');
        const int chunks = 64;
        await using var scope = ServerScope.Start((request, response) =>
        {
            if (request.Path == "/warm")
            {
                response.SetBody("ok");
                return;
            }
            response.ContentLength = (long)chunk.Length * chunks;
            for (int i = 0; i < chunks; i++)
            {
                response.Write(chunk);
            }
        });

        int clients = Environment.ProcessorCount + 2;
        using var client = new HttpClient();
        // Open the connections first: the first request of a connection may run where the connection started, the next
        // ones run where the loop saw them arrive.
        var warming = new List<Task<string>>();
        for (int i = 0; i < clients; i++)
        {
            warming.Add(client.GetStringAsync(scope.Url("/warm")));
        }
        await Task.WhenAll(warming).WaitAsync(HangGuard);

        var tasks = new List<Task<byte[]>>();
        for (int i = 0; i < clients; i++)
        {
            tasks.Add(client.GetByteArrayAsync(scope.Url("/big")));
        }
        foreach (Task<byte[]> task in tasks)
        {
            byte[] body = await task.WaitAsync(HangGuard);
            Assert.Equal(chunk.Length * chunks, body.Length);
            Assert.All(body, b => Assert.Equal((byte)'x', b));
        }
    }
}
