using System.Threading.Tasks;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>RFC 9112 §2.2: how a recipient finds the lines of a message — CRLF, bare LF, bare CR, leading empty lines.</summary>
[Trait("Section", "RFC 9112 §2.2")]
public sealed class Rfc9112_2_MessageParsing(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    private const string BareLineFeedChoice =
        "RFC 9112 §2.2 lets a recipient accept a bare LF as a line terminator. TinyHttp accepts only CRLF: two peers that "
        + "disagree about where a line ends can be made to see different messages (request smuggling). Kestrel accepts "
        + "bare LF since .NET 7 and plans to be strict by default in .NET 11.";

    public static readonly CaseSection Section = new(typeof(Rfc9112_2_MessageParsing), "RFC 9112 §2.2", "Message parsing: line endings",
    [
        Case("CRLF_line_endings_are_accepted", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(method: "GET", target: "/", version: "HTTP/1.1").Snapshot()
            .Because("RFC 9112 §2.1: every line of the head ends with CRLF."),

        Case("Bare_LF_ending_every_line_is_400", "GET / HTTP/1.1\nHost: example.com\n\n")
            .Responds(400).Closes()
            .Choice(BareLineFeedChoice)
            .KestrelDiffers("Kestrel accepts a bare LF as a line ending (since .NET 7; strict by default planned for .NET 11)."),

        Case("Bare_LF_after_the_request_line_is_400", "GET / HTTP/1.1\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Choice(BareLineFeedChoice)
            .KestrelDiffers("Kestrel accepts a bare LF as a line ending."),

        Case("Bare_LF_after_a_field_line_is_400", "GET / HTTP/1.1\r\nHost: example.com\nX-A: b\r\n\r\n")
            .Responds(400).Closes()
            .Choice(BareLineFeedChoice)
            .KestrelDiffers("Kestrel accepts a bare LF as a line ending."),

        Case("Bare_LF_as_the_empty_line_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\n\n")
            .Responds(400).Closes()
            .Choice(BareLineFeedChoice)
            .KestrelDiffers("Kestrel accepts a bare LF as a line ending."),

        Case("Bare_LF_before_the_request_line_is_400", "\nGET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Choice(BareLineFeedChoice)
            .KestrelDiffers("Kestrel accepts a bare LF as a line ending, and ignores it before the request line."),

        Case("Bare_CR_in_the_request_line_is_400", "GET /a\rb HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §2.2: a recipient of a bare CR MUST consider the element invalid or replace the CR with SP.")
            .KestrelDiffers("Kestrel passes the CR to the handler inside the target (RawTarget \"/a\\rb\"), which RFC 9112 §2.2 forbids: it MUST treat the element as invalid or replace the CR with SP."),

        Case("Bare_CR_in_a_field_value_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: a\rb\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9112 §2.2 and RFC 9110 §5.5: a bare CR is invalid or replaced with SP; TinyHttp rejects rather than rewrite what the client sent."),

        Case("Bare_CR_ending_a_field_line_is_400", "GET / HTTP/1.1\r\nHost: example.com\rX-A: b\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §2.2: CR alone is not a line ending; the CR is inside the Host value, which is then invalid."),

        Case("NUL_in_the_request_line_is_400", "GET /a\0b HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §3.2: the request-target has no NUL; an invalid request-line gets 400 (RFC 9112 §3)."),

        Case("An_empty_line_before_the_request_line_is_ignored", "\r\nGET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(method: "GET", target: "/")
            .Because("RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF) received before the request-line."),

        Case("Several_empty_lines_before_the_request_line_are_ignored", "\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(method: "GET", target: "/")
            .Choice("RFC 9112 §2.2 asks to ignore at least one empty line; TinyHttp ignores any number, counted against MaxRequestLineLength."),

        Case("A_whitespace_line_before_the_request_line_is_400", " \r\nGET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §2.2: only empty lines may precede the request-line; \" \" is a malformed request-line."),

        Case("Whitespace_before_the_first_field_line_is_400", "GET / HTTP/1.1\r\n Host: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9112 §2.2: a recipient MUST either reject whitespace between the start-line and the first field, or ignore each such line; TinyHttp rejects."),

        Case("A_head_cut_off_by_the_client_gets_no_response", "GET / HTTP/1.1\r\nHost: example.com\r\n")
            .ThenHalfClose()
            .Choice("RFC 9112 §8: a server MAY answer an incomplete request before closing; TinyHttp closes without a response, since the client has gone.")
            .KestrelDiffers("Kestrel sometimes answers 400 before closing, sometimes just closes (it varies from run to run); both are allowed."),

        Case("A_complete_request_then_a_half_close_is_answered", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .ThenHalfClose().Responds(200).Saw(method: "GET", target: "/")
            .Because("RFC 9112 §9.6: a client that half-closes after its request still reads the response; the server answers, then closes.")
            .KestrelDiffers("Kestrel takes the client's FIN for an abort: whether the response still goes out varies from run to run."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);
}
