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

/// <summary>What <c>slow-handshakes</c> is told: the server, its two ports, the run's certificate, how many to stall.</summary>
internal sealed record SlowHandshakeOptions(
    string Name, int Pid, int Port, int HttpsPort, SslClientAuthenticationOptions Tls, int Stalled, TimeSpan HandshakeTimeout,
    IPAddress Source, int Concurrency, TimeSpan ProbeInterval)
{
    public static SlowHandshakeOptions Parse(Arguments arguments) => new(
        arguments.Text("name"),
        arguments.Int("pid"),
        arguments.Int("port"),
        arguments.Int("https-port"),
        BenchTls.In(arguments.Text("tls-dir")).ClientOptions(),
        arguments.Int("stalled", 1000),
        TimeSpan.FromSeconds(arguments.Int("handshake-timeout", 3)),
        IPAddress.Parse(arguments.Text("source", "0.0.0.0")),
        arguments.Int("concurrency", 64),
        TimeSpan.FromMilliseconds(arguments.Int("probe-interval-ms", 100)));
}

/// <summary>
/// SlowHandshakes is one round against one HTTPS server: N TCP connections to its HTTPS port that never finish a TLS
/// handshake (half send nothing, half send the first 43 bytes of a ClientHello and stop), while a normal HTTPS client
/// keeps making requests on fresh connections. It measures how long those requests take while the stalled connections
/// hang (they must be served within 1 s), when the server cuts each stalled connection (it should at its handshake
/// timeout), and the server's RSS with them open.
/// </summary>
internal static class SlowHandshakes
{
    /// <summary>A normal request must be served within this, stalled handshakes or not.</summary>
    public static readonly TimeSpan ProbeLimit = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The start of a TLS 1.2/1.3 ClientHello (RFC 8446 §4.1.2, §5.1) that never gets its end: a handshake record header
    /// announcing 512 bytes, the handshake header announcing a ClientHello of 508, legacy_version 0x0303 and the 32 bytes
    /// of random. A server has read enough to start its handshake and waits for the other 469 bytes.
    /// </summary>
    private static readonly byte[] PartialClientHello = CreatePartialClientHello();

    private static byte[] CreatePartialClientHello()
    {
        var bytes = new List<byte> { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03 };
        bytes.AddRange(RandomBytes(32));
        return bytes.ToArray();
    }

    private static byte[] RandomBytes(int count)
    {
        byte[] random = new byte[count];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        return random;
    }

