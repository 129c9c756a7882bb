using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Testing;

/// <summary>
/// StubResponse is a canned answer of a <see cref="StubServer"/> route: a status, headers and a body, a scripted
/// WebSocket exchange (<see cref="WebSocket"/>), or one of the faults a real service shows (a delay, a connection closed
/// or reset, a truncated or malformed response, a body that drips in slowly). It is immutable: every <c>With…</c> method
/// returns a changed copy, so one instance may be shared.
/// </summary>
public sealed class StubResponse
{
    private const string TextType = "text/plain; charset=utf-8";
    private const string JsonType = "application/json; charset=utf-8";

    private StubResponse(int statusCode, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body, StubFault fault)
    {
        StatusCode = statusCode;
        Headers = headers;
        Body = body;
        Fault = fault;
    }

    /// <summary>StatusCode is the status to send.</summary>
    public int StatusCode { get; }

    /// <summary>Headers are the header fields to send, in order; Content-Length and framing are the server's to add.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Body is the body to send; empty for none.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Delay is how long the stub waits after reading the request before it answers (or faults). Default zero.</summary>
    public TimeSpan Delay { get; private init; }

    internal StubFault Fault { get; private init; }

    internal int TruncatedBodyLength { get; private init; }

    internal int DripBytesPerWrite { get; private init; }

    internal TimeSpan DripInterval { get; private init; }

    /// <summary>WebSocketSteps is the script a <see cref="WebSocket"/> response plays; null for every other response.</summary>
    internal WebSocketStep[]? WebSocketSteps { get; private init; }

    internal string? WebSocketSubProtocol { get; private init; }

    /// <summary>Compute makes the response from the request, for <see cref="From"/> and <see cref="FromAsync"/>; null for a fixed response.</summary>
    internal Func<RecordedRequest, CancellationToken, Task<StubResponse>>? Compute { get; private init; }

    /// <summary>
    /// From returns a response computed from each request when it arrives, to use in a sequence:
    /// <c>RespondInSequence(StubResponse.Status(503), StubResponse.From(request =&gt; StubResponse.Text(request.RouteValues["id"])))</c>.
    /// The function sees the recorded request, with <see cref="RecordedRequest.RouteValues"/>; it may return any other response
    /// but a computed one.
    /// </summary>
    /// <param name="respond">Computes the response.</param>
    /// <returns>The response.</returns>
    public static StubResponse From(Func<RecordedRequest, StubResponse> respond)
    {
        ArgumentNullException.ThrowIfNull(respond);
        return new StubResponse(200, Array.Empty<KeyValuePair<string, string>>(), ReadOnlyMemory<byte>.Empty, StubFault.None)
        {
            Compute = (request, _) => Task.FromResult(respond(request)),
        };
    }

    /// <summary>FromAsync returns a response computed asynchronously from each request when it arrives (see <see cref="From"/>).</summary>
    /// <param name="respond">Computes the response; the token fires when the client goes away or the stub stops.</param>
    /// <returns>The response.</returns>
    public static StubResponse FromAsync(Func<RecordedRequest, CancellationToken, Task<StubResponse>> respond)
    {
        ArgumentNullException.ThrowIfNull(respond);
        return new StubResponse(200, Array.Empty<KeyValuePair<string, string>>(), ReadOnlyMemory<byte>.Empty, StubFault.None) { Compute = respond };
    }

    /// <summary>Status returns a response with <paramref name="statusCode"/> and no body.</summary>
    /// <param name="statusCode">The status, 100–999.</param>
    /// <returns>The response.</returns>
    public static StubResponse Status(int statusCode) => Create(statusCode, null, ReadOnlyMemory<byte>.Empty);

