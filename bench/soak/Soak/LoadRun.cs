using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Testing;

namespace TinyHttp.Soak;

internal sealed record LoadSettings(int ServerPid, int Port, string ServerKind, TimeSpan Duration, TimeSpan WarmUpPass, TimeSpan SampleInterval, TimeSpan RestDuration, bool RestWithoutCollections, string ReportPath, string ResultsDirectory);

/// <summary>
/// LoadRun puts mixed load on the soak server until the duration is up: kept-alive clients, pipelining clients,
/// malformed requests, clients that abort, slow senders and a slow reader. Every response to a well-formed request is
/// checked byte for byte against <see cref="Payload"/>; a missing one is "lost", a wrong one "corrupted". Meanwhile a
/// sampler records the server's RSS, heap and handles. The server is sampled at a cold start, then at rest after a
/// short warm-up pass of the same load (the baseline), and for a while after the load; then once more after an aggressive collection, which tells the memory the runtime keeps for reuse
/// from the memory the server holds. At the end the report is written.
/// </summary>
internal static class LoadRun
{
    private static readonly TimeSpan AbortPause = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ColdStartInterval = TimeSpan.FromSeconds(2);
    private const int ColdStartSamples = 3;
    private const long SettleTolerance = 1024 * 1024;
    private static readonly TimeSpan SettleWindow = TimeSpan.FromSeconds(45);

    public static async Task<int> RunAsync(LoadSettings settings)
    {
        var target = new IPEndPoint(IPAddress.Loopback, settings.Port);
        var sampler = new Sampler(settings.ServerPid, target);
        var tally = new Tally();
        DateTime startedAt = DateTime.UtcNow;

        string runtimeSettings = await sampler.DescribeRuntimeSettingsAsync();
        Console.WriteLine($"server runtime settings: {runtimeSettings}");
        var coldStart = new List<ServerSample>();
        for (int i = 0; i < ColdStartSamples; i++)
        {
            if (i > 0)
            {
                await Task.Delay(ColdStartInterval);
            }
            coldStart.Add(await sampler.SampleAsync(ColdStartInterval * i, tally));
        }
        MemoryMap mapColdStart = SaveMemoryMap(settings, "cold-start");
        Console.WriteLine($"cold start: {coldStart[^1]}; {Sampler.Describe(sampler.OpenFilesByKind())}");

        // A cold start has compiled and loaded almost nothing: the first load grows the process by the code it JITs and
        // the assemblies it reads, which it keeps for good. What the burst must give back is measured from a server
        // that has already run every code path: a short pass of the same mixed load, one client per scenario, then
        // rest until RSS settles by the same rule as after the load.
        var warmUpTally = new Tally();
        List<ServerSample> restBefore = coldStart;
        if (settings.WarmUpPass > TimeSpan.Zero)
        {
            Console.WriteLine($"warm-up pass: {settings.WarmUpPass.TotalSeconds:0} s, one client per scenario");
            using (var warmUpStop = new CancellationTokenSource(settings.WarmUpPass))
            {
                await Task.WhenAll(StartClients(warmUpTally, target, clientsPerScenario: 1, seedBase: 1000, warmUpStop.Token));
            }
            ServerSample afterWarmUp = await sampler.SampleIdleAsync(TimeSpan.Zero, warmUpTally);
            Console.WriteLine($"warm-up pass done: {warmUpTally.TotalSent} requests, {warmUpTally.TotalVerified} verified, {warmUpTally.TotalLost} lost, {warmUpTally.TotalCorrupted} corrupted; {afterWarmUp}");
            restBefore = await RestUntilSettledAsync(settings, sampler, warmUpTally, afterWarmUp, "at rest after the warm-up pass");
        }
        ServerSample idleBefore = restBefore[^1];
        SortedDictionary<string, int> filesBefore = sampler.OpenFilesByKind();
        MemoryMap mapBefore = SaveMemoryMap(settings, "before");
        Console.WriteLine($"idle before: {idleBefore}; {Sampler.Describe(filesBefore)}; files: {sampler.OpenFilePaths()}");

        var samples = new List<ServerSample>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var stop = new CancellationTokenSource(settings.Duration))
        {
            List<Task> tasks = StartClients(tally, target, clientsPerScenario: 0, seedBase: 0, stop.Token);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(settings.SampleInterval, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                ServerSample sample = await sampler.SampleAsync(clock.Elapsed, tally);
                samples.Add(sample);
                Console.WriteLine(sample);
            }
            await Task.WhenAll(tasks);
        }

