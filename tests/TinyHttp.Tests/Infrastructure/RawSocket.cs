using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Tests.Infrastructure;

/// <summary>
/// A minimal raw TCP client for the core server's own tests: send exact bytes, read back exact bytes.
/// (TinyHttp.Testing has the full-featured client; these tests must not depend on the package they help to test.)
/// </summary>
internal sealed class RawSocket : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawSocket(Socket socket) => _socket = socket;

    public static async Task<RawSocket> ConnectAsync(EndPoint endPoint)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return new RawSocket(socket);
    }

    public static Task<RawSocket> ConnectAsync(TinyHttpServer server) => ConnectAsync(server.EndPoints[0]);

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Reads one response (head, then body by Content-Length or chunked; none for HEAD, 1xx, 204, 304) and returns its raw text.</summary>
    public async Task<string> ReadResponseAsync(bool headRequest = false)
    {
        int headEnd;
        while ((headEnd = IndexOf("\r\n\r\n"u8)) < 0)
        {
            await FillAsync();
        }
        string head = Encoding.Latin1.GetString(_buffer, _start, headEnd + 4 - _start);
        int status = int.Parse(head.AsSpan(9, 3));
        int bodyStart = headEnd + 4;
        int total;
        if (headRequest || status < 200 || status == 204 || status == 304)
        {
            total = bodyStart - _start;
        }
        else if (HeaderValue(head, "Content-Length") is string length)
        {
            total = bodyStart - _start + int.Parse(length);
            while (_end - _start < total)
            {
                await FillAsync();
            }
        }
        else if (HeaderValue(head, "Transfer-Encoding") == "chunked")
        {
            int end;
            while ((end = IndexOf("\r\n0\r\n\r\n"u8, bodyStart - 2)) < 0)
            {
                await FillAsync();
            }
            total = end + 7 - _start;
        }
        else
        {
            while (await TryFillAsync())
            {
            }
            total = _end - _start;
        }
        string response = Encoding.Latin1.GetString(_buffer, _start, total);
        _start += total;
        return response;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, for connections that stopped speaking HTTP.</summary>
    public async Task<string> ReadExactlyAsync(int count)
    {
        while (_end - _start < count)
        {
            await FillAsync();
        }
        string text = Encoding.Latin1.GetString(_buffer, _start, count);
        _start += count;
        return text;
    }

    /// <summary>Reads until the server closes the connection; returns everything not yet read.</summary>
    public async Task<string> ReadToEndAsync()
    {
        while (await TryFillAsync())
        {
        }
        string rest = Encoding.Latin1.GetString(_buffer, _start, _end - _start);
        _start = _end;
        return rest;
    }

    /// <summary>True when the server has closed (or reset) the connection and nothing unread remains.</summary>
    public async Task<bool> IsClosedByServerAsync() => !await TryFillAsync() && _start == _end;

    private async Task FillAsync()
    {
        if (!await TryFillAsync())
        {
            throw new InvalidOperationException("Connection closed early. Received: " + Encoding.Latin1.GetString(_buffer, _start, _end - _start));
        }
    }

    private async Task<bool> TryFillAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        try
        {
            int read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, timeout.Token);
            _end += read;
            return read > 0;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No data within " + ReadTimeout + ". Received so far: " + Encoding.Latin1.GetString(_buffer, _start, _end - _start));
        }
    }

    private int IndexOf(ReadOnlySpan<byte> value, int from = -1)
    {
        int start = Math.Max(from, _start);
        int index = _buffer.AsSpan(start, _end - start).IndexOf(value);
        return index < 0 ? -1 : start + index;
    }

    public static string? HeaderValue(string response, string name)
    {
        foreach (string line in response.Split("\r\n"))
        {
            if (line.Length == 0)
            {
                break;
            }
            int colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }
        return null;
    }

    public static string Body(string response) => response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
