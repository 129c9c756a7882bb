using System.Threading.Tasks;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>RFC 9112 §6.2–§6.3 and RFC 9110 §8.6: a body framed by Content-Length — the number's syntax, lists and duplicates, and where the body ends.</summary>
[Trait("Section", "RFC 9112 §6.2")]
public sealed class Rfc9112_6_2_ContentLength(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    private const string Digits = "RFC 9110 §8.6: Content-Length = 1*DIGIT; RFC 9112 §6.3: an invalid Content-Length is an unrecoverable error, 400 and close.";

    private const string ListChoice =
        "RFC 9110 §8.6 lets a recipient accept a list (or repeated lines) of identical values as one, or reject it; TinyHttp rejects, "
        + "since a peer that takes the first or the last of them would frame the message differently.";

    public static readonly CaseSection Section = new(typeof(Rfc9112_6_2_ContentLength), "RFC 9112 §6.2", "Content-Length",
    [
        Case("A_Content_Length_body_is_read", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello")
            .Responds(200).Saw(body: "hello")
            .Because("RFC 9112 §6.3: with Content-Length and no Transfer-Encoding, the body is that many octets."),

        Case("Content_Length_zero_is_an_empty_body", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n")
            .Responds(200).Saw(body: ""),

        Case("Leading_zeros_are_accepted", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 005\r\n\r\nhello")
            .Responds(200).Saw(body: "hello")
            .Because("RFC 9110 §8.6: 1*DIGIT allows leading zeros; the value is still 5."),

        Case("Whitespace_around_the_number_is_not_part_of_it", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length:  5 \r\n\r\nhello")
            .Responds(200).Saw(body: "hello")
            .Because("RFC 9112 §5.1: OWS around a field value is not part of it."),

        Case("A_body_on_GET_is_read", "GET / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabc")
            .Responds(200).Saw(method: "GET", body: "abc")
            .Because("RFC 9110 §9.3.1: content in a GET has no defined meaning, but its framing must still be honoured."),

        Case("Content_Length_in_HTTP_1_0", "POST / HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello")
            .Responds(200).Saw(version: "HTTP/1.0", body: "hello").Closes(),

        Case("Bytes_after_the_body_are_the_next_request", "POST /first HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhelloGET /second HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(target: "/first", body: "hello")
            .Responds(200).Saw(target: "/second", body: "")
            .Because("RFC 9112 §6.3: the message ends after Content-Length octets; what follows is the next message."),

        Case("An_unread_body_is_skipped_before_the_next_request", "POST /ignore-body HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhelloGET /second HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).WithBody(ConformanceHandler.IgnoredBodyText)
            .Responds(200).Saw(target: "/second")
            .Because("RFC 9112 §9.3: to keep a connection the server reads (and discards) a body the handler left unread, or the rest would be taken for the next request."),

        Case("A_plus_sign_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: +5\r\n\r\nhello")
            .Responds(400).Closes().Because(Digits)
            .KestrelDiffers("Kestrel reads \"+5\" as 5 (and shows the handler Content-Length: 5): a framing disagreement with any strict peer, since RFC 9110 §8.6 allows digits only."),

        Case("A_minus_sign_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: -5\r\n\r\nhello")
            .Responds(400).Closes().Because(Digits),

        Case("Minus_zero_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: -0\r\n\r\n")
            .Responds(400).Closes().Because(Digits)
            .KestrelDiffers("Kestrel reads \"-0\" as 0."),

        Case("A_hex_number_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0x5\r\n\r\nhello")
            .Responds(400).Closes().Because(Digits),

        Case("A_decimal_point_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5.0\r\n\r\nhello")
            .Responds(400).Closes().Because(Digits),

        Case("An_empty_value_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length:\r\n\r\n")
            .Responds(400).Closes().Because(Digits),

        Case("Whitespace_inside_the_number_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5 5\r\n\r\nhello")
            .Responds(400).Closes().Because(Digits),

        Case("A_number_that_overflows_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 99999999999999999999\r\n\r\nhello")
            .Responds(400).Closes()
            .Because("RFC 9110 §8.6: a recipient MUST anticipate large numerals and prevent parsing errors due to integer overflow."),

        Case("The_largest_63_bit_length_parses_and_is_413", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 9223372036854775807\r\n\r\nhello")
            .Responds(413).Closes()
            .Because("RFC 9110 §15.5.14: the number is valid, but far over the 30,000,000-byte default limit; 413 before reading."),

        Case("A_list_of_equal_values_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5, 5\r\n\r\nhello")
            .Responds(400).Closes().Choice(ListChoice),

        Case("A_list_of_different_values_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5, 6\r\n\r\nhello")
            .Responds(400).Closes()
            .Because("RFC 9112 §6.3: differing Content-Length values are an unrecoverable error."),

        Case("Two_equal_Content_Length_fields_are_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello")
            .Responds(400).Closes().Choice(ListChoice),

        Case("Two_different_Content_Length_fields_are_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello")
            .Responds(400).Closes()
            .Because("RFC 9112 §6.3: differing Content-Length values are an unrecoverable error."),

        Case("A_lone_comma_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: ,\r\n\r\n")
            .Responds(400).Closes().Because(Digits),

        Case("A_body_cut_short_by_the_client_is_400", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\n\r\nhello")
            .ThenHalfClose().Responds(400)
            .Choice("RFC 9112 §8: the message is incomplete; a server MAY answer before closing. TinyHttp answers 400 (the client may still read), then closes.")
            .KestrelDiffers("Kestrel closes (sometimes with a reset) without a response; TinyHttp answers 400 first. Both are allowed (RFC 9112 §8)."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);
}