        TimeSpan loadTime = clock.Elapsed;
        ServerSample idleAfter = await sampler.SampleIdleAsync(TimeSpan.Zero, tally);
        Console.WriteLine($"idle after: {idleAfter}");
        List<ServerSample> restAfter = await RestUntilSettledAsync(settings, sampler, tally, idleAfter, "at rest");
        SortedDictionary<string, int> filesAfter = sampler.OpenFilesByKind();
        MemoryMap mapAfter = SaveMemoryMap(settings, "after");
        Console.WriteLine($"settled after: {Sampler.Describe(filesAfter)}; files: {sampler.OpenFilePaths()}");

        // Last, because they change what they measure: an aggressive collection decommits what the GC keeps for reuse,
        // and malloc_trim returns what glibc keeps of freed native memory. What they give back is the runtime's.
        TimeSpan restTime = restAfter.Count > 0 ? restAfter[^1].Elapsed : TimeSpan.Zero;
        ServerSample aggressive = await sampler.SampleAsync(restTime, tally, "collect=aggressive");
        MemoryMap mapAggressive = SaveMemoryMap(settings, "after-aggressive-gc");
        Console.WriteLine($"after an aggressive collection: {aggressive}");
        ServerSample trimmed = await sampler.SampleAsync(restTime, tally, "trim=native");
        MemoryMap mapTrimmed = SaveMemoryMap(settings, "after-malloc-trim");
        Console.WriteLine($"then after malloc_trim: {trimmed}");

