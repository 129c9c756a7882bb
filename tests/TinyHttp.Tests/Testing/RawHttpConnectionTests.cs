using System;
using System.IO;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Testing;

public sealed class RawHttpConnectionTests
{
    [Fact]
    public async Task Reads_a_chunked_response_byte_exact()
    {
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync(async (request, response, aborted) =>
        {
            response.Headers.Add("X-Test", "chunks");
            await response.WriteAsync("abc"u8.ToArray(), aborted);
            await response.FlushAsync(aborted);
            await response.WriteAsync("defgh"u8.ToArray(), aborted);
        });
        RawHttpConnection connection = await server.ConnectRawAsync();
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        RawHttpResponse response = await connection.ReadResponseAsync();

        Assert.Equal(BodyFraming.Chunked, response.Framing);
        Assert.Equal("abcdefgh", response.BodyText);
        Assert.Equal("3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n", Encoding.Latin1.GetString(response.BodyAsSent.Span));
        Assert.Equal("chunks", response.GetHeader("X-Test"));
        Assert.Equal("chunked", response.GetHeader("Transfer-Encoding"));
    }

    [Fact]
    public async Task Reads_pipelined_responses_one_by_one_in_order()
    {
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync((request, response) => response.SetBody(request.Path));
        RawHttpConnection connection = await server.ConnectRawAsync();
        await connection.SendAsync(
            "GET /one HTTP/1.1\r\nHost: x\r\n\r\n" +
            "HEAD /two HTTP/1.1\r\nHost: x\r\n\r\n" +
            "GET /three HTTP/1.1\r\nHost: x\r\n\r\n" +
            "GET /four HTTP/1.1\r\nHost: x\r\n\r\n");

        RawHttpResponse one = await connection.ReadResponseAsync();
        RawHttpResponse two = await connection.ReadResponseAsync(isHeadRequest: true);
        var rest = await connection.ReadResponsesAsync(2);

        Assert.Equal("/one", one.BodyText);
        Assert.Equal(BodyFraming.None, two.Framing);
        Assert.Equal("4", two.GetHeader("Content-Length"));
        Assert.Equal(new[] { "/three", "/four" }, new[] { rest[0].BodyText, rest[1].BodyText });
    }

    [Fact]
    public async Task Read_timeout_says_what_it_waited_for_and_shows_the_bytes_that_arrived()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync(async (request, response, aborted) =>
        {
            response.ContentLength = 10;
            await response.WriteAsync("12345"u8.ToArray(), aborted);
            await response.FlushAsync(aborted);
            await release.Task.WaitAsync(aborted);
        });
        try
        {
            RawHttpConnection connection = await server.ConnectRawAsync();
            // Long enough for the first five bytes to arrive on a loaded CI machine (a test process starting, JIT and all):
            // the timeout must fire after they are in, so the message can show them.
            connection.ReadTimeout = TimeSpan.FromSeconds(3);
            await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

            TimeoutException error = await Assert.ThrowsAsync<TimeoutException>(() => connection.ReadResponseAsync());

            Assert.Contains("Timed out after 3 s waiting for a complete response", error.Message, StringComparison.Ordinal);
            Assert.Contains("HTTP/1.1 200 OK\\r\\n", error.Message, StringComparison.Ordinal);
            Assert.Contains("Content-Length: 10\\r\\n", error.Message, StringComparison.Ordinal);
            Assert.EndsWith("\\r\\n\\r\\n12345\"", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            release.SetResult();
        }
    }

    [Fact]
    public async Task A_close_before_the_response_is_complete_fails_with_the_bytes_that_arrived()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/").Respond(StubResponse.Text("0123456789").WithTruncatedBody(4));
        RawHttpConnection connection = await RawHttpConnection.ConnectAsync(stub.BaseAddress);
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        IOException error = await Assert.ThrowsAsync<IOException>(() => connection.ReadResponseAsync());

