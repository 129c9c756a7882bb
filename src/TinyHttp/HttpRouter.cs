using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Protocol;
using TinyHttp.Routing;

namespace TinyHttp;

/// <summary>
/// HttpRouter sends each request to the handler of the pattern that matches it, with the pattern syntax and the precedence
/// rule of Go 1.22's <c>ServeMux</c>. It is itself a handler: <c>new TinyHttpServer(options, router.HandleAsync)</c>.
/// <para>A pattern is <c>[METHOD ][HOST]/PATH</c>. <c>GET /items/{id}</c> matches GET (and HEAD) requests for
/// <c>/items/42</c>; <c>/files/</c> (a trailing slash) matches <c>/files/</c> and everything below it;
/// <c>/files/{path...}</c> does the same and names the rest; <c>/{$}</c> matches only <c>/</c>; <c>example.com/</c> matches
/// requests whose Host is example.com (any port, any case). Without a method a pattern answers every method.</para>
/// <para>Precedence: when several patterns match, the most specific wins, one pattern being more specific than another
/// when it matches a strict subset of the other's requests (<c>/items/new</c> beats <c>/items/{id}</c>, <c>GET /</c> beats
/// <c>/</c>), whatever the order they were mapped in. A pattern with a host beats one without. Two patterns for the same
/// host that both match some request without one being more specific (<c>GET /items/{id}</c> and <c>/items/new</c>, or
/// <c>/{a}/x</c> and <c>/x/{b}</c>) conflict: <see cref="Map(string, RequestHandler)"/> refuses the second.</para>
/// <para>A request no pattern matches gets <c>405 Method Not Allowed</c> with an <c>Allow</c> field when some pattern matches
/// its path for other methods, otherwise <see cref="NotFound"/> (a <c>404</c>). A request for a subtree's root without its
/// slash (<c>/files</c> when <c>/files/</c> is mapped and <c>/files</c> is not) is redirected to it, and a path with
/// <c>//</c>, <c>.</c> or <c>..</c> segments (also written <c>%2E</c>) to its clean form, keeping the query: <c>301</c>
/// for GET and HEAD, <c>308</c> for other methods so that a client resends the same method and body (Go answers
/// <c>301</c> to every method). CONNECT requests are matched as they come, without redirects.</para>
/// <para>Mapping is safe while the server runs: each <see cref="Map(string, RequestHandler)"/> publishes a new table that the
/// next request sees. Matching allocates nothing for a pattern without wildcards, and only the values' strings otherwise.</para>
/// </summary>
public sealed class HttpRouter
{
    private static readonly byte[] NotFoundBody = Encoding.UTF8.GetBytes("404 Not Found: Nothing is served at this path.");
    private const string TextContentType = "text/plain; charset=utf-8";

    private readonly Lock _mapping = new();
    private volatile RouteTable<RequestHandler> _table = new();

    /// <summary>
    /// The handler for requests no pattern matches under any method; null (the default) answers
    /// <c>404 Not Found</c> with a one-line text body.
    /// </summary>
    public RequestHandler? NotFound { get; set; }

    /// <summary>
    /// Map sends requests that match <paramref name="pattern"/> to <paramref name="handler"/>. Inside the handler,
    /// <see cref="HttpRequest.GetRouteValue"/> reads what the pattern's wildcards matched.
    /// </summary>
    /// <param name="pattern">A pattern such as <c>GET /items/{id}</c>, <c>POST /items</c>, <c>/static/</c> or <c>GET example.com/{$}</c>.</param>
    /// <param name="handler">The handler for the matching requests.</param>
    /// <returns>This router, to map more.</returns>
    /// <exception cref="ArgumentException">The pattern is not valid; the message says what to write instead.</exception>
    /// <exception cref="InvalidOperationException">The pattern conflicts with one mapped before; the message names both and a request both match.</exception>
    public HttpRouter Map(string pattern, RequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        RoutePattern parsed = RoutePattern.Parse(pattern);
        lock (_mapping)
        {
            _table = _table.With(parsed, handler);
        }
        return this;
    }

