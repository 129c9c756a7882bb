using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Bench.Harness;

namespace TinyHttp.Bench.Idle;

/// <summary>
/// What <c>measure</c> is told: which server, how many connections, from which source address; with
/// <c>--https-port</c> and <c>--tls-dir</c> (the run's certificate, see BenchTls) the connections are TLS ones to the
/// HTTPS port, while the warm-up and <c>/_stats</c> also use the plain port.
/// </summary>
internal sealed record MeasurementOptions(
    string Name, int Pid, int Port, int Connections, IPAddress Source, bool ReadStats,
    int Concurrency, TimeSpan SettleWindow, TimeSpan SettleLimit, TimeSpan ExchangeTimeout,
    int? HttpsPort, SslClientAuthenticationOptions? Tls)
{
    public static MeasurementOptions Parse(Arguments arguments) => new(
        arguments.Text("name"),
        arguments.Int("pid"),
        arguments.Int("port"),
        arguments.Int("connections", 8000),
        IPAddress.Parse(arguments.Text("source", "0.0.0.0")),
        arguments.Has("stats"),
        // Connections are opened this many at a time: well under the servers' listen backlogs (TinyHttp and
        // Kestrel: 512), so no SYN is dropped and retried a second later.
        arguments.Int("concurrency", 64),
        TimeSpan.FromSeconds(arguments.Int("settle-seconds", 2)),
        TimeSpan.FromSeconds(arguments.Int("settle-limit-seconds", 30)),
        TimeSpan.FromSeconds(arguments.Int("timeout-seconds", 10)),
        arguments.Has("https-port") ? arguments.Int("https-port") : null,
        arguments.Has("https-port") ? BenchTls.In(arguments.Text("tls-dir")).ClientOptions() : null);

    /// <summary>Where the measured connections go: the HTTPS port when there is one, else the plain one.</summary>
    public IPEndPoint Target => new(IPAddress.Loopback, HttpsPort ?? Port);
}

/// <summary>
/// Measurement is one round against one running server: RSS at rest after a warm-up request, N keep-alive
/// connections that have each served one request, RSS once it has settled, then a second request on every
/// connection to check that each idle connection is still served.
/// </summary>
internal static class Measurement
{
    // RSS counts as settled when it stays within this band for the settle window. Exactly unchanged is too strict:
    // a .NET process touches a page or two now and then (timers, tiered JIT); 64 KiB over 8000 connections is
    // 0.008 KiB each.
    private const long SettleBandBytes = 64 * 1024;

    private const int BufferSize = 4096;

