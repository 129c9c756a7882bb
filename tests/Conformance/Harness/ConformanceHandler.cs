using System;
using System.Globalization;

namespace TinyHttp.Conformance;

/// <summary>What the conformance handler does for a request, chosen from its path (see <see cref="ConformanceHandler"/>).</summary>
public enum HandlerRoute
{
    /// <summary>Reads the whole body and answers 200 with a <see cref="HandlerView"/> of the request.</summary>
    Echo,

    /// <summary><c>/status/{code}?reason=R&amp;body=B&amp;length=N</c>: answers that status (see <see cref="ConformanceHandler"/>).</summary>
    Status,

    /// <summary><c>/stream</c>: writes three pieces with a flush after each, without announcing a length.</summary>
    Stream,

    /// <summary><c>/ignore-body</c>: answers 200 without reading the body.</summary>
    IgnoreBody,

    /// <summary><c>/files/…</c>: the server's static file handler over <see cref="ConformanceFiles"/>.</summary>
    Files,
}

/// <summary>
/// ConformanceHandler describes the one handler every server under test runs, so that the same bytes mean the same
/// thing on each. It is written twice, in each server's API (<see cref="TinyHttpUnderTest"/>, <see cref="KestrelUnderTest"/>),
/// and both follow these rules:
/// <list type="bullet">
/// <item><c>CONNECT</c>: echo, with status 200 (tunnel accepted) or 403 when the target's host is <c>refused.example</c>.</item>
/// <item><c>/status/{code}</c>: that status code; <c>reason</c> (percent-decoded) as a custom reason phrase; <c>body</c> set as the
/// whole body (left out by the server where the status forbids content); <c>length</c> declared as Content-Length with no body (for 304).</item>
/// <item><c>/stream</c>: <c>chunk-1\n</c>, <c>chunk-2\n</c>, <c>chunk-3\n</c>, each flushed, no length declared.</item>
/// <item><c>/ignore-body</c>: 200 <c>body ignored\n</c>, the body left unread.</item>
/// <item><c>/files/…</c>: the files of <see cref="ConformanceFiles"/>, served by TinyHttp's <see cref="StaticFiles"/> and by
/// ASP.NET Core's static file middleware.</item>
/// <item>Anything else: read the body, answer 200 <c>text/plain; charset=utf-8</c> with the <see cref="HandlerView"/>.</item>
/// </list>
/// </summary>
public static class ConformanceHandler
{
    /// <summary>The target's host for which a CONNECT is refused with 403.</summary>
    public const string RefusedConnectHost = "refused.example";

    /// <summary>The text <c>/ignore-body</c> answers.</summary>
    public const string IgnoredBodyText = "body ignored\n";

    /// <summary>The pieces <c>/stream</c> writes.</summary>
    public static readonly string[] StreamPieces = ["chunk-1\n", "chunk-2\n", "chunk-3\n"];

    /// <summary>The route for a request path (still percent-encoded).</summary>
    public static HandlerRoute RouteOf(string path) =>
        path.StartsWith("/status/", StringComparison.Ordinal) ? HandlerRoute.Status
        : path == "/stream" ? HandlerRoute.Stream
        : path == "/ignore-body" ? HandlerRoute.IgnoreBody
        : path.StartsWith(ConformanceFiles.Prefix, StringComparison.Ordinal) ? HandlerRoute.Files
        : HandlerRoute.Echo;

    /// <summary>The status a CONNECT to <paramref name="target"/> gets.</summary>
    public static int ConnectStatus(string target) =>
        target.StartsWith(RefusedConnectHost + ":", StringComparison.OrdinalIgnoreCase) ? 403 : 200;

    /// <summary>Reads a <c>/status/{code}</c> request's instructions.</summary>
    public static StatusInstructions StatusOf(string path, string query)
    {
        int code = int.Parse(path.AsSpan("/status/".Length), NumberStyles.None, CultureInfo.InvariantCulture);
        string? length = QueryValue(query, "length");
        return new StatusInstructions(
            code,
            QueryValue(query, "reason"),
            QueryValue(query, "body"),
            length is null ? null : long.Parse(length, NumberStyles.None, CultureInfo.InvariantCulture));
    }

    /// <summary>True when a response with <paramref name="status"/> may have content (RFC 9110 §15: not 1xx, 204 or 304).</summary>
    public static bool StatusAllowsContent(int status) => status >= 200 && status != 204 && status != 304;

    private static string? QueryValue(string query, string name)
    {
        foreach (string pair in query.Split('&'))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair.AsSpan(0, equals).SequenceEqual(name))
            {
                return Uri.UnescapeDataString(pair[(equals + 1)..]);
            }
        }
        return null;
    }
}

/// <summary>What a <c>/status/{code}</c> request asks for.</summary>
public readonly record struct StatusInstructions(int Code, string? Reason, string? Body, long? DeclaredLength);
