using System;
using System.Collections.Generic;
using System.Text;

namespace TinyHttp.Conformance;

/// <summary>How the runner puts a case's bytes on the wire.</summary>
public enum Delivery
{
    /// <summary>All bytes in one send.</summary>
    OneWrite,

    /// <summary>One byte per send (the client socket has Nagle off, so each is its own segment).</summary>
    ByteByByte,

    /// <summary>The head, then (only after a 1xx interim response has arrived) the body.</summary>
    BodyAfterInterim,

    /// <summary>All bytes, then a half-close (FIN): the server sees the end of the stream.</summary>
    ThenHalfClose,
}

/// <summary>
/// ConformanceCase is one request (or a pipeline of them) sent as exact bytes, and what a conforming server does
/// with it: the responses, byte-exact status lines, the fields that matter, what the handler saw, and whether the
/// connection is still usable afterwards. Cases are written with the fluent methods below, in the section class
/// whose RFC section they test.
/// </summary>
public sealed class ConformanceCase
{
    private readonly List<ResponseExpectation> _responses = new();
    private bool? _snapshot;

    private ConformanceCase(string name, byte[] request)
    {
        Name = name;
        Request = request;
    }

    /// <summary>Name says what the case shows, as a test name: <c>Lower_case_HTTP_name_is_400</c>.</summary>
    public string Name { get; }

    /// <summary>Section is the section the case belongs to; set when the case is added to a section.</summary>
    public CaseSection Section { get; internal set; } = CaseSection.Unassigned;

    /// <summary>Request is the exact bytes sent; with <see cref="Delivery.BodyAfterInterim"/>, the head only.</summary>
    public byte[] Request { get; }

    /// <summary>BodyAfterInterim is sent once the interim response arrived, for <see cref="Delivery.BodyAfterInterim"/>.</summary>
    public byte[] BodyAfterInterimBytes { get; private set; } = [];

    /// <summary>Delivery says how the bytes are sent.</summary>
    public Delivery Delivery { get; private set; } = Delivery.OneWrite;

    /// <summary>Limits are the server limits the case needs, or null for the defaults.</summary>
    public CaseLimits? Limits { get; private set; }

    /// <summary>Responses are the final responses expected, in order; empty when the server must answer nothing.</summary>
    public IReadOnlyList<ResponseExpectation> Responses => _responses;

    /// <summary>Connection is what the connection is like after the responses.</summary>
    public ConnectionOutcome Connection { get; private set; } = ConnectionOutcome.Open;

    /// <summary>
    /// HasSnapshot is true when the response bytes are pinned in a <c>.verified.txt</c> file: for every case with a
    /// response that is not the handler's echo (server-generated errors, status lines, chunked output, HEAD, 1xx,
    /// 204/304), and for echo cases that ask for one with <see cref="Snapshot"/>. Echo cases are otherwise checked
    /// field by field, which says more than a snapshot would.
    /// </summary>
    public bool HasSnapshot => _snapshot ?? (_responses.Count > 0 && !_responses.TrueForAll(r => r.ExpectsEcho));

    /// <summary>Rationale cites the rule the case checks, or explains the choice TinyHttp makes where the RFC allows several.</summary>
    public string? Rationale { get; private set; }

    /// <summary>IsChoice is true when the RFC allows more than one behaviour and the case pins TinyHttp's.</summary>
    public bool IsChoice { get; private set; }

    /// <summary>KnownBug says why TinyHttp fails this case today; the case is then a skipped test, and listed in the report.</summary>
    public string? KnownBug { get; private set; }

    /// <summary>KestrelNote explains, in one line, why Kestrel's outcome differs from TinyHttp's.</summary>
    public string? KestrelNote { get; private set; }

    /// <summary>Creates a case that sends <paramref name="request"/>, written as text with <c>\r\n</c> spelled out (one byte per char, ISO-8859-1).</summary>
    public static ConformanceCase Case(string name, string request) => new(name, Latin1(request));

    /// <summary>Creates a case that sends <paramref name="request"/> exactly.</summary>
    public static ConformanceCase Case(string name, byte[] request) => new(name, request);

