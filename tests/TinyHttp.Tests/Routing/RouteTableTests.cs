using System;
using System.Collections.Generic;
using System.Linq;
using TinyHttp.Routing;
using Xunit;

namespace TinyHttp.Tests.Routing;

public class RouteTableTests
{
    [Theory]
    // The more specific pattern wins whatever the order of registration (each row is tried both ways round).
    [InlineData("/items/new", "/items/{id}", "/items/new")]
    [InlineData("/items/{id}", "/items/new", "/items/42")]
    [InlineData("/images/thumbnails/", "/images/", "/images/thumbnails/a.png")]
    [InlineData("/images/", "/images/thumbnails/", "/images/a.png")]
    [InlineData("GET /", "/", "/anything")]
    [InlineData("/{$}", "/", "/")]
    [InlineData("/", "/{$}", "/x")]
    [InlineData("/a/{$}", "/a/", "/a/")]
    [InlineData("/a/", "/a/{$}", "/a/b")]
    [InlineData("/a/{x}", "/a/", "/a/b")]
    [InlineData("/a/", "/a/{x}", "/a/b/c")]
    [InlineData("/a/b/z", "/a/{x}/c", "/a/b/z")]
    [InlineData("/a/{x}/c", "/a/b/z", "/a/b/c")]
    [InlineData("example.com/", "/items/{id}", "/items/1")]
    public void Match_PicksTheMostSpecific_InEitherOrder(string expected, string other, string path)
    {
        foreach (string[] order in new[] { new[] { expected, other }, new[] { other, expected } })
        {
            var table = new RouteTable<string>();
            foreach (string text in order)
            {
                table.Add(RoutePattern.Parse(text), text);
            }

            Assert.Equal(expected, Match(table, "GET", "example.com", path));
        }
    }

    [Fact]
    public void Match_BacktracksFromALiteralThatDeadEnds()
    {
        var table = Table("/a/b/z", "/a/{x}/c");

        Assert.Equal("/a/{x}/c", Match(table, "GET", "", "/a/b/c"));
        Assert.Null(Match(table, "GET", "", "/a/b/y"));
    }

    [Fact]
    public void Match_TriesTheExactMethod_ThenGetForHead_ThenPatternsWithoutAMethod()
    {
        var table = Table("GET /a", "HEAD /b", "/b", "POST /a", "/c");

        Assert.Equal("GET /a", Match(table, "GET", "", "/a"));
        Assert.Equal("GET /a", Match(table, "HEAD", "", "/a"));
        Assert.Equal("POST /a", Match(table, "POST", "", "/a"));
        Assert.Null(Match(table, "PUT", "", "/a"));
        Assert.Equal("HEAD /b", Match(table, "HEAD", "", "/b"));
        Assert.Equal("/b", Match(table, "GET", "", "/b"));
        Assert.Equal("/c", Match(table, "DELETE", "", "/c"));
        Assert.Null(Match(table, "get", "", "/a"));
    }

    [Fact]
    public void Match_PrefersAHostPattern_EvenOverAMoreSpecificPathWithoutHost()
    {
        var table = Table("api.example/", "/items/{id}", "GET web.example/items/{id}");

        Assert.Equal("api.example/", Match(table, "GET", "API.Example", "/items/1"));
        Assert.Equal("GET web.example/items/{id}", Match(table, "GET", "web.example", "/items/1"));
        Assert.Equal("/items/{id}", Match(table, "POST", "web.example", "/items/1"));
        Assert.Equal("/items/{id}", Match(table, "GET", "", "/items/1"));
        Assert.Null(Match(table, "GET", "other.example", "/"));
    }

