using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>RFC 9112 §3.2: the four forms of request-target — origin, absolute, authority (CONNECT) and asterisk (OPTIONS).</summary>
[Trait("Section", "RFC 9112 §3.2")]
public sealed class Rfc9112_3_2_RequestTarget(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    public static readonly CaseSection Section = new(typeof(Rfc9112_3_2_RequestTarget), "RFC 9112 §3.2", "Request target: the four forms",
    [
        // Origin form (§3.2.1)
        Case("Origin_form_splits_path_and_query", "GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(target: "/a/b?x=1&y=2", path: "/a/b", query: "x=1&y=2")
            .Because("RFC 9112 §3.2.1: origin-form = absolute-path [ \"?\" query ]."),

        Case("Origin_form_path_stays_percent_encoded", "GET /a%20b%2Fc HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(target: "/a%20b%2Fc", path: "/a%20b%2Fc")
            .Choice("TinyHttp's Path is the path as sent (DecodedPath decodes it), so %2F can never be mistaken for a segment separator."),

        Case("Origin_form_with_an_empty_query", "GET /a? HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(target: "/a?", path: "/a", query: ""),

        Case("Origin_form_query_may_hold_question_marks_and_slashes", "GET /a?b?c/d HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(path: "/a", query: "b?c/d")
            .Because("RFC 3986 §3.4: query = *( pchar / \"/\" / \"?\" ); only the first \"?\" starts it."),

        Case("Origin_form_keeps_dot_segments_as_sent", "GET /a/../b/./c HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(target: "/a/../b/./c", path: "/a/../b/./c")
            .Choice("RFC 3986 §5.2.4 removes dot-segments when resolving references; a server may leave that to the application. TinyHttp passes the path unchanged, so the handler decides (and sees exactly what was asked)."),

        Case("Origin_form_with_a_double_slash", "GET //a HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(target: "//a", path: "//a")
            .Because("RFC 3986 §3.3: an absolute-path may have empty segments; \"//a\" in origin-form is a path, not an authority."),

        Case("Sub_delims_and_colons_are_allowed_in_the_path", "GET /a:b@c!$&'()*+,;=d HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(path: "/a:b@c!$&'()*+,;=d")
            .Because("RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / \":\" / \"@\"."),

        Case("Chars_outside_RFC_3986_are_passed_through", "GET /a|b{c}^d HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(path: "/a|b{c}^d")
            .Choice("RFC 9112 §3 says a server SHOULD answer an invalid request-line with 400 or a 301 to the encoded target; \"|{}^\" are not URI chars, but clients send them unencoded, so TinyHttp accepts every visible ASCII char that cannot break the line."),

        Case("Malformed_percent_encoding_is_400", "GET /a%zz HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 3986 §2.1: pct-encoded = \"%\" HEXDIG HEXDIG; RFC 9112 §3: an invalid request-line gets 400.")
            .KestrelDiffers("Kestrel passes the raw target on and leaves the path undecoded; TinyHttp refuses invalid percent-encoding."),

        Case("Truncated_percent_encoding_is_400", "GET /a%2 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 3986 §2.1: \"%\" needs two hex digits.")
            .KestrelDiffers("Kestrel passes the raw target on; TinyHttp refuses invalid percent-encoding."),

        Case("A_fragment_in_the_target_is_400", "GET /a#frag HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §3.2: no request-target form has a fragment; clients strip it (RFC 9110 §4.2.5).")
            .KestrelDiffers("Kestrel accepts a fragment in the request-target, which no request-target form allows."),

        Case("A_non_ASCII_byte_in_the_target_is_400", "GET /caf\u00C3\u00A9 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 3986 §2: a URI is ASCII; other bytes must be percent-encoded."),

        Case("A_DEL_in_the_target_is_400", "GET /a\u007Fb HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 3986 §2: DEL is not a URI char.")
            .KestrelDiffers("Kestrel accepts DEL in the target."),

        Case("A_relative_path_target_is_400", "GET a/b HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §3.2: a relative reference is none of the four forms."),

        // Absolute form (§3.2.2)
        Case("Absolute_form_is_accepted", "GET http://example.com/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(target: "http://example.com/a?b", path: "/a", query: "b")
            .Because("RFC 9112 §3.2.2: a server MUST accept the absolute-form in requests."),

        Case("Absolute_form_without_a_path_has_path_slash", "GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(target: "http://example.com", path: "/")
            .Because("RFC 9110 §4.2.1 / RFC 3986 §6.2.3: an empty path in an http URI is equivalent to \"/\"."),

        Case("Absolute_form_with_a_query_and_no_path", "GET http://example.com?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(target: "http://example.com?x=1", path: "/", query: "x=1")
            .Because("RFC 3986 §3.3: the authority ends at \"?\" as well as at \"/\"; the empty path is \"/\" (RFC 9110 §4.2.1)."),

        Case("Absolute_form_with_a_port_and_query", "GET http://example.com:8080/x?y HTTP/1.1\r\nHost: example.com:8080\r\n\r\n")
            .Responds(200).Saw(path: "/x", query: "y"),

        Case("Absolute_form_with_an_upper_case_scheme", "GET HTTP://example.com/x HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(path: "/x")
            .Because("RFC 3986 §3.1: schemes are case-insensitive.")
            .KestrelDiffers("Kestrel refuses an absolute-form target whose scheme is not lower case, though schemes are case-insensitive (RFC 3986 §3.1)."),

        Case("Absolute_form_with_https_scheme", "GET https://example.com/x HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(target: "https://example.com/x", path: "/x"),

        Case("Absolute_form_with_an_IPv6_authority", "GET http://[::1]:8080/x HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n")
            .Responds(200).Saw(path: "/x"),

        Case("Absolute_form_host_wins_over_a_different_Host_field", "GET http://a.example/x HTTP/1.1\r\nHost: b.example\r\n\r\n")
            .Responds(200).Saw(target: "http://a.example/x", path: "/x").SawHeader("Host", "b.example")
            .Choice("RFC 9112 §3.2.2: the server MUST ignore Host and use the target's authority. TinyHttp hands both to the handler unchanged (RawTarget holds the authority); it has no Host API to get wrong.")
            .KestrelDiffers("Kestrel refuses an absolute-form target whose authority differs from Host; RFC 9112 §3.2.2 says to ignore Host instead. Stricter than the RFC, safer behind some proxies."),

        Case("Absolute_form_with_userinfo_is_400", "GET http://user@example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9110 §4.2.4: userinfo is deprecated in http(s) URIs; a recipient SHOULD treat its presence as an error.")
            .KestrelDiffers("Kestrel accepts userinfo in an absolute-form target; RFC 9110 §4.2.4 says to treat it as an error."),

        Case("Absolute_form_with_an_empty_authority_is_400", "GET http:///a HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9110 §4.2.1: an http URI with an empty host is invalid."),

        // Authority form (§3.2.3)
        Case("Authority_form_for_CONNECT_reaches_the_handler", "CONNECT refused.example:443 HTTP/1.1\r\nHost: refused.example:443\r\n\r\n")
            .Responds(403).Saw(method: "CONNECT", target: "refused.example:443", path: "", query: "")
            .Because("RFC 9112 §3.2.3: authority-form = uri-host \":\" port, used only by CONNECT. The handler refuses this tunnel."),

        Case("A_2xx_to_CONNECT_carries_no_Content_Length_or_Transfer_Encoding", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
            .Responds(200).WithoutHeader("Content-Length").WithoutHeader("Transfer-Encoding").FramedBy(BodyFraming.CloseDelimited).Closes()
            .Because("RFC 9110 §9.3.6: a server MUST NOT send Transfer-Encoding or Content-Length in a 2xx response to CONNECT; what follows the head is tunnel data.")
            .KestrelDiffers("Kestrel refuses to put Content-Length on a 2xx response to CONNECT (RFC 9110 §9.3.6), so the mirror handler's SetBody throws and Kestrel answers 500; TinyHttp leaves the framing fields out itself and closes after the tunnel data."),

        Case("CONNECT_without_a_port_is_400", "CONNECT example.com HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §3.2.3: the port is required in authority-form.")
            .KestrelDiffers("Kestrel accepts a CONNECT target without a port and calls the handler; its 500 is the handler's 200-with-body refused as for any CONNECT."),

        Case("CONNECT_with_origin_form_is_400", "CONNECT / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §3.2.3: CONNECT takes authority-form only.")
            .KestrelDiffers("Kestrel accepts origin-form with CONNECT and calls the handler; its 500 is the handler's 200-with-body refused as for any CONNECT."),

        Case("CONNECT_with_a_path_after_the_port_is_400", "CONNECT example.com:443/x HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §3.2.3: authority-form has no path."),

        Case("Authority_form_with_GET_is_400", "GET example.com:80 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §3.2.3: authority-form is only for CONNECT.")
            .KestrelDiffers("Kestrel answers 405 with Allow: CONNECT (the form is right only for CONNECT); TinyHttp calls it a malformed target (400). Both refuse and close."),

        // Asterisk form (§3.2.4)
        Case("Asterisk_form_for_OPTIONS_reaches_the_handler", "OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(method: "OPTIONS", target: "*", path: "*", query: "")
            .Because("RFC 9112 §3.2.4: asterisk-form is used only for a server-wide OPTIONS request."),

        Case("Asterisk_form_with_GET_is_400", "GET * HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §3.2.4: asterisk-form is only for OPTIONS.")
            .KestrelDiffers("Kestrel answers 405 with Allow: OPTIONS; TinyHttp 400. Both refuse and close."),

        Case("Asterisk_form_with_a_query_is_400", "OPTIONS *?a HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §3.2.4: asterisk-form is the single char \"*\"."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);

}
