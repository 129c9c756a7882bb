using System.Threading.Tasks;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;

namespace TinyHttp.Conformance;

/// <summary>RFC 9112 §3.2 and RFC 9110 §7.2: the Host field — required once in HTTP/1.1, and a valid authority.</summary>
[Trait("Section", "RFC 9112 §3.2 (Host)")]
public sealed class Rfc9112_3_2_Host(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    private const string HostRule =
        "RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request without Host, and to any request with more than one Host line or an invalid Host value.";

    public static readonly CaseSection Section = new(typeof(Rfc9112_3_2_Host), "RFC 9112 §3.2", "Host",
    [
        Case("HTTP_1_1_without_Host_is_400", "GET / HTTP/1.1\r\n\r\n")
            .Responds(400).Closes().Because(HostRule),

        Case("HTTP_1_1_absolute_form_without_Host_is_400", "GET http://example.com/ HTTP/1.1\r\n\r\n")
            .Responds(400).Closes().Because(HostRule + " The absolute-form does not excuse it."),

        Case("HTTP_1_0_without_Host_is_accepted", "GET / HTTP/1.0\r\n\r\n")
            .Responds(200).Saw(version: "HTTP/1.0").Closes()
            .Because("RFC 9112 §3.2: the Host requirement is for HTTP/1.1 requests."),

        Case("Two_Host_fields_are_400", "GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n")
            .Responds(400).Closes().Because(HostRule),

        Case("Two_equal_Host_fields_are_400", "GET / HTTP/1.1\r\nHost: example.com\r\nHost: example.com\r\n\r\n")
            .Responds(400).Closes().Because(HostRule + " Equal values are no exception."),

        Case("Two_Host_fields_in_HTTP_1_0_are_400", "GET / HTTP/1.0\r\nHost: a.example\r\nHost: b.example\r\n\r\n")
            .Responds(400).Closes().Because(HostRule + " This applies to any request message."),

        Case("An_empty_Host_is_accepted", "GET / HTTP/1.1\r\nHost:\r\n\r\n")
            .Responds(200).SawHeader("Host", "")
            .Because("RFC 9110 §7.2: a client sends an empty Host when the target URI has no authority; the value is valid."),

        Case("Host_with_a_port", "GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n")
            .Responds(200).SawHeader("Host", "example.com:8080"),

        Case("Host_with_an_empty_port", "GET / HTTP/1.1\r\nHost: example.com:\r\n\r\n")
            .Responds(200).SawHeader("Host", "example.com:")
            .Because("RFC 3986 §3.2.3: port = *DIGIT, so it may be empty.")
            .KestrelDiffers("Kestrel refuses a Host with an empty port, which RFC 3986 §3.2.3 (port = *DIGIT) allows."),

        Case("Host_as_an_IPv4_address", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .Responds(200).SawHeader("Host", "127.0.0.1"),

        Case("Host_as_an_IPv6_literal_with_a_port", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n")
            .Responds(200).SawHeader("Host", "[::1]:8080")
            .Because("RFC 3986 §3.2.2: IP-literal = \"[\" IPv6address \"]\"."),

        Case("A_lower_case_host_field_name", "GET / HTTP/1.1\r\nhost: example.com\r\n\r\n")
            .Responds(200).SawHeader("Host", "example.com")
            .Because("RFC 9110 §5.1: field names are case-insensitive."),

        Case("Host_with_a_non_numeric_port_is_400", "GET / HTTP/1.1\r\nHost: example.com:http\r\n\r\n")
            .Responds(400).Closes().Because(HostRule + " A port is digits (RFC 3986 §3.2.3)."),

        Case("Host_with_an_unclosed_IPv6_literal_is_400", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n")
            .Responds(400).Closes().Because(HostRule),

        Case("Host_with_userinfo_is_400", "GET / HTTP/1.1\r\nHost: user@example.com\r\n\r\n")
            .Responds(400).Closes().Because(HostRule + " Host = uri-host [ \":\" port ] has no userinfo (RFC 9110 §7.2)."),

        Case("Host_with_a_path_is_400", "GET / HTTP/1.1\r\nHost: example.com/a\r\n\r\n")
            .Responds(400).Closes().Because(HostRule),

        Case("Host_with_a_space_inside_is_400", "GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n")
            .Responds(400).Closes().Because(HostRule),

        Case("Host_as_a_list_is_400", "GET / HTTP/1.1\r\nHost: a.example, b.example\r\n\r\n")
            .Responds(400).Closes().Because(HostRule + " Host is a single authority, not a list."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);
}
