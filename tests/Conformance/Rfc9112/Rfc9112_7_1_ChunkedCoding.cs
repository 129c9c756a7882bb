using System.Threading.Tasks;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>RFC 9112 §7.1: chunked coding — chunk sizes, extensions, the last chunk and the trailer section.</summary>
[Trait("Section", "RFC 9112 §7.1")]
public sealed class Rfc9112_7_1_ChunkedCoding(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    private const string Head = "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n";

    private const string ChunkGrammar = "RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF, chunk-size = 1*HEXDIG.";

    public static readonly CaseSection Section = new(typeof(Rfc9112_7_1_ChunkedCoding), "RFC 9112 §7.1", "Chunked transfer coding",
    [
        Case("Several_chunks_make_one_body", Head + "3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n")
            .Responds(200).Saw(body: "hello"),

        Case("A_lower_case_hex_size", Head + "a\r\n0123456789\r\n0\r\n\r\n")
            .Responds(200).Saw(body: "0123456789")
            .Because("RFC 9110 §5.6.1 / RFC 5234: HEXDIG is case-insensitive in HTTP."),

        Case("An_upper_case_hex_size", Head + "A\r\n0123456789\r\n0\r\n\r\n")
            .Responds(200).Saw(body: "0123456789"),

        Case("Leading_zeros_in_a_size", Head + "0005\r\nhello\r\n0\r\n\r\n")
            .Responds(200).Saw(body: "hello")
            .Because("RFC 9112 §7.1: chunk-size = 1*HEXDIG allows leading zeros."),

        Case("Leading_zeros_in_the_last_chunk", Head + "5\r\nhello\r\n000\r\n\r\n")
            .Responds(200).Saw(body: "hello")
            .Because("RFC 9112 §7.1: last-chunk = 1*(\"0\") [ chunk-ext ] CRLF."),

        Case("A_chunk_extension_is_ignored", Head + "5;name=value\r\nhello\r\n0\r\n\r\n")
            .Responds(200).Saw(body: "hello")
            .Because("RFC 9112 §7.1.1: a recipient MUST ignore chunk extensions it does not understand."),

        Case("A_quoted_chunk_extension_is_ignored", Head + "5;name=\"quoted value\"\r\nhello\r\n0\r\n\r\n")
            .Responds(200).Saw(body: "hello")
            .Because("RFC 9112 §7.1.1: chunk-ext-val = token / quoted-string."),

        Case("A_chunk_extension_without_a_value", Head + "5;flag\r\nhello\r\n0\r\n\r\n")
            .Responds(200).Saw(body: "hello"),

        Case("Whitespace_before_a_chunk_extension", Head + "5 ;name=value\r\nhello\r\n0\r\n\r\n")
            .Responds(200).Saw(body: "hello")
            .Because("RFC 9112 §7.1.1: chunk-ext = *( BWS \";\" BWS chunk-ext-name [ BWS \"=\" BWS chunk-ext-val ] ).")
            .KestrelDiffers("Kestrel refuses whitespace between the chunk size and \";\", which RFC 9112 §7.1.1 allows (BWS)."),

        Case("An_extension_on_the_last_chunk", Head + "5\r\nhello\r\n0;done\r\n\r\n")
            .Responds(200).Saw(body: "hello"),

        Case("A_trailer_field_is_accepted", Head + "5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n")
            .Responds(200).Saw(body: "hello")
            .Choice("RFC 9112 §7.1.2 / RFC 9110 §6.5: a recipient may discard trailer fields; TinyHttp checks their syntax and discards them."),

        Case("Several_trailer_fields_are_accepted", Head + "5\r\nhello\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n")
            .Responds(200).Saw(body: "hello"),

        Case("A_chunked_request_sent_byte_by_byte", Head + "3\r\nhel\r\n2\r\nlo\r\n0\r\nX-A: 1\r\n\r\n")
            .SentByteByByte().Responds(200).Saw(body: "hello")
            .Because("RFC 9112 §7.1: framing does not depend on how the bytes are split into segments."),

        Case("A_size_that_overflows_is_400", Head + "FFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §7.1: recipients MUST anticipate large hexadecimal numerals and prevent overflow errors.")
            .KestrelDiffers("Kestrel's body read throws an IOException (\"Bad chunk size data\") rather than a 400 rejection, so the handler fails and Kestrel answers 500."),

        Case("A_non_hex_size_is_400", Head + "G\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes().Because(ChunkGrammar),

        Case("A_negative_size_is_400", Head + "-5\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes().Because(ChunkGrammar),

        Case("A_size_with_a_plus_sign_is_400", Head + "+5\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes().Because(ChunkGrammar),

        Case("A_0x_prefixed_size_is_400", Head + "0x5\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes().Because(ChunkGrammar),

        Case("An_empty_size_line_is_400", Head + "\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes().Because(ChunkGrammar),

        Case("Whitespace_after_a_size_without_an_extension_is_400", Head + "5 \r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §7.1.1: BWS is allowed only before \";\"; \"5 \" followed by CRLF matches no rule."),

        Case("A_control_char_in_an_extension_is_400", Head + "5;a\u0001b\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §7.1.1: chunk-ext is tokens and quoted-strings; CTLs are not allowed.")
            .KestrelDiffers("Kestrel skips chunk extensions without checking them."),

        Case("A_bare_LF_after_a_size_is_400", Head + "5\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9112 §2.2 allows a recipient to accept bare LF; TinyHttp is strict in chunk framing as in the head."),

        Case("A_bare_LF_after_chunk_data_is_400", Head + "5\r\nhello\n0\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9112 §2.2, as for the size line."),

        Case("Chunk_data_longer_than_its_size_is_400", Head + "3\r\nhello\r\n0\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §7.1: the CRLF after chunk-data is required; \"lo\" is where it should be."),

        Case("Chunk_data_without_its_CRLF_is_400", Head + "5\r\nhelloX0\r\n\r\n")
            .Responds(400).Closes().Because(ChunkGrammar),

        Case("A_body_cut_off_before_the_last_chunk_is_400", Head + "5\r\nhello\r\n")
            .ThenHalfClose().Responds(400)
            .Choice("RFC 9112 §8: the message is incomplete; TinyHttp answers 400 (the client may still read), then closes.")
            .KestrelDiffers("Kestrel closes (sometimes with a reset) without a response; TinyHttp answers 400 first. Both are allowed (RFC 9112 §8)."),

        Case("A_body_cut_off_before_the_final_CRLF_is_400", Head + "5\r\nhello\r\n0\r\n")
            .ThenHalfClose().Responds(400)
            .Choice("RFC 9112 §7.1: the trailer section ends with CRLF; without it the message is incomplete (RFC 9112 §8).")
            .KestrelDiffers("Kestrel closes (sometimes with a reset) without a response; TinyHttp answers 400 first."),

        Case("A_trailer_field_without_a_colon_is_400", Head + "5\r\nhello\r\n0\r\nX-Checksum abc\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §7.1.2: trailer-section = *( field-line CRLF ); a field line has a colon."),

        Case("A_trailer_field_with_space_before_the_colon_is_400", Head + "5\r\nhello\r\n0\r\nX-A : 1\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §5.1 applies to trailer fields too."),

        Case("Obs_fold_in_a_trailer_is_400", Head + "5\r\nhello\r\n0\r\nX-A: 1\r\n 2\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9112 §5.2: obs-fold is rejected in trailers as in the head."),

        Case("A_bare_LF_ending_a_trailer_is_400", Head + "5\r\nhello\r\n0\r\nX-A: 1\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9112 §2.2: TinyHttp accepts only CRLF.")
            .KestrelDiffers("Kestrel accepts a bare LF in the trailer section, as in the head."),

        Case("NUL_in_a_trailer_value_is_400", Head + "5\r\nhello\r\n0\r\nX-A: a\0b\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9110 §5.5: NUL in a field value MUST be rejected or replaced.")
            .KestrelDiffers("Kestrel's body read throws an InvalidOperationException for the NUL rather than a 400 rejection, so Kestrel answers 500."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);
}
