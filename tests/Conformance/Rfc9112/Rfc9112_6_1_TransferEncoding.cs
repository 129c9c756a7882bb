using System.Threading.Tasks;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>RFC 9112 §6.1 and §6.3: Transfer-Encoding — chunked last and once, unknown codings, and Transfer-Encoding with Content-Length.</summary>
[Trait("Section", "RFC 9112 §6.1")]
public sealed class Rfc9112_6_1_TransferEncoding(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    private const string ChunkedLast =
        "RFC 9112 §6.3: if chunked is not the final coding of a request, its length cannot be determined; the server MUST respond 400 and close.";

    private const string UnknownCoding =
        "RFC 9112 §6.1: a server that receives a transfer coding it does not understand SHOULD respond 501; TinyHttp decodes only chunked.";

    public static readonly CaseSection Section = new(typeof(Rfc9112_6_1_TransferEncoding), "RFC 9112 §6.1", "Transfer-Encoding",
    [
        Case("A_chunked_body_is_decoded", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(200).Saw(body: "hello")
            .Because("RFC 9112 §6.3: with chunked as the final coding, the body ends at the last chunk."),

        Case("The_coding_name_is_case_insensitive", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: ChUnKeD\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(200).Saw(body: "hello")
            .Because("RFC 9112 §7: transfer-coding names are case-insensitive."),

        Case("Empty_list_elements_are_ignored", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: , chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(200).Saw(body: "hello")
            .Because("RFC 9110 §5.6.1: a recipient MUST accept and ignore empty list elements."),

        Case("A_chunked_body_on_GET_is_read", "GET / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
            .Responds(200).Saw(method: "GET", body: "abc"),

        Case("A_request_after_a_chunked_body_is_read_next", "POST /first HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /second HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(target: "/first", body: "hello")
            .Responds(200).Saw(target: "/second", body: ""),

        Case("An_unread_chunked_body_is_skipped_before_the_next_request", "POST /ignore-body HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /second HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).WithBody(ConformanceHandler.IgnoredBodyText)
            .Responds(200).Saw(target: "/second")
            .Because("RFC 9112 §9.3: the unread body is read and discarded so the next request is found where it starts."),

        Case("Chunked_in_HTTP_1_0_is_400", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding MUST be treated as if its framing is faulty, and the connection closed after processing it. TinyHttp does not process it at all: HTTP/1.0 has no chunked coding, so a peer may frame the body differently.")
            .KestrelDiffers("Kestrel decodes the chunked body and closes after the response (RFC 9112 §6.1: treat the framing as faulty and close after processing); TinyHttp refuses to process it."),

        Case("Chunked_with_Content_Length_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9112 §6.3: a server MAY reject a request with both Transfer-Encoding and Content-Length, or process it by Transfer-Encoding alone, and MUST close the connection either way. It is the classic request-smuggling signal, so TinyHttp rejects.")
            .KestrelDiffers("Kestrel takes the other option RFC 9112 §6.3 allows: it frames by Transfer-Encoding alone (renaming the field to X-Content-Length), answers, and closes."),

        Case("Content_Length_before_chunked_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9112 §6.3, whichever field comes first.")
            .KestrelDiffers("Kestrel frames by Transfer-Encoding alone, answers, and closes (RFC 9112 §6.3's other option)."),

        Case("Chunked_with_Content_Length_zero_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9112 §6.3: a zero Content-Length beside Transfer-Encoding is as ambiguous as any other.")
            .KestrelDiffers("Kestrel frames by Transfer-Encoding alone, answers, and closes (RFC 9112 §6.3's other option)."),

        Case("Chunked_not_last_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes().Because(ChunkedLast),

        Case("An_unknown_coding_alone_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: gzip\r\n\r\nhello")
            .Responds(400).Closes().Because(ChunkedLast),

        Case("A_coding_that_only_looks_like_chunked_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes().Because(ChunkedLast),

        Case("Gzip_before_chunked_is_501", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(501).Closes().Because(UnknownCoding)
            .KestrelDiffers("Kestrel removes only the chunked coding and hands the still-gzip-coded body to the handler; RFC 9112 §6.1 says SHOULD 501."),

        Case("A_made_up_coding_before_chunked_is_501", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: foo, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(501).Closes().Because(UnknownCoding)
            .KestrelDiffers("Kestrel ignores codings other than the final chunked and hands the body to the handler; RFC 9112 §6.1 says SHOULD 501."),

        Case("Codings_on_two_lines_combine", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(501).Closes()
            .Because("RFC 9110 §5.3: repeated field lines combine into one list, here \"gzip, chunked\". " + UnknownCoding)
            .KestrelDiffers("Kestrel ignores the gzip coding (see Gzip before chunked)."),

        Case("Chunked_twice_in_one_field_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §7: a sender MUST NOT apply chunked more than once; the framing is then ambiguous.")
            .KestrelDiffers("Kestrel decodes chunked once and accepts the body."),

        Case("Chunked_on_two_lines_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §7, with the lines combined (RFC 9110 §5.3).")
            .KestrelDiffers("Kestrel decodes chunked once and accepts the body."),

        Case("An_empty_Transfer_Encoding_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding:\r\n\r\n")
            .Responds(400).Closes().Because(ChunkedLast),

        Case("A_coding_with_a_space_inside_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chun ked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §7: a transfer-coding is a token."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);
}