    /// <summary>Text returns a response whose body is <paramref name="text"/> in UTF-8, typed <c>text/plain; charset=utf-8</c>.</summary>
    /// <param name="text">The body.</param>
    /// <param name="statusCode">The status; default 200.</param>
    /// <returns>The response.</returns>
    public static StubResponse Text(string text, int statusCode = 200)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Create(statusCode, TextType, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Json returns a response whose body is <paramref name="json"/> (sent as given) typed <c>application/json; charset=utf-8</c>.</summary>
    /// <param name="json">The body, already serialised.</param>
    /// <param name="statusCode">The status; default 200.</param>
    /// <returns>The response.</returns>
    public static StubResponse Json(string json, int statusCode = 200)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Create(statusCode, JsonType, Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Bytes returns a response whose body is <paramref name="body"/> with the given content type.</summary>
    /// <param name="body">The body.</param>
    /// <param name="contentType">The Content-Type; default <c>application/octet-stream</c>.</param>
    /// <param name="statusCode">The status; default 200.</param>
    /// <returns>The response.</returns>
    public static StubResponse Bytes(ReadOnlyMemory<byte> body, string contentType = "application/octet-stream", int statusCode = 200)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        return Create(statusCode, contentType, body.ToArray());
    }

    /// <summary>
    /// WebSocket returns a response that accepts the client's WebSocket upgrade and plays <paramref name="script"/>:
    /// <c>StubResponse.WebSocket(ws =&gt; ws.Send("hello").Expect("subscribe").Send("{\"price\":1}").Close())</c>.
    /// The stub records the messages the client sends in <see cref="RecordedRequest.WebSocket"/>, and
    /// <see cref="StubServer.AssertWebSocketScriptsCompleted"/> checks that every script ran as written.
    /// </summary>
    /// <remarks>
    /// A request that is not a WebSocket upgrade, or that does not offer <paramref name="subProtocol"/>, gets <c>400</c> with
    /// a plain-text reason, and its recorded WebSocket a failure. <see cref="WithHeader"/> adds fields to the <c>101</c>
    /// response; <see cref="WithDelay"/> waits before accepting.
    /// </remarks>
    /// <param name="script">Writes the exchange's steps: <see cref="StubWebSocketScript.Send(string)"/>, <see cref="StubWebSocketScript.Expect(string)"/>, <see cref="StubWebSocketScript.Close"/>. It runs once, here.</param>
    /// <param name="subProtocol">The subprotocol to accept (RFC 6455 §1.9), which the client must offer; null (the default) accepts none.</param>
    /// <returns>The response.</returns>
    public static StubResponse WebSocket(Action<StubWebSocketScript> script, string? subProtocol = null)
    {
        ArgumentNullException.ThrowIfNull(script);
        if (subProtocol is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(subProtocol);
        }
        var steps = new StubWebSocketScript();
        script(steps);
        return new StubResponse(101, Array.Empty<KeyValuePair<string, string>>(), ReadOnlyMemory<byte>.Empty, StubFault.None)
        {
            WebSocketSteps = steps.ToSteps(),
            WebSocketSubProtocol = subProtocol,
        };
    }

    /// <summary>
    /// CloseConnection closes the connection (FIN) without sending a byte, as a service that crashed mid-request would.
    /// An <see cref="System.Net.Http.HttpClient"/> sees an <see cref="System.Net.Http.HttpRequestException"/>.
    /// </summary>
    /// <returns>The fault.</returns>
    public static StubResponse CloseConnection() => new(0, Array.Empty<KeyValuePair<string, string>>(), ReadOnlyMemory<byte>.Empty, StubFault.Close);

    /// <summary>
    /// ResetConnection resets the connection (TCP RST) without sending a byte.
    /// An <see cref="System.Net.Http.HttpClient"/> sees an <see cref="System.Net.Http.HttpRequestException"/> whose inner exception is an IOException from the reset.
    /// </summary>
    /// <returns>The fault.</returns>
    public static StubResponse ResetConnection() => new(0, Array.Empty<KeyValuePair<string, string>>(), ReadOnlyMemory<byte>.Empty, StubFault.Reset);

    /// <summary>RawBytes sends exactly <paramref name="bytes"/> in place of a response, then closes the connection.</summary>
    /// <param name="bytes">The bytes to send, which need not be valid HTTP.</param>
    /// <returns>The fault.</returns>
    public static StubResponse RawBytes(ReadOnlyMemory<byte> bytes) => new(0, Array.Empty<KeyValuePair<string, string>>(), bytes.ToArray(), StubFault.Raw);

    /// <summary>RawBytes sends <paramref name="text"/> one byte per char (ISO-8859-1, <c>\r\n</c> spelled out) in place of a response, then closes the connection.</summary>
    /// <param name="text">The text to send.</param>
    /// <returns>The fault.</returns>
    public static StubResponse RawBytes(string text) => RawBytes(ByteText.Latin1(text));

    /// <summary>
    /// Malformed sends a status line that is not HTTP (<c>HTTP/1.1 two-hundred OK</c>), then closes the connection.
    /// An <see cref="System.Net.Http.HttpClient"/> sees an <see cref="System.Net.Http.HttpRequestException"/> saying the response was invalid.
    /// </summary>
    /// <returns>The fault.</returns>
    public static StubResponse Malformed() => RawBytes("HTTP/1.1 two-hundred OK\r\nContent-Length: 0\r\n\r\n");

    /// <summary>WithHeader returns a copy that also sends the header <paramref name="name"/>: <paramref name="value"/>.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The field value.</param>
    /// <returns>The changed copy.</returns>
    public StubResponse WithHeader(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        var headers = new List<KeyValuePair<string, string>>(Headers) { new(name, value) };
        return Copy(headers);
    }

    /// <summary>WithDelay returns a copy that waits <paramref name="delay"/> before answering, to test a caller's timeout.</summary>
    /// <param name="delay">How long to wait; the wait ends early if the client goes away.</param>
    /// <returns>The changed copy.</returns>
    public StubResponse WithDelay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new StubResponse(StatusCode, Headers, Body, Fault)
        {
            Delay = delay,
            TruncatedBodyLength = TruncatedBodyLength,
            DripBytesPerWrite = DripBytesPerWrite,
            DripInterval = DripInterval,
            WebSocketSteps = WebSocketSteps,
            WebSocketSubProtocol = WebSocketSubProtocol,
        };
    }