    public static async Task<MeasurementResult> RunAsync(MeasurementOptions options)
    {
        var server = new IPEndPoint(IPAddress.Loopback, options.Port);
        Log(options, $"pid {options.Pid}, port {options.Port}, {options.Connections} connections from {options.Source}");

        await WarmUpAsync(options, server).ConfigureAwait(false);
        string? negotiated = options.Tls is null ? null : await WarmUpTlsAsync(options).ConfigureAwait(false);
        ServerStats? statsBefore = options.ReadStats ? await ReadStatsAsync(server).ConfigureAwait(false) : null;
        SteadyRss before = await WaitForSteadyRssAsync(options).ConfigureAwait(false);
        Log(options, $"RSS at rest {Mib(before.Bytes)} MiB (settled: {before.Settled}, {before.Seconds:F1} s)");

        var connections = new IdleConnection?[options.Connections];
        var openFailures = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        Stopwatch clock = Stopwatch.StartNew();
        await ForEachAsync(options, async (index, buffer) =>
        {
            IdleConnection? connection = null;
            try
            {
                using var timeout = new CancellationTokenSource(options.ExchangeTimeout);
                connection = await IdleConnection.OpenAsync(options.Source, options.Target, options.Tls, timeout.Token).ConfigureAwait(false);
                string? failure = await connection.GetHelloAsync(buffer, timeout.Token).ConfigureAwait(false);
                if (failure is null)
                {
                    connections[index] = connection;
                    return;
                }
                openFailures.AddOrUpdate(failure, 1, static (_, n) => n + 1);
            }
            catch (Exception exception) when (exception is SocketException or InvalidResponseException or OperationCanceledException or IOException or AuthenticationException)
            {
                openFailures.AddOrUpdate(Describe(exception), 1, static (_, n) => n + 1);
            }
            connection?.Abort();
        }).ConfigureAwait(false);
        int open = connections.Count(c => c is not null);
        Log(options, $"{open} connections open and served once in {clock.Elapsed.TotalSeconds:F1} s; {Summarise(openFailures)}");

        SteadyRss after = await WaitForSteadyRssAsync(options).ConfigureAwait(false);
        ServerStats? statsAfter = options.ReadStats ? await ReadStatsAsync(server).ConfigureAwait(false) : null;
        Log(options, $"RSS with {open} idle connections {Mib(after.Bytes)} MiB (settled: {after.Settled}, {after.Seconds:F1} s): " +
            $"{(after.Bytes - before.Bytes) / 1024.0 / Math.Max(open, 1):F2} KiB per connection");

        var secondFailures = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        clock.Restart();
        await ForEachAsync(options, async (index, buffer) =>
        {
            if (connections[index] is not IdleConnection connection)
            {
                return;
            }
            try
            {
                using var timeout = new CancellationTokenSource(options.ExchangeTimeout);
                string? failure = await connection.GetHelloAsync(buffer, timeout.Token).ConfigureAwait(false);
                if (failure is not null)
                {
                    secondFailures.AddOrUpdate(failure, 1, static (_, n) => n + 1);
                }
            }
            catch (Exception exception) when (exception is SocketException or InvalidResponseException or OperationCanceledException or IOException)
            {
                secondFailures.AddOrUpdate(Describe(exception), 1, static (_, n) => n + 1);
            }
        }).ConfigureAwait(false);
        int second = secondFailures.Values.Sum();
        Log(options, $"second request on {open} idle connections in {clock.Elapsed.TotalSeconds:F1} s: {Summarise(secondFailures)}");

        SteadyRss afterSecond = await WaitForSteadyRssAsync(options).ConfigureAwait(false);
        Log(options, $"RSS after the second requests {Mib(afterSecond.Bytes)} MiB (settled: {afterSecond.Settled}, {afterSecond.Seconds:F1} s)");

        foreach (IdleConnection? connection in connections)
        {
            connection?.Abort();
        }

        return new MeasurementResult(
            options.Name, options.Connections, open, openFailures.Values.Sum(), second,
            before, after, afterSecond,
            statsBefore is not null && statsAfter is not null ? statsAfter.AllocatedBytes - statsBefore.AllocatedBytes : null,
            statsBefore is not null && statsAfter is not null
                ? $"{statsAfter.Gen0 - statsBefore.Gen0}/{statsAfter.Gen1 - statsBefore.Gen1}/{statsAfter.Gen2 - statsBefore.Gen2}"
                : null,
            negotiated);
    }

