using System;
using TinyHttp.Protocol;
using Xunit;

namespace TinyHttp.Tests.Protocol;

/// <summary>RFC 9110 §13: each precondition alone, then the order of evaluation of §13.2.2 where they meet.</summary>
public class ConditionalRequestTests
{
    private const string Tag = "\"abc\"";
    private static readonly DateTimeOffset Modified = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private const string AtModified = "Fri, 02 Jan 2026 03:04:05 GMT";
    private const string Before = "Fri, 02 Jan 2026 03:04:04 GMT";
    private const string After = "Fri, 02 Jan 2026 03:04:06 GMT";

    private static Precondition Evaluate(
        string[]? ifMatch = null, string[]? ifUnmodifiedSince = null, string[]? ifNoneMatch = null, string[]? ifModifiedSince = null, bool getOrHead = true) =>
        ConditionalRequest.Evaluate(getOrHead, ifMatch ?? [], ifUnmodifiedSince ?? [], ifNoneMatch ?? [], ifModifiedSince ?? [], Tag, Modified);

    [Fact]
    public void No_preconditions_proceed() => Assert.Equal(Precondition.Proceed, Evaluate());

    [Theory]
    [InlineData("\"abc\"", nameof(Precondition.Proceed))]
    [InlineData("*", nameof(Precondition.Proceed))]
    [InlineData("\"x\", \"abc\"", nameof(Precondition.Proceed))]
    [InlineData("\"x\"", nameof(Precondition.Failed))]
    [InlineData("W/\"abc\"", nameof(Precondition.Failed))]   // §13.1.1: strong comparison; a weak tag never matches
    [InlineData("abc", nameof(Precondition.Proceed))]        // not an entity-tag list: ignored
    public void If_Match_uses_strong_comparison(string value, string expected) =>
        Assert.Equal(expected, Evaluate(ifMatch: [value]).ToString());

    [Theory]
    [InlineData(AtModified, nameof(Precondition.Proceed))]
    [InlineData(After, nameof(Precondition.Proceed))]
    [InlineData(Before, nameof(Precondition.Failed))]
    [InlineData("yesterday", nameof(Precondition.Proceed))]
    public void If_Unmodified_Since_fails_when_modified_after_the_date(string value, string expected) =>
        Assert.Equal(expected, Evaluate(ifUnmodifiedSince: [value]).ToString());

    [Theory]
    [InlineData("\"abc\"", nameof(Precondition.NotModified))]
    [InlineData("W/\"abc\"", nameof(Precondition.NotModified))]   // §13.1.2: weak comparison
    [InlineData("*", nameof(Precondition.NotModified))]
    [InlineData("\"x\",W/\"abc\"", nameof(Precondition.NotModified))]
    [InlineData("\"x\"", nameof(Precondition.Proceed))]
    [InlineData("\"unterminated", nameof(Precondition.Proceed))]
    public void If_None_Match_uses_weak_comparison(string value, string expected) =>
        Assert.Equal(expected, Evaluate(ifNoneMatch: [value]).ToString());

    [Fact]
    public void If_None_Match_on_other_methods_fails_instead_of_304() =>
        Assert.Equal(Precondition.Failed, Evaluate(ifNoneMatch: [Tag], getOrHead: false));

    [Theory]
    [InlineData(AtModified, nameof(Precondition.NotModified))]
    [InlineData(After, nameof(Precondition.NotModified))]
    [InlineData(Before, nameof(Precondition.Proceed))]
    [InlineData("Friday, 02-Jan-26 03:04:05 GMT", nameof(Precondition.NotModified))]   // rfc850-date
    [InlineData("Fri Jan  2 03:04:05 2026", nameof(Precondition.NotModified))]         // asctime-date
    [InlineData("2026-01-02", nameof(Precondition.Proceed))]
    public void If_Modified_Since_is_304_when_not_modified_since(string value, string expected) =>
        Assert.Equal(expected, Evaluate(ifModifiedSince: [value]).ToString());

    [Fact]
    public void If_Modified_Since_with_two_members_is_ignored() =>
        Assert.Equal(Precondition.Proceed, Evaluate(ifModifiedSince: [AtModified, AtModified]));

    [Fact]
    public void If_Match_comes_before_If_None_Match() =>
        Assert.Equal(Precondition.Failed, Evaluate(ifMatch: ["\"x\""], ifNoneMatch: [Tag]));

    [Fact]
    public void If_Unmodified_Since_is_ignored_when_If_Match_is_present() =>
        Assert.Equal(Precondition.Proceed, Evaluate(ifMatch: [Tag], ifUnmodifiedSince: [Before]));

    [Fact]
    public void If_Modified_Since_is_ignored_when_If_None_Match_is_present() =>
        Assert.Equal(Precondition.Proceed, Evaluate(ifNoneMatch: ["\"x\""], ifModifiedSince: [After]));

    [Fact]
    public void If_Unmodified_Since_failing_comes_before_If_None_Match() =>
        Assert.Equal(Precondition.Failed, Evaluate(ifUnmodifiedSince: [Before], ifNoneMatch: [Tag]));

    [Theory]
    [InlineData("\"abc\"", true)]
    [InlineData("W/\"abc\"", false)]
    [InlineData("\"x\"", false)]
    [InlineData(AtModified, true)]
    [InlineData(After, false)]
    [InlineData("garbage", false)]
    public void If_Range_holds_for_a_strong_tag_or_the_exact_date(string value, bool holds) =>
        Assert.Equal(holds, ConditionalRequest.IfRangeHolds(value, Tag, Modified));

    [Fact]
    public void If_Range_with_a_date_on_a_Wednesday_is_a_date_not_an_entity_tag()
    {
        // "Wed," starts with 'W' as a weak tag's "W/" does; only the latter is a tag.
        var wednesday = new DateTimeOffset(2026, 1, 7, 3, 4, 5, TimeSpan.Zero);
        Assert.True(ConditionalRequest.IfRangeHolds("Wed, 07 Jan 2026 03:04:05 GMT", Tag, wednesday));
        Assert.False(ConditionalRequest.IfRangeHolds("W/\"abc\"", Tag, wednesday));
    }

    [Fact]
    public void HTTP_dates_format_as_IMF_fixdate()
    {
        Assert.Equal(AtModified, HttpDate.Format(Modified));
        Assert.Equal(Modified, HttpDate.ToWholeSeconds(Modified.AddMilliseconds(999)));
    }
}
