using System.Collections.Generic;
using TinyHttp.Protocol;
using Xunit;

namespace TinyHttp.Tests.Protocol;

/// <summary>The Range field of RFC 9110 §14.2 against a 26-byte representation (and an empty one).</summary>
public class ByteRangesTests
{
    private static (RangeRequest Outcome, string Ranges) Parse(string value, long length = 26, int maxRanges = 16)
    {
        var ranges = new List<RequestedRange>();
        RangeRequest outcome = ByteRanges.Parse(value, length, maxRanges, ranges);
        return (outcome, string.Join(",", ranges.ConvertAll(r => $"{r.Start}-{r.Last}")));
    }

    [Theory]
    [InlineData("bytes=0-4", "0-4")]
    [InlineData("bytes=5-", "5-25")]
    [InlineData("bytes=-3", "23-25")]
    [InlineData("bytes=-100", "0-25")]
    [InlineData("bytes=20-100", "20-25")]
    [InlineData("bytes=25-25", "25-25")]
    [InlineData("BYTES=0-0", "0-0")]
    [InlineData("bytes = 0-1 , 3-4", "0-1,3-4")]
    [InlineData("bytes=10-12,0-1", "10-12,0-1")]
    [InlineData("bytes=0-1,,3-4", "0-1,3-4")]
    [InlineData("bytes=0-99999999999999999999999", "0-25")]
    [InlineData("bytes=30-40,0-0", "0-0")]
    public void Satisfiable_ranges_are_clamped_and_kept_in_order(string value, string expected)
    {
        (RangeRequest outcome, string ranges) = Parse(value);

        Assert.Equal(RangeRequest.Satisfiable, outcome);
        Assert.Equal(expected, ranges);
    }

    [Theory]
    [InlineData("bytes=0-5,3-8", "0-8")]
    [InlineData("bytes=10-12,0-4,3-6", "0-6,10-12")]
    [InlineData("bytes=0-4,5-9", "0-9")]
    [InlineData("bytes=-5,20-", "20-25")]
    public void Overlapping_ranges_are_coalesced(string value, string expected)
    {
        Assert.Equal((RangeRequest.Satisfiable, expected), Parse(value));
    }

    [Theory]
    [InlineData("bytes=26-")]
    [InlineData("bytes=26-30")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=99999999999999999999999-")]
    [InlineData("bytes=30-40,50-")]
    public void No_satisfiable_range_is_416(string value)
    {
        Assert.Equal(RangeRequest.Unsatisfiable, Parse(value).Outcome);
    }

    [Theory]
    [InlineData("bytes=0-1")]
    [InlineData("bytes=-1")]
    public void Every_range_of_an_empty_representation_is_unsatisfiable(string value)
    {
        Assert.Equal(RangeRequest.Unsatisfiable, Parse(value, length: 0).Outcome);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bytes")]
    [InlineData("bytes=")]
    [InlineData("bytes=,")]
    [InlineData("items=0-4")]
    [InlineData("bytes=4-2")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=0-4,x")]
    [InlineData("bytes=-")]
    [InlineData("bytes=1")]
    [InlineData("bytes=+1-2")]
    [InlineData("bytes=0x1-2")]
    [InlineData("bytes=0 -1")]
    public void Invalid_or_unknown_specifiers_are_ignored(string value)
    {
        Assert.Equal(RangeRequest.Ignored, Parse(value).Outcome);
    }

    [Fact]
    public void More_ranges_than_the_limit_are_ignored()
    {
        Assert.Equal(RangeRequest.Ignored, Parse("bytes=0-0,2-2,4-4", maxRanges: 2).Outcome);
        Assert.Equal(RangeRequest.Satisfiable, Parse("bytes=0-0,2-2", maxRanges: 2).Outcome);
    }

    [Fact]
    public void Content_Range_values_follow_RFC_9110_section_14_4()
    {
        Assert.Equal("bytes 0-4/26", ByteRanges.ContentRange(new RequestedRange(0, 5), 26));
        Assert.Equal("bytes */26", ByteRanges.UnsatisfiedRange(26));
    }
}