    /// <summary>
    /// One GET /hello over TLS on a fresh connection once the plain port answers, so the server's TLS path (JIT, the
    /// certificate's context) is warm and counted in "RSS before"; returns the protocol and cipher suite negotiated.
    /// </summary>
    private static async Task<string> WarmUpTlsAsync(MeasurementOptions options)
    {
        byte[] buffer = new byte[BufferSize];
        Stopwatch clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var timeout = new CancellationTokenSource(options.ExchangeTimeout);
                using IdleConnection connection = await IdleConnection.OpenAsync(IPAddress.Any, options.Target, options.Tls, timeout.Token).ConfigureAwait(false);
                string? failure = await connection.GetHelloAsync(buffer, timeout.Token).ConfigureAwait(false);
                if (failure is not null)
                {
                    throw new UsageException($"[{options.Name}] GET /hello over TLS: {failure}");
                }
                Log(options, $"TLS warm-up served: {connection.Negotiated}");
                return connection.Negotiated!;
            }
            catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionRefused && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                // A server may open its plain endpoint a moment before its HTTPS one (Kestrel binds them in turn).
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Polls GET /hello on fresh connections until a 200 comes back: it waits for the server to listen and is the
    /// warm-up request of the brief (first use of the request path, JIT included, is in "RSS before").
    /// </summary>
    private static async Task WarmUpAsync(MeasurementOptions options, IPEndPoint server)
    {
        byte[] buffer = new byte[BufferSize];
        Stopwatch clock = Stopwatch.StartNew();
        string last = "no attempt";
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var timeout = new CancellationTokenSource(options.ExchangeTimeout);
                using IdleConnection connection = await IdleConnection.OpenAsync(IPAddress.Any, server, null, timeout.Token).ConfigureAwait(false);
                last = await connection.GetHelloAsync(buffer, timeout.Token).ConfigureAwait(false) ?? string.Empty;
                if (last.Length == 0)
                {
                    Log(options, $"first 200 after {clock.Elapsed.TotalSeconds:F2} s");
                    return;
                }
            }
            catch (Exception exception) when (exception is SocketException or InvalidResponseException or OperationCanceledException)
            {
                last = Describe(exception);
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
        throw new UsageException($"[{options.Name}] no 200 to GET /hello within 30 s (last: {last})");
    }

    /// <summary>Runs <paramref name="action"/> for every connection index, <see cref="MeasurementOptions.Concurrency"/> at a time.</summary>
    private static Task ForEachAsync(MeasurementOptions options, Func<int, byte[], Task> action)
    {
        int next = -1;
        var workers = new Task[Math.Min(options.Concurrency, options.Connections)];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                byte[] buffer = new byte[BufferSize];
                int index;
                while ((index = Interlocked.Increment(ref next)) < options.Connections)
                {
                    await action(index, buffer).ConfigureAwait(false);
                }
            });
        }
        return Task.WhenAll(workers);
    }

    /// <summary>
    /// Samples the server's RSS (process tree: nginx's worker is counted) every 100 ms until it has stayed within
    /// <see cref="SettleBandBytes"/> for the settle window, or the limit passes; returns the last sample.
    /// </summary>
    private static async Task<SteadyRss> WaitForSteadyRssAsync(MeasurementOptions options)
    {
        var samples = new List<(TimeSpan At, long Bytes)>();
        Stopwatch clock = Stopwatch.StartNew();
        while (true)
        {
            long rss = ProcFs.TreeRss(options.Pid);
            if (rss == 0)
            {
                throw new UsageException($"[{options.Name}] process {options.Pid} is gone");
            }
            TimeSpan now = clock.Elapsed;
            samples.Add((now, rss));
            if (now >= options.SettleWindow)
            {
                long low = long.MaxValue, high = long.MinValue;
                foreach ((TimeSpan at, long bytes) in samples)
                {
                    if (at >= now - options.SettleWindow)
                    {
                        low = Math.Min(low, bytes);
                        high = Math.Max(high, bytes);
                    }
                }
                if (high - low <= SettleBandBytes)
                {
                    return new SteadyRss(rss, now.TotalSeconds, Settled: true);
                }
                if (now >= options.SettleLimit)
                {
                    return new SteadyRss(rss, now.TotalSeconds, Settled: false);
                }
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    private static async Task<ServerStats?> ReadStatsAsync(IPEndPoint server)
    {
        byte[] buffer = new byte[BufferSize];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using IdleConnection connection = await IdleConnection.OpenAsync(IPAddress.Any, server, null, timeout.Token).ConfigureAwait(false);
            await connection.SendAsync("GET /_stats HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), timeout.Token).ConfigureAwait(false);
            Response response = await connection.ReadResponseAsync(buffer, timeout.Token).ConfigureAwait(false);
            return response.Status == 200 ? ServerStats.Parse(Encoding.ASCII.GetString(buffer, response.BodyStart, response.BodyLength)) : null;
        }
        catch (Exception exception) when (exception is SocketException or InvalidResponseException or OperationCanceledException or FormatException)
        {
            return null;
        }
    }

    internal static string Describe(Exception exception) => exception switch
    {
        SocketException socket => $"socket error {socket.SocketErrorCode}",
        OperationCanceledException => "no complete response within the timeout",
        IOException { InnerException: SocketException socket } => $"socket error {socket.SocketErrorCode}",
        AuthenticationException => $"TLS handshake failed: {exception.Message}",
        _ => exception.Message,
    };

    private static string Summarise(ConcurrentDictionary<string, int> failures) =>
        failures.IsEmpty ? "no failures" : string.Join("; ", failures.OrderByDescending(f => f.Value).Select(f => $"{f.Value} × {f.Key}"));

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);

    private static void Log(MeasurementOptions options, string message) =>
        Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} [{options.Name}] {message}");
}

