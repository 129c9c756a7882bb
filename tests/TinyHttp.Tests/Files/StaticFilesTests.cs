using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Threading.Tasks;
using TinyHttp.Testing;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Files;

/// <summary>
/// Serving files as a browser or downloader sees it, over real sockets: types and validators, HEAD, directories and their
/// index, large files by sendfile on plain TCP and through the output buffer over TLS, with the connection kept alive after.
/// </summary>
public sealed class StaticFilesTests : IDisposable
{
    private const int Large = 3 * 1024 * 1024 + 17;
    private readonly FileTree _tree = new();
    private readonly byte[] _large = FileTree.Pattern(Large);

    public StaticFilesTests()
    {
        _tree.Write("index.html", "<h1>home</h1>");
        _tree.Write("css/site.css", "body{}");
        _tree.Write("docs/readme.txt", "read me");
        _tree.Write("data.unknownext", "??");
        _tree.Write("empty.txt", "");
        _tree.Write("large.bin", _large);
    }

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task A_file_comes_with_its_type_length_and_validators()
    {
        await using ServerScope scope = Start(new StaticFiles(_tree.Root, "/assets/"));

        using HttpResponseMessage response = await scope.Client.GetAsync(scope.Url("/assets/css/site.css"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("body{}", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/css; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(6, response.Content.Headers.ContentLength);
        Assert.Equal(new DateTimeOffset(FileTree.Modified), response.Content.Headers.LastModified);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
    }

    [Fact]
    public async Task Unknown_extensions_are_octet_streams_and_the_table_can_be_changed()
    {
        var options = new StaticFileOptions { CacheControl = "no-cache" };
        options.ContentTypes[".txt"] = "text/x-custom";
        await using ServerScope scope = Start(new StaticFiles(_tree.Root, "/", options));

        using HttpResponseMessage unknown = await scope.Client.GetAsync(scope.Url("/data.unknownext"));
        using HttpResponseMessage custom = await scope.Client.GetAsync(scope.Url("/docs/readme.txt"));

        Assert.Equal("application/octet-stream", unknown.Content.Headers.ContentType!.ToString());
        Assert.Equal("text/x-custom", custom.Content.Headers.ContentType!.ToString());
        Assert.Equal("no-cache", custom.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task Without_a_default_type_unknown_extensions_are_404()
    {
        await using ServerScope scope = Start(new StaticFiles(_tree.Root, "/", new StaticFileOptions { DefaultContentType = null }));

        using HttpResponseMessage response = await scope.Client.GetAsync(scope.Url("/data.unknownext"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_directory_redirects_to_its_slash_and_serves_its_index()
    {
        await using ServerScope scope = Start(new StaticFiles(_tree.Root, "/assets"));
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET /assets HTTP/1.1\r\nHost: x\r\n\r\n");
        string prefix = await client.ReadResponseAsync();
        await client.SendAsync("GET /assets/css?v=2 HTTP/1.1\r\nHost: x\r\n\r\n");
        string directory = await client.ReadResponseAsync();
        await client.SendAsync("GET /assets/ HTTP/1.1\r\nHost: x\r\n\r\n");
        string index = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 301 ", prefix);
        Assert.Equal("/assets/", RawSocket.HeaderValue(prefix, "Location"));
        Assert.StartsWith("HTTP/1.1 301 ", directory);
        Assert.Equal("/assets/css/?v=2", RawSocket.HeaderValue(directory, "Location"));
        Assert.StartsWith("HTTP/1.1 200 ", index);
        Assert.Equal("<h1>home</h1>", RawSocket.Body(index));
    }

    [Fact]
    public async Task A_directory_without_an_index_is_404_unless_listings_are_asked_for()
    {
        await using ServerScope hidden = Start(new StaticFiles(_tree.Root));
        await using ServerScope listed = Start(new StaticFiles(_tree.Root, "/", new StaticFileOptions { ListDirectories = true }));

        using HttpResponseMessage notListed = await hidden.Client.GetAsync(hidden.Url("/docs/"));
        using HttpResponseMessage listing = await listed.Client.GetAsync(listed.Url("/docs/"));

        Assert.Equal(HttpStatusCode.NotFound, notListed.StatusCode);
        Assert.DoesNotContain("readme", await notListed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        Assert.Contains("<a href=\"readme.txt\">readme.txt</a>", await listing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Only_GET_and_HEAD_are_answered()
    {
        await using ServerScope scope = Start(new StaticFiles(_tree.Root));

        using HttpResponseMessage response = await scope.Client.PostAsync(scope.Url("/index.html"), new StringContent("x"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("GET, HEAD", string.Join(", ", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task Paths_outside_the_prefix_are_404()
    {
        await using ServerScope scope = Start(new StaticFiles(_tree.Root, "/assets/"));

        using HttpResponseMessage response = await scope.Client.GetAsync(scope.Url("/index.html"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task HEAD_sends_the_head_of_a_large_file_and_the_connection_goes_on()
    {
        await using ServerScope scope = Start(new StaticFiles(_tree.Root));
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("HEAD /large.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /css/site.css HTTP/1.1\r\nHost: x\r\n\r\n");
        string head = await client.ReadResponseAsync(headRequest: true);
        string next = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 200 ", head);
        Assert.Equal(Large.ToString(System.Globalization.CultureInfo.InvariantCulture), RawSocket.HeaderValue(head, "Content-Length"));
        Assert.EndsWith("\r\n\r\n", head);
        Assert.Equal("body{}", RawSocket.Body(next));
    }

    [Fact]
    public async Task An_empty_file_is_200_with_Content_Length_0()
    {
        await using ServerScope scope = Start(new StaticFiles(_tree.Root));
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET /empty.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        string response = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 200 ", response);
        Assert.Equal("0", RawSocket.HeaderValue(response, "Content-Length"));
    }

    [Fact]
    public async Task A_large_file_over_plain_TCP_arrives_whole_and_the_connection_serves_the_next_request()
    {
        await using ServerScope scope = Start(new StaticFiles(_tree.Root));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(scope.Server.EndPoints[0]);
        using var stream = new NetworkStream(socket);

        for (int round = 0; round < 2; round++)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
            (string head, byte[] body) = await ReadResponseAsync(stream);
            Assert.StartsWith("HTTP/1.1 200 ", head);
            Assert.True(_large.AsSpan().SequenceEqual(body), "the body differs from the file");
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /large.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=1000000-2000000\r\n\r\n"));
        (string rangeHead, byte[] range) = await ReadResponseAsync(stream);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /css/site.css HTTP/1.1\r\nHost: x\r\n\r\n"));
        (string _, byte[] small) = await ReadResponseAsync(stream);

        Assert.StartsWith("HTTP/1.1 206 ", rangeHead);
        Assert.Contains($"Content-Range: bytes 1000000-2000000/{Large}\r\n", rangeHead);
        Assert.True(_large.AsSpan(1_000_000, 1_000_001).SequenceEqual(range), "the range differs from the file");
        Assert.Equal("body{}", Encoding.ASCII.GetString(small));
    }

    [Fact]
    public async Task A_large_file_over_TLS_goes_through_the_output_buffer_and_arrives_whole()
    {
        var files = new StaticFiles(_tree.Root);
        var options = new TinyHttpServerOptions().Listen(IPAddress.Loopback, 0, new HttpsOptions { ServerCertificate = TestCertificate.Localhost });
        await using var server = new TinyHttpServer(options, files.HandleAsync);
        server.Start();
        using var client = new HttpClient(TestCertificate.CreatePinnedHandler(TestCertificate.Localhost)) { BaseAddress = server.BaseAddress };

        byte[] whole = await client.GetByteArrayAsync("/large.bin");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/large.bin");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(5, 70_004);
        using HttpResponseMessage partial = await client.SendAsync(request);

        Assert.True(_large.AsSpan().SequenceEqual(whole), "the body differs from the file");
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        byte[] range = await partial.Content.ReadAsByteArrayAsync();
        Assert.True(_large.AsSpan(5, 70_000).SequenceEqual(range), "the range differs from the file");
    }

    [Fact]
    public async Task Several_ranges_of_a_large_file_come_as_multipart_byteranges()
    {
        await using ServerScope scope = Start(new StaticFiles(_tree.Root));
        using var request = new HttpRequestMessage(HttpMethod.Get, scope.Url("/large.bin"));
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-9, 2000000-2099999, -5");

        using HttpResponseMessage response = await scope.Client.SendAsync(request);
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        string boundary = response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!;
        Assert.Equal("multipart/byteranges", response.Content.Headers.ContentType.MediaType);
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        string text = Encoding.Latin1.GetString(body);
        Assert.StartsWith($"--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-9/{Large}\r\n\r\n", text);
        Assert.EndsWith($"\r\n--{boundary}--\r\n", text);
        Assert.Contains($"Content-Range: bytes 2000000-2099999/{Large}\r\n\r\n" + Encoding.Latin1.GetString(_large, 2_000_000, 100_000) + "\r\n--", text);
        Assert.Contains($"Content-Range: bytes {Large - 5}-{Large - 1}/{Large}\r\n\r\n" + Encoding.Latin1.GetString(_large, Large - 5, 5) + "\r\n--", text);
    }

    [Fact]
    public async Task Embedded_resources_are_served_with_a_content_hash_ETag()
    {
        StaticFiles files = StaticFiles.FromEmbeddedResources(typeof(StaticFilesTests).Assembly, "embedded-site/", "/ui/");
        await using ServerScope scope = Start(files);

        using HttpResponseMessage index = await scope.Client.GetAsync(scope.Url("/ui/"));
        using HttpResponseMessage script = await scope.Client.GetAsync(scope.Url("/ui/js/app.js"));
        using HttpResponseMessage directory = await scope.Client.GetAsync(scope.Url("/ui/js"));
        using var conditional = new HttpRequestMessage(HttpMethod.Get, scope.Url("/ui/js/app.js"));
        conditional.Headers.IfNoneMatch.Add(script.Headers.ETag!);
        using HttpResponseMessage notModified = await scope.Client.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Contains("embedded page", await index.Content.ReadAsStringAsync());
        Assert.Equal("text/javascript; charset=utf-8", script.Content.Headers.ContentType!.ToString());
        Assert.Equal("/ui/js/", directory.RequestMessage!.RequestUri!.AbsolutePath);   // redirected there; no index, no listing
        Assert.Equal(HttpStatusCode.NotFound, directory.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task Mounted_on_a_router_under_its_prefix_it_serves_beside_other_routes()
    {
        var files = new StaticFiles(_tree.Root, "/assets/");
        var router = new HttpRouter()
            .Map("GET /assets/", files.HandleAsync)
            .Map("GET /api/{name}", (request, response) => response.SetBody("api " + request.GetRouteValue("name")));
        await using ServerScope scope = ServerScope.Start(router.HandleAsync);
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET /assets/css/site.css HTTP/1.1\r\nHost: x\r\nRange: bytes=0-3\r\n\r\n");
        string file = await client.ReadResponseAsync();
        await client.SendAsync("GET /assets HTTP/1.1\r\nHost: x\r\n\r\n");
        string redirect = await client.ReadResponseAsync();
        await client.SendAsync("GET /assets/css/../../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        string cleaned = await client.ReadResponseAsync();
        await client.SendAsync("GET /api/x HTTP/1.1\r\nHost: x\r\n\r\n");
        string api = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 206 ", file);
        Assert.Equal("body", RawSocket.Body(file));
        Assert.StartsWith("HTTP/1.1 301 ", redirect);
        Assert.Equal("/assets/", RawSocket.HeaderValue(redirect, "Location"));
        Assert.DoesNotContain(FileTree.Secret, cleaned);
        Assert.Equal("api x", RawSocket.Body(api));
    }

    [Fact]
    public void Misuse_throws_with_what_to_do()
    {
        var missing = Assert.Throws<DirectoryNotFoundException>(() => new StaticFiles(Path.Combine(_tree.Root, "nope")));
        var prefix = Assert.Throws<ArgumentException>(() => new StaticFiles(_tree.Root, "assets/"));
        var resources = Assert.Throws<ArgumentException>(() => StaticFiles.FromEmbeddedResources(typeof(StaticFilesTests).Assembly, "no-such/"));

        Assert.Contains("does not exist", missing.Message);
        Assert.Contains("starting with '/'", prefix.Message);
        Assert.Contains("LogicalName", resources.Message);
    }

    private static ServerScope Start(StaticFiles files) => ServerScope.Start(files.HandleAsync);

    private static async Task<(string Head, byte[] Body)> ReadResponseAsync(Stream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await stream.ReadExactlyAsync(one);
            head.Append((char)one[0]);
        }
        string text = head.ToString();
        int length = int.Parse(RawSocket.HeaderValue(text, "Content-Length")!, System.Globalization.CultureInfo.InvariantCulture);
        var body = new byte[length];
        await stream.ReadExactlyAsync(body);
        return (text, body);
    }
}
