using System;
using System.IO;
using System.Net.Http;
using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Testing;

// Each fault as the code under test meets it: through HttpClient, with the exception type a user would catch.
public sealed class StubFaultTests
{
    [Fact]
    public async Task Closed_connection_is_an_HttpRequestException_for_a_response_that_ended()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/").Respond(StubResponse.CloseConnection());

        HttpRequestException error = await Assert.ThrowsAsync<HttpRequestException>(() => stub.CreateClient().GetAsync("/"));

        Assert.Equal(HttpRequestError.ResponseEnded, error.HttpRequestError);
    }

    [Fact]
    public async Task Reset_connection_is_an_HttpRequestException_caused_by_an_IOException()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/").Respond(StubResponse.ResetConnection());

        HttpRequestException error = await Assert.ThrowsAsync<HttpRequestException>(() => stub.CreateClient().GetAsync("/"));

        Assert.IsAssignableFrom<IOException>(error.InnerException);
    }

    [Fact]
    public async Task Reset_connection_is_seen_by_a_raw_client_as_an_IOException()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/").Respond(StubResponse.ResetConnection());
        RawHttpConnection connection = await RawHttpConnection.ConnectAsync(stub.BaseAddress);
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        IOException error = await Assert.ThrowsAsync<IOException>(() => connection.ReadResponseAsync());

        Assert.Contains("ConnectionReset", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_body_is_an_HttpRequestException_when_buffered_and_an_IOException_when_streamed()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/").Respond(StubResponse.Text("0123456789").WithTruncatedBody(3));
        HttpClient client = stub.CreateClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/"));
        using HttpResponseMessage response = await client.GetAsync("/", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(10, response.Content.Headers.ContentLength);
        Stream body = await response.Content.ReadAsStreamAsync();
        IOException error = await Assert.ThrowsAnyAsync<IOException>(() => body.CopyToAsync(Stream.Null));
        Assert.Equal(HttpRequestError.ResponseEnded, Assert.IsType<HttpIOException>(error).HttpRequestError);
    }

    [Fact]
    public async Task Malformed_response_is_an_HttpRequestException_for_an_invalid_response()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/").Respond(StubResponse.Malformed());

        HttpRequestException error = await Assert.ThrowsAsync<HttpRequestException>(() => stub.CreateClient().GetAsync("/"));

        Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
    }

    [Fact]
    public async Task Delay_longer_than_the_client_timeout_is_a_TaskCanceledException_caused_by_a_timeout()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/").Respond(StubResponse.Text("late").WithDelay(TimeSpan.FromMinutes(5)));
        HttpClient client = stub.CreateClient();
        client.Timeout = TimeSpan.FromMilliseconds(200);

        TaskCanceledException error = await Assert.ThrowsAsync<TaskCanceledException>(() => client.GetAsync("/"));

        Assert.IsType<TimeoutException>(error.InnerException);
    }

    [Fact]
    public async Task Dripped_body_arrives_whole_and_announced_by_Content_Length()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/").Respond(StubResponse.Text("drip-drip-drip").WithDrippedBody(bytesPerWrite: 3, TimeSpan.FromMilliseconds(1)));
        RawHttpConnection connection = await RawHttpConnection.ConnectAsync(stub.BaseAddress);
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        RawHttpResponse response = await connection.ReadResponseAsync();

        Assert.Equal(BodyFraming.ContentLength, response.Framing);
        Assert.Equal("drip-drip-drip", response.BodyText);
    }

    [Fact]
    public async Task Dripped_body_slower_than_the_client_timeout_is_a_TaskCanceledException()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/").Respond(StubResponse.Text("slow body").WithDrippedBody(bytesPerWrite: 1, TimeSpan.FromMinutes(5)));
        HttpClient client = stub.CreateClient();
        client.Timeout = TimeSpan.FromMilliseconds(200);

        await Assert.ThrowsAsync<TaskCanceledException>(() => client.GetStringAsync("/"));
    }

    [Fact]
    public async Task Faults_can_be_part_of_a_sequence()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/").RespondInSequence(StubResponse.ResetConnection(), StubResponse.Text("recovered"));
        HttpClient client = stub.CreateClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/"));
        Assert.Equal("recovered", await client.GetStringAsync("/"));
    }

    [Fact]
    public void Faults_cannot_be_stacked_on_faults()
    {
        Assert.Throws<InvalidOperationException>(() => StubResponse.CloseConnection().WithTruncatedBody(0));
        Assert.Throws<InvalidOperationException>(() => StubResponse.Text("abc").WithTruncatedBody(1).WithDrippedBody(1, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => StubResponse.Text("abc").WithTruncatedBody(3));
        Assert.Equal("reset connection", StubResponse.ResetConnection().ToString());
    }
}