/// <summary>A settled RSS reading: the bytes, how long the wait took, and whether it settled before the limit.</summary>
internal readonly record struct SteadyRss(long Bytes, double Seconds, bool Settled);

/// <summary>One /_stats answer of a .NET bench server (bench/Servers/Shared/BenchEndpoints.cs): allocation and GC counts.</summary>
internal sealed record ServerStats(long AllocatedBytes, int Gen0, int Gen1, int Gen2)
{
    public static ServerStats Parse(string line)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string pair in line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = pair.IndexOf('=');
            values[equals < 0 ? throw new FormatException($"not a stats line: '{line}'") : pair[..equals]] =
                long.Parse(pair.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        }
        return new ServerStats(values.GetValueOrDefault("allocated"), (int)values.GetValueOrDefault("gen0"),
            (int)values.GetValueOrDefault("gen1"), (int)values.GetValueOrDefault("gen2"));
    }
}

/// <summary>
/// MeasurementResult is what one round of one server produced, written as one line of <c>key=value</c> pairs
/// (no spaces in values) that run.sh collects and <see cref="Report"/> reads back.
/// </summary>
internal sealed record MeasurementResult(
    string Name, int Requested, int Open, int OpenFailures, int SecondFailures,
    SteadyRss Before, SteadyRss After, SteadyRss AfterSecond, long? AllocatedBytes, string? Collections, string? Tls)
{
    public double KibPerConnection => Open == 0 ? double.NaN : (After.Bytes - Before.Bytes) / 1024.0 / Open;

    public string ToLine()
    {
        var line = new StringBuilder();
        void Add(string key, object? value) =>
            line.Append(line.Length == 0 ? "" : " ").Append(key).Append('=').Append(value is null ? "-" : Convert.ToString(value, CultureInfo.InvariantCulture));
        Add("server", Name);
        Add("requested", Requested);
        Add("open", Open);
        Add("open_failures", OpenFailures);
        Add("second_failures", SecondFailures);
        Add("rss_before", Before.Bytes);
        Add("rss_before_settle", Before.Settled ? Before.Seconds.ToString("F1", CultureInfo.InvariantCulture) : "no");
        Add("rss_after", After.Bytes);
        Add("rss_after_settle", After.Settled ? After.Seconds.ToString("F1", CultureInfo.InvariantCulture) : "no");
        Add("rss_second", AfterSecond.Bytes);
        Add("rss_second_settle", AfterSecond.Settled ? AfterSecond.Seconds.ToString("F1", CultureInfo.InvariantCulture) : "no");
        Add("allocated", AllocatedBytes);
        Add("collections", Collections);
        Add("tls", Tls);
        return line.ToString();
    }
}
