using System.Threading.Tasks;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>RFC 9112 §5 and RFC 9110 §5: field line syntax — names, the colon, whitespace, folding and the bytes a value may hold.</summary>
[Trait("Section", "RFC 9112 §5")]
public sealed class Rfc9112_5_FieldSyntax(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    public static readonly CaseSection Section = new(typeof(Rfc9112_5_FieldSyntax), "RFC 9112 §5", "Field syntax",
    [
        Case("Whitespace_around_a_value_is_not_part_of_it", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A:   value with spaces \t \r\n\r\n")
            .Responds(200).SawHeader("X-A", "value with spaces")
            .Because("RFC 9112 §5.1: field-line = field-name \":\" OWS field-value OWS."),

        Case("No_space_after_the_colon_is_fine", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A:b\r\n\r\n")
            .Responds(200).SawHeader("X-A", "b")
            .Because("RFC 9112 §5.1: the whitespace after the colon is optional."),

        Case("A_tab_after_the_colon_is_fine", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A:\tb\r\n\r\n")
            .Responds(200).SawHeader("X-A", "b")
            .Because("RFC 9110 §5.6.3: OWS = *( SP / HTAB )."),

        Case("An_empty_value_is_accepted", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A:\r\n\r\n")
            .Responds(200).SawHeader("X-A", "")
            .Because("RFC 9110 §5.5: field-value = *field-content, which may be empty."),

        Case("Repeated_fields_are_kept_in_order", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\nX-A: 2\r\n\r\n")
            .Responds(200).SawHeader("X-A", "1", "2")
            .Because("RFC 9110 §5.3: the order of field lines with the same name is significant."),

        Case("Field_names_are_case_insensitive", "GET / HTTP/1.1\r\nHost: example.com\r\nx-a: 1\r\nX-A: 2\r\n\r\n")
            .Responds(200).SawHeader("X-A", "1", "2")
            .Because("RFC 9110 §5.1: field names are case-insensitive."),

        Case("A_tab_inside_a_value_is_kept", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: a\tb\r\n\r\n")
            .Responds(200).SawHeader("X-A", "a\tb")
            .Because("RFC 9110 §5.5: field-content may hold SP and HTAB between visible chars."),

        Case("A_colon_inside_a_value_is_kept", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: b:c\r\n\r\n")
            .Responds(200).SawHeader("X-A", "b:c")
            .Because("RFC 9112 §5.1: the first colon ends the name."),

        Case("A_quoted_string_value_is_passed_as_sent", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: \"a, b\"\r\n\r\n")
            .Responds(200).SawHeader("X-A", "\"a, b\"")
            .Because("RFC 9110 §5.6.4: quoting is part of the value; the server does not parse it."),

        Case("Obs_text_in_a_value_reaches_the_handler_byte_for_char", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: caf\u00C3\u00A9\r\n\r\n")
            .Responds(200).SawHeader("X-A", "caf\u00C3\u00A9")
            .Choice("RFC 9110 §5.5 allows obs-text (0x80-0xFF) in values but gives it no charset; TinyHttp decodes each byte as one char (ISO-8859-1), so no byte is lost or replaced and the handler may re-decode as UTF-8."),

        Case("Whitespace_before_the_colon_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A : b\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §5.1: a server MUST reject a request with whitespace between a field name and the colon with 400."),

        Case("A_tab_before_the_colon_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A\t: b\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §5.1: no whitespace between name and colon."),

        Case("An_empty_field_name_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\n: b\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9110 §5.1: field-name = token, at least one char."),

        Case("A_field_line_without_a_colon_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A b\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §5.1: a field line has a colon."),

        Case("A_field_name_with_a_delimiter_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\nX(A): b\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9110 §5.6.2: \"(\" and \")\" are delimiters, not tchars.")
            .KestrelDiffers("Kestrel accepts a field name that is not a token."),

        Case("A_field_name_with_an_at_sign_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\nX@A: b\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9110 §5.6.2: \"@\" is a delimiter.")
            .KestrelDiffers("Kestrel accepts a field name that is not a token."),

        Case("A_field_name_with_a_non_ASCII_byte_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\nX-\u00C3\u00A9: b\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9110 §5.6.2: a token is ASCII."),

        Case("Obs_fold_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: b\r\n c\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9112 §5.2: a server MUST either reject obs-fold with 400 or replace it with SP; TinyHttp rejects, as nothing legitimate has sent it for decades."),

        Case("Obs_fold_with_a_tab_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: b\r\n\tc\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9112 §5.2, as for a space."),

        Case("NUL_in_a_value_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: a\0b\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9110 §5.5: a recipient of CR, LF or NUL in a value MUST reject the message or replace them with SP; TinyHttp rejects."),

        Case("A_control_char_in_a_value_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: a\u0001b\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9110 §5.5: field-vchar excludes CTLs; the RFC obliges rejection only for CR, LF and NUL, TinyHttp rejects every CTL but HTAB.")
            .KestrelDiffers("Kestrel rejects only NUL, CR and LF in values (what RFC 9110 §5.5 obliges) and passes other CTLs on."),

        Case("DEL_in_a_value_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: a\u007Fb\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9110 §5.5: DEL is not a field-vchar; TinyHttp treats it as the CTL it is.")
            .KestrelDiffers("Kestrel passes DEL on in a field value."),

        Case("An_escape_char_in_a_value_is_400", "GET / HTTP/1.1\r\nHost: example.com\r\nX-A: \u001B[31mred\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9110 §5.5: ESC is a CTL; a value that could drive a terminal is refused.")
            .KestrelDiffers("Kestrel passes ESC on in a field value."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);
}
