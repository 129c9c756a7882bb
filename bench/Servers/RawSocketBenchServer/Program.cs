using System;
using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using TinyHttp.Bench;

int port = BenchEndpoints.ParsePort(args);
using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
listener.Listen(4096);
_ = Task.Run(() => AcceptLoopAsync(listener));
Console.WriteLine($"RawSocket listening on http://127.0.0.1:{port}/");
await BenchEndpoints.WaitForStopAsync();

static async Task AcceptLoopAsync(Socket listener)
{
    while (true)
    {
        Socket connection = await listener.AcceptAsync().ConfigureAwait(false);
        connection.NoDelay = true;
        _ = ServeAsync(connection);
    }
}

// Counts the ends of request heads (CRLF CRLF) in what arrives and answers each with the canned
// response; requests to /_stats and requests with "Connection: close" are recognised by a prefix and a
// substring search, which is enough for wrk and the harness and is not HTTP parsing.
static async Task ServeAsync(Socket connection)
{
    byte[] input = ArrayPool<byte>.Shared.Rent(16 * 1024);
    byte[] output = ArrayPool<byte>.Shared.Rent(64 * 1024);
    int matched = 0;
    try
    {
        while (true)
        {
            int read = await connection.ReceiveAsync(input.AsMemory(), SocketFlags.None).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            ReadOnlySpan<byte> data = input.AsSpan(0, read);
            if (data.StartsWith("GET /_stats "u8))
            {
                byte[] stats = Stats.Snapshot();
                byte[] head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {stats.Length}\r\nConnection: close\r\n\r\n");
                await connection.SendAsync(head, SocketFlags.None).ConfigureAwait(false);
                await connection.SendAsync(stats, SocketFlags.None).ConfigureAwait(false);
                break;
            }
            bool close = data.IndexOf("Connection: close"u8) >= 0;
            int responses = 0;
            foreach (byte b in data)
            {
                matched = b == (byte)"\r\n\r\n"[matched] ? matched + 1 : b == (byte)'\r' ? 1 : 0;
                if (matched == 4)
                {
                    matched = 0;
                    responses++;
                }
            }
            int length = 0;
            for (int i = 0; i < responses; i++)
            {
                Stats.CountRequest();
                byte[] response = close ? CloseResponse : Response;
                if (length + response.Length > output.Length)
                {
                    await connection.SendAsync(output.AsMemory(0, length), SocketFlags.None).ConfigureAwait(false);
                    length = 0;
                }
                response.CopyTo(output.AsSpan(length));
                length += response.Length;
            }
            if (length > 0)
            {
                await connection.SendAsync(output.AsMemory(0, length), SocketFlags.None).ConfigureAwait(false);
            }
            if (close && responses > 0)
            {
                break;
            }
        }
    }
    catch (SocketException)
    {
    }
    finally
    {
        connection.Dispose();
        ArrayPool<byte>.Shared.Return(input);
        ArrayPool<byte>.Shared.Return(output);
    }
}

internal static partial class Program
{
    // The same bytes a conforming server must send, Date included (RFC 9110, section 6.6.1): wrk parses every
    // response, and in the scenarios where wrk is the limit a shorter canned response would make the floor
    // faster for wrk's sake, not the server's. The date is the start's; the floor does no per-request work.
    private static readonly string StartDate = DateTime.UtcNow.ToString("r", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly byte[] Response =
        Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: {StartDate}\r\nContent-Length: 13\r\n\r\nHello, World!");

    private static readonly byte[] CloseResponse =
        Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: {StartDate}\r\nContent-Length: 13\r\nConnection: close\r\n\r\nHello, World!");
}
