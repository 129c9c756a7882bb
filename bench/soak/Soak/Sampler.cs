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
    long RssAnonymousBytes,
    int OpenFiles,
    int Threads,
    long LiveHeapBytes,
    long HeapSizeBytes,
    long CommittedBytes,
    long FragmentedBytes,
    long Gen0BeforeGcBytes,
    int Gen2Collections,
    int ActiveConnections,
    long RequestsSent,
    long ResponsesVerified,
    IReadOnlyDictionary<string, long> ServerEvents)
{
    /// <summary>The <c>gc.</c> figures of /stats (per generation after the last full collection, pinned objects, compaction), without the prefix.</summary>
    public IReadOnlyDictionary<string, long> Gc { get; init; } = new Dictionary<string, long>();

    /// <summary>A <see cref="Gc"/> figure, 0 when the server did not report it.</summary>
    public long GcFigure(string name) => Gc.GetValueOrDefault(name);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"t={Elapsed.TotalSeconds,6:0}s rss={RssBytes / 1048576.0,6:0.0} MiB committed={CommittedBytes / 1048576.0,6:0.0} MiB live-heap={LiveHeapBytes / 1048576.0,5:0.00} MiB heap={HeapSizeBytes / 1048576.0,5:0.0} MiB fds={OpenFiles,4} threads={Threads,3} conns={ActiveConnections,3} sent={RequestsSent} verified={ResponsesVerified} {DescribeGc()}");

    /// <summary>Size/free space in MiB of gen0, gen1, gen2, LOH and POH after the last full collection, whether it compacted, pinned objects.</summary>
    public string DescribeGc()
    {
        if (Gc.Count == 0)
        {
            return "";
        }
        var text = new System.Text.StringBuilder("gens(size/free MiB)=");
        string[] names = ["g0", "g1", "g2", "loh", "poh"];
        for (int i = 0; i < names.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(i > 0 ? " " : "")}{names[i]}:{GcFigure($"gen{i}_size_after_bytes") / 1048576.0:0.0}/{GcFigure($"gen{i}_fragmentation_after_bytes") / 1048576.0:0.0}");
        }
        text.Append(CultureInfo.InvariantCulture, $" compacted={GcFigure("compacted")} pinned={GcFigure("pinned_objects")} eph-pinned={GcFigure("ephemeral_pinned_objects")} eph-compacted={GcFigure("ephemeral_compacted")}");
        return text.ToString();
    }
}

/// <summary>
/// Sampler reads the server's RSS and thread count from /proc/PID/status, its open file descriptors (sockets
/// included) from /proc/PID/fd, and its GC figures from /stats, which collects fully before measuring the live heap.
/// </summary>
internal sealed class Sampler(int pid, IPEndPoint server)
{
    /// <summary>One sample; <paramref name="query"/> may ask /stats to give memory back first (<c>collect=aggressive</c>, <c>trim=native</c>).</summary>
    public async Task<ServerSample> SampleAsync(TimeSpan elapsed, Tally tally, string query = "")
    {
        Dictionary<string, long> stats = ParseLongs(await GetAsync(query.Length == 0 ? "/stats" : "/stats?" + query));
        (long rss, long rssAnonymous, int threads) = ReadStatus();
        return new ServerSample(
            elapsed,
            rss,
            rssAnonymous,
            Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length,
            threads,
            stats["live_heap_bytes"],
            stats["heap_size_bytes"],
            stats["committed_bytes"],
            stats["fragmented_bytes"],
            stats["gen0_before_last_ephemeral_gc_bytes"],
            (int)stats["gen2"],
            (int)stats["active_connections"],
            tally.TotalSent,
            tally.TotalVerified,
            stats.Where(pair => pair.Key.StartsWith("event.", StringComparison.Ordinal)).ToDictionary(pair => pair.Key["event.".Length..], pair => pair.Value, StringComparer.Ordinal))
        {
            Gc = stats.Where(pair => pair.Key.StartsWith("gc.", StringComparison.Ordinal)).ToDictionary(pair => pair.Key["gc.".Length..], pair => pair.Value, StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// A sample from /proc only, without /stats and so without the full collection it runs: how an idle process that
    /// nothing collects behaves. The GC figures are those of <paramref name="last"/>.
    /// </summary>
    public ServerSample SampleProcOnly(TimeSpan elapsed, ServerSample last)
    {
        (long rss, long rssAnonymous, int threads) = ReadStatus();
        return last with { Elapsed = elapsed, RssBytes = rss, RssAnonymousBytes = rssAnonymous, Threads = threads, OpenFiles = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length };
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

    /// <summary>The server's GC settings as the runtime reports them (<c>/gc-config</c>), and any <c>DOTNET_</c> variable in its environment.</summary>
    public async Task<string> DescribeRuntimeSettingsAsync()
    {
        string config = string.Join(", ", (await GetAsync("/gc-config")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        string[] environment = File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Where(variable => variable.StartsWith("DOTNET_", StringComparison.Ordinal) && !variable.StartsWith("DOTNET_CLI_", StringComparison.Ordinal) && !variable.StartsWith("DOTNET_NOLOGO", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();
        return $"environment: {(environment.Length == 0 ? "no DOTNET_ settings" : string.Join(", ", environment))}; GC.GetConfigurationVariables(): {config}";
    }

    private (long RssBytes, long RssAnonymousBytes, int Threads) ReadStatus()
    {
        long rss = 0;
        long rssAnonymous = 0;
        int threads = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                rssAnonymous = long.Parse(line.AsSpan(8).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
            }
        }
        return (rss, rssAnonymous, threads);
    }

    private async Task<string> GetAsync(string target)
    {
        await using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server, CancellationToken.None);
        connection.ReadTimeout = TimeSpan.FromSeconds(30);
        await connection.SendAsync($"GET {target} HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n", CancellationToken.None);
        RawHttpResponse response = await connection.ReadResponseAsync(isHeadRequest: false, CancellationToken.None);
        return response.BodyText;
    }

    private static Dictionary<string, long> ParseLongs(string text)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            values[line[..equals]] = long.Parse(line.AsSpan(equals + 1), CultureInfo.InvariantCulture);
        }
        return values;
    }
}
