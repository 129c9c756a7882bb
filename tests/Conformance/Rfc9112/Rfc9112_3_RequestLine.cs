using System.Threading.Tasks;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>RFC 9112 §3 and RFC 9110 §9.1: the request line's method token and the single spaces between its parts.</summary>
[Trait("Section", "RFC 9112 §3")]
public sealed class Rfc9112_3_RequestLine(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    private const string SingleSpaceChoice =
        "RFC 9112 §3 lets a recipient split the request-line on any whitespace; TinyHttp requires exactly one SP between the "
        + "parts, so it never reads a target or version that another parser would have read differently.";

    public static readonly CaseSection Section = new(typeof(Rfc9112_3_RequestLine), "RFC 9112 §3", "Request line: method and spacing",
    [
        Case("GET_is_accepted", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(method: "GET", target: "/", version: "HTTP/1.1", body: ""),

        Case("POST_with_a_body_is_accepted", "POST /submit HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello")
            .Responds(200).Saw(method: "POST", target: "/submit", body: "hello"),

        Case("PUT_is_accepted", "PUT /item HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabc")
            .Responds(200).Saw(method: "PUT", body: "abc"),

        Case("DELETE_is_accepted", "DELETE /item HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(method: "DELETE"),

        Case("PATCH_is_accepted", "PATCH /item HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\n\r\n{}")
            .Responds(200).Saw(method: "PATCH", body: "{}"),

        Case("OPTIONS_with_a_path_is_accepted", "OPTIONS /item HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(method: "OPTIONS", target: "/item"),

        Case("TRACE_is_passed_to_the_handler", "TRACE / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(method: "TRACE")
            .Choice("RFC 9110 §9.3.8: TRACE is optional; TinyHttp leaves every method to the handler."),

        Case("An_extension_method_is_passed_to_the_handler", "PURGE /cache HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(method: "PURGE")
            .Choice("RFC 9110 §9.1: an origin server SHOULD answer 501 to a method it does not recognise; the handler is what recognises methods, so TinyHttp passes every token through."),

        Case("A_method_may_use_every_tchar", "!#$%&'*+-.^_`|~09azAZ / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(method: "!#$%&'*+-.^_`|~09azAZ")
            .Because("RFC 9110 §9.1: method = token; RFC 9110 §5.6.2 lists the tchar set."),

        Case("A_lower_case_method_is_a_different_method", "get / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(method: "get")
            .Because("RFC 9110 §9.1: the method token is case-sensitive; \"get\" is not GET and is passed as sent."),

        Case("A_method_with_a_non_token_char_is_400", "GE(T / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9110 §9.1: method = token, and \"(\" is a delimiter."),

        Case("A_method_with_a_non_ASCII_byte_is_400", "G\u00C9T / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9110 §5.6.2: a token is ASCII only."),

        Case("A_method_with_a_slash_is_400", "GET/ / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9110 §5.6.2: \"/\" is a delimiter, not a tchar."),

        Case("Two_spaces_after_the_method_is_400", "GET  / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Choice(SingleSpaceChoice),

        Case("Two_spaces_before_the_version_is_400", "GET /  HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Choice(SingleSpaceChoice)
            .KestrelDiffers("Kestrel skips the extra space (RFC 9112 §3 allows parsing on whitespace boundaries); TinyHttp requires single SPs."),

        Case("A_space_before_the_method_is_400", " GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Choice(SingleSpaceChoice),

        Case("A_space_after_the_version_is_400", "GET / HTTP/1.1 \r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Choice(SingleSpaceChoice),

        Case("Tabs_as_separators_are_400", "GET\t/\tHTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Choice(SingleSpaceChoice),

        Case("A_tab_after_the_method_is_400", "GET\t/ HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Choice(SingleSpaceChoice),

        Case("A_vertical_tab_as_separator_is_400", "GET\u000B/ HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §3: only SP (or, leniently, whitespace) separates the parts; VT is neither."),

        Case("A_request_line_of_one_word_is_400", "GET\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §3: request-line = method SP request-target SP HTTP-version."),

        Case("A_request_line_without_a_target_is_400", "GET HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §3: the request-target is required."),

        Case("A_request_line_with_four_parts_is_400", "GET / HTTP/1.1 extra\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §3: nothing follows the HTTP-version but CRLF."),

        Case("An_empty_method_is_400", " / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9110 §9.1: a method is a token, which has at least one char."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);
}
