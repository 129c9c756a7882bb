using System;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Integration;

/// <summary>Bad requests get the right status, a text body saying why, Connection: close, and the connection closes.</summary>
public class RejectionTests : WireTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", "400 Bad Request")]
    [InlineData("GET / HTTP/3.0\r\nHost: x\r\n\r\n", "505 HTTP Version Not Supported")]
    [InlineData("GET / HTTP/1.1\r\n\r\n", "400 Bad Request")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400 Bad Request")]
    [InlineData("GET / HTTP/1.1\r\nHost : x\r\n\r\n", "400 Bad Request")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n  folded\r\n\r\n", "400 Bad Request")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", "400 Bad Request")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n", "400 Bad Request")]
    [InlineData("GET / HTTP/1.1\nHost: x\n\n", "400 Bad Request")]
    [InlineData("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", "400 Bad Request")]
    [InlineData("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "400 Bad Request")]
    [InlineData("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "501 Not Implemented")]
    [InlineData("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "400 Bad Request")]
    [InlineData("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", "400 Bad Request")]
    [InlineData("POST / HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n", "417 Expectation Failed")]
    public async Task BadRequest_IsAnsweredAndTheConnectionClosed(string request, string statusLine)
    {
        bool handlerCalled = false;
        await using var scope = Start((_, _) => handlerCalled = true);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync(request + "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
        string response = await client.ReadToEndAsync();

        Assert.StartsWith($"HTTP/1.1 {statusLine}\r\n", response);
        Assert.Equal("close", RawSocket.HeaderValue(response, "Connection"));
        Assert.Equal("text/plain; charset=utf-8", RawSocket.HeaderValue(response, "Content-Type"));
        Assert.NotNull(RawSocket.HeaderValue(response, "Date"));
        Assert.StartsWith(statusLine + ": ", RawSocket.Body(response));
        Assert.Equal(RawSocket.Body(response).Length.ToString(), RawSocket.HeaderValue(response, "Content-Length"));
        Assert.DoesNotContain("HTTP/1.1 200", response);
        Assert.False(handlerCalled);
    }

    // RFC 9110 §9.3.2: a response to HEAD has no content, the server's own errors included; Content-Length still says
    // what the error text would have been. A body here would be read by the client as the start of the next response.
    [Theory]
    [InlineData("HEAD / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n", "400 Bad Request")]
    [InlineData("HEAD / HTTP/1.1\r\n\r\n", "400 Bad Request")]
    [InlineData("HEAD / HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n", "417 Expectation Failed")]
    public async Task BadHeadRequest_GetsTheErrorHeadWithoutItsBody(string request, string statusLine)
    {
        await using var scope = Start((_, _) => { });
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync(request);
        string response = await client.ReadToEndAsync();

        Assert.StartsWith($"HTTP/1.1 {statusLine}\r\n", response);
        Assert.Equal("close", RawSocket.HeaderValue(response, "Connection"));
        Assert.Equal("", RawSocket.Body(response));
        Assert.True(int.Parse(RawSocket.HeaderValue(response, "Content-Length")!) > 0);
    }

    [Fact]
    public async Task LongTarget_Is414()
    {
        await using var scope = Start((_, _) => { }, options => options.MaxRequestLineLength = 100);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync($"GET /{new string('a', 200)} HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 414 URI Too Long\r\n", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task LargeHeaderSection_Is431()
    {
        await using var scope = Start((_, _) => { }, options => options.MaxRequestHeadersTotalSize = 1024);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync($"GET / HTTP/1.1\r\nHost: x\r\nBig: {new string('a', 2000)}\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task TooManyHeaders_Is431()
    {
        await using var scope = Start((_, _) => { }, options => options.MaxRequestHeaderCount = 5);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 431 ", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task BodyOverTheLimit_Is413_WhenTheHandlerReadsIt()
    {
        await using var scope = Start(async (request, response, ct) =>
        {
            await request.ReadBodyAsBytesAsync(ct);
            response.SetBody("not reached");
        }, options => options.MaxRequestBodySize = 10);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world");

        string response = await client.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 413 Content Too Large\r\n", response);
        Assert.Equal("close", RawSocket.HeaderValue(response, "Connection"));
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimit_Is413()
    {
        await using var scope = Start(async (request, response, ct) =>
        {
            await request.ReadBodyAsBytesAsync(ct);
        }, options => options.MaxRequestBodySize = 8);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 413 ", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task HandlerMayRaiseTheBodyLimitBeforeReading()
    {
        await using var scope = Start(async (request, response, ct) =>
        {
            request.MaxBodySize = 100;
            response.SetBody((await request.ReadBodyAsBytesAsync(ct)).Length.ToString());
            Assert.Throws<InvalidOperationException>(() => request.MaxBodySize = 1);
        }, options => options.MaxRequestBodySize = 10);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n" + new string('b', 50));

        Assert.Equal("50", RawSocket.Body(await client.ReadResponseAsync()));
    }

    [Fact]
    public async Task MalformedChunk_Is400()
    {
        await using var scope = Start(async (request, response, ct) => await request.ReadBodyAsBytesAsync(ct));
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");

        string response = await client.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", response);
        Assert.Contains("chunk size", RawSocket.Body(response));
    }

    [Fact]
    public async Task HeadersThatNeverFinish_Get408()
    {
        await using var scope = Start((_, _) => { }, options => options.RequestHeadersTimeout = TimeSpan.FromMilliseconds(200));
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n");

        string response = await client.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", response);
        Assert.Equal("close", RawSocket.HeaderValue(response, "Connection"));
    }

    [Fact]
    public async Task IdleKeepAliveConnection_IsClosedQuietly()
    {
        await using var scope = Start((_, response) => response.SetBody("ok"), options => options.KeepAliveTimeout = TimeSpan.FromMilliseconds(200));
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await client.ReadResponseAsync();

        Assert.Equal("", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task ServerKeepsServingAfterABadRequest()
    {
        await using var scope = Start((_, response) => response.SetBody("fine"));
        await using (RawSocket bad = await scope.ConnectAsync())
        {
            await bad.SendAsync("BROKEN\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 400 ", await bad.ReadToEndAsync());
        }

        Assert.Equal("fine", await scope.Client.GetStringAsync(scope.Url("/")));
    }
}

/// <summary>The same tests over the Stream transport (what HTTPS runs on).</summary>
public class RejectionTestsOverStreamTransport : RejectionTests
{
    /// <inheritdoc/>
    protected override bool OverStreamTransport => true;
}