    /// <summary>Expects a final response with <paramref name="status"/> and the standard reason phrase (call again for each pipelined response).</summary>
    public ConformanceCase Responds(int status)
    {
        bool isHead = _responses.Count == 0 && StartsWith(Request, "HEAD "u8);
        _responses.Add(new ResponseExpectation(status) { IsHead = isHead });
        return this;
    }

    /// <summary>Expects the response before the last added one to be answered as a HEAD request (no body whatever its fields say).</summary>
    public ConformanceCase ToHead()
    {
        Last.IsHead = true;
        return this;
    }

    /// <summary>Expects the last response's status line to be exactly <paramref name="statusLine"/> (without CRLF).</summary>
    public ConformanceCase WithStatusLine(string statusLine)
    {
        Last.StatusLine = statusLine;
        return this;
    }

    /// <summary>Expects an interim response with <paramref name="status"/> before the last response.</summary>
    public ConformanceCase AfterInterim(int status)
    {
        Last.Interim.Add(status);
        return this;
    }

    /// <summary>Expects the last response to carry <paramref name="name"/> with exactly <paramref name="value"/>.</summary>
    public ConformanceCase WithHeader(string name, string value)
    {
        Last.Headers.Add((name, value));
        return this;
    }

    /// <summary>Expects the last response not to carry <paramref name="name"/>.</summary>
    public ConformanceCase WithoutHeader(string name)
    {
        Last.Headers.Add((name, null));
        return this;
    }

    /// <summary>Expects the last response's body (with chunked framing removed) to be exactly <paramref name="body"/>.</summary>
    public ConformanceCase WithBody(string body)
    {
        Last.Body = body;
        return this;
    }

    /// <summary>Expects how the last response's body is framed.</summary>
    public ConformanceCase FramedBy(TinyHttp.Testing.BodyFraming framing)
    {
        Last.Framing = framing;
        return this;
    }

    /// <summary>
    /// Expects the handler (which echoes what it saw) to have seen these request-line parts and body. Null arguments are not checked.
    /// Body is written as text, one byte per char.
    /// </summary>
    public ConformanceCase Saw(
        string? method = null,
        string? target = null,
        string? path = null,
        string? query = null,
        string? version = null,
        string? body = null)
    {
        Add(HandlerView.Method, method);
        Add(HandlerView.Target, target);
        Add(HandlerView.Path, path);
        Add(HandlerView.Query, query);
        Add(HandlerView.Version, version);
        Add(HandlerView.Body, body is null ? null : HandlerView.EscapeBytes(Latin1(body)));
        return this;

        void Add(string field, string? value)
        {
            if (value is not null)
            {
                Last.Saw.Add((field, field == HandlerView.Body ? value : HandlerView.Escape(value)));
            }
        }
    }

    /// <summary>Expects the handler to have seen the field <paramref name="name"/> with exactly these values, in order (chars as decoded).</summary>
    public ConformanceCase SawHeader(string name, params string[] values)
    {
        Last.SawHeaders.Add((name, values));
        return this;
    }

    /// <summary>Expects the connection to stay open: a request sent after the responses is answered normally.</summary>
    public ConformanceCase StaysOpen()
    {
        Connection = ConnectionOutcome.Open;
        return this;
    }

    /// <summary>Expects the server to close the connection after the responses (with <c>Connection: close</c> on the last one, if any).</summary>
    public ConformanceCase Closes()
    {
        Connection = ConnectionOutcome.Closed;
        return this;
    }

    /// <summary>Pins the response bytes in a snapshot file, <c>{SectionClass}.{Name}.verified.txt</c>, with Date scrubbed.</summary>
    public ConformanceCase Snapshot()
    {
        _snapshot = true;
        return this;
    }

    /// <summary>
    /// Leaves the response bytes unpinned, for a pipeline that includes a HEAD response: the bytes of several responses
    /// are rendered by parsing them again, which cannot know that one of them had no body.
    /// </summary>
    public ConformanceCase WithoutSnapshot()
    {
        _snapshot = false;
        return this;
    }

    /// <summary>Cites the rule the case checks: <c>"RFC 9112 §2.3: HTTP-name is case-sensitive."</c></summary>
    public ConformanceCase Because(string rationale)
    {
        Rationale = rationale;
        return this;
    }