    [Fact]
    public void Match_CapturesRangesOfTheEncodedPath_ForEachWildcard()
    {
        var table = Table("/b/{bucket}/o/{object...}", "/files/", "/x/{a}/{b}");
        Span<Range> captures = new Range[table.MaxWildcards];

        string path = "/b/my%20bucket/o/2025/a%2Fb.txt";
        Assert.Equal("/b/{bucket}/o/{object...}", table.Match("GET", "", path, captures)!.Pattern.Text);
        Assert.Equal("my%20bucket", path[captures[0]]);
        Assert.Equal("2025/a%2Fb.txt", path[captures[1]]);

        path = "/files/";
        RouteEntry<string> files = table.Match("GET", "", path, captures)!;
        Assert.Equal("", path[captures[0]]);
        Assert.True(RouteTable<string>.IsExact(files, captures, path.Length));

        path = "/files/x/y";
        files = table.Match("GET", "", path, captures)!;
        Assert.False(RouteTable<string>.IsExact(files, captures, path.Length));

        path = "/x/y%2Fz/w";
        Assert.Equal("/x/{a}/{b}", table.Match("GET", "", path, captures)!.Pattern.Text);
        Assert.Equal("y%2Fz", path[captures[0]]);
        Assert.Equal("w", path[captures[1]]);
    }

    [Theory]
    [InlineData("/a%2Fb", "/a%2fb", true)]
    [InlineData("/a%2Fb", "/a/b", false)]
    [InlineData("/caf%C3%A9", "/caf%c3%a9", true)]
    [InlineData("/café", "/caf%C3%A9", true)]
    [InlineData("/a", "/%61", true)]
    [InlineData("/a", "/%ff", false)]
    public void Match_ComparesLiteralsDecoded_SegmentBySegment(string pattern, string path, bool matches)
    {
        var table = Table(pattern);

        Assert.Equal(matches, Match(table, "GET", "", path) is not null);
    }

    [Theory]
    [InlineData("/a/{x}", "/a/{y}")]
    [InlineData("GET /a", "GET /a")]
    [InlineData("GET /{x}", "/a")]
    [InlineData("/{x}/b", "/a/{y}")]
    [InlineData("/files/", "/files/{rest...}")]
    [InlineData("GET /a/", "/a/b")]
    [InlineData("HEAD /{x}", "GET /a")]
    public void Add_RefusesAConflict_NamingBothPatterns(string first, string second)
    {
        var table = Table(first);

        InvalidOperationException refused = Assert.Throws<InvalidOperationException>(() => table.Add(RoutePattern.Parse(second), second));

        Assert.Contains($"'{second}' conflicts with '{first}'", refused.Message);
        Assert.Single(table.Entries);
    }

    [Fact]
    public void With_LeavesTheOriginalUnchanged()
    {
        var table = Table("/a");

        RouteTable<string> bigger = table.With(RoutePattern.Parse("/b"), "/b");

        Assert.Null(Match(table, "GET", "", "/b"));
        Assert.Equal("/b", Match(bigger, "GET", "", "/b"));
        Assert.Equal("/a", Match(bigger, "GET", "", "/a"));
        Assert.Throws<InvalidOperationException>(() => bigger.With(RoutePattern.Parse("/b"), "again"));
    }

    [Fact]
    public void FindEquivalent_FindsThePatternForTheSameRequests_WhateverItsWildcardNames()
    {
        var table = Table("GET /orders/{id}", "api.example/orders/{id}", "/files/");

        Assert.Equal("GET /orders/{id}", table.FindEquivalent(RoutePattern.Parse("GET /orders/{orderId}"))?.Value);
        Assert.Equal("api.example/orders/{id}", table.FindEquivalent(RoutePattern.Parse("API.example/orders/{x}"))?.Value);
        Assert.Equal("/files/", table.FindEquivalent(RoutePattern.Parse("/files/{rest...}"))?.Value);
        Assert.Null(table.FindEquivalent(RoutePattern.Parse("/orders/{id}")));
        Assert.Null(table.FindEquivalent(RoutePattern.Parse("GET /orders/1")));
    }