    /// <summary>Map with a synchronous handler, for handlers that do no I/O; otherwise as <see cref="Map(string, RequestHandler)"/>.</summary>
    /// <param name="pattern">The pattern, as for <see cref="Map(string, RequestHandler)"/>.</param>
    /// <param name="handler">The handler for the matching requests.</param>
    /// <returns>This router, to map more.</returns>
    /// <exception cref="ArgumentException">The pattern is not valid.</exception>
    /// <exception cref="InvalidOperationException">The pattern conflicts with one mapped before.</exception>
    public HttpRouter Map(string pattern, Action<HttpRequest, HttpResponse> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Map(pattern, (request, response, _) =>
        {
            handler(request, response);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// HandleAsync routes one request: it calls the handler of the most specific matching pattern, or answers the redirect,
    /// 405 or 404 itself. Its method group is a <see cref="RequestHandler"/>, for <see cref="TinyHttpServer"/> or another router.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="response">The response to fill.</param>
    /// <param name="requestAborted">Passed to the chosen handler.</param>
    /// <returns>The chosen handler's task.</returns>
    public Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        RouteTable<RequestHandler> table = _table;
        string method = request.Method;
        string path = request.Path;
        bool connect = method == "CONNECT";
        if (path.Length == 0 || path[0] != '/')
        {
            // CONNECT's authority-form and OPTIONS * have no path for a pattern to match.
            return NotFoundAsync(request, response, requestAborted);
        }

        Span<char> hostBuffer = table.HasHosts ? stackalloc char[256] : default;
        ReadOnlySpan<char> host = table.HasHosts ? Host(request, hostBuffer) : ReadOnlySpan<char>.Empty;
        Span<Range> captures = stackalloc Range[table.MaxWildcards];

        if (!connect && !RoutePath.IsClean(path))
        {
            string clean = RoutePath.Clean(path);
            return Redirect(request, response, WantsSlash(table, method, host, clean, captures) ? clean + "/" : clean);
        }
        RouteEntry<RequestHandler>? entry = table.Match(method, host, path, captures);
        if (!connect && (entry is null || !RouteTable<RequestHandler>.IsExact(entry, captures, path.Length)))
        {
            Span<Range> scratch = stackalloc Range[table.MaxWildcards];
            if (WantsSlash(table, method, host, path, scratch))
            {
                return Redirect(request, response, path + "/");
            }
        }
        if (entry is null)
        {
            return NoMatchAsync(table, request, response, host, path, captures, requestAborted);
        }

        // The values are the matched pattern's alone, also under a router nested in another (as Go's PathValue).
        string?[] names = entry.Pattern.WildcardNames;
        Span<string?> values = request.SetRouteValues(names);
        for (int i = 0; i < names.Length; i++)
        {
            if (names[i] is not null)
            {
                values[i] = PercentDecoding.DecodeAll(path.AsSpan()[captures[i]]);
            }
        }
        return entry.Value(request, response, requestAborted);
    }

    // Go's subtree redirect: the path does not end in '/', and with one it would match a pattern exactly.
    private static bool WantsSlash(RouteTable<RequestHandler> table, string method, ReadOnlySpan<char> host, string path, Span<Range> captures)
    {
        if (path.EndsWith('/'))
        {
            return false;
        }
        if (path.Length < 512)
        {
            Span<char> slashed = stackalloc char[path.Length + 1];
            path.CopyTo(slashed);
            slashed[^1] = '/';
            return WantsSlashMatch(table, method, host, slashed, captures);
        }
        return WantsSlashMatch(table, method, host, path + "/", captures);
    }

    private static bool WantsSlashMatch(RouteTable<RequestHandler> table, string method, ReadOnlySpan<char> host, ReadOnlySpan<char> slashed, Span<Range> captures) =>
        table.Match(method, host, slashed, captures) is { } entry && RouteTable<RequestHandler>.IsExact(entry, captures, slashed.Length);

    private Task NoMatchAsync(
        RouteTable<RequestHandler> table, HttpRequest request, HttpResponse response, ReadOnlySpan<char> host, string path,
        Span<Range> captures, CancellationToken requestAborted)
    {
        var allowed = new List<string>();
        table.AddMatchingMethods(host, path, allowed, captures);
        if (!path.EndsWith('/'))
        {
            table.AddMatchingMethods(host, path + "/", allowed, captures);
        }
        if (allowed.Count == 0)
        {
            return NotFoundAsync(request, response, requestAborted);
        }
        allowed.Sort(StringComparer.Ordinal);
        string allow = string.Join(", ", allowed);
        response.StatusCode = 405;
        response.Headers.Set("Allow", allow);
        response.SetBody($"405 Method Not Allowed: This resource answers {allow}.");
        return Task.CompletedTask;
    }

    private Task NotFoundAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
    {
        if (NotFound is { } notFound)
        {
            return notFound(request, response, requestAborted);
        }
        response.StatusCode = 404;
        response.ContentType = TextContentType;
        response.SetBody(NotFoundBody);
        return Task.CompletedTask;
    }

    private static Task Redirect(HttpRequest request, HttpResponse response, string location)
    {
        // A backslash that some browsers read as '/' must not turn "/\evil.example" into a link to another host.
        location = location.Replace("\\", "%5C", StringComparison.Ordinal);
        string query = request.QueryString;
        response.StatusCode = request.Method is "GET" or "HEAD" ? 301 : 308;
        response.Headers.Set("Location", query.Length == 0 ? location : location + "?" + query);
        return Task.CompletedTask;
    }

    private static ReadOnlySpan<char> Host(HttpRequest request, Span<char> buffer)
    {
        ReadOnlySpan<byte> authority = request.AuthorityBytes;
        Span<char> chars = authority.Length <= buffer.Length ? buffer : new char[authority.Length];
        for (int i = 0; i < authority.Length; i++)
        {
            chars[i] = (char)authority[i];
        }
        return RoutePath.StripPort(chars.Slice(0, authority.Length));
    }
}
