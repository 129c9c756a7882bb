using System.Collections.Generic;

namespace TinyHttp.Conformance;

/// <summary>CaseCatalogue lists every section, in the order the report shows them (RFC 9112 by section, then RFC 9110).</summary>
public static class CaseCatalogue
{
    /// <summary>Sections holds every section class's cases.</summary>
    public static IReadOnlyList<CaseSection> Sections { get; } =
    [
        Rfc9112_2_MessageParsing.Section,
        Rfc9112_2_3_HttpVersion.Section,
        Rfc9112_3_RequestLine.Section,
        Rfc9112_3_2_RequestTarget.Section,
        Rfc9112_3_2_Host.Section,
        Rfc9112_5_FieldSyntax.Section,
        Rfc9112_6_1_TransferEncoding.Section,
        Rfc9112_6_2_ContentLength.Section,
        Rfc9112_7_1_ChunkedCoding.Section,
        Rfc9112_9_ConnectionManagement.Section,
        Rfc9110_9_3_2_Head.Section,
        Rfc9110_10_1_1_Expect.Section,
        Rfc9110_13_ConditionalRequests.Section,
        Rfc9110_14_RangeRequests.Section,
        Rfc9110_15_StatusCodes.Section,
        Rfc9110_15_5_LimitsAndTimeouts.Section,
    ];

    /// <summary>Every case, section by section.</summary>
    public static IEnumerable<ConformanceCase> AllCases
    {
        get
        {
            foreach (CaseSection section in Sections)
            {
                foreach (ConformanceCase c in section.Cases)
                {
                    yield return c;
                }
            }
        }
    }
}
