using System;
using System.Collections.Generic;
using TinyHttp.Routing;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Testing;

// The stub's path patterns are the core router's: for every pattern and path here, a StubRoute matches exactly when a
// route table holding that one pattern does, and takes the same wildcard values.
public sealed class StubRoutePatternTests
{
    public static TheoryData<string, string> PatternsAndPaths()
    {
        string[] patterns = { "/", "/orders", "/orders/", "/orders/{id}", "/orders/{id}/lines/{line}", "/orders/{rest...}", "/orders/{$}", "/{$}", "/a%20b", "/files/{name}/raw" };
        string[] paths = { "/", "/orders", "/orders/", "/orders/7", "/orders/7/", "/orders/7/lines/2", "/orders/7/lines", "/a%20b", "/a b", "/files/x/raw", "/files/x%2Fy/raw", "/other" };
        var data = new TheoryData<string, string>();
        foreach (string pattern in patterns)
        {
            foreach (string path in paths)
            {
                data.Add(pattern, path);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PatternsAndPaths))]
    public void A_stub_route_matches_a_path_exactly_when_the_router_does_with_the_same_values(string pattern, string path)
    {
        var route = new StubRoute("GET", pattern);
        var table = new RouteTable<int>();
        RouteEntry<int> entry = table.Add(RoutePattern.Parse(pattern), 1);
        var captures = new Range[Math.Max(1, table.MaxWildcards)];
        var values = new Dictionary<string, string>(StringComparer.Ordinal);

        bool stubMatched = route.MatchesPath(path, values);
        bool routerMatched = table.Match("GET", ReadOnlySpan<char>.Empty, path, captures) is not null;

        Assert.Equal(routerMatched, stubMatched);
        if (routerMatched)
        {
            var expected = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < entry.Pattern.WildcardNames.Length; i++)
            {
                if (entry.Pattern.WildcardNames[i] is { } name)
                {
                    expected[name] = path[captures[i]];
                }
            }
            Assert.Equal(expected, values);
        }
    }

    [Theory]
    [InlineData("/files/*", "{rest...}")]
    [InlineData("/files/{*path}", "{path...}")]
    [InlineData("/*/x", "{rest...}")]
    public void The_stubs_old_catch_alls_are_refused_with_the_pattern_to_write(string pattern, string write)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new StubRoute("GET", pattern));

        Assert.Contains(write, error.Message, StringComparison.Ordinal);
        Assert.Contains("HttpRouter", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orders", "must start with '/'")]
    [InlineData("/orders?x=1", "StubRoute.WithQuery")]
    [InlineData("/a b", "percent-encoded")]
    [InlineData("/a/../b", "write '/b'")]
    [InlineData("/x{id}", "whole segment")]
    public void Invalid_patterns_are_refused_saying_why(string pattern, string why)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new StubRoute("GET", pattern));

        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_that_is_not_clean_still_gets_no_empty_wildcard()
    {
        var route = new StubRoute("GET", "/a/{id}/b");

        Assert.False(route.MatchesPath("/a//b", new Dictionary<string, string>()));
        Assert.True(route.MatchesPath("/a/x/b", null));
    }
}
