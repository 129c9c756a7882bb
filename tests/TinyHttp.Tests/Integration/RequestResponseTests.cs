using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Integration;

/// <summary>What a handler sees and what a client gets back, over real sockets.</summary>
public class RequestResponseTests : WireTests
{
    [Fact]
    public async Task Get_HandlerSeesRequestLineAndHeaders_ClientGetsBody()
    {
        string? seen = null;
        await using var scope = Start((request, response) =>
        {
            seen = $"{request.Method} {request.RawTarget} {request.Path} {request.DecodedPath} {request.QueryString} {request.ProtocolVersion} {request.Headers["x-custom"]}";
            response.SetBody("hi");
        });

        using var message = new HttpRequestMessage(HttpMethod.Get, scope.Url("/a%20b/c?x=1&y=2"));
        message.Headers.Add("X-Custom", "value");
        using HttpResponseMessage reply = await scope.Client.SendAsync(message);

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal("hi", await reply.Content.ReadAsStringAsync());
        Assert.Equal("text/plain; charset=utf-8", reply.Content.Headers.ContentType?.ToString());
        Assert.Equal(2, reply.Content.Headers.ContentLength);
        Assert.NotNull(reply.Headers.Date);
        Assert.Equal("GET /a%20b/c?x=1&y=2 /a%20b/c /a b/c x=1&y=2 1.1 value", seen);
    }

