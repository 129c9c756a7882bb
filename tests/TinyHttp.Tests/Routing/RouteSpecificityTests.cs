using System;
using TinyHttp.Routing;
using Xunit;

namespace TinyHttp.Tests.Routing;

/// <summary>Go 1.22's precedence rule, piece by piece: one test row per way two patterns can relate.</summary>
public class RouteSpecificityTests
{
    [Theory]
    // Methods: none is the most general; GET also answers HEAD; other methods answer only themselves.
    [InlineData("/a", "/a", nameof(RouteRelation.Equivalent))]
    [InlineData("/a", "GET /a", nameof(RouteRelation.MoreGeneral))]
    [InlineData("GET /a", "/a", nameof(RouteRelation.MoreSpecific))]
    [InlineData("GET /a", "HEAD /a", nameof(RouteRelation.MoreGeneral))]
    [InlineData("HEAD /a", "GET /a", nameof(RouteRelation.MoreSpecific))]
    [InlineData("GET /a", "POST /a", nameof(RouteRelation.Disjoint))]
    // Literals and single wildcards.
    [InlineData("/a", "/b", nameof(RouteRelation.Disjoint))]
    [InlineData("/{x}", "/a", nameof(RouteRelation.MoreGeneral))]
    [InlineData("/a", "/{x}", nameof(RouteRelation.MoreSpecific))]
    [InlineData("/{x}", "/{y}", nameof(RouteRelation.Equivalent))]
    [InlineData("/{x}/b", "/a/{y}", nameof(RouteRelation.Overlaps))]
    [InlineData("/a/b", "/a/b/c", nameof(RouteRelation.Disjoint))]
    // Rests: a trailing slash or {name...} matches the rest, including nothing after the slash.
    [InlineData("/", "/a", nameof(RouteRelation.MoreGeneral))]
    [InlineData("/a/", "/a/{x...}", nameof(RouteRelation.Equivalent))]
    [InlineData("/a/", "/a/b/c", nameof(RouteRelation.MoreGeneral))]
    [InlineData("/a/", "/a", nameof(RouteRelation.Disjoint))]
    [InlineData("/a/{x...}", "/{y}/b", nameof(RouteRelation.Overlaps))]
    [InlineData("/{x}/", "/a", nameof(RouteRelation.Disjoint))]
    [InlineData("/a/", "/{x}/", nameof(RouteRelation.MoreSpecific))]
    // {$}: only the path ending at that slash; a single wildcard never matches it.
    [InlineData("/a/{$}", "/a/", nameof(RouteRelation.MoreSpecific))]
    [InlineData("/{$}", "/", nameof(RouteRelation.MoreSpecific))]
    [InlineData("/a/{$}", "/a/{x}", nameof(RouteRelation.Disjoint))]
    [InlineData("/a/{$}", "/a/{$}", nameof(RouteRelation.Equivalent))]
    // Method and path together: opposite directions overlap.
    [InlineData("GET /{x}", "/a", nameof(RouteRelation.Overlaps))]
    [InlineData("GET /a", "/{x}", nameof(RouteRelation.MoreSpecific))]
    [InlineData("GET /a/", "/a/b", nameof(RouteRelation.Overlaps))]
    [InlineData("GET /", "/index.html", nameof(RouteRelation.Overlaps))]
    public void Compare_RelatesTheRequestSets(string first, string second, string expected)
    {
        RouteRelation relation = Enum.Parse<RouteRelation>(expected);
        Assert.Equal(relation, RouteSpecificity.Compare(RoutePattern.Parse(first), RoutePattern.Parse(second)));
        Assert.Equal(Inverse(relation), RouteSpecificity.Compare(RoutePattern.Parse(second), RoutePattern.Parse(first)));
    }

    [Theory]
    [InlineData("/a/{x}", "/a/{y}", true)]
    [InlineData("GET /a", "GET /a", true)]
    [InlineData("GET /{x}", "/a", true)]
    [InlineData("/{x}/b", "/a/{y}", true)]
    [InlineData("/a/{x}", "/a/b", false)]
    [InlineData("GET /a", "POST /a", false)]
    // A host beats no host, so those never conflict; two hosts never share a request.
    [InlineData("example.com/{x}", "/a", false)]
    [InlineData("a.example/x", "b.example/x", false)]
    [InlineData("A.example/x", "a.EXAMPLE/x", true)]
    public void Conflicts_WhenNeitherWinsForSomeRequest(string first, string second, bool conflicts) =>
        Assert.Equal(conflicts, RouteSpecificity.Conflicts(RoutePattern.Parse(first), RoutePattern.Parse(second)));

    [Theory]
    [InlineData("/a/{y}", "/a/{x}", "GET /a/x", "they match exactly the same requests")]
    [InlineData("/a/{y}", "/{x}/b", "GET /a/b", "neither is more specific")]
    [InlineData("/a", "GET /{x}", "GET /a", "'/a' answers more methods but has the more specific path")]
    [InlineData("GET /{x}", "/a", "GET /a", "'GET /{x}' answers fewer methods but has the more general path")]
    [InlineData("HEAD /{x}/", "GET /a/b", "HEAD /a/b", "fewer methods")]
    public void DescribeConflict_NamesBothPatternsAndARequestBothMatch(string added, string existing, string request, string why)
    {
        string message = RouteSpecificity.DescribeConflict(RoutePattern.Parse(added), RoutePattern.Parse(existing));

        Assert.Contains($"'{added}' conflicts with '{existing}'", message);
        Assert.Contains($"both match {request},", message);
        Assert.Contains(why, message);
    }

    private static RouteRelation Inverse(RouteRelation relation) => relation switch
    {
        RouteRelation.MoreGeneral => RouteRelation.MoreSpecific,
        RouteRelation.MoreSpecific => RouteRelation.MoreGeneral,
        _ => relation,
    };
}