        Assert.Contains("closed the connection before a complete response", error.Message, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 10\\r\\n", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("\\r\\n\\r\\n0123\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interim_responses_are_collected_before_the_final_one()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("POST", "/upload").Respond(StubResponse.RawBytes(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"));
        RawHttpConnection connection = await RawHttpConnection.ConnectAsync(stub.BaseAddress);
        await connection.SendAsync("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");

        RawHttpResponse response = await connection.ReadResponseAsync();

        Assert.Equal(201, response.StatusCode);
        Assert.Equal("ok", response.BodyText);
        Assert.Equal(new[] { 100, 103 }, new[] { response.InterimResponses[0].StatusCode, response.InterimResponses[1].StatusCode });
    }

    [Fact]
    public async Task A_client_waits_for_100_Continue_before_it_sends_the_body()
    {
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync(async (request, response, aborted) =>
            response.SetBody("got " + await request.ReadBodyAsStringAsync(aborted)));
        RawHttpConnection connection = await server.ConnectRawAsync();
        await connection.SendAsync("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");

        RawHttpResponse interim = await connection.ReadNextResponseAsync();
        await connection.SendAsync("hello");
        RawHttpResponse final = await connection.ReadResponseAsync();

        Assert.True(interim.IsInterim);
        Assert.Equal("HTTP/1.1 100 Continue", interim.StatusLine);
        Assert.Equal(BodyFraming.None, interim.Framing);
        Assert.False(final.IsInterim);
        Assert.Equal("got hello", final.BodyText);
        Assert.Empty(final.InterimResponses);
    }

    [Fact]
    public async Task ReadNextResponse_returns_each_interim_response_and_then_the_final_one_in_wire_order()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/hints").Respond(StubResponse.RawBytes(
            "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </b.js>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        RawHttpConnection connection = await RawHttpConnection.ConnectAsync(stub.BaseAddress);
        await connection.SendAsync("GET /hints HTTP/1.1\r\nHost: x\r\n\r\n");

        RawHttpResponse first = await connection.ReadNextResponseAsync();
        RawHttpResponse second = await connection.ReadNextResponseAsync();
        RawHttpResponse final = await connection.ReadNextResponseAsync();

        Assert.Equal(("</a.css>", "</b.js>"), (first.GetHeader("Link"), second.GetHeader("Link")));
        Assert.True(first.IsInterim && second.IsInterim);
        Assert.Equal(200, final.StatusCode);
        Assert.Equal("ok", final.BodyText);
    }

    [Fact]
    public async Task A_101_is_a_final_response_not_an_interim_one()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/upgrade").Respond(StubResponse.RawBytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n"));
        RawHttpConnection connection = await RawHttpConnection.ConnectAsync(stub.BaseAddress);
        await connection.SendAsync("GET /upgrade HTTP/1.1\r\nHost: x\r\n\r\n");

        RawHttpResponse response = await connection.ReadNextResponseAsync();

        Assert.Equal(101, response.StatusCode);
        Assert.False(response.IsInterim);
    }

    [Fact]
    public async Task Request_sent_in_pieces_and_slowly_arrives_whole()
    {
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync(async (request, response, aborted) =>
            response.SetBody(request.Method + " " + request.RawTarget + " " + await request.ReadBodyAsStringAsync(aborted)));
        RawHttpConnection connection = await server.ConnectRawAsync();

        await connection.SendInPiecesAsync(TimeSpan.FromMilliseconds(5), "PO", "ST /pie", "ces HTTP/1.1\r\nHo", "st: x\r\nContent-Length: 4\r\n\r", "\nbody");
        RawHttpResponse first = await connection.ReadResponseAsync();
        await connection.SendSlowlyAsync("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", bytesPerSend: 7, TimeSpan.FromMilliseconds(1));
        RawHttpResponse second = await connection.ReadResponseAsync();

        Assert.Equal("POST /pieces body", first.BodyText);
        Assert.Equal("GET /slow ", second.BodyText);
    }

    [Fact]
    public async Task Half_close_still_gets_the_response_and_read_to_end_returns_everything_until_close()
    {
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync((request, response) => response.SetBody("bye"));
        RawHttpConnection connection = await server.ConnectRawAsync();
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        connection.ShutdownSend();

        byte[] everything = await connection.ReadToEndAsync();

        RawHttpResponse response = RawHttpResponse.Parse(everything);
        Assert.Equal("bye", response.BodyText);
        Assert.Empty(await connection.ReadToEndAsync());
    }

    [Fact]
    public async Task Connects_over_a_Unix_socket()
    {
        string path = Path.Combine(Path.GetTempPath(), "tinyhttp-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
        TinyHttpServerOptions options = new TinyHttpServerOptions { ShutdownTimeout = TinyHttpServerFixture.DefaultShutdownTimeout }.ListenUnixSocket(path);
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync((request, response) => response.SetBody("unix"), options);
        await using RawHttpConnection connection = await RawHttpConnection.ConnectUnixSocketAsync(path);
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");

        RawHttpResponse response = await connection.ReadResponseAsync();

        Assert.Equal("unix", response.BodyText);
    }

    [Fact]
    public async Task Connects_by_host_name_and_port()
    {
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync((request, response) => response.SetBody("named"));
        await using RawHttpConnection connection = await RawHttpConnection.ConnectAsync("127.0.0.1", server.Port);
        await connection.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));

        RawHttpResponse response = await connection.ReadResponseAsync();

        Assert.Equal("named", response.BodyText);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, server.Port), connection.RemoteEndPoint);
    }

    [Fact]
    public async Task Https_uris_are_refused_with_a_reason()
    {
        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => RawHttpConnection.ConnectAsync(new Uri("https://example.com/")));

        Assert.Contains("plain HTTP only", error.Message, StringComparison.Ordinal);
    }
}
