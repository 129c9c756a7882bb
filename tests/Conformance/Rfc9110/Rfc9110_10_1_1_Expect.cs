using System.Threading.Tasks;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>RFC 9110 §10.1.1 and §15.2.1: Expect: 100-continue, the 100 (Continue) interim response, and 417 for other expectations.</summary>
[Trait("Section", "RFC 9110 §10.1.1")]
public sealed class Rfc9110_10_1_1_Expect(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    private const string Head = "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n";

    public static readonly CaseSection Section = new(typeof(Rfc9110_10_1_1_Expect), "RFC 9110 §10.1.1", "Expect and 100 Continue",
    [
        Case("Interim_100_is_sent_before_the_body_is_read", Head + "Expect: 100-continue\r\n\r\n")
            .BodyAfterInterim("hello")
            .Responds(200).AfterInterim(100).Saw(body: "hello").Snapshot()
            .Because("RFC 9110 §10.1.1: a server that receives 100-continue in an HTTP/1.1 request sends 100 (Continue) before reading the content, unless it answers with a final status first. The client here waits for the 100."),

        Case("Interim_100_is_sent_even_if_the_body_came_with_the_head", Head + "Expect: 100-continue\r\n\r\nhello")
            .Responds(200).AfterInterim(100).Saw(body: "hello").Snapshot()
            .Choice("RFC 9110 §10.1.1 lets a server omit the 100 when it has already received content; TinyHttp sends it when the handler first reads, without checking what is buffered, which the client must accept either way.")
            .KestrelDiffers("Kestrel omits the 100 when the body has already arrived; RFC 9110 §10.1.1 allows either."),

        Case("The_100_continue_expectation_is_case_insensitive", Head + "Expect: 100-Continue\r\n\r\n")
            .BodyAfterInterim("hello")
            .Responds(200).AfterInterim(100).Saw(body: "hello")
            .Because("RFC 9110 §10.1.1: the Expect field value is case-insensitive."),

        Case("A_handler_that_ignores_the_body_gets_no_100_and_closes", "POST /ignore-body HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            .Responds(200).WithBody(ConformanceHandler.IgnoredBodyText).Closes()
            .Choice("RFC 9110 §10.1.1: a server that sends a final status without reading the content SHOULD say whether it closes or keeps reading; the client may or may not send the body now, so TinyHttp closes (with Connection: close) rather than guess where the next request starts.")
            .KestrelDiffers("Kestrel keeps the connection and still expects the 5 announced bytes (RFC 9110 §10.1.1 allows either choice), so the probe sent without them is read as the body."),

        Case("A_100_continue_request_without_content_gets_no_100", "GET / HTTP/1.1\r\nHost: example.com\r\nExpect: 100-continue\r\n\r\n")
            .Responds(200).Saw(method: "GET", body: "")
            .Because("RFC 9110 §10.1.1: a server MAY omit 100 (Continue) when there is no content to wait for."),

        Case("Expect_100_continue_in_HTTP_1_0_is_ignored", "POST / HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello")
            .Responds(200).Saw(version: "HTTP/1.0", body: "hello").Closes()
            .Because("RFC 9110 §10.1.1: a server that receives 100-continue in an HTTP/1.0 request MUST ignore that expectation."),

        Case("An_unknown_expectation_is_417", Head + "Expect: something-else\r\n\r\nhello")
            .Responds(417).Closes()
            .Choice("RFC 9110 §10.1.1: a server MAY answer an expectation other than 100-continue with 417; TinyHttp does, without calling the handler, and closes since the body was not read.")
            .KestrelDiffers("Kestrel ignores expectations it does not know; 417 is a MAY (RFC 9110 §10.1.1)."),

        Case("Expect_100_continue_with_another_expectation_is_417", Head + "Expect: 100-continue, something-else\r\n\r\nhello")
            .Responds(417).Closes()
            .Choice("RFC 9110 §10.1.1: any member other than 100-continue may be refused with 417.")
            .KestrelDiffers("Kestrel ignores expectations it does not know, and sends no 100 for a list; the body was sent anyway here."),

        Case("An_empty_Expect_is_ignored", Head + "Expect:\r\n\r\nhello")
            .Responds(200).Saw(body: "hello")
            .Because("RFC 9110 §10.1.1: Expect = #expectation; an empty list holds no member other than 100-continue, so there is nothing to refuse."),

        Case("Expect_100_continue_with_an_empty_list_element_is_100_continue", Head + "Expect: 100-continue,\r\n\r\n")
            .BodyAfterInterim("hello")
            .Responds(200).AfterInterim(100).Saw(body: "hello")
            .Because("RFC 9110 §5.6.1: a recipient MUST accept and ignore empty list elements; what is left is 100-continue.")
            .KestrelDiffers("Kestrel matches only the exact value \"100-continue\", so it sends no 100 and waits for the body while the client waits for the 100; TinyHttp reads the list and sends 100."),

        Case("Expect_100_continue_with_a_body_over_the_limit_is_413_without_100", Head.Replace("5", "11", System.StringComparison.Ordinal) + "Expect: 100-continue\r\n\r\n")
            .With(new CaseLimits { MaxRequestBodySize = 10 })
            .Responds(413).Closes()
            .Because("RFC 9110 §10.1.1: a server that can tell from the head that it will refuse the content answers with the final status instead of 100, so the client does not send the body in vain."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);
}
