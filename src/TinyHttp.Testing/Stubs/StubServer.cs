using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace TinyHttp.Testing;

/// <summary>
/// StubServer is a test double for an HTTP service your code calls: a real server on 127.0.0.1 with a free port that
/// answers from a route table of canned responses, records every request it receives, and can inject the faults real
/// services show. Point the code under test at <see cref="BaseAddress"/>, add routes, run the code, then assert with
/// <see cref="AssertReceived(string, string, int)"/>.
/// </summary>
/// <remarks>
/// <para>The most recently added route that matches a request answers it, so a test can override a class-wide default.
/// A request no route matches gets <c>404</c> with a plain-text body that shows the request and the closest routes.</para>
/// <para>A route can answer with a scripted WebSocket exchange (<see cref="StubResponse.WebSocket"/>); the messages the client
/// sends are recorded in <see cref="RecordedRequest.WebSocket"/>, and <see cref="AssertWebSocketScriptsCompleted"/> checks the scripts.</para>
/// <para>It references no test framework: it is a plain <see cref="IAsyncDisposable"/> with an asynchronous start. Use it by
/// hand (<c>await using var stub = await StubServer.StartAsync();</c>), from a framework's own setup hooks (NUnit's
/// <c>[OneTimeSetUp]</c>, MSTest's <c>[ClassInitialize]</c>), or as a class fixture through a framework adapter
/// (<c>StubServerFixture</c> in the TinyHttp.Testing.Xunit, TinyHttp.Testing.XunitV3 and TinyHttp.Testing.TUnit packages),
/// calling <see cref="Reset"/> before each test when the stub is shared.</para>
/// <para>Over HTTPS, with <see cref="TestCertificate.Localhost"/>: <c>await StubServer.StartAsync(https: true)</c>.
/// <see cref="CreateClient"/> then trusts that certificate and no other.</para>
/// </remarks>
public class StubServer : IAsyncDisposable
{
    private const int MaxShownBodyBytes = 1024;
    private const int ClosestRoutesShown = 3;

    private readonly TinyHttpServerFixture _fixture;
    private readonly ILogger? _logger;
    private readonly List<StubRoute> _routes = new();
    private readonly List<RecordedRequest> _requests = new();
    private readonly List<Waiter> _waiters = new();
    private readonly StubScenarios _scenarios = new();

    /// <summary>ScenarioStarted is the state every scenario is in until a route moves it: <c>"Started"</c>.</summary>
    public const string ScenarioStarted = "Started";

    /// <summary>Creates a plain HTTP stub server that listens once <see cref="StartAsync(CancellationToken)"/> is called; <see cref="StartAsync(bool, ILogger?, CancellationToken)"/> does both.</summary>
    public StubServer()
        : this(https: false)
    {
    }

    /// <summary>
    /// Creates a stub server that listens once <see cref="StartAsync(CancellationToken)"/> is called, for a derived class
    /// or an adapter that a test framework starts: <c>public sealed class SecureStub() : StubServerFixture(https: true);</c>
    /// </summary>
    /// <param name="https">True to serve HTTPS with <see cref="TestCertificate.Localhost"/>, false for plain HTTP.</param>
    /// <param name="logger">Where the stub logs what it received and why a route did or did not answer (a <see cref="StubRoute.When"/>
    /// condition that threw, for one); the server logs through it too. Null for none.</param>
    public StubServer(bool https, ILogger? logger = null)
    {
        _logger = logger;
        _fixture = new TinyHttpServerFixture(HandleAsync, options: null, logger, https);
    }

    /// <summary>BaseAddress is the stub's address, for example <c>http://127.0.0.1:41234/</c>, or <c>https://127.0.0.1:41234/</c> with HTTPS.</summary>
    /// <exception cref="InvalidOperationException">The stub has not started.</exception>
    public Uri BaseAddress => _fixture.BaseAddress;

