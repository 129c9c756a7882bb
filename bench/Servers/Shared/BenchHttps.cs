using System;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace TinyHttp.Bench;

/// <summary>
/// BenchHttps is a bench server's HTTPS endpoint, given by the harness in environment variables so the command lines in
/// bench/servers.txt stay as they are:
/// <c>BENCH_HTTPS_PORT</c> (the port, on 127.0.0.1, beside the plain one),
/// <c>BENCH_TLS_CERT</c> and <c>BENCH_TLS_KEY</c> (PEM files: the run's certificate and its private key),
/// <c>BENCH_TLS_HANDSHAKE_TIMEOUT</c> (whole seconds; optional, the server's own default when absent).
/// A server with an HTTPS endpoint serves the same endpoints on it; <c>/_stats</c> stays reachable on the plain port.
/// </summary>
internal sealed record BenchHttps(int Port, X509Certificate2 Certificate, TimeSpan? HandshakeTimeout)
{
    /// <summary>The HTTPS endpoint the environment asks for, or null when <c>BENCH_HTTPS_PORT</c> is not set.</summary>
    public static BenchHttps? FromEnvironment()
    {
        string? port = Environment.GetEnvironmentVariable("BENCH_HTTPS_PORT");
        if (string.IsNullOrEmpty(port))
        {
            return null;
        }
        string certificate = Environment.GetEnvironmentVariable("BENCH_TLS_CERT") ?? throw new InvalidOperationException("BENCH_HTTPS_PORT needs BENCH_TLS_CERT.");
        string key = Environment.GetEnvironmentVariable("BENCH_TLS_KEY") ?? throw new InvalidOperationException("BENCH_HTTPS_PORT needs BENCH_TLS_KEY.");
        string? timeout = Environment.GetEnvironmentVariable("BENCH_TLS_HANDSHAKE_TIMEOUT");
        return new BenchHttps(
            int.Parse(port, NumberStyles.None, CultureInfo.InvariantCulture),
            X509Certificate2.CreateFromPemFile(certificate, key),
            string.IsNullOrEmpty(timeout) ? null : TimeSpan.FromSeconds(int.Parse(timeout, NumberStyles.None, CultureInfo.InvariantCulture)));
    }

    public override string ToString() =>
        $"https://127.0.0.1:{Port}/ ({Certificate.Subject}, handshake timeout {(HandshakeTimeout is TimeSpan t ? $"{t.TotalSeconds:F0} s" : "the default")})";
}
