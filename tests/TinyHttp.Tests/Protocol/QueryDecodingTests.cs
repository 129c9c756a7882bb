using System;
using System.Collections.Generic;
using System.Text;
using TinyHttp.Protocol;
using Xunit;

namespace TinyHttp.Tests.Protocol;

public class QueryDecodingTests
{
    [Theory]
    [InlineData("q=1", "q", new[] { "1" })]
    [InlineData("q=a+b%21&q=c", "q", new[] { "a b!", "c" })]
    [InlineData("a=1&&b=2&a", "a", new[] { "1", "" })]
    [InlineData("x=1=2", "x", new[] { "1=2" })]
    [InlineData("na%6De=v&name=w", "name", new[] { "v", "w" })]
    [InlineData("first+name=Ada", "first name", new[] { "Ada" })]
    [InlineData("caf%C3%A9=%E2%82%AC", "café", new[] { "€" })]
    [InlineData("Q=1", "q", new string[0])]
    [InlineData("bad=%ff", "bad", new[] { "\uFFFD" })]
    [InlineData("pct=100%", "pct", new[] { "100%" })]
    [InlineData("", "q", new string[0])]
    public void FindsEveryValueOfAName_Decoded(string query, string name, string[] values)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(query);
        var found = new List<string>();
        int offset = 0;
        while (QueryDecoding.TryFindNext(bytes, Encoding.UTF8.GetBytes(name), ref offset, out Range value))
        {
            found.Add(QueryDecoding.Decode(bytes.AsSpan()[value]));
        }

        Assert.Equal(values, found);
    }
}