    /// <summary>
    /// Certificate is the certificate the stub serves HTTPS with (<see cref="TestCertificate.Localhost"/>), for the code
    /// under test to trust (<see cref="TestCertificate.CreatePinnedHandler"/>) or a client outside .NET
    /// (<c>stub.Certificate.WritePemFile(path)</c>, then <c>curl --cacert path</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The stub serves plain HTTP; start it with <c>https: true</c>.</exception>
    public X509Certificate2 Certificate => _fixture.Certificate;

    /// <summary>Port is the TCP port the stub listens on.</summary>
    /// <exception cref="InvalidOperationException">The stub has not started.</exception>
    public int Port => _fixture.Port;

    /// <summary>ReceivedRequests are the requests received so far, in arrival order (a copy; later requests do not appear in it).</summary>
    public IReadOnlyList<RecordedRequest> ReceivedRequests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>Starts a stub server with no routes, for use with <c>await using</c>.</summary>
    /// <param name="https">True to serve HTTPS with <see cref="TestCertificate.Localhost"/>; <see cref="CreateClient"/> then trusts it.</param>
    /// <param name="logger">Where the stub and its server log; null for none.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started stub.</returns>
    [SuppressMessage("ApiDesign", "RS0026", Justification = "The instance StartAsync takes only a token; a call names https or logger, or is made on an instance, so only one overload applies.")]
    public static async Task<StubServer> StartAsync(bool https = false, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var stub = new StubServer(https, logger);
        await stub.StartAsync(cancellationToken).ConfigureAwait(false);
        return stub;
    }

    /// <summary>Starts a stub made with a constructor; when the task completes, clients can connect. Calling it again does nothing.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the stub listens.</returns>
    [SuppressMessage("ApiDesign", "RS0026", Justification = "The static StartAsync creates a stub; this one starts an existing one. They share a name, not a purpose.")]
    [SuppressMessage("ApiDesign", "RS0027", Justification = "The static StartAsync creates a stub; this one starts an existing one. They share a name, not a purpose.")]
    public Task StartAsync(CancellationToken cancellationToken = default) => _fixture.StartAsync(cancellationToken);

    /// <summary>
    /// AddRoute adds a route for <paramref name="method"/> and <paramref name="pathPattern"/> and returns it, to chain
    /// conditions and responses: <c>stub.AddRoute("GET", "/orders/{id}").Respond(StubResponse.Json("{}"))</c>.
    /// </summary>
    /// <param name="method">The method, compared case-sensitively; <c>*</c> for any.</param>
    /// <param name="pathPattern">The path, in <see cref="HttpRouter"/>'s syntax: literal segments, <c>{name}</c> for one segment, a final <c>{name...}</c> for the rest,
    /// a trailing <c>/</c> for a subtree, a final <c>{$}</c> for an exact trailing slash (see <see cref="StubRoute.PathPattern"/>). No query; use <see cref="StubRoute.WithQuery"/>.</param>
    /// <exception cref="ArgumentException">The pattern is not valid; the message says why and how to write it.</exception>
    /// <returns>The new route, which answers 200 with no body until told otherwise.</returns>
    public StubRoute AddRoute(string method, string pathPattern)
    {
        var route = new StubRoute(method, pathPattern, _scenarios);
        lock (_routes)
        {
            _routes.Add(route);
        }
        return route;
    }

    /// <summary>CreateClient returns an <see cref="HttpClient"/> aimed at the stub (trusting <see cref="Certificate"/> with HTTPS); the stub disposes it.</summary>
    /// <returns>A new client whose <see cref="HttpClient.BaseAddress"/> is <see cref="BaseAddress"/>.</returns>
    public HttpClient CreateClient() => _fixture.CreateClient();

    /// <summary>
    /// AssertReceived checks that exactly <paramref name="times"/> requests had <paramref name="method"/> and a path
    /// matching <paramref name="pathPattern"/>. On failure the message lists every request received.
    /// </summary>
    /// <param name="method">The method; <c>*</c> for any.</param>
    /// <param name="pathPattern">The path pattern, as for <see cref="AddRoute"/>.</param>
    /// <param name="times">How many such requests are expected; default 1.</param>
    /// <exception cref="TinyHttpAssertionException">A different number arrived; the message says "expected 1 POST /orders, received 0 matching" and lists the requests.</exception>
    public void AssertReceived(string method, string pathPattern, int times = 1) => AssertReceived(method, pathPattern, where: null, times);