    [Fact]
    public void AddMatchingMethods_ListsTheMethodsThatWouldMatch_WithHeadBesideGet()
    {
        var table = Table("GET /a", "POST /a", "DELETE /{x}", "PUT /b");
        var methods = new List<string>();

        table.AddMatchingMethods("", "/a", methods, new Range[table.MaxWildcards]);

        Assert.Equal(new[] { "DELETE", "GET", "HEAD", "POST" }, methods.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Closest_RanksNearMissesWithTheirReasons()
    {
        var table = Table("GET /orders/{id}", "POST /orders", "GET /customers/{id}", "GET /orders/{id}/items");

        List<RouteMiss<string>> closest = table.Closest("POST", "", "/orders/7", 2);

        Assert.Equal(new[] { "GET /orders/{id}", "POST /orders" }, closest.Select(m => m.Entry.Value));
        Assert.Equal("method is POST, the route wants GET", Assert.Single(closest[0].Reasons));
    }

    // Patterns drawn from a small alphabet, kept when they do not conflict; every path over the same alphabet must
    // match exactly the pattern that matches it and is more specific than every other that matches it.
    [Fact]
    public void Match_AgreesWithTheDefinitionOfPrecedence_OnGeneratedPatterns()
    {
        var random = new Random(14);
        string[] pieces = { "a", "b", "{w}", "{$}", "{r...}" };
        string[] methods = { "", "GET ", "POST ", "HEAD " };
        for (int round = 0; round < 40; round++)
        {
            var table = new RouteTable<string>();
            var patterns = new List<RoutePattern>();
            for (int i = 0; i < 12; i++)
            {
                string text = methods[random.Next(methods.Length)] + RandomPath(random, pieces);
                RoutePattern pattern;
                try
                {
                    pattern = RoutePattern.Parse(text);
                    table.Add(pattern, text);
                }
                catch (ArgumentException)
                {
                    continue;
                }
                catch (InvalidOperationException)
                {
                    continue;
                }
                patterns.Add(pattern);
            }
            foreach (string path in AllPaths())
            {
                foreach (string method in new[] { "GET", "HEAD", "POST", "PUT" })
                {
                    RoutePattern[] matching = patterns.Where(p => p.Matches(method, "", path)).ToArray();
                    string? found = Match(table, method, "", path);
                    if (matching.Length == 0)
                    {
                        Assert.Null(found);
                        continue;
                    }
                    RoutePattern winner = Assert.Single(matching, p => matching.All(o => o == p || RouteSpecificity.Compare(p, o) == RouteRelation.MoreSpecific));
                    Assert.Equal(winner.Text, found);
                }
            }
        }
    }

    private static string RandomPath(Random random, string[] pieces)
    {
        int count = random.Next(0, 4);
        var path = new System.Text.StringBuilder();
        for (int i = 0; i < count; i++)
        {
            path.Append('/').Append(pieces[random.Next(pieces.Length)]);
        }
        if (count == 0 || random.Next(3) == 0)
        {
            path.Append('/');
        }
        return path.ToString();
    }

    private static IEnumerable<string> AllPaths()
    {
        string[] segments = { "a", "b", "c" };
        var paths = new List<string> { "/" };
        var frontier = new List<string> { "" };
        for (int depth = 0; depth < 4; depth++)
        {
            var next = new List<string>();
            foreach (string prefix in frontier)
            {
                foreach (string segment in segments)
                {
                    next.Add(prefix + "/" + segment);
                }
            }
            foreach (string path in next)
            {
                paths.Add(path);
                paths.Add(path + "/");
            }
            frontier = next;
        }
        return paths;
    }

    private static RouteTable<string> Table(params string[] patterns)
    {
        var table = new RouteTable<string>();
        foreach (string text in patterns)
        {
            table.Add(RoutePattern.Parse(text), text);
        }
        return table;
    }

    private static string? Match(RouteTable<string> table, string method, string host, string path) =>
        table.Match(method, host, path, new Range[table.MaxWildcards])?.Value;
}
