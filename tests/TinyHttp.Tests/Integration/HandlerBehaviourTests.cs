using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Integration;

/// <summary>Handlers that throw, misuse the response, wait for 100-continue or lose their client.</summary>
public class HandlerBehaviourTests : WireTests
{
    [Fact]
    public async Task HandlerThrows_Gets500_AndTheServerKeepsServing()
    {
        await using var scope = Start((request, response) =>
        {
            if (request.Path == "/boom")
            {
                throw new InvalidOperationException("handler bug");
            }
            response.SetBody("fine");
        });

        using HttpResponseMessage failed = await scope.Client.GetAsync(scope.Url("/boom"));
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Contains("500 Internal Server Error", await failed.Content.ReadAsStringAsync());

        using var fresh = new HttpClient();
        Assert.Equal("fine", await fresh.GetStringAsync(scope.Url("/ok")));
    }

    [Fact]
    public async Task HandlerThrowsAfterTheResponseStarted_AbortsTheConnection()
    {
        await using var scope = Start(async (request, response, ct) =>
        {
            await response.WriteAsync(new byte[10], ct);
            await response.FlushAsync(ct);
            throw new InvalidOperationException("late bug");
        });
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        string received = await client.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", received);
        Assert.DoesNotContain("\r\n0\r\n\r\n", received);
        Assert.DoesNotContain("500", received);
    }

    [Fact]
    public async Task BodyShorterThanItsContentLength_AbortsTheConnection()
    {
        await using var scope = Start(async (request, response, ct) =>
        {
            response.ContentLength = 100;
            await response.WriteAsync(new byte[10], ct);
            await response.FlushAsync(ct);
        });
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        string received = await client.ReadToEndAsync();

        Assert.Equal(10, RawSocket.Body(received).Length);
    }

    [Fact]
    public async Task WritingMoreThanContentLength_Throws()
    {
        Exception? caught = null;
        await using var scope = Start(async (request, response, ct) =>
        {
            response.ContentLength = 3;
            caught = await Record.ExceptionAsync(async () => await response.WriteAsync(new byte[4], ct));
            await response.WriteAsync(new byte[3], ct);
        });

        using HttpResponseMessage reply = await scope.Client.GetAsync(scope.Url("/"));

        Assert.Equal(3, (await reply.Content.ReadAsByteArrayAsync()).Length);
        Assert.IsType<InvalidOperationException>(caught);
    }

    [Theory]
    [InlineData("X-Bad", "value\r\nInjected: yes")]
    [InlineData("X-Bad", "value\nInjected: yes")]
    [InlineData("X-Bad", "nul\0byte")]
    [InlineData("X-Bad\r\nInjected", "value")]
    [InlineData("Bad Name", "value")]
    public async Task HeaderInjection_ThrowsAtOnce(string name, string value)
    {
        Exception? caught = null;
        await using var scope = Start((request, response) =>
        {
            caught = Record.Exception(() => response.Headers.Set(name, value));
            response.SetBody("ok");
        });

        using HttpResponseMessage reply = await scope.Client.GetAsync(scope.Url("/"));

        Assert.IsType<ArgumentException>(caught);
        Assert.False(reply.Headers.Contains("Injected"));
    }

    [Fact]
    public async Task ReasonPhraseWithLineBreak_Throws()
    {
        Exception? caught = null;
        await using var scope = Start((request, response) =>
            caught = Record.Exception(() => response.ReasonPhrase = "OK\r\nInjected: yes"));

        using HttpResponseMessage reply = await scope.Client.GetAsync(scope.Url("/"));

        Assert.IsType<ArgumentException>(caught);
        Assert.Equal("OK", reply.ReasonPhrase);
    }

    [Fact]
    public async Task ExpectContinue_100IsSentWhenTheHandlerReadsTheBody()
    {
        await using var scope = Start(async (request, response, ct) =>
            response.SetBody(await request.ReadBodyAsStringAsync(ct)));
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", await client.ReadResponseAsync());
        await client.SendAsync("hello");
        string final = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", final);
        Assert.Equal("hello", RawSocket.Body(final));
    }

    [Fact]
    public async Task ExpectContinue_NotSentWhenTheHandlerAnswersWithoutReading()
    {
        await using var scope = Start((request, response) =>
        {
            response.StatusCode = 401;
            response.SetBody("no");
        });
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        string response = await client.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 401 Unauthorized\r\n", response);
        Assert.DoesNotContain("100 Continue", response);
        Assert.Equal("close", RawSocket.HeaderValue(response, "Connection"));
    }

    [Fact]
    public async Task ExpectContinue_WithHttpClient()
    {
        await using var scope = Start(async (request, response, ct) =>
            response.SetBody(await request.ReadBodyAsStringAsync(ct)));
        using var message = new HttpRequestMessage(HttpMethod.Post, scope.Url("/")) { Content = new StringContent("payload") };
        message.Headers.ExpectContinue = true;

        using HttpResponseMessage reply = await scope.Client.SendAsync(message);

        Assert.Equal("payload", await reply.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ClientGoesAway_TheHandlersTokenFires()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scope = Start(async (request, response, ct) =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.SetResult();
                throw;
            }
        });
        RawSocket client = await scope.ConnectAsync();
        await client.SendAsync("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        await started.Task;

        await client.DisposeAsync();

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Abort_ResetsTheConnection()
    {
        await using var scope = Start((request, response) => response.Abort());

        await Assert.ThrowsAsync<HttpRequestException>(() => scope.Client.GetAsync(scope.Url("/")));
    }

    [Fact]
    public async Task DetachConnection_HandsTheRawStreamToTheHandler()
    {
        await using var scope = Start(async (request, response, ct) =>
        {
            await using var raw = response.DetachConnection();
            await raw.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-Raw: 1\r\n\r\nraw"u8.ToArray(), ct);
        });

        using HttpResponseMessage reply = await scope.Client.GetAsync(scope.Url("/"));

        Assert.Equal("raw", await reply.Content.ReadAsStringAsync());
        Assert.True(reply.Headers.Contains("X-Raw"));
    }

    // Issue 15's report: a client sent ONE, then TWO; a handler that had awaited before detaching read ONE and then
    // nothing, because the server's read-ahead swallowed the bytes. Whatever the read-ahead took goes to the stream.
    [Fact]
    public async Task DetachConnection_AfterTheHandlerAwaited_LosesNoBytes()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sentFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scope = Start(async (request, response, ct) =>
        {
            entered.SetResult();
            await sentFirst.Task;
            await using Stream raw = response.DetachConnection();
            await raw.WriteAsync("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"u8.ToArray(), ct);
            var buffer = new byte[3];
            for (int message = 0; message < 2; message++)
            {
                await raw.ReadExactlyAsync(buffer, ct);
                await raw.WriteAsync(buffer, ct);
            }
        });
        await using RawSocket client = await scope.ConnectAsync();
        await client.SendAsync("GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n");
        await entered.Task;
        await client.SendAsync("ONE");
        sentFirst.SetResult();

        Assert.StartsWith("HTTP/1.1 101 ", await client.ReadResponseAsync());
        Assert.Equal("ONE", await client.ReadExactlyAsync(3));
        await client.SendAsync("TWO");
        Assert.Equal("TWO", await client.ReadExactlyAsync(3));
        Assert.True(await client.IsClosedByServerAsync());
    }
}

/// <summary>The same tests over the Stream transport (what HTTPS runs on).</summary>
public class HandlerBehaviourTestsOverStreamTransport : HandlerBehaviourTests
{
    /// <inheritdoc/>
    protected override bool OverStreamTransport => true;
}