    /// <summary>
    /// AssertReceived checks that exactly <paramref name="times"/> requests had <paramref name="method"/>, a path matching
    /// <paramref name="pathPattern"/> and met the conditions <paramref name="where"/> adds, with the same methods a route has:
    /// <c>stub.AssertReceived("POST", "/orders", r =&gt; r.WithHeader("X-Tenant", "acme").WithJsonValue("$.sku", "A-1"))</c>.
    /// </summary>
    /// <param name="method">The method; <c>*</c> for any.</param>
    /// <param name="pathPattern">The path pattern, as for <see cref="AddRoute"/>.</param>
    /// <param name="where">Adds conditions (<see cref="StubRoute.WithQuery"/>, <see cref="StubRoute.WithHeader"/>, <see cref="StubRoute.WithJsonBody"/>,
    /// <see cref="StubRoute.WithHeaderMatching"/>, <see cref="StubRoute.When"/>, …) to the request filter; null for none.</param>
    /// <param name="times">How many such requests are expected; default 1.</param>
    /// <exception cref="TinyHttpAssertionException">A different number arrived; the message names the filter, lists the requests, and for each request with the right method and path says which condition it missed.</exception>
    [SuppressMessage("ApiDesign", "RS0026", Justification = "The third parameter's type (a function or an int) picks the overload.")]
    public void AssertReceived(string method, string pathPattern, Func<StubRoute, StubRoute>? where, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(times);
        StubRoute wanted = Filter(method, pathPattern, where);
        RecordedRequest[] requests;
        lock (_requests)
        {
            requests = _requests.ToArray();
        }
        int matching = Count(wanted, requests);
        if (matching != times)
        {
            throw new TinyHttpAssertionException(
                $"Expected {times} {wanted}, received {matching} matching. {DescribeRequests(requests, wanted)}");
        }
    }

    /// <summary>AssertNoUnmatchedRequests checks that every request found a route, so none got the stub's 404.</summary>
    /// <exception cref="TinyHttpAssertionException">Some request matched no route; the message lists every request and what answered it.</exception>
    public void AssertNoUnmatchedRequests()
    {
        RecordedRequest[] requests;
        lock (_requests)
        {
            requests = _requests.ToArray();
        }
        int unmatched = 0;
        foreach (RecordedRequest request in requests)
        {
            if (request.MatchedRoute is null)
            {
                unmatched++;
            }
        }
        if (unmatched > 0)
        {
            throw new TinyHttpAssertionException($"Expected every request to match a route, but {unmatched} did not. {DescribeRequests(requests)}");
        }
    }

    /// <summary>
    /// AssertWebSocketScriptsCompleted checks that at least one request was answered with a
    /// <see cref="StubResponse.WebSocket"/> script and that every such script ran as written: each Expect met, nothing
    /// refused or cut short. Call it once the client has seen the stub's last step (its Close, or its answer to the
    /// client's Close); the stub records each message before it acts on it.
    /// </summary>
    /// <exception cref="TinyHttpAssertionException">
    /// A script failed or is still waiting for a message, or no WebSocket route was called. The message shows, for each
    /// WebSocket, what the step expected and what was received, the script, and every message the client sent.
    /// </exception>
    public void AssertWebSocketScriptsCompleted()
    {
        RecordedRequest[] requests;
        lock (_requests)
        {
            requests = _requests.ToArray();
        }
        var sessions = new List<RecordedRequest>();
        int incomplete = 0;
        foreach (RecordedRequest request in requests)
        {
            if (request.WebSocket is { } session)
            {
                sessions.Add(request);
                if (!session.IsCompleted)
                {
                    incomplete++;
                }
            }
        }
        if (sessions.Count == 0)
        {
            throw new TinyHttpAssertionException($"Expected a WebSocket exchange, but no request was answered with StubResponse.WebSocket. {DescribeRequests(requests)}");
        }
        if (incomplete == 0)
        {
            return;
        }
        var text = new StringBuilder();
        text.Append("Expected every WebSocket script to complete, but ").Append(incomplete).Append(" of ").Append(sessions.Count).Append(" did not.");
        foreach (RecordedRequest request in sessions)
        {
            text.Append(Environment.NewLine).Append("  ").Append(request.SequenceNumber).Append(". ")
                .Append(request.Method).Append(' ').Append(request.Target).Append(" → ").Append(request.MatchedRoute).Append(':').Append(Environment.NewLine);
            request.WebSocket!.Describe(text, "     ");
        }
        throw new TinyHttpAssertionException(text.ToString());
    }

