using System;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Testing;

// A handler run with no socket: the same engine, the exact bytes, read with the raw client and pinned with snapshots.
public sealed class InMemoryServerTests
{
    private static readonly RequestHandler Greeting = async (request, response, aborted) =>
    {
        response.ContentType = "text/plain";
        await response.WriteAsync(Encoding.ASCII.GetBytes("hello "), aborted);
        await response.FlushAsync(aborted);
        await response.WriteAsync(Encoding.ASCII.GetBytes(request.GetQueryValue("name") ?? "world"), aborted);
    };

    [Fact]
    public async Task A_handler_answers_with_the_bytes_a_socket_would_carry()
    {
        const string request = "GET /greeting?name=you HTTP/1.1\r\nHost: test\r\n\r\n";
        await using var memory = new InMemoryServer(Greeting);
        await using TinyHttpServerFixture tcp = await TinyHttpServerFixture.StartAsync(Greeting);
        await using RawHttpConnection socket = await tcp.ConnectRawAsync();
        await socket.SendAsync(request);

        RawHttpResponse inMemory = await memory.SendAsync(request);
        RawHttpResponse overTcp = await socket.ReadResponseAsync();

        Assert.Equal(BodyFraming.Chunked, inMemory.Framing);
        Assert.Equal("hello you", inMemory.BodyText);
        Assert.Equal(WithoutDate(overTcp.Raw), WithoutDate(inMemory.Raw));
    }

    [Fact]
    public async Task Greeting_is_sent_chunked_in_memory()
    {
        await using var server = new InMemoryServer(Greeting);

        ResponseSnapshot.Verify(await server.SendAsync("GET /greeting HTTP/1.1\r\nHost: test\r\n\r\n"));
    }

    [Fact]
    public async Task A_connection_keeps_alive_and_answers_pipelined_requests_in_order()
    {
        await using var server = new InMemoryServer((request, response) => response.SetBody(request.Path));
        await using RawHttpConnection connection = server.Connect();

        await connection.SendAsync("GET /one HTTP/1.1\r\nHost: x\r\n\r\nHEAD /two HTTP/1.1\r\nHost: x\r\n\r\nGET /three HTTP/1.1\r\nHost: x\r\n\r\n");
        RawHttpResponse one = await connection.ReadResponseAsync();
        RawHttpResponse two = await connection.ReadResponseAsync(isHeadRequest: true);
        RawHttpResponse three = await connection.ReadResponseAsync();

        Assert.Equal(("/one", "4", "/three"), (one.BodyText, two.GetHeader("Content-Length"), three.BodyText));
        Assert.Equal(1, server.ActiveConnectionCount);
        Assert.Null(connection.RemoteEndPoint);
    }

    [Fact]
    public async Task A_HEAD_request_is_read_without_a_body()
    {
        await using var server = new InMemoryServer((request, response) => response.SetBody("twelve bytes"));

        RawHttpResponse response = await server.SendAsync("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal("12", response.GetHeader("Content-Length"));
        Assert.True(response.Body.IsEmpty);
    }

    [Fact]
    public async Task The_server_parser_answers_a_malformed_request_with_its_400()
    {
        await using var server = new InMemoryServer((request, response) => response.SetBody("never"));
        await using RawHttpConnection connection = server.Connect();

        await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n");
        RawHttpResponse response = await connection.ReadResponseAsync();

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("close", response.GetHeader("Connection"));
        Assert.Empty(await connection.ReadToEndAsync());
    }

    [Fact]
    public async Task A_client_waits_for_100_Continue_and_the_handler_reads_the_body()
    {
        await using var server = new InMemoryServer(async (request, response, aborted) =>
            response.SetBody("got " + await request.ReadBodyAsStringAsync(aborted)));
        await using RawHttpConnection connection = server.Connect();

        await connection.SendAsync("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        RawHttpResponse interim = await connection.ReadNextResponseAsync();
        await connection.SendAsync("hello");
        RawHttpResponse final = await connection.ReadResponseAsync();

        Assert.Equal(100, interim.StatusCode);
        Assert.Equal("got hello", final.BodyText);
    }

    [Fact]
    public async Task The_handler_sees_no_socket_endpoints()
    {
        await using var server = new InMemoryServer((request, response) =>
            response.SetBody($"{request.RemoteEndPoint?.ToString() ?? "none"} {request.LocalEndPoint?.ToString() ?? "none"}"));

        RawHttpResponse response = await server.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal("none none", response.BodyText);
    }

    [Fact]
    public async Task A_client_that_aborts_fires_the_handlers_token()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new InMemoryServer(async (request, response, aborted) =>
        {
            using CancellationTokenRegistration registration = aborted.Register(() => cancelled.TrySetResult());
            started.TrySetResult();
            await cancelled.Task;
        });
        RawHttpConnection connection = server.Connect();
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        connection.Abort();

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_half_closed_client_still_gets_its_response_and_then_the_close()
    {
        await using var server = new InMemoryServer((request, response) => response.SetBody("bye"));
        await using RawHttpConnection connection = server.Connect();

        await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        connection.ShutdownSend();
        RawHttpResponse response = await connection.ReadResponseAsync();

        Assert.Equal("bye", response.BodyText);
        Assert.Empty(await connection.ReadToEndAsync());
    }

    [Fact]
    public async Task A_stopped_server_refuses_new_connections_saying_so()
    {
        var server = new InMemoryServer((request, response) => response.SetBody("x"));
        await server.DisposeAsync();

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => server.Connect());

        Assert.Contains("stopped", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_the_server_closes_an_idle_connection()
    {
        var server = new InMemoryServer((request, response) => response.SetBody("x"));
        await using RawHttpConnection connection = server.Connect();
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await connection.ReadResponseAsync();

        await server.DisposeAsync();

        Assert.Empty(await connection.ReadToEndAsync());
        Assert.Equal(0, server.ActiveConnectionCount);
    }

    private static string WithoutDate(ReadOnlyMemory<byte> raw) =>
        Regex.Replace(Encoding.Latin1.GetString(raw.Span), "\r\nDate: [^\r]*", "\r\nDate: {Date}");
}
