using System;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Testing;

public sealed class StubServerTests
{
    [Fact]
    public async Task Changing_responses_drive_a_retrying_client_to_success()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/orders/{id}").RespondInSequence(
            StubResponse.Status(503),
            StubResponse.Status(503),
            StubResponse.Json("{\"id\":7}"));
        var orders = new RetryingOrdersClient(stub.CreateClient());

        string order = await orders.GetOrderAsync(7);

        Assert.Equal("{\"id\":7}", order);
        stub.AssertReceived("GET", "/orders/7", times: 3);
    }

    [Fact]
    public async Task A_retrying_client_gives_up_when_the_service_stays_unavailable()
    {
        await using StubServer stub = await StubServer.StartAsync();
        StubRoute route = stub.AddRoute("GET", "/orders/{id}").Respond(StubResponse.Status(503));
        var orders = new RetryingOrdersClient(stub.CreateClient());

        HttpRequestException error = await Assert.ThrowsAsync<HttpRequestException>(() => orders.GetOrderAsync(7));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(RetryingOrdersClient.MaxAttempts, route.CallCount);
    }

    [Fact]
    public async Task Routes_match_on_method_pattern_query_headers_and_body_and_the_latest_wins()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("*", "/files/{path...}").Respond(StubResponse.Text("any file"));
        stub.AddRoute("GET", "/files/{name}").WithQuery("v", "2 b").Respond(StubResponse.Text("v2"));
        stub.AddRoute("POST", "/files/{name}").WithHeader("X-Mode", "append").WithBodyContaining("line").Respond(StubResponse.Text("appended", 201));
        HttpClient client = stub.CreateClient();

        Assert.Equal("any file", await client.GetStringAsync("/files/a/b/c"));
        Assert.Equal("v2", await client.GetStringAsync("/files/a?v=2+b"));
        Assert.Equal("v2", await client.GetStringAsync("/files/a?x=1&v=2%20b"));
        Assert.Equal("any file", await client.GetStringAsync("/files/a?v=3"));
        using var append = new HttpRequestMessage(HttpMethod.Post, "/files/log") { Content = new StringContent("a line") };
        append.Headers.Add("X-Mode", "append");
        using HttpResponseMessage appended = await client.SendAsync(append);
        Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
        using HttpResponseMessage plainPost = await client.PostAsync("/files/log", new StringContent("a line"));
        Assert.Equal("any file", await plainPost.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unmatched_requests_get_404_listing_the_request_and_the_closest_routes()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/orders");
        stub.AddRoute("POST", "/orders").WithHeader("X-Tenant", "a");
        stub.AddRoute("DELETE", "/users/{id}");
        HttpClient client = stub.CreateClient();

        using HttpResponseMessage response = await client.PostAsync("/orders", new StringContent("{\"qty\":1}"));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no route matched POST /orders.", body, StringComparison.Ordinal);
        Assert.Contains("  POST /orders HTTP/1.1\n", body, StringComparison.Ordinal);
        Assert.Contains("  Content-Length: 9\n", body, StringComparison.Ordinal);
        Assert.Contains("  {\"qty\":1}\n", body, StringComparison.Ordinal);
        string closest = body[body.IndexOf("Closest routes:\n", StringComparison.Ordinal)..];
        Assert.Equal(
            "Closest routes:\n" +
            "  POST /orders [header X-Tenant: a] — header X-Tenant: a not met\n" +
            "  GET /orders — method is POST, route wants GET\n" +
            "  DELETE /users/{id} — method is POST, route wants DELETE; segment 1 is 'orders', the route wants 'users'\n",
            closest);
        Assert.Throws<TinyHttpAssertionException>(() => stub.AssertNoUnmatchedRequests());
    }

    [Fact]
    public async Task Every_request_is_recorded_with_its_parts()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("PUT", "/items/{id}");
        RawHttpConnection connection = await RawHttpConnection.ConnectAsync(stub.BaseAddress);
        await connection.SendAsync("PUT /items/1?tag=a%26b HTTP/1.1\r\nHost: stub\r\nX-One: 1\r\nx-one:  2 \r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        DateTimeOffset before = DateTimeOffset.UtcNow;

        await connection.ReadResponseAsync();

        RecordedRequest request = Assert.Single(stub.ReceivedRequests);
        Assert.Equal(1, request.SequenceNumber);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("/items/1?tag=a%26b", request.Target);
        Assert.Equal("/items/1", request.Path);
        Assert.Equal("a&b", request.GetQueryValue("tag"));
        Assert.Null(request.GetQueryValue("missing"));
        Assert.Equal("HTTP/1.1", request.Version);
        Assert.Equal(new[] { "Host", "X-One", "x-one", "Transfer-Encoding" }, Array.ConvertAll(ToArray(request), h => h.Key));
        Assert.Equal("1", request.GetHeader("x-ONE"));
        Assert.Equal("abc", request.BodyText);
        Assert.Equal("PUT /items/{id}", request.MatchedRoute);
        Assert.True(request.ReceivedAt <= DateTimeOffset.UtcNow && request.ReceivedAt > before.AddMinutes(-1));
        Assert.Equal(
            "PUT /items/1?tag=a%26b HTTP/1.1\r\nHost: stub\r\nX-One: 1\r\nx-one: 2\r\nTransfer-Encoding: chunked\r\n\r\nabc",
            Encoding.Latin1.GetString(request.ToReconstructedBytes()));
        Assert.Equal(
            "PUT /items/1?tag=a%26b HTTP/1.1\r\nHost: stub\r\nX-One: 1\r\nx-one:  2 \r\nTransfer-Encoding: chunked\r\n\r\n",
            Encoding.Latin1.GetString(request.RawHead.Span));
    }

    [Fact]
    public async Task AssertReceived_fails_with_what_was_expected_and_every_request_received()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/orders");
        HttpClient client = stub.CreateClient();
        await client.GetAsync("/orders?page=2");
        await client.PutAsync("/order", new StringContent("x"));

        TinyHttpAssertionException error = Assert.Throws<TinyHttpAssertionException>(() => stub.AssertReceived("POST", "/orders"));

        Assert.Equal(
            "Expected 1 POST /orders, received 0 matching. Received 2 requests:" + Environment.NewLine +
            "  1. GET /orders?page=2 → GET /orders" + Environment.NewLine +
            "  2. PUT /order (1 body bytes) → no route (404)" + Environment.NewLine +
            "     Closest routes:" + Environment.NewLine +
            "       GET /orders — method is PUT, route wants GET; segment 1 is 'order', the route wants 'orders'",
            error.Message);
        stub.AssertReceived("GET", "/orders");
        stub.AssertReceived("*", "/", times: 2);
    }

    [Fact]
    public async Task WaitForRequests_completes_on_the_request_that_reaches_the_count()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("POST", "/events");
        HttpClient client = stub.CreateClient();

        Task waiting = stub.WaitForRequestsAsync(2);
        Task background = Task.Run(async () =>
        {
            await client.PostAsync("/events", new StringContent("1"));
            await client.PostAsync("/events", new StringContent("2"));
        });
        await waiting;

        Assert.Equal(2, stub.ReceivedRequests.Count);
        await background;
    }

    [Fact]
    public async Task WaitForRequests_that_never_come_fails_with_what_did_arrive()
    {
        await using StubServer stub = await StubServer.StartAsync();
        await stub.CreateClient().GetAsync("/only");

        TinyHttpAssertionException error = await Assert.ThrowsAsync<TinyHttpAssertionException>(
            () => stub.WaitForRequestsAsync(2, TimeSpan.FromMilliseconds(100)));

        Assert.Contains("Expected 2 request(s) within 0.1 s. Received 1 request:", error.Message, StringComparison.Ordinal);
        Assert.Contains("1. GET /only → no route (404)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_forgets_routes_and_requests()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/");
        HttpClient client = stub.CreateClient();
        await client.GetAsync("/");

        stub.Reset();
        using HttpResponseMessage after = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Contains("The stub has no routes", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(stub.ReceivedRequests);
    }

    [Fact]
    public void Path_patterns_with_a_query_or_a_misplaced_catch_all_are_refused()
    {
        var stub = new StubServer();

        Assert.Contains("WithQuery", Assert.Throws<ArgumentException>(() => stub.AddRoute("GET", "/a?b=1")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => stub.AddRoute("GET", "/*/a"));
        Assert.Throws<ArgumentException>(() => stub.AddRoute("GET", "relative"));
    }

    private static System.Collections.Generic.KeyValuePair<string, string>[] ToArray(RecordedRequest request)
    {
        var headers = new System.Collections.Generic.KeyValuePair<string, string>[request.Headers.Count];
        for (int i = 0; i < headers.Length; i++)
        {
            headers[i] = request.Headers[i];
        }
        return headers;
    }

    /// <summary>The kind of code a stub server tests: a client that retries while its service answers 503.</summary>
    private sealed class RetryingOrdersClient(HttpClient http)
    {
        internal const int MaxAttempts = 3;

        internal async Task<string> GetOrderAsync(int id)
        {
            for (int attempt = 1; ; attempt++)
            {
                using HttpResponseMessage response = await http.GetAsync($"/orders/{id}");
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < MaxAttempts)
                {
                    continue;
                }
                response.EnsureSuccessStatusCode();
                return await response.Content.ReadAsStringAsync();
            }
        }
    }
}

// The stub as a class fixture: one server for the class, cleaned by Reset in each test's constructor.
public sealed class StubServerAsClassFixtureTests : IClassFixture<StubServerFixture>
{
    private readonly StubServer _stub;

    public StubServerAsClassFixtureTests(StubServerFixture stub)
    {
        _stub = stub;
        _stub.Reset();
    }

    [Fact]
    public async Task First_test_sees_only_its_own_requests()
    {
        _stub.AddRoute("GET", "/ping").Respond(StubResponse.Text("pong"));

        Assert.Equal("pong", await _stub.CreateClient().GetStringAsync("/ping"));
        _stub.AssertReceived("GET", "/ping");
    }

    [Fact]
    public async Task Second_test_sees_only_its_own_requests()
    {
        _stub.AddRoute("GET", "/ping").Respond(StubResponse.Text("pong 2"));

        Assert.Equal("pong 2", await _stub.CreateClient().GetStringAsync("/ping"));
        _stub.AssertReceived("GET", "/ping");
    }
}