    /// <summary>
    /// WaitForRequestsAsync completes once the stub has received at least <paramref name="count"/> requests in all,
    /// for code under test that calls in the background. It awaits a signal; it does not poll.
    /// </summary>
    /// <param name="count">The total number of requests to wait for.</param>
    /// <param name="timeout">How long to wait; default 10 seconds.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when enough requests have arrived.</returns>
    /// <exception cref="TinyHttpAssertionException">They did not arrive in time; the message lists those that did.</exception>
    public Task WaitForRequestsAsync(int count, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        WaitAsync(count, filter: null, timeout, cancellationToken);

    /// <summary>
    /// WaitForRequestsAsync completes once the stub has received at least <paramref name="count"/> requests with
    /// <paramref name="method"/>, a path matching <paramref name="pathPattern"/> and the conditions <paramref name="where"/> adds
    /// (as for <see cref="AssertReceived(string, string, Func{StubRoute, StubRoute}?, int)"/>). It awaits a signal; it does not poll.
    /// </summary>
    /// <param name="method">The method; <c>*</c> for any.</param>
    /// <param name="pathPattern">The path pattern, as for <see cref="AddRoute"/>.</param>
    /// <param name="count">How many matching requests to wait for; default 1.</param>
    /// <param name="where">Adds conditions to the filter; null for none.</param>
    /// <param name="timeout">How long to wait; default 10 seconds.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when enough matching requests have arrived.</returns>
    /// <exception cref="TinyHttpAssertionException">They did not arrive in time; the message lists every request and what each missed.</exception>
    [SuppressMessage("ApiDesign", "RS0026", Justification = "The first parameter's type (a method name or a count) picks the overload.")]
    public Task WaitForRequestsAsync(
        string method, string pathPattern, int count = 1, Func<StubRoute, StubRoute>? where = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        WaitAsync(count, Filter(method, pathPattern, where), timeout, cancellationToken);

    /// <summary>
    /// GetScenarioState returns the state the scenario <paramref name="name"/> is in: <see cref="ScenarioStarted"/> until a
    /// route's <see cref="StubRoute.WillSetStateTo"/> moves it. <c>Assert.Equal("created", stub.GetScenarioState("order"))</c>
    /// </summary>
    /// <param name="name">The scenario's name, as given to <see cref="StubRoute.InScenario"/>.</param>
    /// <returns>Its current state.</returns>
    public string GetScenarioState(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _scenarios.Get(name);
    }

    /// <summary>SetScenarioState puts the scenario <paramref name="name"/> in <paramref name="state"/>, to start a test part-way through a flow.</summary>
    /// <param name="name">The scenario's name.</param>
    /// <param name="state">The state to put it in.</param>
    public void SetScenarioState(string name, string state)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(state);
        lock (_requests)
        {
            _scenarios.Set(name, state);
        }
    }

    /// <summary>Reset removes every route, forgets every recorded request and puts every scenario back in <see cref="ScenarioStarted"/>, so a shared stub starts each test clean.</summary>
    public void Reset()
    {
        lock (_routes)
        {
            _routes.Clear();
        }
        lock (_requests)
        {
            _scenarios.Clear();
        }
        lock (_requests)
        {
            _requests.Clear();
        }
    }

    /// <summary>Stops the stub and releases its port and the clients it made.</summary>
    /// <returns>A task that completes when the stub has stopped.</returns>
    public ValueTask DisposeAsync() => _fixture.DisposeAsync();

    private static StubRoute Filter(string method, string pathPattern, Func<StubRoute, StubRoute>? where)
    {
        var filter = new StubRoute(method, pathPattern);
        return where is null ? filter : where(filter) ?? filter;
    }

    private static int Count(StubRoute? filter, IReadOnlyList<RecordedRequest> requests)
    {
        if (filter is null)
        {
            return requests.Count;
        }
        int matching = 0;
        foreach (RecordedRequest request in requests)
        {
            if (filter.Matches(request))
            {
                matching++;
            }
        }
        return matching;
    }

    private async Task WaitAsync(int count, StubRoute? filter, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(10);
        var waiter = new Waiter(filter, count);
        lock (_requests)
        {
            if (Count(filter, _requests) >= count)
            {
                return;
            }
            _waiters.Add(waiter);
        }
        try
        {
            await waiter.Signal.Task.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            string what = filter is null ? $"{count} request(s)" : $"{count} {filter}";
            throw new TinyHttpAssertionException(string.Create(
                CultureInfo.InvariantCulture,
                $"Expected {what} within {limit.TotalSeconds:0.###} s. {DescribeRequests(ReceivedRequests, filter)}"));
        }
        finally
        {
            lock (_requests)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    private async Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
    {
        byte[] body = await request.ReadBodyAsBytesAsync(requestAborted).ConfigureAwait(false);
        var headers = new List<KeyValuePair<string, string>>(request.Headers.Count);
        foreach (KeyValuePair<string, string> header in request.Headers)
        {
            headers.Add(header);
        }
        string version = request.ProtocolVersion.Minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
        byte[] rawHead = request.RawHead.ToArray();

        StubRoute? route;
        RecordedRequest recorded;
        lock (_requests)
        {
            recorded = new RecordedRequest(
                _requests.Count + 1, request.Method, request.RawTarget, request.Path, request.QueryString, version, headers, body, rawHead, DateTimeOffset.UtcNow);
            route = FindRoute(recorded);
            recorded.MatchedRoute = route?.ToString();
            if (route is null)
            {
                recorded.UnmatchedReasons = DescribeClosestRoutes(recorded);
            }
            _requests.Add(recorded);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (Count(_waiters[i].Filter, _requests) >= _waiters[i].Count)
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }

        if (route is null)
        {
            if (_logger is not null)
            {
                StubLog.RequestUnmatched(_logger, recorded.Method, recorded.Target, recorded.UnmatchedReasons!);
            }
            response.StatusCode = 404;
            response.ContentType = "text/plain; charset=utf-8";
            response.SetBody(DescribeUnmatched(recorded));
            return;
        }
        if (_logger is not null)
        {
            StubLog.RequestAnswered(_logger, recorded.Method, recorded.Target, recorded.MatchedRoute!);
        }

        StubResponse stub = route.NextResponse();
        if (stub.Compute is not null)
        {
            stub = await stub.Compute(recorded, requestAborted).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The response function of route {route} returned null; return a StubResponse.");
            if (stub.Compute is not null)
            {
                throw new InvalidOperationException($"The response function of route {route} returned a computed response (StubResponse.From); return a fixed one.");
            }
        }
        if (stub.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(stub.Delay, requestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (requestAborted.IsCancellationRequested)
            {
                return;
            }
        }
        if (stub.WebSocketSteps is not null)
        {
            await ScriptedWebSocket.RunAsync(stub, recorded, request, response, requestAborted).ConfigureAwait(false);
            return;
        }
        if (stub.Fault != StubFault.None)
        {
            await FaultInjector.InjectAsync(stub, response, requestAborted).ConfigureAwait(false);
            return;
        }
        response.StatusCode = stub.StatusCode;
        foreach (KeyValuePair<string, string> header in stub.Headers)
        {
            response.Headers.Add(header.Key, header.Value);
        }
        if (!stub.Body.IsEmpty)
        {
            response.SetBody(stub.Body);
        }
    }

    private StubRoute? FindRoute(RecordedRequest request)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        lock (_routes)
        {
            for (int i = _routes.Count - 1; i >= 0; i--)
            {
                StubRoute route = _routes[i];
                Action<string, Exception>? threw = _logger is null
                    ? null
                    : (condition, error) => StubLog.ConditionThrew(_logger, error, condition, route.ToString(), request.Method, request.Target);
                if (route.Matches(request, values, threw))
                {
                    request.RouteValues = values;
                    route.OnChosen();
                    return route;
                }
            }
        }
        return null;
    }

    private string DescribeUnmatched(RecordedRequest request)
    {
        var text = new StringBuilder();
        text.Append("TinyHttp.Testing StubServer: no route matched ").Append(request.Method).Append(' ').Append(request.Target).Append(".\n\n");
        text.Append("Received:\n");
        foreach (string line in request.HeadText().Split("\r\n"))
        {
            if (line.Length > 0)
            {
                text.Append("  ").Append(line).Append('\n');
            }
        }
        if (!request.Body.IsEmpty)
        {
            text.Append('\n').Append("  ").Append(ByteText.Escape(request.Body.Span[..Math.Min(request.Body.Length, MaxShownBodyBytes)]));
            if (request.Body.Length > MaxShownBodyBytes)
            {
                text.Append(" … (").Append(request.Body.Length).Append(" bytes in all)");
            }
            text.Append('\n');
        }

        text.Append('\n').Append(request.UnmatchedReasons ?? DescribeClosestRoutes(request));
        return text.ToString();
    }

    /// <summary>The closest routes to a request no route answered, and why each missed: one line each, as the 404 body and the assertion listings show them.</summary>
    private string DescribeClosestRoutes(RecordedRequest request)
    {
        StubRoute[] routes;
        lock (_routes)
        {
            routes = _routes.ToArray();
        }
        if (routes.Length == 0)
        {
            return "The stub has no routes; add one with StubServer.AddRoute.\n";
        }
        var text = new StringBuilder();
        var ranked = new List<(int Misses, int Distance, int Order, StubRoute Route, List<string> Why)>(routes.Length);
        for (int i = 0; i < routes.Length; i++)
        {
            List<string> why = routes[i].Mismatches(request, out int misses);
            ranked.Add((misses, TinyHttp.Routing.RoutePath.EditDistance(request.Path, routes[i].PathPattern), i, routes[i], why));
        }
        ranked.Sort((a, b) => a.Misses != b.Misses ? a.Misses.CompareTo(b.Misses) : a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Order.CompareTo(b.Order));
        text.Append("Closest routes:\n");
        for (int i = 0; i < Math.Min(ClosestRoutesShown, ranked.Count); i++)
        {
            text.Append("  ").Append(ranked[i].Route).Append(" — ").Append(string.Join("; ", ranked[i].Why)).Append('\n');
        }
        return text.ToString();
    }

    private static string DescribeRequests(IReadOnlyList<RecordedRequest> requests, StubRoute? filter = null)
    {
        if (requests.Count == 0)
        {
            return "No requests were received.";
        }
        var text = new StringBuilder();
        text.Append("Received ").Append(requests.Count).Append(requests.Count == 1 ? " request:" : " requests:");
        foreach (RecordedRequest request in requests)
        {
            text.Append(Environment.NewLine).Append("  ").Append(request.SequenceNumber).Append(". ")
                .Append(request.Method).Append(' ').Append(request.Target);
            if (!request.Body.IsEmpty)
            {
                text.Append(" (").Append(request.Body.Length).Append(" body bytes)");
            }
            text.Append(request.MatchedRoute is null ? " → no route (404)" : " → " + request.MatchedRoute);
            if (filter is not null && filter.MatchesMethod(request.Method) && filter.MatchesPath(request.Path) && !filter.Matches(request))
            {
                text.Append(Environment.NewLine).Append("     not counted: ").Append(string.Join("; ", filter.Mismatches(request, out _)));
            }
            if (request.UnmatchedReasons is { } reasons)
            {
                foreach (string line in reasons.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    text.Append(Environment.NewLine).Append("     ").Append(line);
                }
            }
        }
        return text.ToString();
    }

    private sealed class Waiter(StubRoute? filter, int count)
    {
        internal StubRoute? Filter { get; } = filter;

        internal int Count { get; } = count;

        internal TaskCompletionSource Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
