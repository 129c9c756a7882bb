using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Protocol;
using TinyHttp.Server;

namespace TinyHttp;

/// <summary>
/// HttpRequest is one parsed request: its request line, its header fields and a stream over its body.
/// It is valid only while the handler runs; the server reuses it for a later request, on this or another connection.
/// Strings are made when a property is first read.
/// </summary>
public sealed class HttpRequest
{
    private readonly IHttpExchange _exchange;
    // Pooled: a connection that serves one request (Connection: close) should not pay for a fresh array.
    private byte[] _headBytes = Array.Empty<byte>();
    private string? _method;
    private string? _rawTarget;
    private string? _path;
    private string? _previousPath;
    private string? _decodedPath;
    private string? _queryString;
    private long? _maxBodySize;
    private int _headLength;
    // Set by HttpRouter: the matched pattern's wildcard names (shared with the pattern) and this request's values,
    // in an array the request keeps from one request to the next.
    private string?[] _routeNames = Array.Empty<string?>();
    private string?[] _routeValues = Array.Empty<string?>();

    internal HttpRequest(IHttpExchange exchange)
    {
        _exchange = exchange;
        Headers = new HttpRequestHeaders(this);
        Body = new RequestBodyStream(exchange);
    }

    internal RequestHead Head { get; } = new();

    internal ReadOnlySpan<byte> HeadBytes => _headBytes;

    /// <summary>The method, e.g. <c>GET</c>; case-sensitive as sent (RFC 9110 §9.1).</summary>
    public string Method => _method ??= KnownMethod(Head.Method.Of(_headBytes)) ?? Encoding.ASCII.GetString(Head.Method.Of(_headBytes));

    /// <summary>The request-target exactly as sent: <c>/a%20b?x=1</c>, <c>http://host/a</c>, <c>host:443</c> (CONNECT) or <c>*</c> (OPTIONS).</summary>
    public string RawTarget => _rawTarget ??= Encoding.ASCII.GetString(Head.Target.Of(_headBytes));

    /// <summary>
    /// The path, still percent-encoded, without the query: <c>/a%20b</c>. For an absolute-form target, the
    /// path after the authority (<c>/</c> when empty); for CONNECT, empty; for <c>OPTIONS *</c>, <c>*</c>.
    /// </summary>
    public string Path => _path ??= Head.TargetPath.Length == 0 && Head.TargetForm == RequestTargetForm.Absolute
        ? "/"
        : ReusePreviousPath(Head.TargetPath.Of(_headBytes));

    /// <summary>
    /// <see cref="Path"/> with percent-encoding decoded as UTF-8: <c>/a b</c>. <c>%2F</c> stays encoded so a
    /// decoded slash cannot be mistaken for a segment separator. When the bytes are not valid UTF-8 the raw path is returned.
    /// </summary>
    public string DecodedPath => _decodedPath ??= PercentDecoding.DecodePath(Path);

    /// <summary>The query without its <c>?</c>, still percent-encoded: <c>x=1&amp;y=2</c>; empty when there is none.</summary>
    public string QueryString => _queryString ??= Head.TargetQuery.Length == 0 ? string.Empty : Encoding.ASCII.GetString(Head.TargetQuery.Of(_headBytes));

    /// <summary>The request's protocol version: <see cref="HttpVersion.Version11"/> or <see cref="HttpVersion.Version10"/>.</summary>
    public Version ProtocolVersion => Head.IsHttp11 ? HttpVersion.Version11 : HttpVersion.Version10;

    /// <summary>
    /// The request line and header section exactly as received, through the empty line that ends it. Valid only
    /// while the handler runs: copy it (<c>ToArray()</c>) to keep it.
    /// </summary>
    public ReadOnlySpan<byte> RawHead => _headBytes.AsSpan(0, _headLength);

    /// <summary>The header fields, in wire order.</summary>
    public HttpRequestHeaders Headers { get; }

