using System;
using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Bench.WebSockets;

/// <summary>
/// WsEcho is what both servers of bench/websocket do once they hold a WebSocket, the same code for each, so the two
/// differ only in how the upgrade is answered and in the stream the runtime's WebSocket reads and writes:
/// <c>GET /ws</c> upgrades and echoes every message whole (read to its end, then sent back as one message of the same
/// type) until the client sends Close; <c>GET /_stats</c> is the load client's control endpoint (see <see cref="Snapshot"/>).
/// </summary>
internal static class WsEcho
{
    public const string EchoPath = "/ws";
    public const string StatsPath = "/_stats";

    /// <summary>The largest message echoed; the load client sends 32 B and 16 KiB. A larger one is closed with 1009.</summary>
    public const int MaxMessageSize = 32 * 1024;

    /// <summary>Both servers' keep-alive Pong interval, set explicitly because their defaults differ (30 s and 2 min).</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(30);

    private static long s_messages;

    public static async Task EchoAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxMessageSize);
        try
        {
            while (true)
            {
                int length = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    if (length == buffer.Length)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, null, cancellationToken).ConfigureAwait(false);
                        return;
                    }
                    received = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
                        return;
                    }
                    length += received.Count;
                }
                while (!received.EndOfMessage);
                await socket.SendAsync(buffer.AsMemory(0, length), received.MessageType, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref s_messages);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            // A client that goes away without a Close (a failed run) ends its echo; the benchmark counts only whole round trips.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One line: <c>messages=N allocated=BYTES gen0=N gen1=N gen2=N</c>, N being the messages echoed so far.</summary>
    public static byte[] Snapshot()
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"messages={Interlocked.Read(ref s_messages)} allocated={allocated} gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)}\n");
        return Encoding.ASCII.GetBytes(line);
    }

    /// <summary>The command-line port: the first argument, required.</summary>
    public static int ParsePort(string[] args)
    {
        if (args.Length >= 1 && int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535)
        {
            return port;
        }
        Console.Error.WriteLine("usage: <server> PORT");
        Environment.Exit(2);
        return 0;
    }

    /// <summary>Completes when run.sh asks the process to stop with SIGTERM (or a user presses Ctrl+C).</summary>
    public static async Task WaitForStopAsync()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopped.TrySetResult();
        });
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stopped.TrySetResult();
        });
        await stopped.Task.ConfigureAwait(false);
    }
}
