using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Routing;

namespace TinyHttp.Testing;

/// <summary>
/// StubRoute is one entry of a <see cref="StubServer"/>'s route table: a method and a path pattern, optional
/// conditions on the query, headers and body, and the responses to give. Configure it with the chained methods
/// returned by <see cref="StubServer.AddRoute"/>; a route may be changed while the server runs.
/// </summary>
public sealed class StubRoute
{
    private readonly RoutePattern _pattern;
    private readonly List<(string Description, Func<RecordedRequest, bool> Predicate)> _conditions = new();
    private readonly StubScenarios? _scenarios;
    private StubResponse[] _responses = { StubResponse.Status(200) };
    private int _callCount;
    private string? _scenario;
    private string? _requiredState;
    private string? _nextState;

    /// <summary>A route of a stub (<paramref name="scenarios"/> are the stub's), or, without scenarios, an assertion's filter.</summary>
    internal StubRoute(string method, string pathPattern, StubScenarios? scenarios = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        Method = method;
        _pattern = ParsePath(pathPattern);
        _scenarios = scenarios;
    }

    /// <summary>Method is the request method this route answers, compared case-sensitively; <c>*</c> answers any method.</summary>
    public string Method { get; }

    /// <summary>
    /// PathPattern is the path this route answers, in <see cref="HttpRouter"/>'s syntax (Go 1.22's): literal segments
    /// (compared once both are percent-decoded), <c>{name}</c> for one segment, a final <c>{name...}</c> for the rest of the
    /// path, a trailing <c>/</c> for the whole subtree below it, and a final <c>{$}</c> for the path ending at that slash.
    /// </summary>
    public string PathPattern => _pattern.Text;

    /// <summary>CallCount is how many requests this route has answered.</summary>
    public int CallCount => Volatile.Read(ref _callCount);

    /// <summary>WithQuery adds the condition that the query parameter <paramref name="name"/> equals <paramref name="value"/> (both compared after percent-decoding).</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="value">The decoded value required.</param>
    /// <returns>This route, for chaining.</returns>
    public StubRoute WithQuery(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        return When(request => request.GetQueryValue(name) == value, $"query {name}={value}");
    }

    /// <summary>WithHeader adds the condition that the header <paramref name="name"/> (case-insensitive) has the value <paramref name="value"/> exactly.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value required.</param>
    /// <returns>This route, for chaining.</returns>
    public StubRoute WithHeader(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        return When(request => request.GetHeader(name) == value, $"header {name}: {value}");
    }

    /// <summary>WithBodyContaining adds the condition that the body, read as UTF-8, contains <paramref name="text"/> (ordinal).</summary>
    /// <param name="text">The text required.</param>
    /// <returns>This route, for chaining.</returns>
    public StubRoute WithBodyContaining(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return When(request => request.BodyText.Contains(text, StringComparison.Ordinal), $"body contains \"{text}\"");
    }

