using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace TinyHttp.Conformance;

/// <summary>
/// The request-line (RFC 9112 §3), message-framing (RFC 9112 §6, §7) and Expect (RFC 9110 §10.1.1) sections again, over TLS: the same cases, the
/// same assertions and the same verified snapshots, sent through an SslStream to TinyHttp on an HTTPS endpoint. HTTP/1.1
/// inside TLS is the same bytes (RFC 9110 §4.2.2), so every case must come out as it does over plain TCP.
/// </summary>
/// <remarks>
/// No case is left out. The two deliveries that depend on the transport have TLS equivalents that a server must
/// read the same way: a byte-by-byte case sends one TLS record per byte, and a half-closing case sends close_notify
/// before its FIN (RFC 8446 §6.1 closes only the sender's side; the server still answers). A case marked as a TinyHttp
/// bug runs here only once it is fixed, as in its own section.
/// </remarks>
[Trait("Transport", "TLS")]
public sealed class Rfc9112_OverTls(TinyHttpOverTls fixture) : IClassFixture<TinyHttpOverTls>
{
    /// <summary>The sections whose cases run over TLS.</summary>
    public static readonly IReadOnlyList<CaseSection> Sections =
    [
        Rfc9112_3_RequestLine.Section,
        Rfc9112_3_2_RequestTarget.Section,
        Rfc9112_3_2_Host.Section,
        Rfc9112_6_1_TransferEncoding.Section,
        Rfc9112_6_2_ContentLength.Section,
        Rfc9112_7_1_ChunkedCoding.Section,
        Rfc9110_10_1_1_Expect.Section,
    ];

    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (CaseSection section in Sections)
            {
                foreach (ConformanceCase c in section.Cases)
                {
                    if (c.KnownBug is null)
                    {
                        data.Add(section.ClassName, c.Name);
                    }
                }
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Conforms(string section, string name)
    {
        CaseSection cases = Sections.Single(s => s.ClassName == section);
        // The snapshots are the section's own, beside its source file.
        return fixture.Server.VerifyAsync(cases, name, cases.SourceFile);
    }
}