    /// <summary>
    /// WithTruncatedBody returns a copy that announces the whole body in Content-Length but sends only its first
    /// <paramref name="bytesSent"/> bytes, then closes the connection. An <see cref="System.Net.Http.HttpClient"/> sees an
    /// <see cref="System.Net.Http.HttpRequestException"/> (or, when it streams the content, an <see cref="System.IO.IOException"/>) saying the response ended prematurely.
    /// </summary>
    /// <param name="bytesSent">How many body bytes to send; less than the body's length.</param>
    /// <returns>The changed copy.</returns>
    public StubResponse WithTruncatedBody(int bytesSent)
    {
        ThrowIfFault();
        ArgumentOutOfRangeException.ThrowIfNegative(bytesSent);
        if (bytesSent >= Body.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(bytesSent), $"A truncated body must send fewer bytes than the body has ({Body.Length}); give the response a longer body.");
        }
        return new StubResponse(StatusCode, Headers, Body, StubFault.Truncate)
        {
            Delay = Delay,
            TruncatedBodyLength = bytesSent,
        };
    }

    /// <summary>
    /// WithDrippedBody returns a copy that sends its head at once and then the body <paramref name="bytesPerWrite"/> bytes
    /// at a time, <paramref name="interval"/> apart, to test a caller's read timeout or progress handling.
    /// </summary>
    /// <param name="bytesPerWrite">Bytes per write; at least 1.</param>
    /// <param name="interval">The pause between writes.</param>
    /// <returns>The changed copy.</returns>
    public StubResponse WithDrippedBody(int bytesPerWrite, TimeSpan interval)
    {
        ThrowIfFault();
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerWrite, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        return new StubResponse(StatusCode, Headers, Body, StubFault.Drip)
        {
            Delay = Delay,
            DripBytesPerWrite = bytesPerWrite,
            DripInterval = interval,
        };
    }

    /// <summary>Returns a short description, for example <c>503</c> or <c>reset connection</c>, as used in failure messages.</summary>
    public override string ToString() => Fault switch
    {
        StubFault.Close => "close connection",
        StubFault.Reset => "reset connection",
        StubFault.Raw => $"raw bytes ({Body.Length})",
        StubFault.Truncate => $"{StatusCode} truncated after {TruncatedBodyLength} of {Body.Length} body bytes",
        StubFault.None when WebSocketSteps is not null => $"WebSocket ({WebSocketSteps.Length} steps)",
        StubFault.Drip => string.Create(CultureInfo.InvariantCulture, $"{StatusCode} dripped {DripBytesPerWrite} bytes every {DripInterval.TotalMilliseconds} ms"),
        _ => Body.IsEmpty ? $"{StatusCode}" : $"{StatusCode} with {Body.Length} body bytes",
    };

    private static StubResponse Create(int statusCode, string? contentType, ReadOnlyMemory<byte> body)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 999);
        KeyValuePair<string, string>[] headers = contentType is null
            ? Array.Empty<KeyValuePair<string, string>>()
            : new[] { new KeyValuePair<string, string>("Content-Type", contentType) };
        return new StubResponse(statusCode, headers, body, StubFault.None);
    }

    private StubResponse Copy(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        ThrowIfFault(allowBodyFaults: true);
        return new StubResponse(StatusCode, headers, Body, Fault)
        {
            Delay = Delay,
            TruncatedBodyLength = TruncatedBodyLength,
            DripBytesPerWrite = DripBytesPerWrite,
            DripInterval = DripInterval,
            WebSocketSteps = WebSocketSteps,
            WebSocketSubProtocol = WebSocketSubProtocol,
        };
    }

    private void ThrowIfFault(bool allowBodyFaults = false)
    {
        if (WebSocketSteps is not null && !allowBodyFaults)
        {
            throw new InvalidOperationException("A WebSocket response has no body to truncate or drip; script the exchange in StubResponse.WebSocket(…) instead.");
        }
        if (Fault is StubFault.Close or StubFault.Reset or StubFault.Raw
            || (!allowBodyFaults && Fault != StubFault.None))
        {
            throw new InvalidOperationException($"This response is already a fault ({this}); build the fault from a plain response such as StubResponse.Text(…).");
        }
    }
}
