using System;
using System.IO;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Files;

/// <summary>
/// Never outside the root: every way a request path could reach past <c>public/</c> (or reach a device, or something
/// Windows would read differently), sent as raw bytes over a real socket. Each must be 404 (or 400 from the request
/// parser) and never show the secret beside the root; the connection stays usable.
/// </summary>
public sealed class TraversalTests : IDisposable
{
    private readonly FileTree _tree = new();

    public TraversalTests()
    {
        _tree.Write("index.html", "public index");
        _tree.Write("sub/file.txt", "inside");
        _tree.Write("CON.txt", "device name on disk");
        _tree.Write("nul", "device name on disk");
        _tree.Write(".env", "SECRET_TOKEN=1");
        _tree.Write(".git/config", "SECRET_TOKEN=2");
        _tree.Write(".well-known/security.txt", "Contact: mailto:security@example.com");
        if (!OperatingSystem.IsWindows())
        {
            File.CreateSymbolicLink(Path.Combine(_tree.Root, "up.txt"), Path.Combine("..", "secret.txt"));
            File.CreateSymbolicLink(Path.Combine(_tree.Root, "absolute.txt"), Path.Combine(_tree.Top, "secret.txt"));
            Directory.CreateSymbolicLink(Path.Combine(_tree.Root, "outside-dir"), Path.Combine(_tree.Top, "outside"));
            Directory.CreateSymbolicLink(Path.Combine(_tree.Root, "etc"), "/etc");
            // A link inside the root to a link that leaves it: the second hop is judged too.
            File.CreateSymbolicLink(Path.Combine(_tree.Root, "sub", "hop.txt"), Path.Combine("..", "up.txt"));
            // A loop ends (ELOOP-like) instead of spinning.
            File.CreateSymbolicLink(Path.Combine(_tree.Root, "loop-a"), "loop-b");
            File.CreateSymbolicLink(Path.Combine(_tree.Root, "loop-b"), "loop-a");
            // Links that stay inside are followed.
            File.CreateSymbolicLink(Path.Combine(_tree.Root, "alias.txt"), Path.Combine("sub", "file.txt"));
            Directory.CreateSymbolicLink(Path.Combine(_tree.Root, "sub-alias"), "sub");
        }
    }

    public void Dispose() => _tree.Dispose();

