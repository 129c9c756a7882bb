using System;
using System.Threading.Tasks;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>
/// RFC 9110 §15.5 (408, 413, 414) and RFC 6585 §5 (431): what the server answers when a request breaks one of its
/// limits, or does not finish its head in time. Most cases set small limits, so the requests stay short and the
/// boundary (at the limit: accepted; one byte over: refused) is exact.
/// </summary>
[Trait("Section", "RFC 9110 §15.5")]
public sealed class Rfc9110_15_5_LimitsAndTimeouts(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    private static readonly CaseLimits LineLimit = new() { MaxRequestLineLength = 32 };
    private static readonly CaseLimits HeadersLimit = new() { MaxRequestHeadersTotalSize = 64 };
    private static readonly CaseLimits CountLimit = new() { MaxRequestHeaderCount = 4 };
    private static readonly CaseLimits BodyLimit = new() { MaxRequestBodySize = 10 };
    private static readonly CaseLimits HeadersTimeout = new() { RequestHeadersTimeout = TimeSpan.FromSeconds(1) };

    private const string LineMeasure =
        "TinyHttp's MaxRequestLineLength counts the request line without its CRLF (method, target, version and the two spaces).";

    private const string HeadersMeasure =
        "TinyHttp's MaxRequestHeadersTotalSize counts every field line with its CRLF, not the request line or the final empty line.";

    public static readonly CaseSection Section = new(typeof(Rfc9110_15_5_LimitsAndTimeouts), "RFC 9110 §15.5", "Limits and timeouts",
    [
        // 414 URI Too Long (RFC 9110 §15.5.15)
        Case("A_request_line_at_the_limit_is_accepted", "GET /" + new string('a', 18) + " HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .With(LineLimit).Responds(200).Saw(path: "/" + new string('a', 18))
            .Choice("32 bytes with a limit of 32. " + LineMeasure)
            .KestrelDiffers("Kestrel's MaxRequestLineSize counts the CRLF too, so the same limit admits two bytes less."),

        Case("A_request_line_one_byte_over_the_limit_is_414", "GET /" + new string('a', 19) + " HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .With(LineLimit).Responds(414).Closes()
            .Because("RFC 9110 §15.5.15: 414 when the target is longer than the server will interpret. " + LineMeasure),

        Case("A_request_line_over_the_limit_is_414_before_it_ends", "GET /" + new string('a', 60))
            .SentByteByByte().With(LineLimit).Responds(414).Closes()
            .Because("RFC 9110 §15.5.15: the limit is enforced as bytes arrive, so a request line that never ends cannot hold the connection."),

        Case("A_long_target_is_414_at_the_default_limit", "GET /" + new string('a', 9000) + " HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(414).Closes()
            .Because("RFC 9110 §15.5.15; the default limit is 8 KiB (8192), as Kestrel's MaxRequestLineSize."),

        // 431 Request Header Fields Too Large (RFC 6585 §5)
        Case("A_header_section_at_the_limit_is_accepted", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: " + new string('v', 38) + "\r\n\r\n")
            .With(HeadersLimit).Responds(200).SawHeader("X-A", new string('v', 38))
            .Choice("19 + 45 = 64 bytes of field lines with a limit of 64. " + HeadersMeasure),

        Case("A_header_section_one_byte_over_the_limit_is_431", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: " + new string('v', 39) + "\r\n\r\n")
            .With(HeadersLimit).Responds(431).Closes()
            .Because("RFC 6585 §5: 431 when the header fields are too large. " + HeadersMeasure),

        Case("A_header_section_over_the_limit_is_431_before_it_ends", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: " + new string('v', 60))
            .SentByteByByte().With(HeadersLimit).Responds(431).Closes()
            .Because("RFC 6585 §5: the limit is enforced as bytes arrive, so a field line that never ends cannot hold the connection."),

        Case("A_40_KiB_field_is_431_at_the_default_limit", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: " + new string('v', 40 * 1024) + "\r\n\r\n")
            .Responds(431).Closes()
            .Because("RFC 6585 §5; the default limit is 32 KiB, as Kestrel's MaxRequestHeadersTotalSize."),

        Case("Fields_at_the_count_limit_are_accepted", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\n\r\n")
            .With(CountLimit).Responds(200).SawHeader("X-C", "3")
            .Choice("4 fields with a limit of 4; Host counts."),

        Case("One_field_over_the_count_limit_is_431", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\nX-D: 4\r\n\r\n")
            .With(CountLimit).Responds(431).Closes()
            .Because("RFC 6585 §5: 431 is also for too many fields."),

        Case("A_hundred_and_one_fields_are_431_at_the_default_limit", "GET / HTTP/1.1\r\nHost: example.com\r\n" + ManyFields(100) + "\r\n")
            .Responds(431).Closes()
            .Because("RFC 6585 §5; the default is 100 fields, as Kestrel's MaxRequestHeaderCount."),

        // 413 Content Too Large (RFC 9110 §15.5.14)
        Case("A_body_at_the_limit_is_accepted", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\n\r\n0123456789")
            .With(BodyLimit).Responds(200).Saw(body: "0123456789"),

        Case("A_Content_Length_over_the_limit_is_413", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 11\r\n\r\n0123456789a")
            .With(BodyLimit).Responds(413).Closes()
            .Because("RFC 9110 §15.5.14: 413 when the content is larger than the server will process; the server MAY close the connection, and TinyHttp does, since the body is unread."),

        Case("A_chunked_body_over_the_limit_is_413", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n6789a\r\n0\r\n\r\n")
            .With(BodyLimit).Responds(413).Closes()
            .Because("RFC 9110 §15.5.14: the limit holds for a chunked body too, counted as it is decoded."),

        Case("A_Content_Length_over_the_default_limit_is_413_before_the_body", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 30000001\r\n\r\n")
            .Responds(413).Closes()
            .Because("RFC 9110 §15.5.14; the default is 30,000,000 bytes, as Kestrel's. The announced length is enough: the client need not send a byte."),

        Case("An_unread_body_over_the_drain_limit_closes_the_connection", "POST /ignore-body HTTP/1.1\r\nHost: example.com\r\nContent-Length: 300000\r\n\r\n")
            .Responds(200).WithBody(ConformanceHandler.IgnoredBodyText).Closes()
            .Choice("RFC 9112 §9.3: to keep a connection the server must read the rest of the body; TinyHttp reads at most MaxUnreadRequestBodyToDrain (256 KiB) and closes instead when more is owed, saying so with Connection: close.")
            .KestrelDiffers("Kestrel keeps the connection and reads on to discard all 300,000 announced bytes, so the probe is read as body; TinyHttp closes beyond 256 KiB."),

        // 408 Request Timeout (RFC 9110 §15.5.9)
        Case("An_unfinished_head_is_408_after_the_headers_timeout", "GET / HTTP/1.1\r\nHost: example.com\r\n")
            .With(HeadersTimeout).Responds(408).Closes()
            .Because("RFC 9110 §15.5.9: 408 when the server did not receive a complete request in the time it was prepared to wait; it then closes."),

        Case("An_unfinished_request_line_is_408_after_the_headers_timeout", "GET /")
            .With(HeadersTimeout).Responds(408).Closes()
            .Because("RFC 9110 §15.5.9."),

        Case("An_idle_connection_is_closed_without_408", "")
            .With(HeadersTimeout).Closes()
            .Choice("RFC 9112 §9.5: a server may close an idle connection at any time; with no request begun there is nothing to answer, so no 408.")
            .KestrelDiffers("Kestrel applies KeepAliveTimeout (130 s), not RequestHeadersTimeout, before the first byte of a connection's first request."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);

    private static string ManyFields(int count)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < count; i++)
        {
            text.Append("X-F").Append(i).Append(": v\r\n");
        }
        return text.ToString();
    }
}
