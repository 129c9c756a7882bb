using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>RFC 9112 §9: persistence (HTTP/1.1 and HTTP/1.0, Connection: close and keep-alive) and pipelining.</summary>
[Trait("Section", "RFC 9112 §9")]
public sealed class Rfc9112_9_ConnectionManagement(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    private const string Get = "GET {0} HTTP/1.1\r\nHost: example.com\r\n\r\n";

    public static readonly CaseSection Section = new(typeof(Rfc9112_9_ConnectionManagement), "RFC 9112 §9", "Connection management and pipelining",
    [
        // Persistence (§9.3)
        Case("HTTP_1_1_persists_by_default", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(version: "HTTP/1.1").WithoutHeader("Connection").StaysOpen()
            .Because("RFC 9112 §9.3: HTTP/1.1 connections persist unless \"close\" is sent; TinyHttp sends no Connection field when nothing needs saying."),

        Case("HTTP_1_1_Connection_close_closes", "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")
            .Responds(200).Saw(version: "HTTP/1.1").WithHeader("Connection", "close").Closes().Snapshot()
            .Because("RFC 9112 §9.6: a server that receives \"close\" MUST close after the response, and SHOULD send \"close\" in it."),

        Case("The_close_option_is_case_insensitive", "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: CLOSE\r\n\r\n")
            .Responds(200).Saw(method: "GET").Closes()
            .Because("RFC 9110 §7.6.1: connection options are case-insensitive."),

        Case("Close_among_other_options_closes", "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, close\r\n\r\n")
            .Responds(200).Saw(method: "GET").Closes()
            .Because("RFC 9110 §7.6.1: Connection is a list; \"close\" anywhere in it counts."),

        Case("Close_in_a_second_Connection_line_closes", "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n")
            .Responds(200).Saw(method: "GET").Closes()
            .Because("RFC 9110 §5.3: repeated lines form one list."),

        Case("An_unknown_connection_option_keeps_the_connection", "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: X-Custom\r\nX-Custom: 1\r\n\r\n")
            .Responds(200).Saw(method: "GET").StaysOpen()
            .Because("RFC 9110 §7.6.1: other options name hop-by-hop fields; they do not end the connection."),

        Case("An_upgrade_offer_is_ignored", "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n")
            .Responds(200).Saw(method: "GET").WithoutHeader("Upgrade").StaysOpen()
            .Because("RFC 9110 §7.8: a server MAY ignore Upgrade; it then answers in HTTP/1.1 on the same connection."),

        Case("HTTP_1_0_closes_by_default", "GET / HTTP/1.0\r\n\r\n")
            .Responds(200).Saw(version: "HTTP/1.0").WithHeader("Connection", "close").Closes()
            .Because("RFC 9112 §9.3: an HTTP/1.0 connection persists only with \"keep-alive\"; TinyHttp says close explicitly."),

        Case("HTTP_1_0_keep_alive_persists", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            .Responds(200).Saw(version: "HTTP/1.0").WithHeader("Connection", "keep-alive").StaysOpen().Snapshot()
            .Because("RFC 9112 §9.3 and Appendix C.2.2: an HTTP/1.0 client that sends keep-alive gets a persistent connection if the response says keep-alive."),

        Case("HTTP_1_0_keep_alive_is_case_insensitive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
            .Responds(200).Saw(version: "HTTP/1.0").WithHeader("Connection", "keep-alive").StaysOpen(),

        Case("HTTP_1_0_keep_alive_and_close_closes", "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n")
            .Responds(200).Saw(version: "HTTP/1.0").Closes()
            .Because("RFC 9112 §9.6: close wins."),

        Case("HTTP_1_0_keep_alive_then_a_request_without_it", "GET /first HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /second HTTP/1.0\r\n\r\n")
            .Responds(200).Saw(target: "/first").WithHeader("Connection", "keep-alive")
            .Responds(200).Saw(target: "/second").WithHeader("Connection", "close")
            .Closes()
            .Because("RFC 9112 §9.3: persistence is decided request by request."),

        // Framing of a body whose length is not known up front (§6.1, §6.3 rule 8)
        Case("A_streamed_response_to_HTTP_1_1_is_chunked", "GET /stream HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).FramedBy(BodyFraming.Chunked).WithHeader("Transfer-Encoding", "chunked").WithoutHeader("Content-Length")
            .WithBody("chunk-1\nchunk-2\nchunk-3\n").StaysOpen()
            .Because("RFC 9112 §6.1: a body of unknown length is sent chunked to an HTTP/1.1 client, and the connection persists."),

        Case("A_streamed_response_to_HTTP_1_0_is_close_delimited", "GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            .Responds(200).FramedBy(BodyFraming.CloseDelimited).WithoutHeader("Transfer-Encoding").WithoutHeader("Content-Length")
            .WithBody("chunk-1\nchunk-2\nchunk-3\n").Closes()
            .Because("RFC 9112 §6.1: chunked MUST NOT be sent to an HTTP/1.0 client; without a length the body ends when the connection closes (RFC 9112 §6.3), whatever keep-alive asked."),

        // Pipelining (§9.3.2)
        Case("Three_pipelined_requests_in_one_write", string.Format(null, Get, "/1") + string.Format(null, Get, "/2") + string.Format(null, Get, "/3"))
            .Responds(200).Saw(target: "/1")
            .Responds(200).Saw(target: "/2")
            .Responds(200).Saw(target: "/3")
            .Because("RFC 9112 §9.3.2: a server MAY process pipelined requests in parallel but MUST send the responses in the order of the requests."),

        Case("Pipelined_requests_with_bodies", "POST /1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabcPOST /2 HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ndef\r\n0\r\n\r\nGET /3 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(target: "/1", body: "abc")
            .Responds(200).Saw(target: "/2", body: "def")
            .Responds(200).Saw(target: "/3", body: ""),

        Case("A_request_sent_byte_by_byte", "GET /slow?x=1 HTTP/1.1\r\nHost: example.com\r\nX-A: b\r\n\r\n")
            .SentByteByByte().Responds(200).Saw(target: "/slow?x=1", query: "x=1").SawHeader("X-A", "b")
            .Because("RFC 9112 §2: a message's meaning does not depend on how it is split in transit."),

        Case("Pipelined_requests_sent_byte_by_byte", "POST /1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabc" + "GET /2 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .SentByteByByte()
            .Responds(200).Saw(target: "/1", body: "abc")
            .Responds(200).Saw(target: "/2"),

        Case("Requests_after_Connection_close_are_not_answered", "GET /1 HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n" + string.Format(null, Get, "/2"))
            .Responds(200).Saw(target: "/1").Closes()
            .Because("RFC 9112 §9.6: a server that receives \"close\" MUST NOT process further requests on that connection."),

        Case("A_bad_request_ends_the_pipeline", string.Format(null, Get, "/1") + "GET /2 HTTP/1.1\r\n\r\n" + string.Format(null, Get, "/3"))
            .Responds(200).Saw(target: "/1")
            .Responds(400)
            .Closes()
            .Because("RFC 9112 §9.3.2: responses keep request order; after a 400 for a malformed request the framing of what follows is unknown, so the server closes."),

        Case("HEAD_in_a_pipeline_has_no_body", "HEAD /status/200?body=hello HTTP/1.1\r\nHost: example.com\r\n\r\nGET /second HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).WithHeader("Content-Length", "5")
            .Responds(200).Saw(target: "/second").WithoutSnapshot()
            .Because("RFC 9110 §9.3.2: a HEAD response has no content; had the server sent the 5 bytes, the second response would start with them."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);
}
