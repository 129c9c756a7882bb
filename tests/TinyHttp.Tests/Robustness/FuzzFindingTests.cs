using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Tasks;
using TinyHttp.Protocol;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Robustness;

/// <summary>
/// What the fuzz harness (fuzz/) found, kept as tests: every seed and regression input in fuzz/corpus and
/// fuzz/regressions is replayed against <see cref="ProtocolInvariants"/> on every test run, and each finding has a
/// test of its own that states the expected behaviour.
/// </summary>
public class FuzzFindingTests
{
    /// <summary>
    /// Regression inputs of findings not fixed yet (file name prefixes): the replay skips them, and the finding's own
    /// test carries a Skip. Remove both in the commit that fixes it. Empty: F1 and F2 are fixed (5da713d).
    /// </summary>
    private static readonly string[] OpenFindings = [];

    [Fact]
    public void Every_fuzz_corpus_and_regression_input_holds_the_invariants()
    {
        string fuzz = FindFuzzDirectory();
        int replayed = 0;
        foreach ((string target, Func<byte[], object> check) in new (string, Func<byte[], object>)[]
                 {
                     ("request-head", input => ProtocolInvariants.CheckRequestHead(input)),
                     ("chunked-body", input => ProtocolInvariants.CheckChunkedBody(input)),
                 })
        {
            foreach (string folder in new[] { "corpus", "regressions" })
            {
                string directory = Path.Combine(fuzz, folder, target);
                if (!Directory.Exists(directory))
                {
                    continue;
                }
                foreach (string file in Directory.GetFiles(directory))
                {
                    if (IsOpenFinding(Path.GetFileName(file)))
                    {
                        continue;
                    }
                    check(File.ReadAllBytes(file));
                    replayed++;
                }
            }
        }
        Assert.True(replayed >= 40, $"only {replayed} inputs replayed from {fuzz}");
    }

    // F1 (fuzz/regressions/*/f1-chunk-size-leading-zeros.*): the decoder counted chunk-extension bytes but not the digits
    // of a chunk size, so a size written with any number of leading zeros was read to the end: a peer could keep a
    // handler's body read (or the server's drain) busy forever without sending one byte of data, and neither
    // MaxRequestBodySize nor MaxUnreadRequestBodyToDrain, which count decoded bytes, stopped it. Fixed in 5da713d.
    [Fact]
    public void A_chunk_size_with_thousands_of_leading_zeros_is_rejected()
    {
        byte[] body = [.. Encoding.ASCII.GetBytes(new string('0', 5000)), .. "1\r\nX\r\n0\r\n\r\n"u8];
        var decoder = new ChunkedBodyDecoder(ProtocolInvariants.MaxTrailerSize);
        byte[] output = new byte[body.Length];

        Assert.Throws<BadHttpRequestException>(() => decoder.Decode(body, output, out _, out _));
    }

    [Fact]
    public void A_chunk_size_with_a_few_leading_zeros_is_still_accepted()
    {
        // RFC 9112 §7.1 allows leading zeros; a fix for F1 must bound them, not forbid them.
        byte[] body = "0000000000000005\r\nhello\r\n0000\r\n\r\n"u8.ToArray();
        ChunkedOutcome outcome = ProtocolInvariants.CheckChunkedBody(body);

        Assert.True(outcome.Complete);
        Assert.Equal("hello", Encoding.ASCII.GetString(outcome.Data));
    }

    // F2 (fuzz/regressions/chunked-body/f2-chunk-extension-amplification.bin): chunk extensions are bounded per chunk
    // (4096 bytes) but not per body, and MaxUnreadRequestBodyToDrain counted decoded bytes. One-byte chunks with
    // 4000-byte extensions carry one body byte per ~4 KB on the wire, so draining the default 256 KiB of unread body
    // could mean reading about 1 GiB. Fixed in 5da713d: the drain counts wire bytes and closes once they pass the limit,
    // instead of answering the next request. (MaxRequestBodySize still counts decoded bytes; see the report.)
    [Fact]
    public async Task Draining_an_unread_chunked_body_stops_after_the_drain_limit_in_wire_bytes()
    {
        await using var server = new TinyHttpServer(new TinyHttpServerOptions(), (request, response) => response.SetBody("unread"));
        server.Start();
        await using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.BaseAddress);
        var request = new StringBuilder("POST /unread HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 100; i++)
        {
            // 100 body bytes in 400 KB of framing: over the 256 KiB drain limit on the wire, far under it decoded.
            request.Append("1;").Append('a', 4000).Append("\r\nX\r\n");
        }
        request.Append("0\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

        await connection.SendAsync(request.ToString());
        connection.ShutdownSend();
        RawHttpResponse first = await connection.ReadResponseAsync();
        byte[] rest = await connection.ReadToEndAsync();

        Assert.Equal(200, first.StatusCode);
        Assert.Empty(rest);
    }

    private static bool IsOpenFinding(string fileName)
    {
        foreach (string prefix in OpenFindings)
        {
            if (fileName.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The repository's fuzz/ folder: next to this source file's tests/ folder, or above the test binaries.</summary>
    private static string FindFuzzDirectory([CallerFilePath] string sourceFile = "")
    {
        var candidates = new List<string?> { Path.GetDirectoryName(sourceFile), AppContext.BaseDirectory, Environment.CurrentDirectory };
        foreach (string? start in candidates)
        {
            for (string? directory = start; directory is not null; directory = Path.GetDirectoryName(directory))
            {
                string fuzz = Path.Combine(directory, "fuzz");
                if (Directory.Exists(Path.Combine(fuzz, "corpus")))
                {
                    return fuzz;
                }
            }
        }
        throw new DirectoryNotFoundException($"No fuzz/corpus above {sourceFile}, {AppContext.BaseDirectory} or {Environment.CurrentDirectory}.");
    }
}
