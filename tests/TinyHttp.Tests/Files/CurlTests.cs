using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace TinyHttp.Tests.Files;

/// <summary>
/// Static files as curl users see them: a resumed download (<c>-C -</c>, a range request), a byte range (<c>-r</c>),
/// a conditional download (<c>-z</c>, If-Modified-Since; <c>--etag-compare</c>, If-None-Match), and a large file saved
/// whole. .ci/run installs curl.
/// </summary>
public sealed class CurlTests : IDisposable
{
    private const int Large = 5 * 1024 * 1024 + 3;
    private readonly FileTree _tree = new();
    private readonly byte[] _large = FileTree.Pattern(Large);
    private readonly string _work = Path.Combine(Path.GetTempPath(), "tinyhttp-curl-" + Guid.NewGuid().ToString("N"));

    public CurlTests()
    {
        _tree.Write("alphabet.txt", "abcdefghijklmnopqrstuvwxyz");
        _tree.Write("large.bin", _large);
        Directory.CreateDirectory(_work);
    }

    public void Dispose()
    {
        _tree.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Curl_asks_for_a_byte_range()
    {
        await using TinyHttpServer server = Start();

        (int exit, string output) = await CurlAsync($"--silent --show-error --include -r 2-5 {Url(server, "alphabet.txt")}");

        Assert.True(exit == 0, output);
        Assert.StartsWith("HTTP/1.1 206 Partial Content", output);
        Assert.Contains("Content-Range: bytes 2-5/26", output);
        Assert.EndsWith("\r\n\r\ncdef", output);
    }

    [Fact]
    public async Task Curl_resumes_a_partial_download_of_a_large_file()
    {
        await using TinyHttpServer server = Start();
        string file = Path.Combine(_work, "large.bin");
        await File.WriteAllBytesAsync(file, _large.AsSpan(0, 1_234_567).ToArray());

        (int exit, string output) = await CurlAsync($"--silent --show-error -C - -o {file} {Url(server, "large.bin")}");

        Assert.True(exit == 0, output);
        byte[] resumed = await File.ReadAllBytesAsync(file);
        Assert.True(_large.AsSpan().SequenceEqual(resumed), "the resumed file differs");
    }

    [Fact]
    public async Task Curl_downloads_a_large_file_whole()
    {
        await using TinyHttpServer server = Start();
        string file = Path.Combine(_work, "whole.bin");

        (int exit, string output) = await CurlAsync($"--silent --show-error --fail -o {file} {Url(server, "large.bin")}");

        Assert.True(exit == 0, output);
        byte[] downloaded = await File.ReadAllBytesAsync(file);
        Assert.True(_large.AsSpan().SequenceEqual(downloaded), "the downloaded file differs");
    }

    [Fact]
    public async Task Curl_downloads_only_when_modified_since_its_copy()
    {
        await using TinyHttpServer server = Start();
        string copy = Path.Combine(_work, "alphabet.txt");
        await File.WriteAllTextAsync(copy, "old copy");
        File.SetLastWriteTimeUtc(copy, FileTree.Modified);

        // -z with a file sends If-Modified-Since with the file's date: the server's copy is no newer, so 304.
        (int exit, string output) = await CurlAsync($"--silent --show-error --include -z {copy} {Url(server, "alphabet.txt")}");
        (int exitOlder, string older) = await CurlAsync($"--silent --show-error --include -z \"1 Jan 2026 00:00:00 GMT\" {Url(server, "alphabet.txt")}");

        Assert.True(exit == 0, output);
        Assert.StartsWith("HTTP/1.1 304 Not Modified", output);
        Assert.True(exitOlder == 0, older);
        Assert.StartsWith("HTTP/1.1 200 OK", older);
    }

    [Fact]
    public async Task Curl_saves_and_compares_the_ETag()
    {
        await using TinyHttpServer server = Start();
        string etag = Path.Combine(_work, "etag.txt");
        string body = Path.Combine(_work, "body.txt");

        (int exitSave, string save) = await CurlAsync($"--silent --show-error --etag-save {etag} -o {body} {Url(server, "alphabet.txt")}");
        (int exit, string output) = await CurlAsync($"--silent --show-error --include --etag-compare {etag} {Url(server, "alphabet.txt")}");

        Assert.True(exitSave == 0, save);
        Assert.StartsWith("\"", await File.ReadAllTextAsync(etag));
        Assert.True(exit == 0, output);
        Assert.StartsWith("HTTP/1.1 304 Not Modified", output);
    }

    private TinyHttpServer Start()
    {
        var files = new StaticFiles(_tree.Root, "/files/");
        var server = new TinyHttpServer(new TinyHttpServerOptions(), files.HandleAsync);
        server.Start();
        return server;
    }

    private static string Url(TinyHttpServer server, string name) => $"http://127.0.0.1:{((IPEndPoint)server.EndPoints[0]).Port}/files/{name}";

    private static async Task<(int ExitCode, string Output)> CurlAsync(string arguments)
    {
        var start = new ProcessStartInfo("curl", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("curl did not start; .ci/run installs it.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        // A bound on a hung tool, not a timing assertion.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(bound.Token);
        return (process.ExitCode, await output + await errors);
    }
}
