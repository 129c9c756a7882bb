using System.Threading.Tasks;
using Xunit;
using static TinyHttp.Conformance.ConformanceCase;
using static TinyHttp.Conformance.ConformanceFiles;

namespace TinyHttp.Conformance;

/// <summary>
/// RFC 9110 §13: conditional requests against a static file (<c>/files/alphabet.txt</c>, see <see cref="ConformanceFiles"/>):
/// each precondition alone, then the order of evaluation of §13.2.2 where several meet.
/// </summary>
[Trait("Section", "RFC 9110 §13")]
public sealed class Rfc9110_13_ConditionalRequests(TinyHttpUnderTest server) : IClassFixture<TinyHttpUnderTest>
{
    private const string KestrelTag = "Kestrel's static file middleware makes a different ETag for the same file (its own hash of the date and length), so TinyHttp's tag does not match there.";

    public static readonly CaseSection Section = new(typeof(Rfc9110_13_ConditionalRequests), "RFC 9110 §13", "Conditional requests (static files)",
    [
        Case("A_file_carries_Last_Modified_and_a_strong_ETag", Get())
            .Responds(200).WithHeader("Last-Modified", LastModified).WithHeader("ETag", AlphabetETag).WithHeader("Content-Length", "26").WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §8.8.2, §8.8.3: an origin server SHOULD send both validators; a strong tag changes whenever the content does."),

        // §13.1.2 If-None-Match
        Case("If_None_Match_with_the_current_tag_is_304", Get($"If-None-Match: {AlphabetETag}\r\n"))
            .Responds(304).WithHeader("ETag", AlphabetETag).WithoutHeader("Content-Length").WithBody("").StaysOpen()
            .Because("RFC 9110 §13.1.2: the condition is false when a listed tag matches, and a GET is answered 304; §15.4.5: the 304 carries the ETag a 200 would have.")
            .KestrelDiffers(KestrelTag),

        Case("If_None_Match_with_the_weak_form_of_the_tag_is_304", Get($"If-None-Match: \"other\", W/{AlphabetETag}\r\n"))
            .Responds(304).StaysOpen()
            .Because("RFC 9110 §13.1.2: If-None-Match uses the weak comparison (§8.8.3.2), so W/\"x\" matches \"x\".")
            .KestrelDiffers(KestrelTag),

        Case("If_None_Match_star_is_304", Get("If-None-Match: *\r\n"))
            .Responds(304).StaysOpen()
            .Because("RFC 9110 §13.1.2: \"*\" is false when the target has a current representation."),

        Case("If_None_Match_with_another_tag_is_200", Get("If-None-Match: \"other\"\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §13.1.2: no listed tag matches, so the condition is true and the method is performed."),

        Case("HEAD_with_If_None_Match_star_is_304", "HEAD /files/alphabet.txt HTTP/1.1\r\nHost: example.com\r\nIf-None-Match: *\r\n\r\n")
            .Responds(304).StaysOpen()
            .Because("RFC 9110 §13.1.2: 304 for GET and HEAD alike."),

        // §13.1.3 If-Modified-Since
        Case("If_Modified_Since_the_modification_date_is_304", Get($"If-Modified-Since: {LastModified}\r\n"))
            .Responds(304).StaysOpen()
            .Because("RFC 9110 §13.1.3: not modified since the date given (earlier or equal), so 304."),

        Case("If_Modified_Since_a_later_date_is_304", Get($"If-Modified-Since: {SecondAfter}\r\n"))
            .Responds(304).StaysOpen()
            .Because("RFC 9110 §13.1.3: the last modification is earlier than the date given."),

        Case("If_Modified_Since_an_earlier_date_is_200", Get($"If-Modified-Since: {SecondBefore}\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §13.1.3: modified after the date given, so the condition is true."),

        Case("If_Modified_Since_in_the_rfc850_form_is_understood", Get("If-Modified-Since: Friday, 02-Jan-26 03:04:05 GMT\r\n"))
            .Responds(304).StaysOpen()
            .Because("RFC 9110 §5.6.7: a recipient that parses a timestamp MUST accept all three HTTP-date formats."),

        Case("If_Modified_Since_in_the_asctime_form_is_understood", Get("If-Modified-Since: Fri Jan  2 03:04:05 2026\r\n"))
            .Responds(304).StaysOpen()
            .Because("RFC 9110 §5.6.7: asctime-date is one of the three formats a recipient accepts."),

        Case("If_Modified_Since_that_is_not_a_date_is_ignored", Get("If-Modified-Since: yesterday\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §13.1.3: a recipient MUST ignore If-Modified-Since if the value is not a valid HTTP-date."),

        Case("If_Modified_Since_is_ignored_when_If_None_Match_is_present", Get($"If-None-Match: \"other\"\r\nIf-Modified-Since: {SecondAfter}\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §13.1.3: a recipient MUST ignore If-Modified-Since if the request contains If-None-Match."),

        // §13.1.1 If-Match
        Case("If_Match_with_the_current_tag_is_200", Get($"If-Match: {AlphabetETag}\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §13.1.1: a listed tag matches by strong comparison, so the method is performed.")
            .KestrelDiffers(KestrelTag),

        Case("If_Match_star_is_200", Get("If-Match: *\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §13.1.1: \"*\" is true when the target has a current representation."),

        Case("If_Match_with_another_tag_is_412", Get("If-Match: \"other\"\r\n"))
            .Responds(412).WithoutHeader("ETag").StaysOpen()
            .Because("RFC 9110 §13.1.1: no listed tag matches, so the origin server MUST NOT perform the method and answers 412 (§15.5.13)."),

        Case("If_Match_with_the_weak_form_of_the_tag_is_412", Get($"If-Match: W/{AlphabetETag}\r\n"))
            .Responds(412).StaysOpen()
            .Because("RFC 9110 §13.1.1: If-Match uses the strong comparison, and a weak tag never matches strongly."),

        // §13.1.4 If-Unmodified-Since
        Case("If_Unmodified_Since_an_earlier_date_is_412", Get($"If-Unmodified-Since: {SecondBefore}\r\n"))
            .Responds(412).StaysOpen()
            .Because("RFC 9110 §13.1.4: modified after the date given, so the condition is false: 412."),

        Case("If_Unmodified_Since_the_modification_date_is_200", Get($"If-Unmodified-Since: {LastModified}\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §13.1.4: not modified since the date given, so the condition is true."),

        Case("If_Unmodified_Since_that_is_not_a_date_is_ignored", Get("If-Unmodified-Since: soon\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §13.1.4: a recipient MUST ignore If-Unmodified-Since if the value is not a valid HTTP-date."),

        // §13.2.2 order of evaluation
        Case("If_Match_is_evaluated_before_If_None_Match", Get("If-Match: \"other\"\r\nIf-None-Match: *\r\n"))
            .Responds(412).StaysOpen()
            .Because("RFC 9110 §13.2.2: step 1, a false If-Match is 412 before If-None-Match (step 3) is looked at."),

        Case("If_Unmodified_Since_is_ignored_when_If_Match_is_present", Get($"If-Match: *\r\nIf-Unmodified-Since: {SecondBefore}\r\n"))
            .Responds(200).WithBody(Alphabet).StaysOpen()
            .Because("RFC 9110 §13.1.4, §13.2.2 step 2: If-Unmodified-Since is evaluated only when If-Match is absent.")
            .KestrelDiffers("ASP.NET Core's static file middleware evaluates If-Unmodified-Since even beside a true If-Match, which §13.1.4 says to ignore, and answers 412."),

        Case("If_Unmodified_Since_is_evaluated_before_If_None_Match", Get($"If-Unmodified-Since: {SecondBefore}\r\nIf-None-Match: *\r\n"))
            .Responds(412).StaysOpen()
            .Because("RFC 9110 §13.2.2: step 2 (412) comes before step 3 (304)."),

        Case("If_None_Match_is_evaluated_before_Range", Get("If-None-Match: *\r\nRange: bytes=0-4\r\n"))
            .Responds(304).StaysOpen()
            .Because("RFC 9110 §13.2.2: step 3 answers 304 before step 5 considers the range."),
    ]);

    public static TheoryData<string> Passing => Section.PassingNames();

    [Theory]
    [MemberData(nameof(Passing))]
    public Task Conforms(string name) => server.VerifyAsync(Section, name);

    private static string Get(string fields = "") => $"GET /files/alphabet.txt HTTP/1.1\r\nHost: example.com\r\n{fields}\r\n";
}
