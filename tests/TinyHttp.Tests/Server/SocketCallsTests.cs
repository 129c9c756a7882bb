using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using TinyHttp.Server;
using Xunit;

namespace TinyHttp.Tests.Server;

/// <summary>
/// SocketCalls' recv and send never block, on a socket left in blocking mode, and report what the runtime's own calls
/// would: would-block, the end of the stream, a reset, a send after the peer is gone. Over real loopback TCP. (Linux
/// only: the event loop that uses them is Linux-only, and the flags are Linux's.)
/// </summary>
public class SocketCallsTests
{
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
            Assert.True(server.Blocking);
            byte[] buffer = new byte[16];

            int received = SocketCalls.Receive(server.SafeHandle, buffer, SocketFlags.None, out SocketError error);

            Assert.Equal(SocketError.WouldBlock, error);
            Assert.Equal(0, received);
            Assert.True(server.Blocking);
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
            Assert.Equal(5, await client.ReceiveAsync(fromServer, SocketFlags.None));
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

            SocketError error = SocketError.WouldBlock;
            while (error == SocketError.WouldBlock)
            {
                server.Poll(-1, SelectMode.SelectRead);
                SocketCalls.Receive(server.SafeHandle, new byte[16], SocketFlags.None, out error);
            }
            Assert.Equal(SocketError.ConnectionReset, error);

            // After the reset is reported, a send finds the connection gone: EPIPE, never a SIGPIPE that would end the process.
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
    }

    // Waits (poll, not a sleep) until the socket is readable, then receives without waiting.
    private static Task<int> ReceiveWhenQueuedAsync(Socket socket, byte[] buffer, SocketFlags flags) => Task.Run(() =>
    {
        Assert.True(socket.Poll(TimeSpan.FromSeconds(30), SelectMode.SelectRead), "nothing arrived");
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
