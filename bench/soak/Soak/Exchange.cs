using System;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Testing;

namespace TinyHttp.Soak;

/// <summary>
/// Exchange is one well-formed request and what its response must be: status 200, the framing the route uses, and
/// exactly the <see cref="Payload"/> bytes for its seed and length.
/// </summary>
internal sealed class Exchange
{
    private static readonly int[] Sizes = [0, 1, 13, 100, 1000, 4096, 16_384, 65_536];

    private enum Route
    {
        Data,
        Stream,
        EchoContentLength,
        EchoChunked,
    }

    private readonly Route _route;
    private readonly int _seed;
    private readonly int _length;
    private readonly bool _closeAfter;

    private Exchange(Route route, int seed, int length, bool closeAfter, byte[] request)
    {
        _route = route;
        _seed = seed;
        _length = length;
        _closeAfter = closeAfter;
        Request = request;
    }

    public byte[] Request { get; }

    public string Description => string.Create(CultureInfo.InvariantCulture, $"{_route} n={_length} s={_seed}{(_closeAfter ? " close" : "")}");

    public static Exchange Random(Random random, bool closeAfter, int maxBody = int.MaxValue)
    {
        var route = (Route)random.Next(4);
        int seed = random.Next(1_000_000);
        int length = Sizes[random.Next(Sizes.Length)];
        if (random.Next(200) == 0)
        {
            length = 1024 * 1024;
        }
        length = Math.Min(length, maxBody);
        string connection = closeAfter ? "Connection: close\r\n" : "";
        var request = new MemoryStream();
        switch (route)
        {
            case Route.Data:
            case Route.Stream:
                string path = route == Route.Data ? "/data" : "/stream";
                request.Write(Encoding.ASCII.GetBytes($"GET {path}?n={length}&s={seed} HTTP/1.1\r\nHost: soak\r\n{connection}\r\n"));
                break;
            case Route.EchoContentLength:
                request.Write(Encoding.ASCII.GetBytes($"POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: {length}\r\n{connection}\r\n"));
                request.Write(Payload.Create(seed, length));
                break;
            case Route.EchoChunked:
                request.Write(Encoding.ASCII.GetBytes($"POST /echo HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n{connection}\r\n"));
                byte[] body = Payload.Create(seed, length);
                for (int offset = 0; offset < length;)
                {
                    int chunk = Math.Min(length - offset, 1 + random.Next(8192));
                    request.Write(Encoding.ASCII.GetBytes(chunk.ToString("x", CultureInfo.InvariantCulture) + (random.Next(4) == 0 ? ";ext=1" : "") + "\r\n"));
                    request.Write(body, offset, chunk);
                    request.Write("\r\n"u8);
                    offset += chunk;
                }
                request.Write("0\r\n\r\n"u8);
                break;
        }
        return new Exchange(route, seed, length, closeAfter, request.ToArray());
    }

    /// <summary>Sends the request (with <paramref name="send"/> if given), reads and verifies the response. Returns false when the connection is finished.</summary>
    public async Task<bool> RunAsync(RawHttpConnection connection, Tally tally, string scenario, Func<byte[], Task>? send = null)
    {
        tally.Sent(scenario, 1);
        RawHttpResponse response;
        try
        {
            await (send is null ? connection.SendAsync(Request, CancellationToken.None) : send(Request));
            response = await connection.ReadResponseAsync(isHeadRequest: false, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or FormatException or SocketException)
        {
            tally.Lost(scenario, 1, $"{Description}: {ex.GetType().Name}: {ex.Message}");
            return false;
        }
        return Verify(response, tally, scenario) && !_closeAfter;
    }

    public bool Verify(RawHttpResponse response, Tally tally, string scenario)
    {
        // A whole body has Content-Length; a streamed one is chunked (or Content-Length if the server could buffer it all).
        // Never close-delimited: on a kept-alive HTTP/1.1 connection that would end the connection.
        bool framingOk = response.Framing == BodyFraming.ContentLength || (_route == Route.Stream && response.Framing == BodyFraming.Chunked);
        if (!framingOk)
        {
            tally.Corrupted(scenario, $"{Description}: unexpected framing {response.Framing}: {Shorten(response)}");
            return false;
        }
        if (_closeAfter && !string.Equals(response.GetHeader("Connection"), "close", StringComparison.OrdinalIgnoreCase))
        {
            tally.Corrupted(scenario, $"{Description}: no Connection: close in the answer to a request that asked for it: {Shorten(response)}");
            return false;
        }
        return VerifyPayload(response, _seed, _length, tally, scenario, Description);
    }

    public static bool VerifyPayload(RawHttpResponse response, int seed, int length, Tally tally, string scenario, string description)
    {
        if (response.StatusCode != 200 || response.Body.Length != length || !Payload.Matches(seed, response.Body.Span))
        {
            tally.Corrupted(scenario, $"{description}: status {response.StatusCode}, {response.Body.Length} body bytes, expected {length} payload bytes: {Shorten(response)}");
            return false;
        }
        tally.Verified(scenario, response.Raw.Length);
        return true;
    }

    private static string Shorten(RawHttpResponse response)
    {
        string text = response.ToString();
        return text.Length <= 400 ? text : text[..400] + "…";
    }
}
