using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Bench.Harness;

/// <summary>
/// RawHttp sends one GET over a fresh connection and reads to the end. The harness uses it to poll
/// for the first response and for the /_stats control endpoint, so no client library's warm-up or
/// connection pool is part of what it measures.
/// </summary>
internal static class RawHttp
{
    public static async Task<(int Status, string Body)> GetAsync(int port, string path, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
        byte[] request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
        await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        using var received = new MemoryStream();
        byte[] buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false)) > 0)
        {
            received.Write(buffer, 0, read);
        }
        string text = Encoding.ASCII.GetString(received.GetBuffer(), 0, (int)received.Length);
        int lineEnd = text.IndexOf("\r\n", StringComparison.Ordinal);
        int headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (lineEnd < 12 || headEnd < 0 || !text.StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            throw new IOException($"Not an HTTP response: '{text[..Math.Min(text.Length, 80)]}'.");
        }
        int status = int.Parse(text.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture);
        return (status, text[(headEnd + 4)..]);
    }

    /// <summary>A port that was free a moment ago on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
