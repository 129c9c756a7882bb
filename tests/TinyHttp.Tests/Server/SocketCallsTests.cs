using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using TinyHttp.Server;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Server;

/// <summary>
/// SocketCalls' recv and send never block, on a socket left in blocking mode, and report what the runtime's own calls
/// would: would-block, the end of the stream, a reset, a send after the peer is gone; and a plain connection on the
/// event loop keeps its socket in blocking mode. Over real loopback TCP. Linux only (the event loop that uses them is
/// Linux-only, and the flags are Linux's): elsewhere each test returns at once, and counts as passed.
/// </summary>
public class SocketCallsTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Receive_OnABlockingSocketWithNothingQueued_ReportsWouldBlockInsteadOfWaiting()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        (Socket server, Socket client) = await ConnectedPairAsync();
        using (server)
        using (client)
        {
            Assert.False(IsNonBlocking(server));
            byte[] buffer = new byte[16];

            (int received, SocketError error) = await Task.Run(() =>
                (SocketCalls.Receive(server.SafeHandle, buffer, SocketFlags.None, out SocketError e), e)).WaitAsync(HangGuard);

            Assert.Equal(SocketError.WouldBlock, error);
            Assert.Equal(0, received);
            Assert.False(IsNonBlocking(server));
        }
    }

    [Fact]
    public async Task Send_ToAPeerThatDoesNotRead_TakesWhatFitsThenReportsWouldBlockInsteadOfWaiting()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        (Socket server, Socket client) = await ConnectedPairAsync();
        using (server)
        using (client)
        {
            server.SendBufferSize = 4096;
            client.ReceiveBufferSize = 4096;
            byte[] chunk = new byte[64 * 1024];

            (long total, SocketError error) = await Task.Run(() =>
            {
                long sent = 0;
                SocketError e = SocketError.Success;
                // Far more than both buffers hold: a send that blocked would never come back, one that ignored the
                // full buffer would never report it.
                while (e == SocketError.Success && sent < 256L * 1024 * 1024)
                {
                    sent += SocketCalls.Send(server.SafeHandle, chunk, out e);
                }
                return (sent, e);
            }).WaitAsync(HangGuard);

            Assert.Equal(SocketError.WouldBlock, error);
            Assert.InRange(total, 1, 16L * 1024 * 1024);
            Assert.False(IsNonBlocking(server));
        }
    }

    [Fact]
    public async Task SendAndReceive_MoveTheBytes_AndPeekLeavesThemQueued()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        (Socket server, Socket client) = await ConnectedPairAsync();
        using (server)
        using (client)
        {
            int sent = SocketCalls.Send(server.SafeHandle, "hello"u8, out SocketError sendError);
            Assert.Equal(SocketError.Success, sendError);
            Assert.Equal(5, sent);
            byte[] fromServer = new byte[5];
            Assert.Equal(5, await client.ReceiveAsync(fromServer, SocketFlags.None).WaitAsync(HangGuard));
            Assert.Equal("hello", Encoding.ASCII.GetString(fromServer));

            await client.SendAsync("ping"u8.ToArray(), SocketFlags.None);
            byte[] buffer = new byte[16];
            int peeked = await ReceiveWhenQueuedAsync(server, buffer, SocketFlags.Peek);
            Assert.Equal("ping", Encoding.ASCII.GetString(buffer, 0, peeked));

            int received = SocketCalls.Receive(server.SafeHandle, buffer, SocketFlags.None, out SocketError error);
            Assert.Equal(SocketError.Success, error);
            Assert.Equal("ping", Encoding.ASCII.GetString(buffer, 0, received));
            SocketCalls.Receive(server.SafeHandle, buffer, SocketFlags.None, out error);
            Assert.Equal(SocketError.WouldBlock, error);
        }
    }

    [Fact]
    public async Task Receive_AfterThePeerClosed_ReturnsTheEndOfTheStream()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        (Socket server, Socket client) = await ConnectedPairAsync();
        using (server)
        {
            client.Shutdown(SocketShutdown.Send);
            client.Dispose();

            int received = await ReceiveWhenQueuedAsync(server, new byte[16], SocketFlags.None);

            Assert.Equal(0, received);
        }
    }

    [Fact]
    public async Task ReceiveAndSend_AfterThePeerReset_ReportConnectionFailures()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        (Socket server, Socket client) = await ConnectedPairAsync();
        using (server)
        {
            client.LingerState = new LingerOption(true, 0);
            client.Dispose();

            SocketError error = await Task.Run(() =>
            {
                SocketError e = SocketError.WouldBlock;
                while (e == SocketError.WouldBlock)
                {
                    Assert.True(server.Poll(HangGuard, SelectMode.SelectRead), "the reset did not arrive");
                    SocketCalls.Receive(server.SafeHandle, new byte[16], SocketFlags.None, out e);
                }
                return e;
            }).WaitAsync(HangGuard);
            Assert.Equal(SocketError.ConnectionReset, error);

            // Once the reset is reported, a send finds the connection gone (EPIPE), as the runtime's Send reports it.
            SocketCalls.Send(server.SafeHandle, "late"u8, out SocketError sendError);
            Assert.Equal(SocketError.Shutdown, sendError);
        }
    }

    [Fact]
    public async Task Calls_OnAClosedSocket_ThrowObjectDisposed()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        (Socket server, Socket client) = await ConnectedPairAsync();
        client.Dispose();
        server.Dispose();

        Assert.Throws<ObjectDisposedException>(() => SocketCalls.Receive(server.SafeHandle, new byte[1], SocketFlags.None, out _));
        Assert.Throws<ObjectDisposedException>(() => SocketCalls.Send(server.SafeHandle, "x"u8, out _));
    }

    [Fact]
    public async Task APlainConnectionOnTheLoop_KeepsItsSocketInBlockingMode_WhileItServesAndIdles()
    {
        if (!OperatingSystem.IsLinux() || SocketEventLoop.Shared is null)
        {
            return;
        }
        var accepted = new ConcurrentQueue<Socket>();
        await using var scope = ServerScope.Start((request, response) => response.SetBody(new string('x', 10_000)), options =>
            options.TransportFactory = socket =>
            {
                accepted.Enqueue(socket);
                return new SocketTransport(socket);
            });
        await using RawSocket connection = await scope.ConnectAsync();

        for (int i = 0; i < 3; i++)
        {
            await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 200", await connection.ReadResponseAsync().WaitAsync(HangGuard));
        }

        Socket socket = Assert.Single(accepted);
        Assert.False(IsNonBlocking(socket));
    }

    // O_NONBLOCK in the descriptor's flags, as the kernel reports them (octal) in /proc/self/fdinfo.
    private static bool IsNonBlocking(Socket socket)
    {
        string flags = File.ReadLines($"/proc/self/fdinfo/{socket.SafeHandle.DangerousGetHandle()}")
            .Single(line => line.StartsWith("flags:", StringComparison.Ordinal))["flags:".Length..].Trim();
        const int nonBlock = 0x800; // O_NONBLOCK, 04000 octal
        return (Convert.ToInt32(flags, 8) & nonBlock) != 0;
    }

    // Waits (poll, not a sleep) until the socket is readable, then receives without waiting.
    private static Task<int> ReceiveWhenQueuedAsync(Socket socket, byte[] buffer, SocketFlags flags) => Task.Run(() =>
    {
        Assert.True(socket.Poll(HangGuard, SelectMode.SelectRead), "nothing arrived");
        int received = SocketCalls.Receive(socket.SafeHandle, buffer, flags, out SocketError error);
        Assert.Equal(SocketError.Success, error);
        return received;
    });

    private static async Task<(Socket Server, Socket Client)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        Socket server = await listener.AcceptAsync();
        return (server, client);
    }
}
