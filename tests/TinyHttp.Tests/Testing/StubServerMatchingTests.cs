using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Testing;

// Responses computed from the request, JSON and regular-expression conditions, filtered assertions and waits, and
// conditions that throw: what a test author writes against StubServer, over real sockets.
public sealed class StubServerMatchingTests
{
    [Fact]
    public async Task A_computed_response_echoes_the_route_wildcard_and_the_query_and_the_request_is_recorded()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/orders/{id}/{rest...}").Respond(request =>
            StubResponse.Json($$"""{"id":{{request.RouteValues["id"]}},"rest":"{{request.RouteValues["rest"]}}","page":"{{request.GetQueryValue("page")}}"}"""));

        string body = await stub.CreateClient().GetStringAsync("/orders/7/lines/2?page=3");

        Assert.Equal("""{"id":7,"rest":"lines/2","page":"3"}""", body);
        RecordedRequest received = Assert.Single(stub.ReceivedRequests);
        Assert.Equal("7", received.RouteValues["id"]);
        stub.AssertReceived("GET", "/orders/{id}/{rest...}", r => r.WithQuery("page", "3"));
    }

    [Fact]
    public async Task An_async_computed_response_can_be_one_step_of_a_sequence()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("POST", "/echo").RespondInSequence(
            StubResponse.Status(503),
            StubResponse.FromAsync(async (request, cancellationToken) =>
            {
                await Task.Yield();
                return StubResponse.Text("echo " + request.BodyText, statusCode: 201);
            }));
        HttpClient client = stub.CreateClient();

        using HttpResponseMessage first = await client.PostAsync("/echo", new StringContent("a"));
        using HttpResponseMessage second = await client.PostAsync("/echo", new StringContent("b"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("echo b", await second.Content.ReadAsStringAsync());
        stub.AssertReceived("POST", "/echo", times: 2);
    }

    [Fact]
    public async Task Json_conditions_match_a_partial_object_and_a_value_by_path()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("POST", "/orders")
            .WithJsonBody("""{"customer":{"id":7},"items":[{"sku":"A-1"}]}""")
            .WithJsonValue("$.items[0].qty", "2")
            .WithJsonValue("status", "new")
            .Respond(StubResponse.Status(201));
        HttpClient client = stub.CreateClient();

        using HttpResponseMessage matched = await client.PostAsync("/orders", new StringContent(
            """{"status":"new","customer":{"id":7.0,"name":"Ann"},"items":[{"sku":"A-1","qty":2}]}"""));
        using HttpResponseMessage wrongValue = await client.PostAsync("/orders", new StringContent(
            """{"status":"new","customer":{"id":8},"items":[{"sku":"A-1","qty":2}]}"""));

        Assert.Equal(HttpStatusCode.Created, matched.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, wrongValue.StatusCode);
        Assert.Contains("""JSON body contains {"customer":{"id":7},"items":[{"sku":"A-1"}]} not met""", await wrongValue.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_condition_that_throws_is_a_failed_condition_shown_with_its_exception_and_logged()
    {
        var log = new ListLogger();
        await using StubServer stub = await StubServer.StartAsync(logger: log);
        stub.AddRoute("POST", "/orders").WithJsonValue("$.sku", "A-1").Respond(StubResponse.Status(201));

        using HttpResponseMessage response = await stub.CreateClient().PostAsync("/orders", new StringContent("sku=A-1"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("JSON $.sku = A-1 threw JsonException", await response.Content.ReadAsStringAsync());
        var failure = Assert.Throws<TinyHttpAssertionException>(stub.AssertNoUnmatchedRequests);
        Assert.Contains("1. POST /orders (7 body bytes) → no route (404)", failure.Message);
        Assert.Contains("POST /orders [JSON $.sku = A-1] — JSON $.sku = A-1 threw JsonException", failure.Message);
        Assert.Contains(log.Entries, entry => entry.Exception is System.Text.Json.JsonException && entry.Message.Contains("JSON $.sku = A-1", StringComparison.Ordinal));
        Assert.Contains(log.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("no route matched POST /orders", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Regex_conditions_match_header_query_and_body()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("PUT", "/items/{id}")
            .WithHeaderMatching("Authorization", new Regex("^Bearer [a-z0-9]+$"))
            .WithQueryMatching("version", new Regex("^[0-9]+$"))
            .WithBodyMatching(new Regex("\"name\":\"[A-Z]"))
            .Respond(StubResponse.Status(204));
        HttpClient client = stub.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, "/items/1?version=12") { Content = new StringContent("""{"name":"Lamp"}""") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer abc123");

        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task AssertReceived_with_conditions_says_why_each_candidate_was_not_counted()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("POST", "/orders").Respond(StubResponse.Status(201));
        HttpClient client = stub.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = new StringContent("""{"sku":"B-2"}""") };
        request.Headers.Add("X-Tenant", "acme");
        using HttpResponseMessage response = await client.SendAsync(request);

        stub.AssertReceived("POST", "/orders", r => r.WithHeader("X-Tenant", "acme"));
        var failure = Assert.Throws<TinyHttpAssertionException>(() =>
            stub.AssertReceived("POST", "/orders", r => r.WithHeader("X-Tenant", "acme").WithJsonValue("$.sku", "A-1")));

        Assert.StartsWith("Expected 1 POST /orders [header X-Tenant: acme, JSON $.sku = A-1], received 0 matching.", failure.Message);
        Assert.Contains("not counted: JSON $.sku = A-1 not met", failure.Message);
    }

    [Fact]
    public async Task WaitForRequestsAsync_with_a_filter_waits_for_matching_requests_only()
    {
        await using StubServer stub = await StubServer.StartAsync();
        HttpClient client = stub.CreateClient();
        Task waiting = stub.WaitForRequestsAsync("POST", "/events", count: 2, where: r => r.WithQueryMatching("kind", new Regex("^click$")));

        (await client.PostAsync("/events?kind=view", null)).Dispose();
        (await client.PostAsync("/events?kind=click", null)).Dispose();
        Assert.False(waiting.IsCompleted);
        (await client.PostAsync("/events?kind=click", null)).Dispose();

        await waiting;
        var timedOut = await Assert.ThrowsAsync<TinyHttpAssertionException>(() =>
            stub.WaitForRequestsAsync("POST", "/events", count: 3, where: r => r.WithQuery("kind", "click"), timeout: TimeSpan.FromMilliseconds(50)));
        Assert.StartsWith("Expected 3 POST /events [query kind=click] within 0.05 s.", timedOut.Message);
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, formatter(state, exception), exception));
            }
        }
    }
}
