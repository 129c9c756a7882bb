using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Server;

/// <summary>SocketTransport is a plain TCP (or Unix domain) socket: each call is one socket operation.</summary>
internal sealed class SocketTransport(Socket socket) : ConnectionTransport
{
    public override EndPoint? RemoteEndPoint => socket.RemoteEndPoint;

    public override EndPoint? LocalEndPoint => socket.LocalEndPoint;

    // Socket.ReceiveAsync(Memory) returns a ValueTask backed by the socket's own reusable event args: no allocation.
    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ValueTask<int> sending = socket.SendAsync(data, SocketFlags.None, cancellationToken);
        if (sending.IsCompletedSuccessfully && sending.Result == data.Length)
        {
            return default;
        }
        return SendRestAsync(sending, data, cancellationToken);
    }

    private async ValueTask SendRestAsync(ValueTask<int> sending, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // Socket.SendAsync sends everything before completing on Linux; the loop is for the platforms that may not.
        data = data.Slice(await sending.ConfigureAwait(false));
        while (!data.IsEmpty)
        {
            data = data.Slice(await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false));
        }
    }

    public override ValueTask ShutdownSendAsync()
    {
        socket.Shutdown(SocketShutdown.Send);
        return default;
    }

    public override void ShutdownReceive()
    {
        try
        {
            socket.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
        }
    }

    public override void Abort()
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
        }
        socket.Dispose();
    }

    public override void Dispose() => socket.Dispose();

    public override Stream DetachAsStream() => new NetworkStream(socket, ownsSocket: true);
}
