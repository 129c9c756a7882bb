using System;
using System.Net.Http;
using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Testing;

/// <summary>A fixture the way a user declares one: a derived class with a parameterless constructor.</summary>
public sealed class EchoPathServer() : ServerFixture((request, response) => response.SetBody(request.Method + " " + request.Path));

public sealed class TinyHttpServerFixtureTests : IClassFixture<EchoPathServer>
{
    private readonly EchoPathServer _server;

    public TinyHttpServerFixtureTests(EchoPathServer server) => _server = server;

    [Fact]
    public async Task Class_fixture_is_started_by_xunit_and_serves_HttpClient()
    {
        HttpClient client = _server.CreateClient();

        Assert.Equal("GET /hello", await client.GetStringAsync("/hello"));
        Assert.Equal(new Uri($"http://127.0.0.1:{_server.Port}/"), _server.BaseAddress);
    }

    [Fact]
    public async Task Class_fixture_serves_raw_connections()
    {
        RawHttpConnection connection = await _server.ConnectRawAsync();
        await connection.SendAsync("DELETE /raw HTTP/1.1\r\nHost: x\r\n\r\n");

        RawHttpResponse response = await connection.ReadResponseAsync();

        Assert.Equal("DELETE /raw", response.BodyText);
    }

    [Fact]
    public async Task Fixtures_started_side_by_side_get_their_own_ports()
    {
        await using TinyHttpServerFixture first = await TinyHttpServerFixture.StartAsync((request, response) => response.SetBody("first"));
        await using TinyHttpServerFixture second = await TinyHttpServerFixture.StartAsync((request, response) => response.SetBody("second"));

        Assert.NotEqual(first.Port, second.Port);
        Assert.Equal("first", await first.CreateClient().GetStringAsync("/"));
        Assert.Equal("second", await second.CreateClient().GetStringAsync("/"));
    }

    [Fact]
    public async Task Disposing_a_fixture_disposes_the_clients_it_made_and_stops_the_server()
    {
        TinyHttpServerFixture fixture = await TinyHttpServerFixture.StartAsync((request, response) => response.SetBody("x"));
        HttpClient client = fixture.CreateClient();
        Assert.Equal("x", await client.GetStringAsync("/"));

        await fixture.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetStringAsync("/"));
        Assert.Equal(0, fixture.Server.ActiveConnectionCount);
    }

    [Fact]
    public void An_unstarted_fixture_has_no_address_yet()
    {
        var fixture = new TinyHttpServerFixture((request, response) => { });

        Assert.Throws<InvalidOperationException>(() => fixture.BaseAddress);
    }
}