    [Theory]
    // Dot segments, raw and in every encoding.
    [InlineData("/files/../secret.txt")]
    [InlineData("/files/sub/../../secret.txt")]
    [InlineData("/files/%2e%2e/secret.txt")]
    [InlineData("/files/%2E%2E/secret.txt")]
    [InlineData("/files/.%2e/secret.txt")]
    [InlineData("/files/%2e./secret.txt")]
    [InlineData("/files/sub/%2e%2e/%2e%2e/secret.txt")]
    [InlineData("/files/./index.html")]
    [InlineData("/files/%2e/index.html")]
    // Encoded separators.
    [InlineData("/files/..%2fsecret.txt")]
    [InlineData("/files/..%2Fsecret.txt")]
    [InlineData("/files/%2e%2e%2fsecret.txt")]
    [InlineData("/files/..%5csecret.txt")]
    [InlineData("/files/..%5Csecret.txt")]
    [InlineData("/files/%2e%2e%5csecret.txt")]
    [InlineData("/files/..\\secret.txt")]
    [InlineData("/files/sub\\..\\..\\secret.txt")]
    // Overlong UTF-8 for '.', '/' and '\' (and a double-encoded dot, which must stay a literal "%2e").
    [InlineData("/files/%c0%ae%c0%ae/secret.txt")]
    [InlineData("/files/%c0%ae%c0%ae%c0%afsecret.txt")]
    [InlineData("/files/..%c0%afsecret.txt")]
    [InlineData("/files/..%c1%9csecret.txt")]
    [InlineData("/files/%e0%80%ae%e0%80%ae/secret.txt")]
    [InlineData("/files/%252e%252e/secret.txt")]
    // NUL and control characters.
    [InlineData("/files/index.html%00")]
    [InlineData("/files/index.html%00.txt")]
    [InlineData("/files/%00/../secret.txt")]
    [InlineData("/files/index%0a.html")]
    // Absolute paths.
    [InlineData("/files//etc/passwd")]
    [InlineData("/files/%2fetc%2fpasswd")]
    [InlineData("/files//secret.txt")]
    [InlineData("/files/C:/Windows/win.ini")]
    [InlineData("/files/C%3a%5cWindows%5cwin.ini")]
    [InlineData("/files/%5c%5cserver%5cshare%5cfile")]
    [InlineData("/files/index.html::$DATA")]
    // Windows device names, with and without extensions, in any case.
    [InlineData("/files/CON")]
    [InlineData("/files/CON.txt")]
    [InlineData("/files/nul")]
    [InlineData("/files/NUL.html")]
    [InlineData("/files/com1")]
    [InlineData("/files/LPT9.log")]
    [InlineData("/files/CON%20.txt")]
    [InlineData("/files/sub/aux.css")]
    // Names Windows would alter (trailing dot or space).
    [InlineData("/files/index.html.")]
    [InlineData("/files/index.html%20")]
    public async Task A_path_that_could_leave_the_root_is_refused(string target)
    {
        await using ServerScope scope = ServerScope.Start(new StaticFiles(_tree.Root, "/files/").HandleAsync);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        string response = await client.ReadResponseAsync();

        Assert.DoesNotContain(FileTree.Secret, response);
        Assert.Matches("^HTTP/1.1 (400|404) ", response);
        if (response.StartsWith("HTTP/1.1 404 ", StringComparison.Ordinal))
        {
            await client.SendAsync("GET /files/sub/file.txt HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal("inside", RawSocket.Body(await client.ReadResponseAsync()));
        }
    }

    [Theory]
    [InlineData("/files/up.txt")]
    [InlineData("/files/absolute.txt")]
    [InlineData("/files/outside-dir/")]
    [InlineData("/files/outside-dir/index.html")]
    [InlineData("/files/etc/passwd")]
    [InlineData("/files/etc/hostname")]
    [InlineData("/files/sub/hop.txt")]
    [InlineData("/files/sub-alias/hop.txt")]
    [InlineData("/files/loop-a")]
    public async Task A_symbolic_link_leading_outside_the_root_is_404(string target)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the links need privileges on Windows, so the constructor made none
        }
        await using ServerScope scope = ServerScope.Start(new StaticFiles(_tree.Root, "/files/").HandleAsync);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        string response = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 404 ", response);
        Assert.DoesNotContain(FileTree.Secret, response);
        Assert.DoesNotContain("root:", response);
    }

    [Theory]
    [InlineData("/files/alias.txt")]
    [InlineData("/files/sub-alias/file.txt")]
    public async Task A_symbolic_link_that_stays_inside_the_root_is_followed(string target)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the links need privileges on Windows, so the constructor made none
        }
        await using ServerScope scope = ServerScope.Start(new StaticFiles(_tree.Root, "/files/").HandleAsync);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        string response = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 200 ", response);
        Assert.Equal("inside", RawSocket.Body(response));
    }

    [Fact]
    public async Task A_listing_never_links_outside_or_to_refused_names()
    {
        var files = new StaticFiles(_tree.Root, "/files/", new StaticFileOptions { ListDirectories = true, IndexFileName = null });
        await using ServerScope scope = ServerScope.Start(files.HandleAsync);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET /files/ HTTP/1.1\r\nHost: x\r\n\r\n");
        string response = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 200 ", response);
        Assert.Contains("href=\"index.html\"", response);
        Assert.DoesNotContain("href=\"CON.txt\"", response);
        Assert.DoesNotContain("href=\"../\"", response);
        Assert.DoesNotContain("href=\".env\"", response);
        Assert.DoesNotContain(FileTree.Secret, response);
    }

    [Theory]
    [InlineData("/files/.env")]
    [InlineData("/files/.git/config")]
    [InlineData("/files/%2egit/config")]
    [InlineData("/files/.well-known/security.txt")]
    public async Task A_dot_name_is_404_unless_the_options_serve_dot_names(string target)
    {
        await using ServerScope scope = ServerScope.Start(new StaticFiles(_tree.Root, "/files/").HandleAsync);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        string response = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 404 ", response);
        Assert.DoesNotContain("SECRET_TOKEN", response);
    }

    [Fact]
    public async Task Dot_names_are_served_and_listed_when_the_options_say_so()
    {
        var files = new StaticFiles(_tree.Root, "/files/", new StaticFileOptions { ServeDotNames = true, ListDirectories = true, IndexFileName = null });
        await using ServerScope scope = ServerScope.Start(files.HandleAsync);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET /files/.well-known/security.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("Contact: mailto:security@example.com", RawSocket.Body(await client.ReadResponseAsync()));
        await client.SendAsync("GET /files/ HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Contains("href=\".well-known/\"", await client.ReadResponseAsync());
    }

    [Fact]
    public async Task A_name_the_file_system_refuses_is_404_and_the_connection_goes_on()
    {
        // Longer than any file name may be (255 bytes on Linux): the file system's error, not a server failure.
        await using ServerScope scope = ServerScope.Start(new StaticFiles(_tree.Root, "/files/").HandleAsync);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync($"GET /files/{new string('a', 300)} HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 404 ", await client.ReadResponseAsync());
        await client.SendAsync("GET /files/sub/file.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("inside", RawSocket.Body(await client.ReadResponseAsync()));
    }
}
