using System.Threading.Tasks;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;
using static TinyHttp.Conformance.ConformanceFiles;

namespace TinyHttp.Conformance;

/// <summary>
/// RFC 9110 §14: range requests against a static file (<c>/files/alphabet.txt</c>, 26 bytes, and <c>/files/empty.txt</c>):
/// single ranges, several, unsatisfiable ones, ranges that are ignored, and If-Range.
/// </summary>
[Trait("Section", "RFC 9110 §14")]
public sealed class Rfc9110_14_RangeRequests(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    public static readonly CaseSection Section = new(typeof(Rfc9110_14_RangeRequests), "RFC 9110 §14", "Range requests (static files)",
    [
        Case("A_file_says_it_accepts_byte_ranges", Get())
            .Responds(200).WithHeader("Accept-Ranges", "bytes").WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §14.3: a server MAY send Accept-Ranges: bytes to say it supports range requests for the target."),

        Case("A_range_is_206_with_Content_Range", Get("Range: bytes=0-4\r\n"))
            .Responds(206).WithHeader("Content-Range", "bytes 0-4/26").WithHeader("Content-Length", "5").WithBody("abcde").StaysOpen()
            .Because("RFC 9110 §14.2, §15.3.7: one satisfiable range is answered 206 with Content-Range (§14.4) and only those bytes."),

        Case("A_one_byte_range", Get("Range: bytes=25-25\r\n"))
            .Responds(206).WithHeader("Content-Range", "bytes 25-25/26").WithBody("z").StaysOpen()
            .Because("RFC 9110 §14.1.1: first-pos and last-pos are inclusive."),

        Case("An_open_ended_range_runs_to_the_end", Get("Range: bytes=20-\r\n"))
            .Responds(206).WithHeader("Content-Range", "bytes 20-25/26").WithBody("uvwxyz").StaysOpen()
            .Because("RFC 9110 §14.1.1: without last-pos the range runs to the end of the representation."),

        Case("A_suffix_range_is_the_last_bytes", Get("Range: bytes=-3\r\n"))
            .Responds(206).WithHeader("Content-Range", "bytes 23-25/26").WithBody("xyz").StaysOpen()
            .Because("RFC 9110 §14.1.1: a suffix-range selects the last suffix-length bytes."),

        Case("A_last_position_past_the_end_is_clamped", Get("Range: bytes=20-100\r\n"))
            .Responds(206).WithHeader("Content-Range", "bytes 20-25/26").WithBody("uvwxyz").StaysOpen()
            .Because("RFC 9110 §14.1.1: a last-pos at or beyond the length is replaced by length minus one."),

        Case("A_suffix_longer_than_the_file_is_the_whole_file", Get("Range: bytes=-100\r\n"))
            .Responds(206).WithHeader("Content-Range", "bytes 0-25/26").WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §14.1.1: a suffix-length beyond the length selects the entire representation."),

        Case("The_range_unit_is_case_insensitive", Get("Range: BYTES=0-0\r\n"))
            .Responds(206).WithHeader("Content-Range", "bytes 0-0/26").WithBody("a").StaysOpen()
            .Because("RFC 9110 §14.1: range unit names are case-insensitive."),

        Case("Several_ranges_are_multipart_byteranges", Get("Range: bytes=0-1,24-25\r\n"))
            .Responds(206).StaysOpen()
            .Because("RFC 9110 §14.6: several ranges are sent as multipart/byteranges, each part with Content-Type and Content-Range.")
            .KestrelDiffers("ASP.NET Core's static file middleware serves only single ranges; for several it sends the whole file (200), which §14.2 allows."),

        Case("Overlapping_ranges_are_coalesced", Get("Range: bytes=0-5,3-8\r\n"))
            .Responds(206).WithHeader("Content-Range", "bytes 0-8/26").WithBody("abcdefghi").StaysOpen()
            .Choice("RFC 9110 §14.2: a server MAY coalesce overlapping ranges; TinyHttp does, so no byte is sent twice (here one range remains).")
            .KestrelDiffers("ASP.NET Core's static file middleware sends the whole file (200) for more than one range."),

        Case("A_range_past_the_end_is_416", Get("Range: bytes=26-30\r\n"))
            .Responds(416).WithHeader("Content-Range", "bytes */26").StaysOpen()
            .Because("RFC 9110 §14.1.1, §15.5.17: first-pos at or beyond the length is unsatisfiable; the 416 SHOULD carry Content-Range with the length."),

        Case("A_zero_length_suffix_is_416", Get("Range: bytes=-0\r\n"))
            .Responds(416).WithHeader("Content-Range", "bytes */26").StaysOpen()
            .Because("RFC 9110 §14.1.3: a suffix-range of length 0 is unsatisfiable."),

        Case("Any_range_of_an_empty_file_is_416", "GET /files/empty.txt HTTP/1.1\r\nHost: example.com\r\nRange: bytes=-5\r\n\r\n")
            .Responds(416).WithHeader("Content-Range", "bytes */0").StaysOpen()
            .Because("RFC 9110 §14.1.3: if the representation has zero length, a suffix-range is unsatisfiable (and any int-range too)."),

        Case("One_satisfiable_range_among_unsatisfiable_ones_is_served", Get("Range: bytes=30-40,0-0\r\n"))
            .Responds(206).WithHeader("Content-Range", "bytes 0-0/26").WithBody("a").StaysOpen()
            .Because("RFC 9110 §14.1.1: a range-set is satisfiable when at least one range is; only those are sent.")
            .KestrelDiffers("ASP.NET Core's static file middleware treats any field with more than one range as several ranges and sends the whole file (200)."),

        Case("A_range_with_last_before_first_is_ignored", Get("Range: bytes=5-2\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Choice("RFC 9110 §14.1.1, §14.2: last-pos below first-pos makes the ranges-specifier invalid, which a server MAY ignore; TinyHttp sends the whole file."),

        Case("An_unknown_range_unit_is_ignored", Get("Range: items=0-4\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §14.2: a server MUST ignore a Range field with a range unit it does not understand.")
            .KestrelDiffers("ASP.NET Core's static file middleware does not check the unit and serves items=0-4 as bytes 0-4 (206)."),

        Case("Range_on_HEAD_is_ignored", "HEAD /files/alphabet.txt HTTP/1.1\r\nHost: example.com\r\nRange: bytes=0-4\r\n\r\n")
            .Responds(200).WithHeader("Content-Length", "26").StaysOpen()
            .Because("RFC 9110 §14.2: range handling is defined for GET only; a server MUST ignore Range with other methods."),

        // §13.1.5 If-Range
        Case("If_Range_with_the_modification_date_is_206", Get($"Range: bytes=0-4\r\nIf-Range: {LastModified}\r\n"))
            .Responds(206).WithBody("abcde").StaysOpen()
            .Because("RFC 9110 §13.1.5: a date that exactly matches Last-Modified lets the range through."),

        Case("If_Range_with_another_date_is_200", Get($"Range: bytes=0-4\r\nIf-Range: {SecondBefore}\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §13.1.5: the date does not match, so the Range field is ignored and the whole representation is sent."),

        Case("If_Range_with_the_current_tag_is_206", Get($"Range: bytes=0-4\r\nIf-Range: {AlphabetETag}\r\n"))
            .Responds(206).WithBody("abcde").StaysOpen()
            .Because("RFC 9110 §13.1.5: a strong tag that matches lets the range through.")
            .KestrelDiffers("Kestrel's static file middleware makes a different ETag, so TinyHttp's tag does not match there and it sends the whole file."),

        Case("If_Range_with_a_weak_tag_is_200", Get($"Range: bytes=0-4\r\nIf-Range: W/{AlphabetETag}\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §13.1.5: the comparison is strong, and a weak tag never matches."),

        Case("If_Range_with_another_tag_is_200", Get("Range: bytes=0-4\r\nIf-Range: \"other\"\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §13.1.5: the representation changed, so the client gets all of it."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);

    private static string Get(string fields = "") => $"GET /files/alphabet.txt HTTP/1.1\r\nHost: example.com\r\n{fields}\r\n";
}
