using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>
/// RFC 9112 §4 and RFC 9110 §15: the status line for every registered final status code, custom codes and reason
/// phrases, and the content rules of 204 and 304.
/// </summary>
[Trait("Section", "RFC 9110 §15")]
public sealed class Rfc9110_15_StatusCodes(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    public static readonly CaseSection Section = new(typeof(Rfc9110_15_StatusCodes), "RFC 9110 §15", "Status codes and the status line",
        EveryRegisteredCode().Concat(
    [
        Case("An_unregistered_code_has_an_empty_reason_phrase", "GET /status/299 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(299).WithStatusLine("HTTP/1.1 299 ").WithHeader("Content-Length", "0")
            .Because("RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]; the second SP stays when the phrase is empty."),

        Case("A_custom_code_with_a_custom_reason_phrase", "GET /status/299?reason=Custom%20Reason HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(299).WithStatusLine("HTTP/1.1 299 Custom Reason")
            .Because("RFC 9110 §15: a server may send any three-digit code; RFC 9112 §4: the reason phrase is free text for humans."),

        Case("A_custom_reason_phrase_for_a_registered_code", "GET /status/200?reason=Fine%20Thanks HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).WithStatusLine("HTTP/1.1 200 Fine Thanks")
            .Because("RFC 9112 §4: a client SHOULD ignore the reason-phrase, so a server may send its own."),

        Case("Code_999_is_sent_as_is", "GET /status/999 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(999).WithStatusLine("HTTP/1.1 999 ")
            .Because("RFC 9110 §15: status-code = 3DIGIT; a client treats an unknown code as the x00 of its class, or 500 for classes it does not know."),

        Case("A_204_leaves_out_a_body_the_handler_set", "GET /status/204?body=hello HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(204).WithoutHeader("Content-Length").WithoutHeader("Transfer-Encoding").WithBody("").StaysOpen()
            .Because("RFC 9110 §15.3.5: a 204 response cannot contain content; RFC 9110 §8.6: a server MUST NOT send Content-Length in a 204. The next request on the connection proves no stray bytes followed."),

        Case("A_204_leaves_out_a_declared_Content_Length", "GET /status/204?length=42 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(204).WithoutHeader("Content-Length").WithoutHeader("Transfer-Encoding").StaysOpen()
            .Because("RFC 9110 §8.6: a server MUST NOT send Content-Length in any 1xx or 204 response.")
            .KestrelDiffers("Kestrel refuses a Content-Length set on a 204 and fails the response with 500; TinyHttp leaves the field out."),

        Case("A_304_leaves_out_a_body_the_handler_set", "GET /status/304?body=hello HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(304).WithoutHeader("Transfer-Encoding").WithBody("").StaysOpen()
            .Because("RFC 9110 §15.4.5: a 304 response cannot contain content."),

        Case("A_304_keeps_a_declared_Content_Length", "GET /status/304?length=42 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(304).WithHeader("Content-Length", "42").WithBody("").StaysOpen()
            .Because("RFC 9110 §8.6: a server MAY send in a 304 the Content-Length a 200 would have had; no content follows it."),

        Case("A_205_leaves_out_a_body_the_handler_set", "GET /status/205?body=hello HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(205).WithHeader("Content-Length", "0").WithBody("").StaysOpen()
            .Because("RFC 9110 §15.3.6: a server MUST NOT generate content in a 205 response; as for 204 and 304, the server that owns framing leaves it out, and frames the empty content with Content-Length: 0."),
    ]).ToArray());

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);

    private static IEnumerable<ConformanceCase> EveryRegisteredCode()
    {
        foreach (int code in StatusPhrases.FinalCodes.Order())
        {
            ConformanceCase c = Case($"Status_{code}", $"GET /status/{code} HTTP/1.1\r\nHost: example.com\r\n\r\n").Responds(code).StaysOpen();
            yield return code switch
            {
                204 => c.WithoutHeader("Content-Length").WithoutHeader("Transfer-Encoding")
                    .Because("RFC 9110 §15.3.5: no content, and no Content-Length (RFC 9110 §8.6)."),
                304 => c.WithoutHeader("Content-Length").WithoutHeader("Transfer-Encoding")
                    .Because("RFC 9110 §15.4.5: no content; nothing declared, so no Content-Length."),
                _ => c.WithHeader("Content-Length", "0")
                    .Because($"RFC 9112 §4: \"HTTP/1.1 {code} {StatusPhrases.Of(code)}\"; an empty body is framed by Content-Length: 0."),
            };
        }
    }
}
