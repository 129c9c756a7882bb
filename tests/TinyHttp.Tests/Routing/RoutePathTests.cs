using TinyHttp.Routing;
using Xunit;

namespace TinyHttp.Tests.Routing;

public class RoutePathTests
{
    [Theory]
    [InlineData("/", true)]
    [InlineData("/a/b/", true)]
    [InlineData("/a.b/..c/...", true)]
    [InlineData("//a", false)]
    [InlineData("/a//", false)]
    [InlineData("/./a", false)]
    [InlineData("/a/..", false)]
    [InlineData("/a/%2e/b", false)]
    [InlineData("/a/.%2E", false)]
    [InlineData("/a/%2e%2e%2e", true)]
    [InlineData("/a%2F..%2Fb", true)]
    public void IsClean(string path, bool clean) => Assert.Equal(clean, RoutePath.IsClean(path));

    [Theory]
    [InlineData("//a", "/a")]
    [InlineData("/a//b//", "/a/b/")]
    [InlineData("/a/../b", "/b")]
    [InlineData("/./a", "/a")]
    [InlineData("/a/.", "/a")]
    [InlineData("/a/./", "/a/")]
    [InlineData("/a/b/..", "/a")]
    [InlineData("/a/b/../", "/a/")]
    [InlineData("/..", "/")]
    [InlineData("/../../a", "/a")]
    [InlineData("//", "/")]
    [InlineData("/a/%2E%2e/b", "/b")]
    [InlineData("/x/%2e/y%20z", "/x/y%20z")]
    public void Clean_AsGoPathCleanKeepingATrailingSlash(string path, string clean)
    {
        Assert.Equal(clean, RoutePath.Clean(path));
        Assert.True(RoutePath.IsClean(clean));
    }

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("example.com:8080", "example.com")]
    [InlineData("[::1]:80", "[::1]")]
    [InlineData("[::1]", "[::1]")]
    [InlineData("", "")]
    public void StripPort(string authority, string host) => Assert.Equal(host, RoutePath.StripPort(authority).ToString());
}
