using System.Collections.Generic;
using TinyHttp.Protocol;
using Xunit;

namespace TinyHttp.Tests.Protocol;

/// <summary>FilePath: what a static-file path below the prefix names, and every way it refuses one.</summary>
public class FilePathTests
{
    [Theory]
    [InlineData("", "", false)]
    [InlineData("index.html", "index.html", false)]
    [InlineData("css/site.css", "css|site.css", false)]
    [InlineData("docs/", "docs", true)]
    [InlineData("a%20b/c%2Bd.txt", "a b|c+d.txt", false)]
    [InlineData("%C3%A9t%C3%A9.txt", "été.txt", false)]
    [InlineData(".well-known/x", ".well-known|x", false)]
    [InlineData("a..b", "a..b", false)]
    [InlineData("%252e%252e", "%2e%2e", false)]
    [InlineData("console.log", "console.log", false)]
    public void Acceptable_paths_split_into_decoded_segments(string path, string expected, bool endsWithSlash)
    {
        var segments = new List<string>();

        Assert.Equal(FilePathRefusal.None, FilePath.Split(path, segments, out bool slash));
        Assert.Equal(expected, string.Join("|", segments));
        Assert.Equal(endsWithSlash, slash);
    }

    [Theory]
    [InlineData("..", nameof(FilePathRefusal.DotSegment))]
    [InlineData("a/../b", nameof(FilePathRefusal.DotSegment))]
    [InlineData("%2e%2e/x", nameof(FilePathRefusal.DotSegment))]
    [InlineData(".%2E/x", nameof(FilePathRefusal.DotSegment))]
    [InlineData("./x", nameof(FilePathRefusal.DotSegment))]
    [InlineData("..%2fx", nameof(FilePathRefusal.EncodedSlash))]
    [InlineData("..%5cx", nameof(FilePathRefusal.Backslash))]
    [InlineData("a\\b", nameof(FilePathRefusal.Backslash))]
    [InlineData("%c0%ae%c0%ae/x", nameof(FilePathRefusal.NotUtf8))]
    [InlineData("%c0%af", nameof(FilePathRefusal.NotUtf8))]
    [InlineData("%e0%80%ae", nameof(FilePathRefusal.NotUtf8))]
    [InlineData("%ed%a0%80", nameof(FilePathRefusal.NotUtf8))]
    [InlineData("a%00b", nameof(FilePathRefusal.ControlCharacter))]
    [InlineData("a%0d%0ab", nameof(FilePathRefusal.ControlCharacter))]
    [InlineData("a%7f", nameof(FilePathRefusal.ControlCharacter))]
    [InlineData("%c2%85", nameof(FilePathRefusal.WindowsName))]
    [InlineData("/etc/passwd", nameof(FilePathRefusal.EmptySegment))]
    [InlineData("a//b", nameof(FilePathRefusal.EmptySegment))]
    [InlineData("C:/x", nameof(FilePathRefusal.Colon))]
    [InlineData("C%3Ax", nameof(FilePathRefusal.Colon))]
    [InlineData("C%3A%5Cx", nameof(FilePathRefusal.Backslash))]
    [InlineData("f::$DATA", nameof(FilePathRefusal.Colon))]
    [InlineData("a%3Fb", nameof(FilePathRefusal.WindowsName))]
    [InlineData("a*b", nameof(FilePathRefusal.WindowsName))]
    [InlineData("a%22b", nameof(FilePathRefusal.WindowsName))]
    [InlineData("x.", nameof(FilePathRefusal.WindowsName))]
    [InlineData("x%20", nameof(FilePathRefusal.WindowsName))]
    [InlineData("...", nameof(FilePathRefusal.WindowsName))]
    [InlineData("CON", nameof(FilePathRefusal.DeviceName))]
    [InlineData("con.txt", nameof(FilePathRefusal.DeviceName))]
    [InlineData("Aux.tar.gz", nameof(FilePathRefusal.DeviceName))]
    [InlineData("COM9", nameof(FilePathRefusal.DeviceName))]
    [InlineData("lpt1.html", nameof(FilePathRefusal.DeviceName))]
    [InlineData("COM%C2%B9", nameof(FilePathRefusal.DeviceName))]
    [InlineData("CON%20.txt", nameof(FilePathRefusal.DeviceName))]
    [InlineData("conin$", nameof(FilePathRefusal.DeviceName))]
    [InlineData("a/nul/b", nameof(FilePathRefusal.DeviceName))]
    [InlineData("%", nameof(FilePathRefusal.BadPercentEncoding))]
    [InlineData("%2", nameof(FilePathRefusal.BadPercentEncoding))]
    [InlineData("%zz", nameof(FilePathRefusal.BadPercentEncoding))]
    public void Paths_that_could_leave_the_root_or_name_something_else_are_refused(string path, string expected)
    {
        Assert.Equal(expected, FilePath.Split(path, new List<string>(), out _).ToString());
    }
}
