using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Integration;

/// <summary>An app with several endpoints behind an <see cref="HttpRouter"/>, as clients see it on the wire.</summary>
public class RoutingTests : WireTests
{
    [Fact]
    public async Task RequestsReachTheHandlerOfTheirPattern_WithRouteValuesDecodedOnce()
    {
        var router = new HttpRouter()
            .Map("GET /items/{id}", (request, response) => response.SetBody("item " + request.GetRouteValue("id")))
            .Map("GET /items/new", (request, response) => response.SetBody("new item form"))
            .Map("POST /items", (request, response) => response.StatusCode = 201)
            .Map("GET /files/{path...}", (request, response) => response.SetBody("file " + request.GetRouteValue("path")))
            .Map("GET /{$}", (request, response) => response.SetBody("home"));
        await using var scope = Start(router.HandleAsync);

        Assert.Equal("item 42", await scope.Client.GetStringAsync(scope.Url("/items/42")));
        Assert.Equal("new item form", await scope.Client.GetStringAsync(scope.Url("/items/new")));
        Assert.Equal("item a/b c", await scope.Client.GetStringAsync(scope.Url("/items/a%2Fb%20c")));
        Assert.Equal("item é", await scope.Client.GetStringAsync(scope.Url("/items/%C3%A9")));
        Assert.Equal("file docs/read me.txt", await scope.Client.GetStringAsync(scope.Url("/files/docs/read%20me.txt")));
        Assert.Equal("file ", await scope.Client.GetStringAsync(scope.Url("/files/")));
        Assert.Equal("home", await scope.Client.GetStringAsync(scope.Url("/")));
        using HttpResponseMessage created = await scope.Client.PostAsync(scope.Url("/items"), new StringContent("{}"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task RouteValues_AreNullForNamesThePatternDoesNotHave()
    {
        string? missing = "unset";
        var router = new HttpRouter().Map("/a/{x}", (request, response) => missing = request.GetRouteValue("y"));
        await using var scope = Start(router.HandleAsync);

        await scope.Client.GetStringAsync(scope.Url("/a/1"));

        Assert.Null(missing);
    }

    [Fact]
    public async Task ARouterInsideARouter_GivesTheInnerPatternsValuesOnly()
    {
        string? seen = null;
        var inner = new HttpRouter()
            .Map("GET /api/{version}/items/{id}", (request, response) => seen = $"{request.GetRouteValue("version")} {request.GetRouteValue("id")}")
            .Map("GET /api/v2/health", (request, response) => seen = request.GetRouteValue("version") ?? "no values");
        var outer = new HttpRouter().Map("/api/{version}/", inner.HandleAsync);
        await using var scope = Start(outer.HandleAsync);

        await scope.Client.GetStringAsync(scope.Url("/api/v2/items/7"));
        Assert.Equal("v2 7", seen);
        await scope.Client.GetStringAsync(scope.Url("/api/v2/health"));
        Assert.Equal("no values", seen);
    }

    [Fact]
    public async Task Head_IsAnsweredByTheGetPattern_WithTheHeadAndNoBody()
    {
        var router = new HttpRouter().Map("GET /report", (request, response) => response.SetBody("twelve bytes"));
        await using var scope = Start(router.HandleAsync);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("HEAD /report HTTP/1.1\r\nHost: x\r\n\r\n");
        string head = await client.ReadResponseAsync(headRequest: true);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head);
        Assert.Equal("12", RawSocket.HeaderValue(head, "Content-Length"));
        Assert.Equal("", RawSocket.Body(head));
    }

    [Fact]
    public async Task AnotherMethodOnAKnownPath_Gets405_WithAllowListingTheMethodsThatWouldMatch()
    {
        var router = new HttpRouter()
            .Map("GET /items/{id}", (request, response) => { })
            .Map("DELETE /items/{id}", (request, response) => { })
            .Map("POST /items/", (request, response) => { });
        await using var scope = Start(router.HandleAsync);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("PUT /items/7 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        string response = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 405 Method Not Allowed\r\n", response);
        Assert.Equal("DELETE, GET, HEAD, POST", RawSocket.HeaderValue(response, "Allow"));
        Assert.Equal("405 Method Not Allowed: This resource answers DELETE, GET, HEAD, POST.", RawSocket.Body(response));
    }

    [Fact]
    public async Task UnknownPath_Gets404_OrWhatTheNotFoundHandlerSends()
    {
        var router = new HttpRouter().Map("GET /known", (request, response) => { });
        await using var scope = Start(router.HandleAsync);

        using HttpResponseMessage missing = await scope.Client.GetAsync(scope.Url("/unknown"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("404 Not Found: Nothing is served at this path.", await missing.Content.ReadAsStringAsync());

        router.NotFound = (request, response, _) =>
        {
            response.StatusCode = 404;
            response.SetBody($"no page at {request.Path}");
            return Task.CompletedTask;
        };
        using HttpResponseMessage custom = await scope.Client.GetAsync(scope.Url("/unknown"));
        Assert.Equal(HttpStatusCode.NotFound, custom.StatusCode);
        Assert.Equal("no page at /unknown", await custom.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET /files HTTP/1.1", "301 Moved Permanently", "/files/")]
    [InlineData("GET /files?sort=name HTTP/1.1", "301 Moved Permanently", "/files/?sort=name")]
    [InlineData("POST /files HTTP/1.1", "308 Permanent Redirect", "/files/")]
    [InlineData("GET /docs HTTP/1.1", "301 Moved Permanently", "/docs/")]
    [InlineData("GET //a HTTP/1.1", "301 Moved Permanently", "/a")]
    [InlineData("GET /x/../a?q=1 HTTP/1.1", "301 Moved Permanently", "/a?q=1")]
    [InlineData("GET /./a HTTP/1.1", "301 Moved Permanently", "/a")]
    [InlineData("GET /b/%2e%2E/a HTTP/1.1", "301 Moved Permanently", "/a")]
    [InlineData("GET /files/./x/ HTTP/1.1", "301 Moved Permanently", "/files/x/")]
    [InlineData("GET /x/../files HTTP/1.1", "301 Moved Permanently", "/files/")]
    [InlineData("GET //nothing/here HTTP/1.1", "301 Moved Permanently", "/nothing/here")]
    [InlineData("DELETE /a/.. HTTP/1.1", "308 Permanent Redirect", "/")]
    public async Task SubtreeRootsAndUncleanPaths_AreRedirected(string requestLine, string status, string location)
    {
        var router = new HttpRouter()
            .Map("/files/", (request, response) => { })
            .Map("GET /docs/{page...}", (request, response) => { })
            .Map("/a", (request, response) => { });
        await using var scope = Start(router.HandleAsync);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync(requestLine + "\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        string response = await client.ReadResponseAsync();

        Assert.StartsWith($"HTTP/1.1 {status}\r\n", response);
        Assert.Equal(location, RawSocket.HeaderValue(response, "Location"));
    }

    [Fact]
    public async Task ASubtreeRootMappedOnItsOwn_IsNotRedirected()
    {
        var router = new HttpRouter()
            .Map("/files/", (request, response) => response.SetBody("subtree"))
            .Map("/files", (request, response) => response.SetBody("root"));
        await using var scope = Start(router.HandleAsync);

        Assert.Equal("root", await scope.Client.GetStringAsync(scope.Url("/files")));
        Assert.Equal("subtree", await scope.Client.GetStringAsync(scope.Url("/files/x")));
    }

    [Fact]
    public async Task HostPatterns_MatchTheHostWithoutItsPort_IgnoringCase()
    {
        var router = new HttpRouter()
            .Map("api.localhost/", (request, response) => response.SetBody("api"))
            .Map("/", (request, response) => response.SetBody("site"));
        await using var scope = Start(router.HandleAsync);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET /x HTTP/1.1\r\nHost: API.localhost:8080\r\n\r\n");
        Assert.Equal("api", RawSocket.Body(await client.ReadResponseAsync()));
        await client.SendAsync("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Equal("site", RawSocket.Body(await client.ReadResponseAsync()));
        await client.SendAsync("GET http://api.localhost/x HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Equal("api", RawSocket.Body(await client.ReadResponseAsync()));
    }

    [Fact]
    public async Task QueryValues_AreReadByName_DecodedWithRepeatsKept()
    {
        string? seen = null;
        var router = new HttpRouter().Map("GET /search", (request, response) =>
            seen = $"{request.GetQueryValue("q")}|{string.Join(",", request.GetQueryValues("tag"))}|{request.GetQueryValue("missing") ?? "null"}|{request.GetQueryValues("none").Count}");
        await using var scope = Start(router.HandleAsync);

        await scope.Client.GetStringAsync(scope.Url("/search?q=caf%C3%A9+au+lait&tag=a&tag=b%26c&flag"));

        Assert.Equal("café au lait|a,b&c|null|0", seen);
    }

    [Fact]
    public async Task MappingWhileServing_IsSeenByTheNextRequest()
    {
        var router = new HttpRouter();
        await using var scope = Start(router.HandleAsync);
        using HttpResponseMessage before = await scope.Client.GetAsync(scope.Url("/late"));

        router.Map("GET /late", (request, response) => response.SetBody("here now"));

        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Equal("here now", await scope.Client.GetStringAsync(scope.Url("/late")));
    }

    [Fact]
    public void ConflictingPatterns_AreRefusedWhenMapped_NamingBoth()
    {
        var router = new HttpRouter().Map("GET /items/{id}", (request, response) => { });

        InvalidOperationException refused = Assert.Throws<InvalidOperationException>(() => router.Map("/items/new", (request, response) => { }));

        Assert.Contains("'/items/new' conflicts with 'GET /items/{id}'", refused.Message);
        Assert.Contains("GET /items/new", refused.Message);
    }

    [Fact]
    public async Task TimeLimit_FiresTheHandlersToken_AndAnswers503WhenNothingWasSent()
    {
        var router = new HttpRouter().Map("GET /slow", HandlerTimeout.Wrap(async (request, response, token) =>
        {
            response.Headers.Set("X-Partial", "discarded");
            await Task.Delay(Timeout.Infinite, token);
        }, TimeSpan.FromMilliseconds(50)));
        await using var scope = Start(router.HandleAsync);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        string response = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", response);
        Assert.Null(RawSocket.HeaderValue(response, "X-Partial"));
        Assert.Equal("503 Service Unavailable: The handler did not finish within 0.05 s.", RawSocket.Body(response));
        await client.SendAsync("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 503 ", await client.ReadResponseAsync());
    }

    [Fact]
    public async Task TimeLimit_ReplacesAResponseSetTooLate_WithTheChosenStatus()
    {
        RequestHandler ignoresTheLimit = async (request, response, token) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            catch (OperationCanceledException)
            {
            }
            response.SetBody("too late");
        };
        await using var scope = Start(HandlerTimeout.Wrap(ignoresTheLimit, TimeSpan.FromMilliseconds(20), statusCode: 504));

        using HttpResponseMessage response = await scope.Client.GetAsync(scope.Url("/"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.StartsWith("504 Gateway Timeout: ", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TimeLimit_LeavesAResponseThatStarted_AndOneThatFinishedInTime()
    {
        var router = new HttpRouter()
            .Map("GET /fast", HandlerTimeout.Wrap((request, response, token) =>
            {
                response.SetBody("fast");
                return Task.CompletedTask;
            }, TimeSpan.FromMinutes(5)))
            .Map("GET /streaming", HandlerTimeout.Wrap(async (request, response, token) =>
            {
                await response.WriteAsync("started "u8.ToArray(), token);
                await response.FlushAsync(token);
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                catch (OperationCanceledException)
                {
                }
                await response.WriteAsync("and finished"u8.ToArray(), CancellationToken.None);
            }, TimeSpan.FromMilliseconds(20)));
        await using var scope = Start(router.HandleAsync);

        Assert.Equal("fast", await scope.Client.GetStringAsync(scope.Url("/fast")));
        Assert.Equal("started and finished", await scope.Client.GetStringAsync(scope.Url("/streaming")));
    }

    [Fact]
    public void TimeLimit_RefusesNonsense()
    {
        RequestHandler handler = (request, response, token) => Task.CompletedTask;

        Assert.Throws<ArgumentOutOfRangeException>(() => HandlerTimeout.Wrap(handler, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => HandlerTimeout.Wrap(handler, TimeSpan.FromSeconds(1), statusCode: 200));
    }
}