        var report = new SoakReport(settings, startedAt, loadTime, tally, runtimeSettings, coldStart, warmUpTally, restBefore, samples, idleAfter, restAfter, aggressive, trimmed,
            filesBefore, filesAfter,
            [("at a cold start", mapColdStart), (settings.WarmUpPass > TimeSpan.Zero ? "before the load (after the warm-up pass)" : "before the load", mapBefore),
             ("at rest after the load", mapAfter), ("then after an aggressive collection", mapAggressive), ("then after `malloc_trim(0)`", mapTrimmed)]);
        await File.WriteAllTextAsync(settings.ReportPath, report.ToMarkdown());
        Console.WriteLine(report.Summary());
        return report.Passed ? 0 : 1;
    }

    /// <summary>
    /// Starts the clients: with <paramref name="clientsPerScenario"/> 0 the soak's mix (4 kept-alive, 2 pipelining, 2 slow
    /// senders, one of each other kind), otherwise that many of each kind, for the warm-up pass.
    /// </summary>
    private static List<Task> StartClients(Tally tally, IPEndPoint target, int clientsPerScenario, int seedBase, CancellationToken stop)
    {
        var tasks = new List<Task>();
        int seed = seedBase;
        Add(KeepAliveClientAsync, clientsPerScenario == 0 ? 4 : clientsPerScenario);
        Add(PipeliningClientAsync, clientsPerScenario == 0 ? 2 : clientsPerScenario);
        Add(BadRequestClientAsync, clientsPerScenario == 0 ? 1 : clientsPerScenario);
        Add(AbortingClientAsync, clientsPerScenario == 0 ? 1 : clientsPerScenario);
        Add(SlowSenderAsync, clientsPerScenario == 0 ? 2 : clientsPerScenario);
        Add(SlowReaderAsync, clientsPerScenario == 0 ? 1 : clientsPerScenario);
        return tasks;

        void Add(Func<Tally, IPEndPoint, Random, CancellationToken, Task> client, int count)
        {
            for (int i = 0; i < count; i++)
            {
                int clientSeed = ++seed;
                tasks.Add(Task.Run(() => client(tally, target, new Random(clientSeed), stop)));
            }
        }
    }

    /// <summary>
    /// At rest: what the process gives back on its own, with a full collection (from /stats) every sample and nothing
    /// else running. The GC decommits its free regions and ArrayPool.Shared trims itself in steps, over a minute or two
    /// of collections, so the rest lasts at least RestDuration and then until RSS has settled: the last SettleWindow of
    /// samples within SettleTolerance of each other (at most twice RestDuration). Elapsed times count from the start of the rest.
    /// </summary>
    private static async Task<List<ServerSample>> RestUntilSettledAsync(LoadSettings settings, Sampler sampler, Tally tally, ServerSample idle, string label)
    {
        var rest = new List<ServerSample>();
        int window = Math.Max(2, (int)Math.Ceiling(SettleWindow / settings.SampleInterval) + 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < settings.RestDuration * 2
            && (clock.Elapsed < settings.RestDuration || !Settled(rest, window)))
        {
            await Task.Delay(settings.SampleInterval);
            ServerSample sample = settings.RestWithoutCollections
                ? sampler.SampleProcOnly(clock.Elapsed, idle)
                : await sampler.SampleAsync(clock.Elapsed, tally);
            rest.Add(sample);
            Console.WriteLine($"{label}: {sample}");
        }
        // The sampler's own connections linger on the server's side for up to 2 s after they are read.
        await Task.Delay(TimeSpan.FromSeconds(3));
        return rest;
    }

    private static bool Settled(List<ServerSample> rest, int window)
    {
        if (rest.Count < window)
        {
            return false;
        }
        long min = long.MaxValue, max = long.MinValue;
        for (int i = rest.Count - window; i < rest.Count; i++)
        {
            min = Math.Min(min, rest[i].RssBytes);
            max = Math.Max(max, rest[i].RssBytes);
        }
        return max - min <= SettleTolerance;
    }

    /// <summary>Keeps the server's /proc/PID/smaps as results/smaps-WHEN.txt, for a closer look, and sums it up.</summary>
    private static MemoryMap SaveMemoryMap(LoadSettings settings, string when)
    {
        string[] smaps = File.ReadAllLines($"/proc/{settings.ServerPid}/smaps");
        Directory.CreateDirectory(settings.ResultsDirectory);
        File.WriteAllLines(Path.Combine(settings.ResultsDirectory, $"smaps-{settings.ServerKind}-{when}.txt"), smaps);
        return MemoryMap.Parse(smaps);
    }

    // ---- Well-formed load: every response verified ---------------------------------------------

    /// <summary>One kept-alive connection at a time, sequential requests of every kind; a new connection every few hundred.</summary>
    private static async Task KeepAliveClientAsync(Tally tally, IPEndPoint target, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(target, CancellationToken.None);
            int requests = 50 + random.Next(500);
            for (int i = 0; i < requests && !stop.IsCancellationRequested; i++)
            {
                bool last = i == requests - 1 && random.Next(2) == 0;
                Exchange exchange = Exchange.Random(random, closeAfter: last);
                if (!await exchange.RunAsync(connection, tally, "keep-alive"))
                {
                    break;
                }
                if (last)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Batches of 2–16 requests sent in one write, then their responses read in order.</summary>
    private static async Task PipeliningClientAsync(Tally tally, IPEndPoint target, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(target, CancellationToken.None);
            for (int batch = 0; batch < 100 && !stop.IsCancellationRequested; batch++)
            {
                var exchanges = new Exchange[2 + random.Next(15)];
                var wire = new MemoryStream();
                for (int i = 0; i < exchanges.Length; i++)
                {
                    // At most 16 KiB each way per request, so a batch always fits the socket buffers: a client that only
                    // reads after writing the whole batch must not deadlock with a server that writes while it reads.
                    exchanges[i] = Exchange.Random(random, closeAfter: false, maxBody: 16 * 1024);
                    wire.Write(exchanges[i].Request);
                }
                tally.Sent("pipelined", exchanges.Length);
                IReadOnlyList<RawHttpResponse> responses;
                try
                {
                    await connection.SendAsync(wire.ToArray(), CancellationToken.None);
                    responses = await connection.ReadResponsesAsync(exchanges.Length, CancellationToken.None);
                }
                catch (Exception ex) when (ex is IOException or TimeoutException or FormatException or SocketException)
                {
                    string described = string.Join(", ", Array.ConvertAll(exchanges, e => e.Description));
                    tally.Lost("pipelined", exchanges.Length, $"batch of {exchanges.Length} [{described}]: {ex.Message}");
                    break;
                }
                for (int i = 0; i < exchanges.Length; i++)
                {
                    exchanges[i].Verify(responses[i], tally, "pipelined");
                }
            }
        }
    }

    /// <summary>
    /// Sends a request slowly (32–64 bytes per write, 10–40 ms apart), body included, on a kept-alive connection: at
    /// least 800 B/s, above the default MinRequestBodyDataRate of 240 B/s, so the server must not cut it off.
    /// </summary>
    private static async Task SlowSenderAsync(Tally tally, IPEndPoint target, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(target, CancellationToken.None);
            for (int i = 0; i < 10 && !stop.IsCancellationRequested; i++)
            {
                Exchange exchange = Exchange.Random(random, closeAfter: false, maxBody: 2048);
                if (!await exchange.RunAsync(connection, tally, "slow-sender", send: bytes =>
                        connection.SendSlowlyAsync(bytes, 32 + random.Next(33), TimeSpan.FromMilliseconds(10 + random.Next(31)))))
                {
                    break;
                }
            }
        }
    }

    /// <summary>Asks for 256 KiB and reads it 2 KiB at a time with pauses, through a small receive buffer.</summary>
    private static async Task SlowReaderAsync(Tally tally, IPEndPoint target, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            int seed = random.Next(1_000_000);
            const int Length = 256 * 1024;
            tally.Sent("slow-reader", 1);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            try
            {
                await socket.ConnectAsync(target);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /data?n={Length}&s={seed} HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n"), SocketFlags.None);
                var received = new MemoryStream();
                byte[] buffer = new byte[2048];
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                int read;
                while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
                {
                    received.Write(buffer, 0, read);
                    await Task.Delay(5, CancellationToken.None);
                }
                RawHttpResponse response = RawHttpResponse.Parse(received.ToArray());
                Exchange.VerifyPayload(response, seed, Length, tally, "slow-reader", "GET /data (slowly read)");
            }
            catch (Exception ex) when (ex is IOException or SocketException or FormatException or OperationCanceledException)
            {
                tally.Lost("slow-reader", 1, ex.Message);
            }
        }
    }

    // ---- Hostile load: counted, and answered with an error or a close ----------------------------

    private static readonly string[] BadRequests =
    [
        "GET / HTTP/1.1\nHost: h\n\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
        "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 40000000\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: h\r\n\r\n",
        "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n",
        "GET /\0 HTTP/1.1\r\nHost: h\r\n\r\n",
        "\u00ff\u00fe\u0000\u0001garbage\r\n\r\n",
    ];

    /// <summary>One malformed request per connection (a fixed list, and valid requests with a byte changed); expects an error response and a close.</summary>
    private static async Task BadRequestClientAsync(Tally tally, IPEndPoint target, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            byte[] request;
            if (random.Next(3) == 0)
            {
                // Small bodies only: a valid request asking for a large streamed body would be cut off by the half-close below.
                request = Exchange.Random(random, closeAfter: true, maxBody: 1000).Request;
                request[random.Next(request.Length)] = (byte)"\r\n\0 :9%"[random.Next(7)];
            }
            else
            {
                request = Encoding.Latin1.GetBytes(BadRequests[random.Next(BadRequests.Length)]);
            }
            tally.Sent("bad-request", 1);
            await using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(target, CancellationToken.None);
            try
            {
                await connection.SendAsync(request, CancellationToken.None);
                connection.ShutdownSend();
                while (true)
                {
                    RawHttpResponse response;
                    try
                    {
                        response = await connection.ReadResponseAsync(cancellationToken: CancellationToken.None);
                    }
                    catch (IOException)
                    {
                        byte[] rest = await connection.ReadToEndAsync(CancellationToken.None);
                        if (rest.Length > 0 && rest.AsSpan().StartsWith("HTTP/1.1 2"u8))
                        {
                            // A mutation that left the request valid, and a handler that honoured requestAborted when the
                            // client half-closed: the server treats a half-close as the client leaving (as Kestrel does).
                            tally.Outcome("bad-request", "2xx cut by the half-close");
                        }
                        else if (rest.Length > 0)
                        {
                            tally.Corrupted("bad-request", $"partial response before close: {Encoding.Latin1.GetString(rest)}");
                        }
                        else
                        {
                            tally.Outcome("bad-request", "closed");
                        }
                        break;
                    }
                    tally.Outcome("bad-request", response.StatusCode.ToString(CultureInfo.InvariantCulture));
                    if (response.StatusCode == 500)
                    {
                        tally.Corrupted("bad-request", $"500 for {Encoding.Latin1.GetString(request)}");
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or FormatException or SocketException)
            {
                tally.Corrupted("bad-request", $"{ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    /// <summary>Clients that go away at the worst moments: mid-head, mid-upload, mid-download, right after connecting.</summary>
    private static async Task AbortingClientAsync(Tally tally, IPEndPoint target, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            int kind = random.Next(5);
            tally.Outcome("aborted", kind switch
            {
                0 => "mid-head",
                1 => "mid-upload",
                2 => "mid-download",
                3 => "before-reading",
                _ => "connect-only",
            });
            tally.Sent("aborted", 1);
            try
            {
                RawHttpConnection connection = await RawHttpConnection.ConnectAsync(target, CancellationToken.None);
                switch (kind)
                {
                    case 0:
                        await connection.SendAsync("GET /data?n=10&s=1 HTTP/1.1\r\nHost: so", CancellationToken.None);
                        break;
                    case 1:
                        await connection.SendAsync("POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 100000\r\n\r\n" + new string('x', 3000), CancellationToken.None);
                        break;
                    case 2:
                        await connection.SendAsync("GET /stream?n=262144&s=3 HTTP/1.1\r\nHost: soak\r\n\r\n", CancellationToken.None);
                        break;
                    case 3:
                        await connection.SendAsync("GET /data?n=1000000&s=4 HTTP/1.1\r\nHost: soak\r\n\r\n", CancellationToken.None);
                        break;
                }
                if (random.Next(2) == 0)
                {
                    connection.Abort();
                }
                else
                {
                    await connection.DisposeAsync();
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                // The point of this client is to break connections; its own failures are not the server's.
            }
            // Paced, so broken connections stay a share of the load rather than all of it.
            await Task.Delay(AbortPause, CancellationToken.None);
        }
    }
}