    /// <summary>
    /// WithJsonBody adds the condition that the body is JSON containing <paramref name="partialJson"/>: every property of an
    /// expected object present with an equal value (recursively; other properties ignored), arrays equal element by element,
    /// numbers equal as numbers. <c>WithJsonBody("""{"customer":{"id":7}}""")</c>
    /// </summary>
    /// <param name="partialJson">The JSON the body must contain.</param>
    /// <returns>This route, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="partialJson"/> is not JSON.</exception>
    public StubRoute WithJsonBody(string partialJson)
    {
        ArgumentNullException.ThrowIfNull(partialJson);
        JsonElement expected;
        try
        {
            using JsonDocument document = JsonDocument.Parse(partialJson);
            expected = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"WithJsonBody needs JSON, but '{partialJson}' is not: {e.Message}", nameof(partialJson), e);
        }
        return When(
            request =>
            {
                using JsonDocument body = JsonDocument.Parse(request.Body);
                return JsonBodyMatch.Contains(body.RootElement, expected);
            },
            $"JSON body contains {partialJson}");
    }

    /// <summary>
    /// WithJsonValue adds the condition that the JSON body has <paramref name="value"/> at <paramref name="path"/>:
    /// property names after dots, array indexes in brackets, an optional leading <c>$</c> (<c>$.items[0].sku</c>). A string is
    /// compared by its value, anything else by its JSON text: <c>WithJsonValue("$.status", "open")</c>, <c>WithJsonValue("$.id", "7")</c>.
    /// </summary>
    /// <param name="path">Where the value is.</param>
    /// <param name="value">The string's value, or the JSON text of a number, <c>true</c>, <c>false</c>, <c>null</c>, object or array.</param>
    /// <returns>This route, for chaining.</returns>
    public StubRoute WithJsonValue(string path, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(value);
        return When(
            request =>
            {
                using JsonDocument body = JsonDocument.Parse(request.Body);
                return JsonBodyMatch.TryFind(body.RootElement, path, out JsonElement found) && JsonBodyMatch.Text(found) == value;
            },
            $"JSON {path} = {value}");
    }

    /// <summary>WithHeaderMatching adds the condition that the header <paramref name="name"/> is present and its value matches <paramref name="pattern"/>.</summary>
    /// <param name="name">The field name, case-insensitive.</param>
    /// <param name="pattern">The expression the value must match (anchor it with <c>^…$</c> for a whole-value match).</param>
    /// <returns>This route, for chaining.</returns>
    public StubRoute WithHeaderMatching(string name, Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(pattern);
        return When(request => request.GetHeader(name) is { } value && pattern.IsMatch(value), $"header {name} ~ /{pattern}/");
    }

    /// <summary>WithQueryMatching adds the condition that the query parameter <paramref name="name"/> is present and its decoded value matches <paramref name="pattern"/>.</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="pattern">The expression the decoded value must match.</param>
    /// <returns>This route, for chaining.</returns>
    public StubRoute WithQueryMatching(string name, Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(pattern);
        return When(request => request.GetQueryValue(name) is { } value && pattern.IsMatch(value), $"query {name} ~ /{pattern}/");
    }

    /// <summary>WithBodyMatching adds the condition that the body, read as UTF-8, matches <paramref name="pattern"/>.</summary>
    /// <param name="pattern">The expression the body must match.</param>
    /// <returns>This route, for chaining.</returns>
    public StubRoute WithBodyMatching(Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return When(request => pattern.IsMatch(request.BodyText), $"body ~ /{pattern}/");
    }

    /// <summary>When adds a condition of your own on the whole request.</summary>
    /// <param name="predicate">True when the route should answer the request. It runs on the server's thread; keep it quick and side-effect free.
    /// If it throws, the route does not match: the 404 body and the assertions' listings show the exception, and the stub's logger logs it.</param>
    /// <param name="description">How the condition reads in a 404's list of closest routes.</param>
    /// <returns>This route, for chaining.</returns>
    public StubRoute When(Func<RecordedRequest, bool> predicate, string description = "custom condition")
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentNullException.ThrowIfNull(description);
        lock (_conditions)
        {
            _conditions.Add((description, predicate));
        }
        return this;
    }

    /// <summary>
    /// InScenario puts the route in the scenario <paramref name="name"/>: a named state that routes require
    /// (<see cref="WhenStateIs"/>) and move (<see cref="WillSetStateTo"/>), for flows a sequence cannot express, such as
    /// "the first POST creates the order, later GETs see it". Every scenario starts in <see cref="StubServer.ScenarioStarted"/>.
    /// </summary>
    /// <param name="name">The scenario's name; routes with the same name share its state.</param>
    /// <returns>This route, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The route is an assertion's filter, which matches recorded requests that have no state to compare.</exception>
    public StubRoute InScenario(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_scenarios is null)
        {
            throw new InvalidOperationException(
                "Scenarios belong to a stub's routes, not to an assertion's filter: the requests it counts were answered in states since gone. Assert on RecordedRequest.MatchedRoute, which names the route and its scenario.");
        }
        _scenario = name;
        return this;
    }

    /// <summary>WhenStateIs adds the condition that the route's scenario is in <paramref name="state"/> when the request arrives.</summary>
    /// <param name="state">The state required; <see cref="StubServer.ScenarioStarted"/> before any route has moved the scenario.</param>
    /// <returns>This route, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The route is in no scenario; call <see cref="InScenario"/> first.</exception>
    public StubRoute WhenStateIs(string state)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        RequireScenario(nameof(WhenStateIs));
        _requiredState = state;
        return this;
    }

    /// <summary>
    /// WillSetStateTo makes the route move its scenario to <paramref name="state"/> when it answers a request. The move
    /// happens as the stub picks the route, before it responds, so the next request that arrives sees the new state.
    /// </summary>
    /// <param name="state">The state to move to.</param>
    /// <returns>This route, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The route is in no scenario; call <see cref="InScenario"/> first.</exception>
    public StubRoute WillSetStateTo(string state)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        RequireScenario(nameof(WillSetStateTo));
        _nextState = state;
        return this;
    }

    private void RequireScenario(string method)
    {
        if (_scenario is null)
        {
            throw new InvalidOperationException($"{method} needs a scenario: call InScenario(\"name\") on the route first.");
        }
    }

    /// <summary>Respond makes the route give <paramref name="response"/> to every request. Without it the route answers 200 with no body.</summary>
    /// <param name="response">The response.</param>
    /// <returns>This route, for chaining.</returns>
    public StubRoute Respond(StubResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return RespondInSequence(response);
    }

    /// <summary>
    /// Respond makes the route answer every request with a response computed from it, for example echoing a wildcard:
    /// <c>Respond(request =&gt; StubResponse.Json($$"""{"id":{{request.RouteValues["id"]}}}"""))</c>. The request is
    /// recorded first, so assertions see it; the function may return faults and delays like any other response.
    /// </summary>
    /// <param name="respond">Computes the response from the recorded request.</param>
    /// <returns>This route, for chaining.</returns>
    public StubRoute Respond(Func<RecordedRequest, StubResponse> respond) => Respond(StubResponse.From(respond));

    /// <summary>Respond makes the route answer every request with a response computed asynchronously from it (see <see cref="StubResponse.FromAsync"/>).</summary>
    /// <param name="respond">Computes the response from the recorded request; the token fires when the client goes away or the stub stops.</param>
    /// <returns>This route, for chaining.</returns>
    public StubRoute Respond(Func<RecordedRequest, CancellationToken, Task<StubResponse>> respond) => Respond(StubResponse.FromAsync(respond));

    /// <summary>
    /// RespondInSequence makes the route give the responses in order, one per request, and then repeat the last one:
    /// <c>RespondInSequence(StubResponse.Status(503), StubResponse.Status(503), StubResponse.Text("ok"))</c>
    /// tests a caller's retries. The count restarts at the first response.
    /// </summary>
    /// <param name="responses">At least one response.</param>
    /// <returns>This route, for chaining.</returns>
    public StubRoute RespondInSequence(params StubResponse[] responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        if (responses.Length == 0)
        {
            throw new ArgumentException("Give at least one response.", nameof(responses));
        }
        foreach (StubResponse response in responses)
        {
            ArgumentNullException.ThrowIfNull(response, nameof(responses));
        }
        Volatile.Write(ref _responses, (StubResponse[])responses.Clone());
        Volatile.Write(ref _callCount, 0);
        return this;
    }

    /// <summary>Returns the route as a failure message shows it, for example <c>GET /orders/{id} [query status=open]</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder().Append(Method).Append(' ').Append(PathPattern);
        lock (_conditions)
        {
            string? scenario = DescribeScenario();
            if (_conditions.Count > 0 || scenario is not null)
            {
                text.Append(" [");
                for (int i = 0; i < _conditions.Count; i++)
                {
                    text.Append(i == 0 ? string.Empty : ", ").Append(_conditions[i].Description);
                }
                if (scenario is not null)
                {
                    text.Append(_conditions.Count == 0 ? string.Empty : ", ").Append(scenario);
                }
                text.Append(']');
            }
        }
        return text.ToString();
    }

    // "scenario order is created", "scenario order → shipped", "scenario order is created → shipped".
    private string? DescribeScenario() =>
        _scenario is null || (_requiredState is null && _nextState is null) ? null
        : "scenario " + _scenario + (_requiredState is null ? string.Empty : " is " + _requiredState) + (_nextState is null ? string.Empty : " → " + _nextState);

    /// <summary>Why the scenario's state keeps the route from answering now, or null when it does not.</summary>
    private string? ScenarioMismatch()
    {
        if (_requiredState is null || _scenarios is null)
        {
            return null;
        }
        string current = _scenarios.Get(_scenario!);
        return current == _requiredState ? null : $"scenario {_scenario} is {current}, the route wants {_requiredState}";
    }

    /// <summary>Called once the stub has picked this route for a request: moves its scenario, if it moves one.</summary>
    internal void OnChosen()
    {
        if (_nextState is not null)
        {
            _scenarios!.Set(_scenario!, _nextState);
        }
    }

    internal bool MatchesMethod(string method) => Method == "*" || string.Equals(Method, method, StringComparison.Ordinal);

    internal bool MatchesPath(string path) => _pattern.TryMatchPath(path, Span<Range>.Empty);

    /// <summary>Matches <paramref name="path"/> with the core router's rules and adds each named wildcard's text (still percent-encoded) to <paramref name="values"/>.</summary>
    internal bool MatchesPath(string path, Dictionary<string, string>? values)
    {
        string?[] names = _pattern.WildcardNames;
        Span<Range> captures = names.Length <= 8 ? stackalloc Range[names.Length] : new Range[names.Length];
        if (!_pattern.TryMatchPath(path, captures))
        {
            return false;
        }
        if (values is not null)
        {
            for (int i = 0; i < names.Length; i++)
            {
                if (names[i] is { } name)
                {
                    values[name] = path[captures[i]];
                }
            }
        }
        return true;
    }

    // The stub's patterns are HttpRouter's, path only: the method is AddRoute's own argument and a stub answers every host.
    // The stub's catch-alls before it moved to the core's router ('*', '{*name}') get a message saying what to write now,
    // since Parse would take a bare '*' for a literal segment.
    private static RoutePattern ParsePath(string pathPattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathPattern);
        if (pathPattern[0] != '/')
        {
            throw new ArgumentException($"The path pattern '{pathPattern}' must start with '/'; give the method as AddRoute's first argument (a stub answers every host).", nameof(pathPattern));
        }
        if (pathPattern.Contains('?', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The path pattern '{pathPattern}' has a query; match the query with StubRoute.WithQuery instead.", nameof(pathPattern));
        }
        if (pathPattern.AsSpan().IndexOfAny(' ', '\t') >= 0)
        {
            throw new ArgumentException($"The path pattern '{pathPattern}' has a space or a tab; write it percent-encoded (%20), as a request would send it.", nameof(pathPattern));
        }
        foreach (string segment in pathPattern.Split('/'))
        {
            if (segment == "*" || segment.StartsWith("{*", StringComparison.Ordinal))
            {
                string name = segment == "*" ? "rest" : segment.Trim('{', '}', '*');
                throw new ArgumentException(
                    $"The path pattern '{pathPattern}' uses '{segment}', which the stub no longer reads as a catch-all: its patterns are HttpRouter's, where the rest of the path is '{{{name}...}}' (last only), or a trailing '/' for a whole subtree.",
                    nameof(pathPattern));
            }
        }
        return RoutePattern.Parse(pathPattern);
    }

    /// <summary>
    /// Lists the conditions <paramref name="request"/> fails, in the words a 404 message uses (empty when the route matches),
    /// and scores how far off the route is: a wrong method or path counts double, since a route with both right is
    /// most likely the one the test meant.
    /// </summary>
    internal List<string> Mismatches(RecordedRequest request, out int distance)
    {
        var mismatches = new List<string>();
        distance = 0;
        if (!MatchesMethod(request.Method))
        {
            mismatches.Add($"method is {request.Method}, route wants {Method}");
            distance += 2;
        }
        if (_pattern.ExplainPath(request.Path) is { } pathReason)
        {
            mismatches.Add(pathReason);
            distance += 2;
        }
        if (ScenarioMismatch() is { } scenarioReason)
        {
            mismatches.Add(scenarioReason);
            distance++;
        }
        lock (_conditions)
        {
            foreach ((string description, Func<RecordedRequest, bool> predicate) in _conditions)
            {
                if (!Evaluate(predicate, request, out Exception? error))
                {
                    mismatches.Add(error is null ? $"{description} not met" : $"{description} threw {PublicTypeName(error)}: {error.Message}");
                    distance++;
                }
            }
        }
        return mismatches;
    }

    /// <summary>True when the route answers <paramref name="request"/>; fills <paramref name="values"/> with its wildcards' segments, and calls <paramref name="threw"/> for each condition that threw.</summary>
    internal bool Matches(RecordedRequest request, Dictionary<string, string>? values = null, Action<string, Exception>? threw = null)
    {
        if (!MatchesMethod(request.Method) || !MatchesPath(request.Path, values))
        {
            return false;
        }
        if (ScenarioMismatch() is not null)
        {
            values?.Clear();
            return false;
        }
        lock (_conditions)
        {
            foreach ((string description, Func<RecordedRequest, bool> predicate) in _conditions)
            {
                if (!Evaluate(predicate, request, out Exception? error))
                {
                    if (error is not null)
                    {
                        threw?.Invoke(description, error);
                    }
                    values?.Clear();
                    return false;
                }
            }
        }
        return true;
    }

    // System.Text.Json throws internal subclasses (JsonReaderException); name the type a user can catch.
    private static string PublicTypeName(Exception error)
    {
        Type type = error.GetType();
        while (!type.IsPublic && type.BaseType is not null)
        {
            type = type.BaseType;
        }
        return type.Name;
    }

    // A condition that throws (a JSON condition on a body that is not JSON, a predicate's own bug) is a condition not
    // met: the request goes on to the other routes, and the exception is reported rather than becoming a 500.
    private static bool Evaluate(Func<RecordedRequest, bool> predicate, RecordedRequest request, out Exception? error)
    {
        error = null;
        try
        {
            return predicate(request);
        }
#pragma warning disable CA1031 // Any exception from a user's predicate is reported as the condition's failure.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = e;
            return false;
        }
    }

    internal StubResponse NextResponse()
    {
        StubResponse[] responses = Volatile.Read(ref _responses);
        int call = Interlocked.Increment(ref _callCount);
        return responses[Math.Min(call, responses.Length) - 1];
    }
}
