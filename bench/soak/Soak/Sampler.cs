using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Testing;

namespace TinyHttp.Soak;

/// <summary>One look at the server process: from /proc (what the OS sees) and from its /stats page (what the runtime sees).</summary>
internal sealed record ServerSample(
    TimeSpan Elapsed,
    long RssBytes,
    int OpenFiles,
    int Threads,
    long LiveHeapBytes,
    long HeapSizeBytes,
    long CommittedBytes,
    int Gen2Collections,
    int ActiveConnections,
    long RequestsSent,
    long ResponsesVerified,
    IReadOnlyDictionary<string, long> ServerEvents)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"t={Elapsed.TotalSeconds,6:0}s rss={RssBytes / 1048576.0,6:0.0} MiB live-heap={LiveHeapBytes / 1048576.0,5:0.00} MiB heap={HeapSizeBytes / 1048576.0,5:0.0} MiB fds={OpenFiles,4} threads={Threads,3} conns={ActiveConnections,3} sent={RequestsSent} verified={ResponsesVerified}");
}

/// <summary>
/// Sampler reads the server's RSS and thread count from /proc/PID/status, its open file descriptors (sockets
/// included) from /proc/PID/fd, and its GC figures from /stats, which collects fully before measuring the live heap.
/// </summary>
internal sealed class Sampler(int pid, IPEndPoint server)
{
    public async Task<ServerSample> SampleAsync(TimeSpan elapsed, Tally tally)
    {
        Dictionary<string, long> stats = await ReadStatsAsync();
        (long rss, int threads) = ReadStatus();
        return new ServerSample(
            elapsed,
            rss,
            Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length,
            threads,
            stats["live_heap_bytes"],
            stats["heap_size_bytes"],
            stats["committed_bytes"],
            (int)stats["gen2"],
            (int)stats["active_connections"],
            tally.TotalSent,
            tally.TotalVerified,
            stats.Where(pair => pair.Key.StartsWith("event.", StringComparison.Ordinal)).ToDictionary(pair => pair.Key["event.".Length..], pair => pair.Value, StringComparer.Ordinal));
    }

    /// <summary>Samples once the server has closed every connection but the sampler's own (bounded wait), for a before/after comparison at rest.</summary>
    public async Task<ServerSample> SampleIdleAsync(TimeSpan elapsed, Tally tally)
    {
        ServerSample sample = await SampleAsync(elapsed, tally);
        for (int attempt = 0; attempt < 100 && sample.ActiveConnections > 1; attempt++)
        {
            // Closing connections finish their linger (at most 2 s) on their own; poll until they have.
            await Task.Delay(200);
            sample = await SampleAsync(elapsed, tally);
        }
        return sample;
    }

    /// <summary>
    /// The server's open files by kind: socket, pipe, anon_inode:[eventpoll] and the like, "assembly" for the .dll, .so and
    /// .pdb files the runtime keeps open once loaded (more appear as code paths are first used), "file" for any other path.
    /// </summary>
    public SortedDictionary<string, int> OpenFilesByKind()
    {
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (string fd in Directory.GetFileSystemEntries($"/proc/{pid}/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
                // Closed between listing and reading.
                continue;
            }
            target ??= "?";
            int bracket = target.IndexOf(":[", StringComparison.Ordinal);
            string kind = target.StartsWith("/memfd:", StringComparison.Ordinal) ? "memfd"
                : target.StartsWith('/')
                ? IsRuntimeFile(target) ? "assembly" : "file"
                : target.StartsWith("anon_inode:", StringComparison.Ordinal) || bracket < 0 ? target : target[..bracket];
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }
        return kinds;
    }

    /// <summary>The paths of open files that are not assemblies, for the report.</summary>
    public string OpenFilePaths()
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string fd in Directory.GetFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                string? target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith('/') && !IsRuntimeFile(target))
                {
                    paths.Add(target);
                }
            }
            catch (IOException)
            {
            }
        }
        return string.Join(", ", paths);
    }

    // Assemblies and native libraries stay open once loaded; symbol files once an exception's stack trace is first formatted.
    private static bool IsRuntimeFile(string path) =>
        path.EndsWith(".dll", StringComparison.Ordinal) || path.EndsWith(".so", StringComparison.Ordinal) || path.EndsWith(".pdb", StringComparison.Ordinal);

    public static string Describe(SortedDictionary<string, int> kinds) => string.Join(", ", kinds.Select(pair => $"{pair.Key} {pair.Value}"));

    private (long RssBytes, int Threads) ReadStatus()
    {
        long rss = 0;
        int threads = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
            }
        }
        return (rss, threads);
    }

    private async Task<Dictionary<string, long>> ReadStatsAsync()
    {
        await using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server, CancellationToken.None);
        connection.ReadTimeout = TimeSpan.FromSeconds(30);
        await connection.SendAsync("GET /stats HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n", CancellationToken.None);
        RawHttpResponse response = await connection.ReadResponseAsync(isHeadRequest: false, CancellationToken.None);
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in response.BodyText.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            values[line[..equals]] = long.Parse(line.AsSpan(equals + 1), CultureInfo.InvariantCulture);
        }
        return values;
    }
}
