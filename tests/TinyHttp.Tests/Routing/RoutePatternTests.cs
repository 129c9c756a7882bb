using System;
using System.Linq;
using TinyHttp.Routing;
using Xunit;

namespace TinyHttp.Tests.Routing;

public class RoutePatternTests
{
    [Theory]
    [InlineData("/", null, null, "Rest:")]
    [InlineData("/items", null, null, "Literal:items")]
    [InlineData("GET /items/{id}", "GET", null, "Literal:items Wildcard:id")]
    [InlineData("GET  \t/items/", "GET", null, "Literal:items Rest:")]
    [InlineData("example.com/", null, "example.com", "Rest:")]
    [InlineData("POST example.com/a/{rest...}", "POST", "example.com", "Literal:a Rest:rest")]
    [InlineData("/{$}", null, null, "End:")]
    [InlineData("/a/{$}", null, null, "Literal:a End:")]
    [InlineData("/a%2Fb/100%25", null, null, "Literal:a/b Literal:100%")]
    [InlineData("/caf%C3%A9/{_x1}", null, null, "Literal:café Wildcard:_x1")]
    public void Parse_SplitsMethodHostAndSegments(string text, string? method, string? host, string segments)
    {
        RoutePattern pattern = RoutePattern.Parse(text);

        Assert.Equal(method, pattern.Method);
        Assert.Equal(host, pattern.Host);
        Assert.Equal(segments, string.Join(' ', pattern.Segments.Select(s => $"{s.Kind}:{s.Text}")));
        Assert.Equal(text, pattern.ToString());
    }

    [Fact]
    public void Parse_ListsWildcardNamesInOrder_WithNullForATrailingSlash()
    {
        Assert.Equal(new string?[] { "a", "b" }, RoutePattern.Parse("/{a}/x/{b...}").WildcardNames);
        Assert.Equal(new string?[] { "a", null }, RoutePattern.Parse("/{a}/").WildcardNames);
        Assert.Empty(RoutePattern.Parse("/a/{$}").WildcardNames);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("GET", "no path")]
    [InlineData("GET items", "no path")]
    [InlineData("G(T /a", "not an HTTP token")]
    [InlineData("{x}/a", "brace")]
    [InlineData("/a?b=1", "query")]
    [InlineData("example.com:8080/a", "write 'example.com/a'")]
    [InlineData("GET [::1]:80/", "write '[::1]/'")]
    [InlineData("/a/../b", "write '/b'")]
    [InlineData("/a//b", "write '/a/b'")]
    [InlineData("/a/./", "write '/a/'")]
    [InlineData("/a/%2e%2e/b", "write '/b'")]
    [InlineData("/a{x}", "whole segment")]
    [InlineData("/{x}b", "whole segment")]
    [InlineData("/{x", "whole segment")]
    [InlineData("/{{x}}", "whole segment")]
    [InlineData("/{$}/a", "{$} is not last")]
    [InlineData("/{rest...}/a", "is not last")]
    [InlineData("/{rest...}/", "is not last")]
    [InlineData("/{}", "not an identifier")]
    [InlineData("/{...}", "not an identifier")]
    [InlineData("/{1x}", "not an identifier")]
    [InlineData("/{a-b}", "not an identifier")]
    [InlineData("/{a}/{a}", "used twice")]
    [InlineData("/{a}/{a...}", "used twice")]
    public void Parse_RefusesWhatCouldNeverWork_SayingWhy(string text, string why)
    {
        ArgumentException refused = Assert.Throws<ArgumentException>(() => RoutePattern.Parse(text));

        Assert.Contains($"'{text}'", refused.Message);
        Assert.Contains(why, refused.Message);
        Assert.Equal("pattern", refused.ParamName);
    }

    [Theory]
    [InlineData("/a/{x}", "GET", "/a/b", true)]
    [InlineData("/a/{x}", "GET", "/a/", false)]
    [InlineData("/a/{x}", "GET", "/a/b/c", false)]
    [InlineData("/a/", "GET", "/a/", true)]
    [InlineData("/a/", "GET", "/a/b/c", true)]
    [InlineData("/a/", "GET", "/a", false)]
    [InlineData("/a/{$}", "GET", "/a/", true)]
    [InlineData("/a/{$}", "GET", "/a/b", false)]
    [InlineData("/a%2Fb", "GET", "/a%2fb", true)]
    [InlineData("/a%2Fb", "GET", "/a/b", false)]
    [InlineData("/a%20b", "GET", "/a%20b", true)]
    [InlineData("GET /a", "HEAD", "/a", true)]
    [InlineData("HEAD /a", "GET", "/a", false)]
    [InlineData("POST /a", "post", "/a", false)]
    public void Matches_FollowsTheSegmentRules(string text, string method, string path, bool matches) =>
        Assert.Equal(matches, RoutePattern.Parse(text).Matches(method, "", path));

    [Theory]
    [InlineData("GET /orders/{id}", "POST", "/orders/1", "method is POST, the route wants GET")]
    [InlineData("api.example/x", "GET", "/x", "host is other.example, the route wants api.example")]
    [InlineData("/orders/{id}", "GET", "/order/1", "segment 1 is 'order', the route wants 'orders'")]
    [InlineData("/orders/{id}", "GET", "/orders", "the path ends after segment 1, the route wants segment 2 ({id})")]
    [InlineData("/orders/{id}", "GET", "/orders/", "the path ends in '/' after segment 1, the route wants segment 2 ({id})")]
    [InlineData("/orders/{id}", "GET", "/orders/1/items", "the path goes on after segment 2")]
    [InlineData("/orders/{id}", "GET", "/orders/1/", "trailing '/'")]
    [InlineData("/files/", "GET", "/files", "the path ends after segment 1, the route wants a '/'")]
    [InlineData("/files/{$}", "GET", "/files/a", "the route ends there with {$}")]
    public void Explain_SaysWhyAPatternMissed(string text, string method, string path, string reason)
    {
        var explained = RoutePattern.Parse(text).Explain(method, "other.example:8080", path);

        Assert.Single(explained);
        Assert.Contains(reason, explained[0]);
    }

    [Fact]
    public void Explain_ListsEveryPartThatDiffers()
    {
        var explained = RoutePattern.Parse("GET api.example/orders").Explain("POST", "web.example", "/order");

        Assert.Equal(3, explained.Count);
    }
}