    [Fact]
    public async Task Post_BodyWithContentLength_IsReadWhole()
    {
        await using var scope = Start(async (request, response, ct) =>
        {
            string body = await request.ReadBodyAsStringAsync(ct);
            response.SetBody($"{request.ContentLength}:{body}");
        });

        using HttpResponseMessage reply = await scope.Client.PostAsync(scope.Url("/echo"), new StringContent("hello world"));

        Assert.Equal("11:hello world", await reply.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_ChunkedUpload_IsDecoded()
    {
        await using var scope = Start(async (request, response, ct) =>
        {
            byte[] body = await request.ReadBodyAsBytesAsync(ct);
            response.SetBody($"{request.IsChunked}:{body.Length}:{Encoding.ASCII.GetString(body)}");
        });
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n");
        string response = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response);
        Assert.Equal("True:11:hello world", RawSocket.Body(response));
    }

    [Fact]
    public async Task ChunkedUpload_ThroughHttpClientStreamContent()
    {
        await using var scope = Start(async (request, response, ct) =>
            response.SetBody((await request.ReadBodyAsBytesAsync(ct)).Length.ToString()));

        var content = new StreamContent(new NonSeekableStream(new byte[100_000]));
        using HttpResponseMessage reply = await scope.Client.PostAsync(scope.Url("/"), content);

        Assert.Equal("100000", await reply.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task KeepAlive_OneConnectionServesSeveralRequests()
    {
        await using var scope = Start((request, response) =>
            response.SetBody(request.RemoteEndPoint!.ToString()!));
        await using RawSocket client = await scope.ConnectAsync();

        var remotes = new string[3];
        for (int i = 0; i < 3; i++)
        {
            await client.SendAsync($"GET /{i} HTTP/1.1\r\nHost: x\r\n\r\n");
            string response = await client.ReadResponseAsync();
            Assert.Null(RawSocket.HeaderValue(response, "Connection"));
            remotes[i] = RawSocket.Body(response);
        }

        Assert.Equal(remotes[0], remotes[1]);
        Assert.Equal(remotes[0], remotes[2]);
        Assert.Equal(1, scope.Server.ActiveConnectionCount);
    }

    [Fact]
    public async Task Pipelining_ThreeRequestsInOneWrite_AreAnsweredInOrder()
    {
        await using var scope = Start(async (request, response, ct) =>
        {
            string body = await request.ReadBodyAsStringAsync(ct);
            response.SetBody(request.Path + body);
        });
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync(
            "GET /one HTTP/1.1\r\nHost: x\r\n\r\n" +
            "POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody" +
            "GET /three HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal("/one", RawSocket.Body(await client.ReadResponseAsync()));
        Assert.Equal("/twobody", RawSocket.Body(await client.ReadResponseAsync()));
        Assert.Equal("/three", RawSocket.Body(await client.ReadResponseAsync()));
    }

    [Fact]
    public async Task Pipelining_UnreadBodyIsDrainedSoTheNextRequestIsParsedCorrectly()
    {
        await using var scope = Start((request, response) => response.SetBody(request.Path));
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync(
            "POST /ignored-body HTTP/1.1\r\nHost: x\r\nContent-Length: 26\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n" +
            "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
            "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal("/ignored-body", RawSocket.Body(await client.ReadResponseAsync()));
        Assert.Equal("/chunked", RawSocket.Body(await client.ReadResponseAsync()));
        Assert.Equal("/next", RawSocket.Body(await client.ReadResponseAsync()));
    }

    [Fact]
    public async Task Head_GetsTheHeadersGetWouldGet_AndNoBody()
    {
        await using var scope = Start((request, response) => response.SetBody("thirteen byte"));
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        string head = await client.ReadResponseAsync(headRequest: true);
        string get = await client.ReadResponseAsync();

        Assert.Equal("13", RawSocket.HeaderValue(head, "Content-Length"));
        Assert.EndsWith("\r\n\r\n", head);
        Assert.Equal("thirteen byte", RawSocket.Body(get));
    }

    [Fact]
    public async Task Head_WithStreamedWrites_SendsNoBodyBytes()
    {
        await using var scope = Start(async (request, response, ct) =>
        {
            await response.WriteAsync(new byte[5], ct);
            await response.FlushAsync(ct);
            await response.WriteAsync(new byte[5], ct);
        });
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n");
        string head = await client.ReadResponseAsync(headRequest: true);
        string get = await client.ReadResponseAsync();

        Assert.Equal("chunked", RawSocket.HeaderValue(head, "Transfer-Encoding"));
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", get);
        Assert.EndsWith("\r\n5\r\n\0\0\0\0\0\r\n5\r\n\0\0\0\0\0\r\n0\r\n\r\n", get);
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public async Task NoContentAndNotModified_CarryNoBody(int status)
    {
        await using var scope = Start((request, response) => response.StatusCode = status);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        string first = await client.ReadResponseAsync();
        await client.ReadResponseAsync();

        Assert.StartsWith($"HTTP/1.1 {status} ", first);
        Assert.Null(RawSocket.HeaderValue(first, "Content-Length"));
        Assert.Null(RawSocket.HeaderValue(first, "Transfer-Encoding"));
        Assert.EndsWith("\r\n\r\n", first);
    }

    [Fact]
    public async Task StreamedResponse_IsChunkedOnHttp11_AndCloseDelimitedOnHttp10()
    {
        await using var scope = Start(async (request, response, ct) =>
        {
            await response.WriteAsync("part1,"u8.ToArray(), ct);
            await response.FlushAsync(ct);
            await response.WriteAsync("part2"u8.ToArray(), ct);
        });

        await using (RawSocket http11 = await scope.ConnectAsync())
        {
            await http11.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            string response = await http11.ReadResponseAsync();
            Assert.Equal("chunked", RawSocket.HeaderValue(response, "Transfer-Encoding"));
            Assert.Equal("6\r\npart1,\r\n5\r\npart2\r\n0\r\n\r\n", RawSocket.Body(response));
        }

        await using RawSocket http10 = await scope.ConnectAsync();
        await http10.SendAsync("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        string closeDelimited = await http10.ReadToEndAsync();
        Assert.Null(RawSocket.HeaderValue(closeDelimited, "Transfer-Encoding"));
        Assert.Null(RawSocket.HeaderValue(closeDelimited, "Content-Length"));
        Assert.Equal("close", RawSocket.HeaderValue(closeDelimited, "Connection"));
        Assert.Equal("part1,part2", RawSocket.Body(closeDelimited));
    }

    [Fact]
    public async Task SmallWritesWithoutFlush_GetAContentLength()
    {
        await using var scope = Start(async (request, response, ct) =>
        {
            await response.WriteAsync("abc"u8.ToArray(), ct);
            response.Write("def"u8);
        });

        using HttpResponseMessage reply = await scope.Client.GetAsync(scope.Url("/"));

        Assert.Equal(6, reply.Content.Headers.ContentLength);
        Assert.Equal("abcdef", await reply.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task LargeStreamedBody_ArrivesIntact()
    {
        byte[] payload = new byte[1_000_000];
        new Random(42).NextBytes(payload);
        await using var scope = Start(async (request, response, ct) =>
        {
            for (int offset = 0; offset < payload.Length; offset += 70_000)
            {
                await response.WriteAsync(payload.AsMemory(offset, Math.Min(70_000, payload.Length - offset)), ct);
            }
        });

        byte[] received = await scope.Client.GetByteArrayAsync(scope.Url("/"));

        Assert.Equal(payload, received);
    }

    [Fact]
    public async Task Http10_ClosesUnlessKeepAliveIsAsked()
    {
        await using var scope = Start((request, response) => response.SetBody("ok"));

        await using (RawSocket plain = await scope.ConnectAsync())
        {
            await plain.SendAsync("GET / HTTP/1.0\r\n\r\n");
            string response = await plain.ReadToEndAsync();
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", response);
            Assert.Equal("close", RawSocket.HeaderValue(response, "Connection"));
        }

        await using RawSocket keepAlive = await scope.ConnectAsync();
        await keepAlive.SendAsync("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        string first = await keepAlive.ReadResponseAsync();
        Assert.Equal("keep-alive", RawSocket.HeaderValue(first, "Connection"));
        await keepAlive.SendAsync("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        Assert.Equal("ok", RawSocket.Body(await keepAlive.ReadResponseAsync()));
    }

    [Fact]
    public async Task ConnectionClose_IsHonouredBothWays()
    {
        await using var scope = Start((request, response) =>
        {
            if (request.Path == "/server-closes")
            {
                response.Headers.Set("Connection", "close");
            }
            response.SetBody("ok");
        });

        await using (RawSocket clientCloses = await scope.ConnectAsync())
        {
            await clientCloses.SendAsync("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            string response = await clientCloses.ReadToEndAsync();
            Assert.Equal("close", RawSocket.HeaderValue(response, "Connection"));
            Assert.Equal("ok", RawSocket.Body(response));
        }

        await using RawSocket serverCloses = await scope.ConnectAsync();
        await serverCloses.SendAsync("GET /server-closes HTTP/1.1\r\nHost: x\r\n\r\n");
        string closed = await serverCloses.ReadToEndAsync();
        Assert.Equal("close", RawSocket.HeaderValue(closed, "Connection"));
        Assert.Equal("ok", RawSocket.Body(closed));
    }

    [Fact]
    public async Task CustomStatusAndReasonPhrase_AreSentAsSet()
    {
        await using var scope = Start((request, response) =>
        {
            response.StatusCode = 299;
            response.ReasonPhrase = "Fine Thanks";
        });
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 299 Fine Thanks\r\n", await client.ReadResponseAsync());
    }

    [Fact]
    public async Task RepeatedRequestHeaders_AreKeptInWireOrder()
    {
        string? seen = null;
        await using var scope = Start((request, response) =>
        {
            seen = string.Join("|", request.Headers.GetValues("x-rep")) + "/" + request.Headers.Count + "/" + request.Headers[1].Key;
        });
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\nX-Rep: 1\r\nOther: o\r\nx-rep: 2\r\n\r\n");
        await client.ReadResponseAsync();

        Assert.Equal("1|2/4/X-Rep", seen);
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>The same tests over the Stream transport (what HTTPS runs on).</summary>
public class RequestResponseTestsOverStreamTransport : RequestResponseTests
{
    /// <inheritdoc/>
    protected override bool OverStreamTransport => true;
}
