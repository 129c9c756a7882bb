using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Testing;

public sealed class ResponseSnapshotTests : IDisposable
{
    private const string Chunked = "HTTP/1.1 200 OK\r\nDate: Tue, 25 Nov 2025 14:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";

    // Each test gets its own folder, so parallel runs never share a snapshot file and the source tree stays clean.
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tinyhttp-snapshots-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> _environment = new();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Render_shows_one_line_per_wire_line_with_CR_LF_visible_and_Date_scrubbed()
    {
        string text = ResponseSnapshot.Render(RawHttpResponse.Parse(Chunked));

        Assert.Equal(
            "HTTP/1.1 200 OK\\r\\n\n" +
            "Date: {Date}\\r\\n\n" +
            "Transfer-Encoding: chunked\\r\\n\n" +
            "\\r\\n\n" +
            "5\\r\\n\n" +
            "hello\\r\\n\n" +
            "0\\r\\n\n" +
            "\\r\\n\n",
            text);
    }

    [Fact]
    public void Render_escapes_non_ASCII_and_marks_a_body_without_final_newline()
    {
        byte[] wire = Encoding.UTF8.GetBytes("HTTP/1.1 200 OK\nContent-Length: 6\n\ncafé\t");

        string text = ResponseSnapshot.Render(wire);

        Assert.Equal("HTTP/1.1 200 OK\\n\nContent-Length: 6\\n\n\\n\ncaf\\xC3\\xA9\\t\n", text);
    }

