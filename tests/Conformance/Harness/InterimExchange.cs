using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Testing;

namespace TinyHttp.Conformance;

/// <summary>
/// InterimExchange plays a client that sends <c>Expect: 100-continue</c> and waits for the interim response before it
/// sends the body. <see cref="RawHttpConnection.ReadResponseAsync"/> reads through 1xx responses to the final one, so a
/// test cannot act between them; until TinyHttp.Testing can return an interim response on its own, this small reader
/// over a plain socket does. It frames responses by Content-Length, chunked coding or close, which is all the
/// conformance handler's answers need.
/// </summary>
internal sealed class InterimExchange : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly TimeSpan _readTimeout;
    private byte[] _buffer = new byte[16 * 1024];
    private int _buffered;
    private bool _endOfStream;

    private InterimExchange(Socket socket, TimeSpan readTimeout)
    {
        _socket = socket;
        _readTimeout = readTimeout;
    }

    public static async Task<CaseObservation> RunAsync(ConformanceCase c, EndPoint endPoint, TimeSpan readTimeout)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint).ConfigureAwait(false);
        await using var exchange = new InterimExchange(socket, readTimeout);
        var observation = new CaseObservation();
        try
        {
            await exchange.SendAsync(c.Request).ConfigureAwait(false);
            var interim = new List<RawHttpResponse>();
            RawHttpResponse response = await exchange.ReadResponseAsync(isHead: false).ConfigureAwait(false);
            if (response.StatusCode is >= 100 and < 200)
            {
                interim.Add(response);
                await exchange.SendAsync(c.BodyAfterInterimBytes).ConfigureAwait(false);
                response = await exchange.ReadResponseAsync(isHead: false).ConfigureAwait(false);
            }
            observation.Responses.Add(new ObservedResponse(response, interim, isHead: false));
        }
        catch (TimeoutException e)
        {
            observation.Connection = ConnectionOutcome.StillWaiting;
            observation.Trouble = e.Message;
            return observation;
        }
        catch (IOException e)
        {
            observation.Connection = ConnectionOutcome.Closed;
            observation.Trouble = e.Message;
            return observation;
        }

        try
        {
            await exchange.SendAsync(Encoding.ASCII.GetBytes(CaseRunner.Probe)).ConfigureAwait(false);
            RawHttpResponse answer = await exchange.ReadResponseAsync(isHead: false).ConfigureAwait(false);
            observation.Connection = CaseRunner.IsProbeAnswer(answer) ? ConnectionOutcome.Open : ConnectionOutcome.Desynchronised;
            if (observation.Connection != ConnectionOutcome.Open)
            {
                observation.ProbeAnswer = answer.StatusLine;
            }
        }
        catch (TimeoutException)
        {
            observation.Connection = ConnectionOutcome.StillWaiting;
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            observation.Connection = ConnectionOutcome.Closed;
        }
        return observation;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[await _socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false)..];
        }
    }

    private async Task<RawHttpResponse> ReadResponseAsync(bool isHead)
    {
        using var deadline = new CancellationTokenSource(_readTimeout);
        int headEnd;
        while ((headEnd = _buffer.AsSpan(0, _buffered).IndexOf("\r\n\r\n"u8)) < 0)
        {
            await FillAsync(deadline.Token).ConfigureAwait(false);
        }
        int headLength = headEnd + 4;
        string head = Encoding.Latin1.GetString(_buffer, 0, headLength);
        int status = int.Parse(head.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture);
        int length;
        if (isHead || status is >= 100 and < 200 or 204 or 304)
        {
            length = headLength;
        }
        else if (FieldValue(head, "Content-Length") is string contentLength)
        {
            length = headLength + int.Parse(contentLength, NumberStyles.None, CultureInfo.InvariantCulture);
            while (_buffered < length)
            {
                await FillAsync(deadline.Token).ConfigureAwait(false);
            }
        }
        else if (FieldValue(head, "Transfer-Encoding") is string coding && coding.EndsWith("chunked", StringComparison.OrdinalIgnoreCase))
        {
            int end;
            while ((end = _buffer.AsSpan(headLength - 2, _buffered - headLength + 2).IndexOf("\r\n0\r\n\r\n"u8)) < 0)
            {
                await FillAsync(deadline.Token).ConfigureAwait(false);
            }
            length = headLength - 2 + end + 7;
        }
        else
        {
            while (!_endOfStream)
            {
                await FillAsync(deadline.Token).ConfigureAwait(false);
            }
            length = _buffered;
        }
        RawHttpResponse response = RawHttpResponse.Parse(_buffer.AsSpan(0, length), isHead);
        _buffer.AsSpan(length, _buffered - length).CopyTo(_buffer);
        _buffered -= length;
        return response;
    }

    private async Task FillAsync(CancellationToken deadline)
    {
        if (_endOfStream)
        {
            throw new IOException($"The server closed the connection before a complete response; {_buffered} bytes received.");
        }
        if (_buffered == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        int read;
        try
        {
            read = await _socket.ReceiveAsync(_buffer.AsMemory(_buffered), SocketFlags.None, deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No complete response within {_readTimeout.TotalSeconds:0.###} s; {_buffered} bytes received.");
        }
        catch (SocketException e)
        {
            throw new IOException($"The connection failed ({e.SocketErrorCode}); {_buffered} bytes received.", e);
        }
        _buffered += read;
        _endOfStream = read == 0;
    }

    private static string? FieldValue(string head, string name)
    {
        foreach (string line in head.Split("\r\n"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }
        return null;
    }
}
