using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Testing;

/// <summary>
/// FaultInjector carries out a <see cref="StubResponse"/>'s fault on a live connection. Faults that break HTTP
/// framing take the raw connection from the server (<see cref="HttpResponse.DetachConnection"/>) and write the bytes
/// themselves, because the server, rightly, will not send a broken response.
/// </summary>
internal static class FaultInjector
{
    internal static async Task InjectAsync(StubResponse stub, HttpResponse response, CancellationToken requestAborted)
    {
        switch (stub.Fault)
        {
            case StubFault.Close:
                response.DetachConnection().Dispose();
                break;
            case StubFault.Reset:
                response.Abort();
                break;
            case StubFault.Raw:
                await WriteDetachedAsync(response, stub.Body, requestAborted).ConfigureAwait(false);
                break;
            case StubFault.Truncate:
                byte[] head = SerialiseHead(stub.StatusCode, stub.Headers, stub.Body.Length);
                byte[] truncated = new byte[head.Length + stub.TruncatedBodyLength];
                head.CopyTo(truncated, 0);
                stub.Body.Span[..stub.TruncatedBodyLength].CopyTo(truncated.AsSpan(head.Length));
                await WriteDetachedAsync(response, truncated, requestAborted).ConfigureAwait(false);
                break;
            case StubFault.Drip:
                await DripAsync(stub, response, requestAborted).ConfigureAwait(false);
                break;
            default:
                throw new InvalidOperationException($"{stub.Fault} is not a fault.");
        }
    }

    private static async Task WriteDetachedAsync(HttpResponse response, ReadOnlyMemory<byte> bytes, CancellationToken requestAborted)
    {
        Stream connection = response.DetachConnection();
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                await connection.WriteAsync(bytes, requestAborted).ConfigureAwait(false);
                await connection.FlushAsync(requestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // The client left first; the fault was delivered as far as it could be.
            }
        }
    }

    private static async Task DripAsync(StubResponse stub, HttpResponse response, CancellationToken requestAborted)
    {
        response.StatusCode = stub.StatusCode;
        foreach (KeyValuePair<string, string> header in stub.Headers)
        {
            response.Headers.Add(header.Key, header.Value);
        }
        response.ContentLength = stub.Body.Length;
        try
        {
            await response.FlushAsync(requestAborted).ConfigureAwait(false);
            for (int offset = 0; offset < stub.Body.Length; offset += stub.DripBytesPerWrite)
            {
                if (offset > 0)
                {
                    await Task.Delay(stub.DripInterval, requestAborted).ConfigureAwait(false);
                }
                int length = Math.Min(stub.DripBytesPerWrite, stub.Body.Length - offset);
                await response.WriteAsync(stub.Body.Slice(offset, length), requestAborted).ConfigureAwait(false);
                await response.FlushAsync(requestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (requestAborted.IsCancellationRequested)
        {
            // The client stopped listening (a timeout under test, most likely); nothing is left to send.
        }
    }

    private static byte[] SerialiseHead(int statusCode, IReadOnlyList<KeyValuePair<string, string>> headers, int contentLength)
    {
        var head = new StringBuilder();
        head.Append("HTTP/1.1 ").Append(statusCode.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(ReasonPhrase(statusCode)).Append("\r\n");
        foreach (KeyValuePair<string, string> header in headers)
        {
            head.Append(header.Key).Append(": ").Append(header.Value).Append("\r\n");
        }
        head.Append("Content-Length: ").Append(contentLength.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        head.Append("Connection: close\r\n\r\n");
        return ByteText.Latin1(head.ToString());
    }

    // The reason phrase is informational (RFC 9112 §4); a few common ones keep a hand-written head readable.
    private static string ReasonPhrase(int statusCode) => statusCode switch
    {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => string.Empty,
    };
}