    [Fact]
    public void Render_applies_header_text_and_pattern_scrubbers()
    {
        var settings = new SnapshotSettings()
            .ScrubHeader("X-Request-Id")
            .Scrub("127.0.0.1:5123", "{Host}")
            .Scrub(new Regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "{Guid}");
        RawHttpResponse response = RawHttpResponse.Parse(
            "HTTP/1.1 200 OK\r\nx-request-id:  abc123 \r\nLocation: http://127.0.0.1:5123/a\r\nContent-Length: 36\r\n\r\n6f9619ff-8b86-d011-b42d-00cf4fc964ff");

        string text = ResponseSnapshot.Render(response, settings);

        Assert.Contains("x-request-id:  {X-Request-Id} \\r\\n\n", text, StringComparison.Ordinal);
        Assert.Contains("Location: http://{Host}/a\\r\\n\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\\r\\n\n{Guid}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_of_bytes_renders_pipelined_responses_and_a_cut_off_tail()
    {
        byte[] wire = Encoding.ASCII.GetBytes("HTTP/1.1 204 No Content\r\nDate: x\r\n\r\nHTTP/1.1 200 OK\r\nDate: y\r\nContent-Length: 9\r\n\r\ncut");

        string text = ResponseSnapshot.Render(wire);

        Assert.Equal(
            "HTTP/1.1 204 No Content\\r\\n\nDate: {Date}\\r\\n\n\\r\\n\n" +
            "HTTP/1.1 200 OK\\r\\n\nDate: y\\r\\n\nContent-Length: 9\\r\\n\n\\r\\n\ncut\n",
            text);
    }

    [Fact]
    public void Render_includes_interim_responses_before_the_final_one()
    {
        RawHttpResponse final = RawHttpResponse.Parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        final.InterimResponses = new[] { RawHttpResponse.Parse("HTTP/1.1 100 Continue\r\n\r\n") };

        Assert.StartsWith("HTTP/1.1 100 Continue\\r\\n\n\\r\\n\nHTTP/1.1 200 OK", ResponseSnapshot.Render(final), StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_passes_when_the_verified_file_matches_even_with_CRLF_line_endings()
    {
        string expected = ResponseSnapshot.Render(RawHttpResponse.Parse(Chunked));
        Directory.CreateDirectory(_directory);
        File.WriteAllText(VerifiedPath, expected.Replace("\n", "\r\n", StringComparison.Ordinal));

        ResponseSnapshot.Verify(RawHttpResponse.Parse(Chunked), Settings());

        Assert.False(File.Exists(ReceivedPath));
    }

    [Fact]
    public void Verify_mismatch_writes_received_and_fails_with_a_diff()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(VerifiedPath, ResponseSnapshot.Render(RawHttpResponse.Parse(Chunked)));
        RawHttpResponse changed = RawHttpResponse.Parse(Chunked.Replace("hello", "HELLO", StringComparison.Ordinal));

        TinyHttpAssertionException error = Assert.Throws<TinyHttpAssertionException>(() => ResponseSnapshot.Verify(changed, Settings()));

        Assert.Contains("does not match its verified file", error.Message, StringComparison.Ordinal);
        Assert.Contains("- hello\\r\\n", error.Message, StringComparison.Ordinal);
        Assert.Contains("+ HELLO\\r\\n", error.Message, StringComparison.Ordinal);
        Assert.Contains("  5\\r\\n", error.Message, StringComparison.Ordinal);
        Assert.Contains(ResponseSnapshot.AcceptVariable, error.Message, StringComparison.Ordinal);
        Assert.Equal(ResponseSnapshot.Render(changed), File.ReadAllText(ReceivedPath));
    }

    [Fact]
    public void Verify_without_a_verified_file_writes_received_locally_and_says_how_to_accept()
    {
        TinyHttpAssertionException error = Assert.Throws<TinyHttpAssertionException>(() => ResponseSnapshot.Verify(RawHttpResponse.Parse(Chunked), Settings()));

        Assert.Contains("no verified snapshot yet", error.Message, StringComparison.Ordinal);
        Assert.Contains(ReceivedPath, error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(ReceivedPath));
        Assert.False(File.Exists(VerifiedPath));
    }

    [Fact]
    public void Verify_without_a_verified_file_under_CI_fails_without_writing()
    {
        _environment["CI"] = "true";

        TinyHttpAssertionException error = Assert.Throws<TinyHttpAssertionException>(() => ResponseSnapshot.Verify(RawHttpResponse.Parse(Chunked), Settings()));

        Assert.Contains("CI=true", error.Message, StringComparison.Ordinal);
        Assert.Contains("hello\\r\\n", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(ReceivedPath));
    }

    [Fact]
    public void Verify_with_the_accept_variable_writes_the_verified_file_and_removes_received()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(VerifiedPath, "old\n");
        File.WriteAllText(ReceivedPath, "stale\n");
        _environment[ResponseSnapshot.AcceptVariable] = "1";

        ResponseSnapshot.Verify(RawHttpResponse.Parse(Chunked), Settings());

        Assert.Equal(ResponseSnapshot.Render(RawHttpResponse.Parse(Chunked)), File.ReadAllText(VerifiedPath));
        Assert.False(File.Exists(ReceivedPath));
        _environment.Remove(ResponseSnapshot.AcceptVariable);
        ResponseSnapshot.Verify(RawHttpResponse.Parse(Chunked), Settings());
    }

    [Fact]
    public async Task Chunked_response_from_a_real_server_matches_its_verified_snapshot()
    {
        // Uses the default location: ResponseSnapshotTests.Chunked_response_from_a_real_server_matches_its_verified_snapshot.verified.txt beside this file.
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync(async (request, response, aborted) =>
        {
            response.ContentType = "text/plain";
            await response.WriteAsync("hello "u8.ToArray(), aborted);
            await response.FlushAsync(aborted);
            await response.WriteAsync("world"u8.ToArray(), aborted);
        });
        RawHttpConnection connection = await server.ConnectRawAsync();
        await connection.SendAsync("GET /greeting HTTP/1.1\r\nHost: test\r\n\r\n");

        RawHttpResponse response = await connection.ReadResponseAsync();

        ResponseSnapshot.Verify(response);
    }

    [Fact]
    public void Source_folder_is_found_for_a_path_mapped_by_a_deterministic_build()
    {
        string callerPath = CallerFilePath().Replace('\\', '/');
        string relative = callerPath[(callerPath.IndexOf("/tests/", StringComparison.Ordinal) + 1)..];

        string directory = SnapshotFile.SourceDirectory("/_/" + relative);

        Assert.True(File.Exists(Path.Combine(directory, "ResponseSnapshotTests.cs")), directory);
    }

    private string VerifiedPath => Path.Combine(_directory, "case.verified.txt");

    private string ReceivedPath => Path.Combine(_directory, "case.received.txt");

    private SnapshotSettings Settings() => new()
    {
        Directory = _directory,
        FileName = "case",
        GetEnvironmentVariable = name => _environment.TryGetValue(name, out string? value) ? value : null,
    };

    private static string CallerFilePath([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
