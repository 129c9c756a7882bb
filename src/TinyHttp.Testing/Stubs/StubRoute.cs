using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;

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
    private StubResponse[] _responses = { StubResponse.Status(200) };
    private int _callCount;

    internal StubRoute(string method, string pathPattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        Method = method;
        _pattern = new RoutePattern(pathPattern);
    }

    /// <summary>Method is the request method this route answers, compared case-sensitively; <c>*</c> answers any method.</summary>
    public string Method { get; }

    /// <summary>
    /// PathPattern is the path this route answers: literal segments match exactly (still percent-encoded),
    /// <c>{name}</c> matches one segment, a final <c>*</c> or <c>{*name}</c> matches the rest.
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

    /// <summary>When adds a condition of your own on the whole request.</summary>
    /// <param name="predicate">True when the route should answer the request. It runs on the server's thread; keep it quick and side-effect free.</param>
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

    /// <summary>Respond makes the route give <paramref name="response"/> to every request. Without it the route answers 200 with no body.</summary>
    /// <param name="response">The response.</param>
    /// <returns>This route, for chaining.</returns>
    public StubRoute Respond(StubResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return RespondInSequence(response);
    }

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
            if (_conditions.Count > 0)
            {
                text.Append(" [");
                for (int i = 0; i < _conditions.Count; i++)
                {
                    text.Append(i == 0 ? string.Empty : ", ").Append(_conditions[i].Description);
                }
                text.Append(']');
            }
        }
        return text.ToString();
    }

    internal bool MatchesMethod(string method) => Method == "*" || string.Equals(Method, method, StringComparison.Ordinal);

    internal bool MatchesPath(string path) => _pattern.Matches(path);

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
        if (!MatchesPath(request.Path))
        {
            mismatches.Add("path differs");
            distance += 2;
        }
        lock (_conditions)
        {
            foreach ((string description, Func<RecordedRequest, bool> predicate) in _conditions)
            {
                if (!predicate(request))
                {
                    mismatches.Add($"{description} not met");
                    distance++;
                }
            }
        }
        return mismatches;
    }

    internal bool Matches(RecordedRequest request)
    {
        if (!MatchesMethod(request.Method) || !MatchesPath(request.Path))
        {
            return false;
        }
        lock (_conditions)
        {
            foreach ((string _, Func<RecordedRequest, bool> predicate) in _conditions)
            {
                if (!predicate(request))
                {
                    return false;
                }
            }
        }
        return true;
    }

    internal StubResponse NextResponse()
    {
        StubResponse[] responses = Volatile.Read(ref _responses);
        int call = Interlocked.Increment(ref _callCount);
        return responses[Math.Min(call, responses.Length) - 1];
    }
}