    /// <summary>
    /// The body, decoded from Content-Length or chunked framing. Reading past its end returns 0. A request without a body
    /// has an empty stream. Reading may throw <see cref="BadHttpRequestException"/> (a malformed chunk, a body over
    /// <see cref="MaxBodySize"/>, or a client that disconnected early).
    /// </summary>
    public Stream Body { get; }

    /// <summary>The Content-Length the client sent, or null (no body, or a chunked body).</summary>
    public long? ContentLength => Head.ContentLength >= 0 ? Head.ContentLength : null;

    /// <summary>True when the body arrives with chunked transfer coding.</summary>
    public bool IsChunked => Head.IsChunked;

    /// <summary>
    /// The largest body this request may have; starts at <see cref="TinyHttpServerOptions.MaxRequestBodySize"/>.
    /// A handler may raise or lower it before the first read of <see cref="Body"/>; afterwards setting it throws
    /// <see cref="InvalidOperationException"/>. Null means no limit.
    /// </summary>
    public long? MaxBodySize
    {
        get => _maxBodySize;
        set
        {
            if (_exchange.BodyReadStarted)
            {
                throw new InvalidOperationException("MaxBodySize must be set before the request body is read.");
            }
            if (value is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), "MaxBodySize must be null or non-negative.");
            }
            _maxBodySize = value;
        }
    }

    /// <summary>The client's address and port (or the Unix socket peer).</summary>
    public EndPoint? RemoteEndPoint => _exchange.RemoteEndPoint;

    /// <summary>The server's address and port this request arrived on.</summary>
    public EndPoint? LocalEndPoint => _exchange.LocalEndPoint;

    /// <summary>
    /// True when the request asks to become a WebSocket (RFC 6455 §4.2.1): a GET over HTTP/1.1 with <c>Upgrade: websocket</c>
    /// and <c>Connection: Upgrade</c>. Accept it with <see cref="HttpResponse.AcceptWebSocketAsync"/>.
    /// </summary>
    public bool IsWebSocketRequest => WebSocketHandshake.IsUpgradeRequest(Method, Head.IsHttp11, Headers.GetValues("Upgrade"), Headers.GetValues("Connection"));

    /// <summary>The subprotocols a WebSocket client offered in Sec-WebSocket-Protocol, most preferred first; empty when none.</summary>
    public IReadOnlyList<string> WebSocketSubProtocols => WebSocketHandshake.SubProtocols(Headers.GetValues("Sec-WebSocket-Protocol"));

    /// <summary>
    /// The TLS session the request arrived on (protocol, cipher suite, SNI host name, the client's certificate), or null
    /// when it came over plain HTTP: <c>request.Tls is not null</c> says the connection is secure.
    /// </summary>
    public TlsConnectionInfo? Tls => _exchange.Tls;

    /// <summary>
    /// The value the wildcard <c>{name}</c> or <c>{name...}</c> of the <see cref="HttpRouter"/> pattern that matched this request
    /// took, percent-decoded once: for <c>GET /files/{name}</c> and the path <c>/files/a%2Fb%20c</c>, <c>a/b c</c> (a
    /// <c>%2F</c> does not split a segment, so it is part of the one value). A <c>{name...}</c> value is the rest of the path
    /// decoded the same way, empty when the path ends at its slash. Null when the pattern has no wildcard of that name, or
    /// no router handled the request. A value whose bytes are not valid UTF-8 stays percent-encoded.
    /// </summary>
    /// <param name="name">The wildcard's name, as written in the pattern (case-sensitive).</param>
    public string? GetRouteValue(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string?[] names = _routeNames;
        for (int i = 0; i < names.Length; i++)
        {
            if (names[i] == name)
            {
                return _routeValues[i];
            }
        }
        return null;
    }

    /// <summary>
    /// The first value of the query parameter <paramref name="name"/>, decoded as a browser's form encoding has it
    /// (<c>+</c> is a space, <c>%XX</c> is UTF-8): for <c>?q=a+b%21&amp;q=c</c>, <c>GetQueryValue("q")</c> is <c>a b!</c>. A
    /// parameter without <c>=</c> has the value "". Null when the query has no such parameter. Names compare after decoding,
    /// case-sensitively. Reads the request's bytes each call; only the returned string is allocated.
    /// </summary>
    /// <param name="name">The parameter's name, decoded.</param>
    public string? GetQueryValue(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ReadOnlySpan<byte> query = Head.TargetQuery.Of(_headBytes);
        if (query.IsEmpty)
        {
            return null;
        }
        byte[]? rented = null;
        int nameLength = Encoding.UTF8.GetMaxByteCount(name.Length);
        Span<byte> utf8 = nameLength <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(nameLength));
        try
        {
            utf8 = utf8.Slice(0, Encoding.UTF8.GetBytes(name, utf8));
            int offset = 0;
            return QueryDecoding.TryFindNext(query, utf8, ref offset, out Range value) ? QueryDecoding.Decode(query[value]) : null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Every value of the query parameter <paramref name="name"/>, in the order they appear, decoded as
    /// <see cref="GetQueryValue"/> decodes them: for <c>?tag=a&amp;tag=b</c>, <c>["a", "b"]</c>. Empty when there is none.
    /// </summary>
    /// <param name="name">The parameter's name, decoded.</param>
    public IReadOnlyList<string> GetQueryValues(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ReadOnlySpan<byte> query = Head.TargetQuery.Of(_headBytes);
        if (query.IsEmpty)
        {
            return Array.Empty<string>();
        }
        byte[] utf8 = Encoding.UTF8.GetBytes(name);
        List<string>? values = null;
        int offset = 0;
        while (QueryDecoding.TryFindNext(query, utf8, ref offset, out Range value))
        {
            (values ??= new List<string>(2)).Add(QueryDecoding.Decode(query[value]));
        }
        return values ?? (IReadOnlyList<string>)Array.Empty<string>();
    }

    /// <summary>Reads the whole body into an array, respecting <see cref="MaxBodySize"/>.</summary>
    /// <returns>The body bytes; empty when there is no body.</returns>
    public async Task<byte[]> ReadBodyAsBytesAsync(CancellationToken cancellationToken = default)
    {
        // A Content-Length body within the limit is read straight into an array of its size, left unzeroed so its pages
        // are touched only as bytes arrive. A length over the limit allocates nothing: the first read refuses it (413).
        if (ContentLength is long length && length <= Math.Min(MaxBodySize ?? long.MaxValue, Array.MaxLength))
        {
            byte[] body = length == 0 ? [] : GC.AllocateUninitializedArray<byte>((int)length);
            int filled = 0;
            while (filled < body.Length)
            {
                int read = await Body.ReadAsync(body.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return body.AsSpan(0, filled).ToArray();
                }
                filled += read;
            }
            return body;
        }
        return await ReadBodyInPiecesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A body of unknown length (chunked), or one the first read refuses: read in pooled pieces, kept in an array that doubles.</summary>
    private async Task<byte[]> ReadBodyInPiecesAsync(CancellationToken cancellationToken)
    {
        byte[] piece = ArrayPool<byte>.Shared.Rent(RequestBodyStream.CopyBufferSize);
        try
        {
            byte[] body = [];
            int filled = 0;
            int read;
            while ((read = await Body.ReadAsync(piece.AsMemory(0, RequestBodyStream.CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (body.Length - filled < read)
                {
                    byte[] larger = GC.AllocateUninitializedArray<byte>((int)Math.Min(Math.Max((long)body.Length * 2, filled + read), Array.MaxLength));
                    body.AsSpan(0, filled).CopyTo(larger);
                    body = larger;
                }
                piece.AsSpan(0, read).CopyTo(body.AsSpan(filled));
                filled += read;
            }
            return filled == body.Length ? body : body.AsSpan(0, filled).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(piece);
        }
    }

    /// <summary>Reads the whole body as UTF-8 text, respecting <see cref="MaxBodySize"/>.</summary>
    /// <returns>The body as a string; empty when there is no body.</returns>
    public async Task<string> ReadBodyAsStringAsync(CancellationToken cancellationToken = default) =>
        Encoding.UTF8.GetString(await ReadBodyAsBytesAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>A one-line description for logs and debuggers: method, target and version.</summary>
    public override string ToString() => $"{Method} {RawTarget} HTTP/1.{Head.MinorVersion}";

    internal void CaptureHead(ReadOnlySpan<byte> head, long? maxBodySize)
    {
        if (_headBytes.Length < head.Length)
        {
            Release();
            _headBytes = ArrayPool<byte>.Shared.Rent(Math.Max(head.Length, 1024));
        }
        head.CopyTo(_headBytes);
        _headLength = head.Length;
        _method = null;
        _rawTarget = null;
        _path = null;
        _decodedPath = null;
        _queryString = null;
        _maxBodySize = maxBodySize;
        if (_routeNames.Length > 0)
        {
            _routeNames = Array.Empty<string?>();
            Array.Clear(_routeValues);
        }
        Headers.Reset();
    }

    /// <summary>
    /// The host the request is for, as the router matches it: an absolute-form target's authority (RFC 9112 §3.2.2 says
    /// it overrides Host), else the Host field's value; still with any port. Empty when there is neither.
    /// </summary>
    internal ReadOnlySpan<byte> AuthorityBytes
    {
        get
        {
            ReadOnlySpan<byte> head = _headBytes;
            if (Head.TargetForm == RequestTargetForm.Absolute)
            {
                ReadOnlySpan<byte> target = Head.Target.Of(head);
                int scheme = target.IndexOf("://"u8);
                int start = scheme + 3;
                int end = Head.TargetPath.Start - Head.Target.Start;
                return scheme < 0 || end < start ? ReadOnlySpan<byte>.Empty : target[start..end];
            }
            foreach (HeaderField header in Head.Headers)
            {
                if (HttpCharacters.EqualsLowerAscii(header.Name.Of(head), "host"u8))
                {
                    return header.Value.Of(head);
                }
            }
            return ReadOnlySpan<byte>.Empty;
        }
    }

    /// <summary>
    /// Gives the request the wildcard values of the pattern a router matched: returns a span, one slot per name, for the
    /// router to fill. The array behind it is kept for later requests, so routing allocates only the values.
    /// </summary>
    internal Span<string?> SetRouteValues(string?[] names)
    {
        if (_routeValues.Length < names.Length)
        {
            _routeValues = new string?[Math.Max(names.Length, 4)];
        }
        else if (_routeNames.Length > 0)
        {
            Array.Clear(_routeValues);
        }
        _routeNames = names;
        return _routeValues.AsSpan(0, names.Length);
    }

    // Clients on one connection tend to ask for the same path again (polling, health checks, benchmarks):
    // reusing the last string when the bytes match keeps the kept-alive path free of allocations.
    private string ReusePreviousPath(ReadOnlySpan<byte> bytes)
    {
        string? previous = _previousPath;
        if (previous is not null && previous.Length == bytes.Length && System.Text.Ascii.Equals(bytes, previous))
        {
            return previous;
        }
        return _previousPath = Encoding.ASCII.GetString(bytes);
    }

    /// <summary>Returns the head's copy to the pool at the end of the exchange; the request is empty until the next head.</summary>
    internal void Release()
    {
        if (_headBytes.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_headBytes);
            _headBytes = Array.Empty<byte>();
            _headLength = 0;
        }
    }

    private static string? KnownMethod(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 when method.SequenceEqual("GET"u8) => "GET",
        3 when method.SequenceEqual("PUT"u8) => "PUT",
        4 when method.SequenceEqual("POST"u8) => "POST",
        4 when method.SequenceEqual("HEAD"u8) => "HEAD",
        5 when method.SequenceEqual("PATCH"u8) => "PATCH",
        5 when method.SequenceEqual("TRACE"u8) => "TRACE",
        6 when method.SequenceEqual("DELETE"u8) => "DELETE",
        7 when method.SequenceEqual("OPTIONS"u8) => "OPTIONS",
        7 when method.SequenceEqual("CONNECT"u8) => "CONNECT",
        _ => null,
    };
}