    /// <summary>Records the choice TinyHttp makes where the RFC allows several, and why.</summary>
    public ConformanceCase Choice(string rationale)
    {
        Rationale = rationale;
        IsChoice = true;
        return this;
    }

    /// <summary>Sends the request one byte per send.</summary>
    public ConformanceCase SentByteByByte()
    {
        Delivery = Delivery.ByteByByte;
        return this;
    }

    /// <summary>Sends the request, then half-closes the connection.</summary>
    public ConformanceCase ThenHalfClose()
    {
        Delivery = Delivery.ThenHalfClose;
        Connection = ConnectionOutcome.Closed;
        return this;
    }

    /// <summary>Sends <paramref name="body"/> only after the interim response to the head has arrived.</summary>
    public ConformanceCase BodyAfterInterim(string body)
    {
        Delivery = Delivery.BodyAfterInterim;
        BodyAfterInterimBytes = Latin1(body);
        return this;
    }

    /// <summary>Runs the case on a server with these limits instead of the defaults.</summary>
    public ConformanceCase With(CaseLimits limits)
    {
        Limits = limits;
        return this;
    }

    /// <summary>Marks the case as failing for TinyHttp today; it becomes a skipped test and is listed in the report.</summary>
    public ConformanceCase TinyHttpBug(string description)
    {
        KnownBug = description;
        return this;
    }

    /// <summary>Explains, for the report, why Kestrel's outcome differs.</summary>
    public ConformanceCase KestrelDiffers(string explanation)
    {
        KestrelNote = explanation;
        return this;
    }

    /// <summary>The case's display name in test output: section class and name.</summary>
    public override string ToString() => $"{Section.ClassName}.{Name}";

    internal static byte[] Latin1(string text)
    {
        foreach (char c in text)
        {
            if (c > '\u00FF')
            {
                throw new ArgumentException($"Case text has U+{(int)c:X4}, which is not one byte; use the byte[] overload.", nameof(text));
            }
        }
        return Encoding.Latin1.GetBytes(text);
    }

    private static bool StartsWith(byte[] bytes, ReadOnlySpan<byte> prefix) => bytes.AsSpan().StartsWith(prefix);

    private ResponseExpectation Last =>
        _responses.Count > 0 ? _responses[^1] : throw new InvalidOperationException($"Case {Name}: call Responds(status) before describing the response.");
}

/// <summary>ResponseExpectation is one final response a case expects.</summary>
public sealed class ResponseExpectation
{
    internal ResponseExpectation(int status)
    {
        Status = status;
        StatusLine = $"HTTP/1.1 {status} {StatusPhrases.Of(status)}";
    }

    /// <summary>Status is the status code.</summary>
    public int Status { get; }

    /// <summary>StatusLine is the exact status line, without its CRLF.</summary>
    public string StatusLine { get; internal set; }

    /// <summary>IsHead is true when the response answers a HEAD request.</summary>
    public bool IsHead { get; internal set; }

    /// <summary>Interim are the 1xx status codes expected before this response, in order.</summary>
    public List<int> Interim { get; } = new();

    /// <summary>Headers are exact field values expected (a null value means the field must be absent).</summary>
    public List<(string Name, string? Value)> Headers { get; } = new();

    /// <summary>Body is the exact body text expected, or null.</summary>
    public string? Body { get; internal set; }

    /// <summary>Framing is the body framing expected, or null to check only that it is consistent.</summary>
    public TinyHttp.Testing.BodyFraming? Framing { get; internal set; }

    /// <summary>Saw are the echoed request parts expected (escaped as <see cref="HandlerView"/> writes them).</summary>
    public List<(string Field, string Value)> Saw { get; } = new();

    /// <summary>SawHeaders are the request fields the handler must have seen, with their values in order.</summary>
    public List<(string Name, string[] Values)> SawHeaders { get; } = new();

    /// <summary>ExpectsEcho is true when the response body is the handler's echo of the request.</summary>
    public bool ExpectsEcho => Saw.Count > 0 || SawHeaders.Count > 0;
}