    public static async Task<string> RunAsync(SlowHandshakeOptions options)
    {
        var plain = new IPEndPoint(IPAddress.Loopback, options.Port);
        var https = new IPEndPoint(IPAddress.Loopback, options.HttpsPort);
        Log(options, $"pid {options.Pid}, HTTPS port {options.HttpsPort}, {options.Stalled} stalled handshakes from {options.Source}, " +
                     $"handshake timeout {options.HandshakeTimeout.TotalSeconds:F0} s");

        // Warm-up: the plain port answers (the server is up), then a few HTTPS requests (JIT, the certificate's context),
        // then the unloaded figure: the median of ten HTTPS requests on fresh connections with nothing stalled.
        await WaitForServerAsync(options, plain).ConfigureAwait(false);
        Stopwatch listening = Stopwatch.StartNew();
        // A server may open its plain endpoint a moment before its HTTPS one (Kestrel binds them in turn).
        while ((await ProbeAsync(options, https).ConfigureAwait(false)).Failure is string failure)
        {
            if (listening.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new UsageException($"[{options.Name}] no HTTPS answer within 10 s: {failure}");
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
        for (int i = 0; i < 5; i++)
        {
            await ProbeAsync(options, https).ConfigureAwait(false);
        }
        var unloaded = new List<double>();
        for (int i = 0; i < 10; i++)
        {
            Probe probe = await ProbeAsync(options, https).ConfigureAwait(false);
            if (probe.Failure is null)
            {
                unloaded.Add(probe.Milliseconds);
            }
        }
        long rssBefore = ProcFs.TreeRss(options.Pid);
        Log(options, $"unloaded HTTPS request on a fresh connection: median {Median(unloaded):F1} ms; RSS {rssBefore / 1048576.0:F1} MiB");

        // The probes run from before the first stalled connection until after the last is cut.
        Stopwatch clock = Stopwatch.StartNew();
        var probes = new ConcurrentQueue<Probe>();
        using var stopProbing = new CancellationTokenSource();
        Task prober = Task.Run(async () =>
        {
            while (!stopProbing.IsCancellationRequested)
            {
                TimeSpan at = clock.Elapsed;
                Probe probe = await ProbeAsync(options, https).ConfigureAwait(false);
                probes.Enqueue(probe with { At = at });
                try
                {
                    await Task.Delay(options.ProbeInterval, stopProbing.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
        await Task.Delay(300).ConfigureAwait(false);

        var stalled = new StalledConnection?[options.Stalled];
        var connectFailures = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        TimeSpan openingStarted = clock.Elapsed;
        int next = -1;
        var openers = new Task[Math.Min(options.Concurrency, options.Stalled)];
        for (int w = 0; w < openers.Length; w++)
        {
            openers[w] = Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < options.Stalled)
                {
                    bool partial = index % 2 == 1;
                    try
                    {
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                        Socket socket = await IdleConnection.ConnectAsync(options.Source, https, timeout.Token).ConfigureAwait(false);
                        TimeSpan connected = clock.Elapsed;
                        if (partial)
                        {
                            await socket.SendAsync(PartialClientHello, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                        }
                        var connection = new StalledConnection(socket, partial, connected);
                        connection.Watch(clock);
                        stalled[index] = connection;
                    }
                    catch (Exception exception) when (exception is SocketException or OperationCanceledException)
                    {
                        connectFailures.AddOrUpdate(Measurement.Describe(exception), 1, static (_, n) => n + 1);
                    }
                }
            });
        }
        await Task.WhenAll(openers).ConfigureAwait(false);
        TimeSpan allOpen = clock.Elapsed;
        List<StalledConnection> open = stalled.OfType<StalledConnection>().ToList();
        Log(options, $"{open.Count} stalled connections open in {(allOpen - openingStarted).TotalSeconds:F2} s; {Summarise(connectFailures)}");

        // RSS while they hang: sampled until the first is cut, the highest kept.
        long rssStalled = 0;
        while (open.All(c => !c.Closed.IsCompleted) && clock.Elapsed - allOpen < options.HandshakeTimeout)
        {
            rssStalled = Math.Max(rssStalled, ProcFs.TreeRss(options.Pid));
            await Task.Delay(50).ConfigureAwait(false);
        }

        // Every stalled connection should be cut at the timeout (plus the server's timer granularity); past three
        // timeouts and 5 s the rest are counted as not cut.
        TimeSpan deadline = options.HandshakeTimeout * 3 + TimeSpan.FromSeconds(5);
        Task allClosed = Task.WhenAll(open.Select(c => c.Closed));
        await Task.WhenAny(allClosed, Task.Delay(deadline)).ConfigureAwait(false);
        TimeSpan lastCut = clock.Elapsed;
        await Task.Delay(500).ConfigureAwait(false);
        await stopProbing.CancelAsync().ConfigureAwait(false);
        await prober.ConfigureAwait(false);
        Probe after = await ProbeAsync(options, https).ConfigureAwait(false);

        List<Probe> during = probes.Where(p => p.At >= openingStarted && p.At <= lastCut).ToList();
        List<double> duringMs = during.Where(p => p.Failure is null).Select(p => p.Milliseconds).ToList();
        int slowOrFailed = during.Count(p => p.Failure is not null || p.Milliseconds > ProbeLimit.TotalMilliseconds);
        var result = new StringBuilder();
        void Add(string key, object? value) =>
            result.Append(result.Length == 0 ? "" : " ").Append(key).Append('=')
                  .Append(value is null ? "-" : Convert.ToString(value, CultureInfo.InvariantCulture));
        Add("server", options.Name);
        Add("stalled", options.Stalled);
        Add("open", open.Count);
        Add("connect_failures", connectFailures.Values.Sum());
        Add("opening_seconds", (allOpen - openingStarted).TotalSeconds.ToString("F2", CultureInfo.InvariantCulture));
        Add("timeout_seconds", options.HandshakeTimeout.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture));
        Add("unloaded_ms", Median(unloaded).ToString("F2", CultureInfo.InvariantCulture));
        Add("probes", during.Count);
        Add("probe_median_ms", Median(duringMs).ToString("F2", CultureInfo.InvariantCulture));
        Add("probe_max_ms", (duringMs.Count == 0 ? double.NaN : duringMs.Max()).ToString("F2", CultureInfo.InvariantCulture));
        Add("probe_failures", during.Count(p => p.Failure is not null));
        Add("probe_over_limit", slowOrFailed);
        Add("after_ok", after.Failure is null ? "yes" : after.Failure.Replace(' ', '_'));
        foreach ((string kind, bool partial) in (ReadOnlySpan<(string, bool)>)[("silent", false), ("partial", true)])
        {
            List<StalledConnection> mine = open.Where(c => c.Partial == partial).ToList();
            List<double> cut = mine.Where(c => c.Closed.IsCompleted).Select(c => c.Closed.Result.TotalSeconds).ToList();
            Add($"{kind}_open", mine.Count);
            Add($"{kind}_cut", cut.Count);
            Add($"{kind}_cut_min_s", (cut.Count == 0 ? double.NaN : cut.Min()).ToString("F2", CultureInfo.InvariantCulture));
            Add($"{kind}_cut_median_s", Median(cut).ToString("F2", CultureInfo.InvariantCulture));
            Add($"{kind}_cut_max_s", (cut.Count == 0 ? double.NaN : cut.Max()).ToString("F2", CultureInfo.InvariantCulture));
            Add($"{kind}_cut_how", string.Join(',', mine.Where(c => c.Closed.IsCompleted).GroupBy(c => c.How).Select(g => $"{g.Key}:{g.Count()}")));
        }
        Add("rss_before", rssBefore);
        Add("rss_stalled", rssStalled);
        Log(options, $"during: {during.Count} probes, median {Median(duringMs):F1} ms, max {(duringMs.Count == 0 ? double.NaN : duringMs.Max()):F1} ms, " +
                     $"{slowOrFailed} over {ProbeLimit.TotalSeconds:F0} s or failed; stalled cut: {open.Count(c => c.Closed.IsCompleted)} of {open.Count}; " +
                     $"RSS with them {rssStalled / 1048576.0:F1} MiB; after: {after.Failure ?? "served"}");
        foreach (StalledConnection connection in open)
        {
            connection.Dispose();
        }
        return result.ToString();
    }

    /// <summary>One HTTPS request on a fresh connection: TCP connect, full TLS handshake, GET /hello, the response.</summary>
    private static async Task<Probe> ProbeAsync(SlowHandshakeOptions options, IPEndPoint https)
    {
        byte[] buffer = new byte[4096];
        long started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using IdleConnection connection = await IdleConnection.OpenAsync(IPAddress.Any, https, options.Tls, timeout.Token).ConfigureAwait(false);
            string? failure = await connection.GetHelloAsync(buffer, timeout.Token).ConfigureAwait(false);
            return new Probe(default, Stopwatch.GetElapsedTime(started).TotalMilliseconds, failure);
        }
        catch (Exception exception) when (exception is SocketException or IOException or AuthenticationException or InvalidResponseException or OperationCanceledException)
        {
            return new Probe(default, Stopwatch.GetElapsedTime(started).TotalMilliseconds, Measurement.Describe(exception));
        }
    }

    private static async Task WaitForServerAsync(SlowHandshakeOptions options, IPEndPoint plain)
    {
        byte[] buffer = new byte[4096];
        Stopwatch clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                using IdleConnection connection = await IdleConnection.OpenAsync(IPAddress.Any, plain, null, timeout.Token).ConfigureAwait(false);
                if (await connection.GetHelloAsync(buffer, timeout.Token).ConfigureAwait(false) is null)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is SocketException or InvalidResponseException or OperationCanceledException)
            {
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
        throw new UsageException($"[{options.Name}] no 200 to GET /hello within 30 s");
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        values.Sort();
        int middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static string Summarise(ConcurrentDictionary<string, int> failures) =>
        failures.IsEmpty ? "no connect failures" : string.Join("; ", failures.Select(f => $"{f.Value} × {f.Key}"));

    private static void Log(SlowHandshakeOptions options, string message) =>
        Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} [{options.Name}] {message}");

    /// <summary>One probe request: when it started (on the round's clock), how long it took, and what failed (null: a 200).</summary>
    private readonly record struct Probe(TimeSpan At, double Milliseconds, string? Failure);

    /// <summary>
    /// StalledConnection is one connection that never completes its handshake. It reads until the server closes it;
    /// <see cref="Closed"/> completes with the time from connect to that close, and <see cref="How"/> says how (a FIN,
    /// a reset, or bytes first: an alert the server sent before closing).
    /// </summary>
    private sealed class StalledConnection(Socket socket, bool partial, TimeSpan connected) : IDisposable
    {
        private readonly TaskCompletionSource<TimeSpan> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Partial => partial;

        public Task<TimeSpan> Closed => _closed.Task;

        public string How { get; private set; } = "open";

        public void Watch(Stopwatch clock) => _ = WatchAsync(clock);

        private async Task WatchAsync(Stopwatch clock)
        {
            byte[] buffer = new byte[256];
            bool sentBytes = false;
            try
            {
                while (true)
                {
                    int read = await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                    if (read == 0)
                    {
                        How = sentBytes ? "alert+FIN" : "FIN";
                        break;
                    }
                    sentBytes = true;
                }
            }
            catch (SocketException exception)
            {
                How = exception.SocketErrorCode == SocketError.ConnectionReset ? (sentBytes ? "alert+RST" : "RST") : exception.SocketErrorCode.ToString();
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            _closed.TrySetResult(clock.Elapsed - connected);
        }

        public void Dispose() => IdleConnection.Reset(socket);
    }
}
