using System;
using System.Collections.Generic;
using System.Text;

namespace TinyHttp.Testing;

/// <summary>
/// RecordedRequest is one request a <see cref="StubServer"/> received, kept after the connection is gone so a
/// test can assert on it: the request line, the header fields in wire order, the body bytes and the time.
/// </summary>
public sealed class RecordedRequest
{
    internal RecordedRequest(
        int sequenceNumber,
        string method,
        string target,
        string path,
        string queryString,
        string version,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        byte[] body,
        byte[] rawHead,
        DateTimeOffset receivedAt)
    {
        SequenceNumber = sequenceNumber;
        Method = method;
        Target = target;
        Path = path;
        QueryString = queryString;
        Version = version;
        Headers = headers;
        Body = body;
        RawHead = rawHead;
        ReceivedAt = receivedAt;
    }

    /// <summary>SequenceNumber is the request's place in arrival order, starting at 1.</summary>
    public int SequenceNumber { get; }

    /// <summary>Method is the request method as sent, for example <c>POST</c>.</summary>
    public string Method { get; }

    /// <summary>Target is the request-target as sent, path and query: <c>/orders?status=open</c>.</summary>
    public string Target { get; }

    /// <summary>Path is the target's path, still percent-encoded.</summary>
    public string Path { get; }

    /// <summary>QueryString is the target's query without its <c>?</c>, still percent-encoded; empty when there is none.</summary>
    public string QueryString { get; }

    /// <summary>Version is the request's HTTP version as text: <c>HTTP/1.1</c> or <c>HTTP/1.0</c>.</summary>
    public string Version { get; }

    /// <summary>Headers are the header fields in wire order, repeats included, values without surrounding whitespace.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Body is the request body, with any chunked framing removed.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>RawHead is the request line and header section exactly as the client sent them, through the empty line.</summary>
    public ReadOnlyMemory<byte> RawHead { get; }

    /// <summary>BodyText is <see cref="Body"/> decoded as UTF-8.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    /// <summary>ReceivedAt is when the stub had read the whole request.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>MatchedRoute describes the route that answered, for example <c>POST /orders</c>; null when none matched and the stub sent 404.</summary>
    public string? MatchedRoute { get; internal set; }

    /// <summary>
    /// RouteValues are the path segments the answering route's <c>{name}</c> and <c>{name...}</c> wildcards matched, by name
    /// (still percent-encoded): for the route <c>/orders/{id}</c> and the path <c>/orders/7</c>, <c>RouteValues["id"]</c> is <c>"7"</c>.
    /// Empty when no route matched.
    /// </summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; internal set; } = EmptyRouteValues;

    /// <summary>Why no route answered: the closest routes and what each missed, as the 404 body lists them; null when a route answered.</summary>
    internal string? UnmatchedReasons { get; set; }

    private static readonly IReadOnlyDictionary<string, string> EmptyRouteValues = new Dictionary<string, string>();

    /// <summary>
    /// WebSocket is what happened on the WebSocket when the route answered with <see cref="StubResponse.WebSocket"/>: the
    /// messages the client sent and any failure of the script. Null when the route gave any other response.
    /// </summary>
    public RecordedWebSocket? WebSocket { get; internal set; }

    /// <summary>Returns the value of the first header named <paramref name="name"/> (case-insensitive), or null.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The first value, or null.</returns>
    public string? GetHeader(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (KeyValuePair<string, string> header in Headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }
        return null;
    }

    /// <summary>
    /// Returns the first value of the query parameter <paramref name="name"/>, percent-decoded (and <c>+</c> read as a space,
    /// as HTML forms send it), or null when the query has no such parameter.
    /// </summary>
    /// <param name="name">The parameter name, compared exactly after decoding.</param>
    /// <returns>The decoded value; empty for <c>?flag</c>; null when absent.</returns>
    public string? GetQueryValue(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (string pair in QueryString.Split('&'))
        {
            if (pair.Length == 0)
            {
                continue;
            }
            int equals = pair.IndexOf('=');
            string key = Decode(equals < 0 ? pair : pair[..equals]);
            if (key == name)
            {
                return equals < 0 ? string.Empty : Decode(pair[(equals + 1)..]);
            }
        }
        return null;
    }

    /// <summary>
    /// Rebuilds the request's bytes from its parts: request line, header fields (<c>Name: value</c>) and the body.
    /// It equals what was sent except that whitespace around field values and chunked framing are not kept.
    /// </summary>
    /// <returns>The rebuilt request bytes.</returns>
    public byte[] ToReconstructedBytes()
    {
        byte[] head = Encoding.Latin1.GetBytes(HeadText());
        byte[] bytes = new byte[head.Length + Body.Length];
        head.CopyTo(bytes, 0);
        Body.Span.CopyTo(bytes.AsSpan(head.Length));
        return bytes;
    }

    /// <summary>Returns the request line, for example <c>POST /orders HTTP/1.1</c>.</summary>
    public override string ToString() => $"{Method} {Target} {Version}";

    internal string HeadText()
    {
        var text = new StringBuilder();
        text.Append(Method).Append(' ').Append(Target).Append(' ').Append(Version).Append("\r\n");
        foreach (KeyValuePair<string, string> header in Headers)
        {
            text.Append(header.Key).Append(": ").Append(header.Value).Append("\r\n");
        }
        return text.Append("\r\n").ToString();
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
