using System.Threading.Tasks;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>RFC 9112 §2.3 and RFC 9110 §2.5: the HTTP-version of a request, and the version the response carries.</summary>
[Trait("Section", "RFC 9112 §2.3")]
public sealed class Rfc9112_2_3_HttpVersion(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    private const string VersionSyntax = "RFC 9112 §2.3: HTTP-version = \"HTTP\" \"/\" DIGIT \".\" DIGIT; an invalid request-line gets 400 (RFC 9112 §3).";

    public static readonly CaseSection Section = new(typeof(Rfc9112_2_3_HttpVersion), "RFC 9112 §2.3", "HTTP version",
    [
        Case("HTTP_1_1_is_accepted", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(version: "HTTP/1.1"),

        Case("HTTP_1_0_is_answered_with_an_HTTP_1_1_status_line", "GET / HTTP/1.0\r\n\r\n")
            .Responds(200).Saw(version: "HTTP/1.0").Closes().Snapshot()
            .Because("RFC 9110 §2.5: a server sends the highest minor version it conforms to within the request's major version; HTTP/1.0 closes by default (RFC 9112 §9.3)."),

        Case("HTTP_1_2_is_served_as_HTTP_1_1", "GET / HTTP/1.2\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(version: "HTTP/1.1")
            .Because("RFC 9110 §2.5: a higher minor version of a supported major version SHOULD be processed as the highest minor version the recipient implements.")
            .KestrelDiffers("Kestrel knows only HTTP/1.0 and HTTP/1.1 and answers 505; RFC 9110 §2.5 says a higher minor version SHOULD be served as the highest one implemented."),

        Case("HTTP_1_9_is_served_as_HTTP_1_1", "GET / HTTP/1.9\r\nHost: example.com\r\n\r\n")
            .Responds(200).Saw(version: "HTTP/1.1")
            .Because("RFC 9110 §2.5, as for HTTP/1.2.")
            .KestrelDiffers("Kestrel answers 505 to any version but 1.0 and 1.1 (see HTTP/1.2)."),

        Case("HTTP_2_0_is_505", "GET / HTTP/2.0\r\nHost: example.com\r\n\r\n")
            .Responds(505).Closes()
            .Because("RFC 9110 §15.6.6: 505 refuses the request's major version; HTTP/2 is not spoken over this text framing."),

        Case("HTTP_3_0_is_505", "GET / HTTP/3.0\r\nHost: example.com\r\n\r\n")
            .Responds(505).Closes()
            .Because("RFC 9110 §15.6.6."),

        Case("HTTP_0_9_as_a_version_is_505", "GET / HTTP/0.9\r\nHost: example.com\r\n\r\n")
            .Responds(505).Closes()
            .Choice("RFC 9110 §15.6.6: a well-formed version whose major version the server does not support gets 505."),

        Case("HTTP_9_9_is_505", "GET / HTTP/9.9\r\nHost: example.com\r\n\r\n")
            .Responds(505).Closes()
            .Because("RFC 9110 §15.6.6."),

        Case("A_lower_case_HTTP_name_is_400", "GET / http/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §2.3: HTTP-name is case-sensitive.")
            .KestrelDiffers("Kestrel treats any version it does not recognise as unsupported (505); TinyHttp calls a malformed HTTP-version a syntax error (400)."),

        Case("A_mixed_case_HTTP_name_is_400", "GET / Http/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Because("RFC 9112 §2.3: HTTP-name is case-sensitive.")
            .KestrelDiffers("Kestrel: 505 for an unrecognised version, as for the lower-case name."),

        Case("A_missing_version_is_400", "GET /\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes()
            .Choice("RFC 9112 §3: the version is required; an HTTP/0.9 simple request is not supported, and gets a 400 (HTTP/1.1-formatted) rather than a bare body."),

        Case("A_two_digit_minor_version_is_400", "GET / HTTP/1.10\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Because(VersionSyntax),

        Case("A_two_digit_major_version_is_400", "GET / HTTP/11.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Because(VersionSyntax),

        Case("A_version_without_minor_is_400", "GET / HTTP/1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Because(VersionSyntax),

        Case("A_version_ending_in_a_dot_is_400", "GET / HTTP/1.\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Because(VersionSyntax)
            .KestrelDiffers("Kestrel: 505 for an unrecognised version, where TinyHttp sees a syntax error."),

        Case("A_version_with_a_letter_is_400", "GET / HTTP/1.x\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Because(VersionSyntax)
            .KestrelDiffers("Kestrel: 505 for an unrecognised version, where TinyHttp sees a syntax error."),

        Case("A_version_with_a_space_inside_is_400", "GET / HTTP/ 1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Because(VersionSyntax),

        Case("HTTPS_as_the_protocol_name_is_400", "GET / HTTPS/1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Because(VersionSyntax),

        Case("A_version_without_the_name_is_400", "GET / 1.1\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Because(VersionSyntax),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);
}
