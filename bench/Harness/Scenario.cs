using System.Collections.Generic;

namespace TinyHttp.Bench.Harness;

/// <summary>Scenario is one wrk configuration: the path, the connections and the extra wrk arguments.</summary>
internal sealed record Scenario(string Name, string Title, string Path, int Connections, string[] WrkArguments, string[] ScriptArguments, bool Https = false)
{
    /// <summary>
    /// False when wrk's latency figures mean nothing: with a pipelining script wrk times a whole batch
    /// per connection and its percentiles come out as zeros, so they are not reported.
    /// </summary>
    public bool HasLatency => Name != "pipelined";

    /// <summary>
    /// The scenarios of issue 6, then the HTTPS ones of issue 11 (to the server's HTTPS port, see
    /// bench/Servers/Shared/BenchHttps.cs), in the order they are run and reported.
    /// </summary>
    public static readonly IReadOnlyList<Scenario> All =
    [
        new("keepalive", "Keep-alive, 50 connections, GET /hello", "/hello", 50, [], []),
        new("latency", "One connection, GET /hello (latency)", "/hello", 1, [], []),
        new("pipelined", "16 requests pipelined per write, 50 connections, GET /hello", "/hello", 50, ["-s", "bench/wrk/pipeline.lua"], ["16"]),
        new("close", "New connection per request (Connection: close), 50 connections, GET /hello", "/hello", 50, ["-H", "Connection: close"], []),
        new("echo", "POST /echo with a 4 KiB body echoed back, 50 connections", "/echo", 50, ["-s", "bench/wrk/post.lua"], ["4096"]),
        new("stream", "GET /stream64k: 64 KiB streamed chunked (8 KiB writes), 50 connections", "/stream64k", 50, [], []),
        new("https-keepalive", "HTTPS keep-alive, 50 connections, GET /hello", "/hello", 50, [], [], Https: true),
        new("https-close", "HTTPS, new connection and full TLS handshake per request (Connection: close), 50 connections, GET /hello", "/hello", 50,
            ["-H", "Connection: close"], [], Https: true),
    ];
}
