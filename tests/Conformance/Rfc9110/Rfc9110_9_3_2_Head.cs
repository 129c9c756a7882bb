using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>RFC 9110 §9.3.2: HEAD — the head a GET would get, and no content.</summary>
[Trait("Section", "RFC 9110 §9.3.2")]
public sealed class Rfc9110_9_3_2_Head(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    public static readonly CaseSection Section = new(typeof(Rfc9110_9_3_2_Head), "RFC 9110 §9.3.2", "HEAD",
    [
        Case("GET_of_a_known_length_body", "GET /status/200?body=hello HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).WithHeader("Content-Length", "5").WithBody("hello")
            .Because("The GET that the HEAD cases below mirror."),

        Case("HEAD_announces_the_length_and_sends_no_body", "HEAD /status/200?body=hello HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).WithHeader("Content-Length", "5").WithBody("").StaysOpen()
            .Because("RFC 9110 §9.3.2: the server SHOULD send the fields it would send for GET, and MUST NOT send content; RFC 9110 §8.6 lets Content-Length say what GET would send."),

        Case("HEAD_of_a_streamed_body_says_chunked_and_sends_nothing", "HEAD /stream HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).WithHeader("Transfer-Encoding", "chunked").FramedBy(BodyFraming.Chunked).WithBody("").StaysOpen()
            .Choice("RFC 9112 §6.1: a server MAY send Transfer-Encoding in a HEAD response (purely informative); TinyHttp sends the head the GET would get, and not even the last chunk."),

        Case("HEAD_in_HTTP_1_0", "HEAD /status/200?body=hello HTTP/1.0\r\n\r\n")
            .Responds(200).WithHeader("Content-Length", "5").WithBody("").Closes(),

        Case("HEAD_of_the_echo_has_no_body", "HEAD /echo HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).WithHeader("Content-Type", "text/plain; charset=utf-8").WithBody("").StaysOpen()
            .Because("RFC 9110 §9.3.2: whatever the handler writes for HEAD is left out."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);
}
