using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace TinyHttp.Soak;

/// <summary>
/// SoakReport judges a run and writes it up. After the warm-up (a fifth of the run, at least 30 s, at most half),
/// the samples are split into thirds; the last third's median may exceed the first third's by at most the stated
/// tolerance, for RSS, the live heap and open files. At rest, after the load, the server must hold no more
/// connections or files than at rest before it, and give back what the load took: its settled RSS at most 1.5 times
/// the RSS at rest before the load, which is measured after a short warm-up pass (so the code the load runs is
/// already compiled and loaded; the cold start is reported beside it). And no response may be lost or corrupted.
/// </summary>
internal sealed class SoakReport(
    LoadSettings settings,
    DateTime startedAt,
    TimeSpan elapsed,
    Tally tally,
    string runtimeSettings,
    IReadOnlyList<ServerSample> coldStart,
    Tally warmUpTally,
    IReadOnlyList<ServerSample> restBefore,
    IReadOnlyList<ServerSample> samples,
    ServerSample idleAfter,
    IReadOnlyList<ServerSample> restAfter,
    ServerSample aggressive,
    ServerSample trimmed,
    SortedDictionary<string, int> filesBefore,
    SortedDictionary<string, int> filesAfter,
    IReadOnlyList<(string When, MemoryMap Map)> maps)
{
    private const double RelativeTolerance = 0.10;
    private const long RssToleranceBytes = 8 * 1024 * 1024;
    private const long HeapToleranceBytes = 2 * 1024 * 1024;
    private const int LoadFilesTolerance = 16;
    private const int IdleFilesTolerance = 2;
    private const double RestRssRatio = 1.5;
    private const int SettledSamples = 3;
    private const int MaxTableRows = 60;

    private readonly TimeSpan _warmUp = WarmUp(settings.Duration);
    private readonly ServerSample _coldStart = Settled(coldStart);
    private readonly ServerSample _settledBefore = Settled(restBefore);
    private readonly ServerSample _settledAfter = Settled(restAfter.Count > 0 ? restAfter : [idleAfter]);
    private readonly bool _warmedUp = settings.WarmUpPass > TimeSpan.Zero;
    private readonly List<Check> _checks = Judge(WarmUp(settings.Duration), tally, settings.WarmUpPass > TimeSpan.Zero ? warmUpTally : null,
        Settled(coldStart), Settled(restBefore), samples, idleAfter, Settled(restAfter.Count > 0 ? restAfter : [idleAfter]), filesBefore, filesAfter);

    public bool Passed => _checks.All(check => check.Passed);

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{(Passed ? "PASS" : "FAIL")}: {tally.TotalSent} requests, {tally.TotalVerified} responses verified, {tally.TotalLost} lost, {tally.TotalCorrupted} corrupted; report: {settings.ReportPath}");

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        Line(md, "# Soak report");
        Line(md, "");
        Line(md, $"**{(Passed ? "PASS" : "FAIL")}** — {elapsed.TotalMinutes:0.0} minutes of mixed load from {startedAt:yyyy-MM-dd HH:mm} UTC; written by `bash bench/soak/run.sh` (see [README.md](README.md)).");
        Line(md, "");
        string server = settings.ServerKind == "kestrel"
            ? "Kestrel (`WebApplication.CreateSlimBuilder`, default `KestrelServerOptions`; `Soak server --kind kestrel`)"
            : "`TinyHttpServer` with default options";
        Line(md, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}. Server: {server}, workstation concurrent GC, its own process (pid {settings.ServerPid}); samples every {settings.SampleInterval.TotalSeconds:0} s; {(_warmedUp ? $"before the load, a warm-up pass of {settings.WarmUpPass.TotalSeconds:0} s (one client per scenario: {warmUpTally.TotalSent} requests) and at rest after it for {restBefore[^1].Elapsed.TotalSeconds:0} s (until RSS settles, as after the load)" : "no warm-up pass: the baseline is the cold start")}; the load's first {_warmUp.TotalSeconds:0} s not judged for growth; at rest after the load for {(restAfter.Count > 0 ? restAfter[^1].Elapsed.TotalSeconds : 0):0} s (at least {settings.RestDuration.TotalSeconds:0} s, then until RSS settles){(settings.RestWithoutCollections ? "; at rest, RSS read from /proc only, with no /stats and so no collection until the last steps: the GC figures of those rows are those right after the load" : "")}.");
        Line(md, "");
        Line(md, $"Server runtime settings ({runtimeSettings}).");
        Line(md, "");

        Line(md, "## Verdict");
        Line(md, "");
        Line(md, "| check | figure | limit | result |");
        Line(md, "|---|---|---|---|");
        foreach (Check check in _checks)
        {
            Line(md, $"| {check.Name} | {check.Figure} | {check.Limit} | {(!check.Judged ? "not judged" : check.Passed ? "pass" : "**FAIL**")} |");
        }
        Line(md, "");

        Line(md, "## Server at rest, before and after");
        Line(md, "");
        Line(md, "| | RSS MiB | RSS anonymous MiB | GC committed MiB | GC heap MiB | fragmented MiB | live heap MiB | gen0 at its last GC MiB | open files | threads | connections |");
        Line(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        Row(md, $"at a cold start, before any request (median of {coldStart.Count} samples)", _coldStart);
        if (_warmedUp)
        {
            Row(md, $"before the load: at rest after the warm-up pass (median of the last {Math.Min(SettledSamples, restBefore.Count)} of {restBefore.Count} samples over {restBefore[^1].Elapsed.TotalSeconds:0} s)", _settledBefore);
        }
        if (samples.Count > 0)
        {
            Row(md, "first sample after warm-up", samples.FirstOrDefault(s => s.Elapsed >= _warmUp) ?? samples[^1]);
            Row(md, "last sample under load", samples[^1]);
            Row(md, "peak under load (each column's max)", new ServerSample(elapsed, samples.Max(s => s.RssBytes), samples.Max(s => s.RssAnonymousBytes),
                samples.Max(s => s.OpenFiles), samples.Max(s => s.Threads), samples.Max(s => s.LiveHeapBytes), samples.Max(s => s.HeapSizeBytes),
                samples.Max(s => s.CommittedBytes), samples.Max(s => s.FragmentedBytes), samples.Max(s => s.Gen0BeforeGcBytes), samples.Max(s => s.Gen2Collections), samples.Max(s => s.ActiveConnections),
                0, 0, idleAfter.ServerEvents));
        }
        Row(md, "right after the load (its connections closed)", idleAfter);
        Row(md, $"at rest after the load (median of the last {Math.Min(SettledSamples, restAfter.Count)} of {restAfter.Count} samples over {(restAfter.Count > 0 ? restAfter[^1].Elapsed.TotalSeconds : 0):0} s)", _settledAfter);
        Row(md, "then after `GC.Collect(2, GCCollectionMode.Aggressive)`", aggressive);
        Row(md, "then after glibc's `malloc_trim(0)`", trimmed);
        Line(md, "");
        Line(md, "RSS anonymous is `RssAnon` from /proc/PID/status (RSS less mapped files). GC committed is `GCMemoryInfo.TotalCommittedBytes`, GC heap `HeapSizeBytes` and fragmented `FragmentedBytes`, all after the full collection `/stats` runs; the live heap is `GC.GetTotalMemory(true)`; gen0 at its last GC is `GC.GetGCMemoryInfo(GCKind.Ephemeral)`'s gen0 size before that collection, the budget the GC allowed gen0. The aggressive collection and `malloc_trim(0)` are the report's last steps, as they change what they measure: the first decommits the free memory the GC keeps for reuse, the second returns the free memory glibc keeps in its malloc arenas; what they give back is the runtime's, not the server's.");
        Line(md, "");

        Line(md, "### Where the resident memory is");
        Line(md, "");
        Line(md, "| | GC region range MiB | malloc heap and arenas MiB | other anonymous MiB | JIT'd code MiB | mapped files MiB | total MiB |");
        Line(md, "|---|---:|---:|---:|---:|---:|---:|");
        foreach ((string when, MemoryMap map) in maps)
        {
            Line(md, $"| {when} | {Mib(map.GcRangeRssBytes)} | {Mib(map.MallocRssBytes)} | {Mib(map.OtherAnonymousRssBytes)} | {Mib(map.JitCodeRssBytes)} | {Mib(map.FileRssBytes)} | {Mib(map.TotalRssBytes)} |");
        }
        Line(md, "");
        Line(md, string.Create(CultureInfo.InvariantCulture, $"From /proc/PID/smaps (kept in `results/smaps-{settings.ServerKind}-*.txt`). GC region range: the resident part of the GC's reservation ({(maps.Count > 0 ? maps[0].Map.GcRangeSpanBytes / 1073741824.0 : 0):0} GiB of address space, twice the machine's memory by default): the heap's regions and the free regions it keeps committed. Malloc heap and arenas: glibc's `[heap]` and its 64 MiB-aligned arenas, where the runtime's native allocations (the JIT's among them) live. Other anonymous: thread stacks and the runtime's own mappings. JIT'd code: `/memfd:doublemapper`, code and stubs the runtime generated. Mapped files: the runtime, assemblies and native libraries, as far as they have been read."));
        Line(md, "");
        Line(md, "### The GC heap by generation");
        Line(md, "");
        Line(md, "| | gen0 MiB | gen1 MiB | gen2 MiB (free) | large objects MiB (free) | pinned object heap MiB (free) | compacted | pinned objects |");
        Line(md, "|---|---:|---:|---:|---:|---:|---:|---:|");
        GenerationRow(md, "at a cold start", _coldStart);
        if (_warmedUp)
        {
            GenerationRow(md, "before the load (after the warm-up pass)", _settledBefore);
        }
        if (samples.Count > 0)
        {
            GenerationRow(md, "last sample under load", samples[^1]);
        }
        GenerationRow(md, "right after the load", idleAfter);
        GenerationRow(md, "at rest after the load (settled)", _settledAfter);
        GenerationRow(md, "then after an aggressive collection", aggressive);
        Line(md, "");
        Line(md, "From `GC.GetGCMemoryInfo()` after the full collection `/stats` runs: each generation's `SizeAfterBytes` and, in brackets, its `FragmentationAfterBytes` (free space inside the heap's regions, which RSS includes), whether that collection compacted, and `PinnedObjectsCount`.");
        Line(md, "");
        Line(md, $"Open files by kind before the load: {Sampler.Describe(filesBefore)}; after: {Sampler.Describe(filesAfter)}. The kind assembly counts the .dll, .so and .pdb files the runtime opens once, when code or a stack trace first needs them.");
        Line(md, "");
        Line(md, "Connections and open files include the sampler's own `/stats` connection. The live heap is measured after a full blocking collection that `/stats` triggers.");
        Line(md, "");

        Line(md, $"Server events over the run ({(settings.ServerKind == "kestrel" ? "Kestrel's" : "TinyHttp's")} log events, counted by the soak server's logger; warnings and errors are in `results/server{(settings.ServerKind == "kestrel" ? "-kestrel" : "")}.log`): "
            + (idleAfter.ServerEvents.Count == 0 ? "none." : string.Join(", ", idleAfter.ServerEvents.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} {e.Value}")) + "."));
        Line(md, "");

        Line(md, "## Load");
        Line(md, "");
        Line(md, "| scenario | requests | verified | lost | corrupted | verified MiB | outcomes |");
        Line(md, "|---|---:|---:|---:|---:|---:|---|");
        foreach (KeyValuePair<string, ScenarioTally> pair in tally.Scenarios.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            ScenarioTally s = pair.Value;
            string outcomes = string.Join(", ", s.Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}"));
            Line(md, $"| {pair.Key} | {s.Sent} | {s.Verified} | {s.Lost} | {s.Corrupted} | {s.VerifiedBytes / 1048576.0:0.0} | {outcomes} |");
        }
        Line(md, $"| **total** | {tally.TotalSent} | {tally.TotalVerified} | {tally.TotalLost} | {tally.TotalCorrupted} | | |");
        Line(md, "");
        Line(md, "keep-alive: 4 clients, sequential requests on connections of 50–550 requests (GET whole and streamed bodies, POST echo with Content-Length and chunked uploads, 0 B–1 MiB), some ending with `Connection: close`. pipelined: 2 clients, batches of 2–16 requests (bodies ≤ 16 KiB) in one write. slow-sender: 2 clients writing 32–64 bytes every 10–40 ms. slow-reader: 256 KiB read 2 KiB at a time through a 4 KiB receive buffer. Every response of these is checked byte for byte. bad-request: one malformed request per connection, then a half-close; outcomes are the status codes received (or a close), a 500 or a partial response counts as corrupted. aborted: connections reset or closed mid-head, mid-upload, mid-download, before reading, or right after connecting.");
        Line(md, "");

        if (tally.Errors.Count > 0)
        {
            Line(md, "## First errors");
            Line(md, "");
            foreach (string error in tally.Errors)
            {
                Line(md, $"- `{error.Replace("`", "'", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}`");
            }
            Line(md, "");
        }

        if (_warmedUp)
        {
            Line(md, "## At rest after the warm-up pass, before the load");
            Line(md, "");
            Line(md, string.Create(CultureInfo.InvariantCulture, $"Warm-up pass: {warmUpTally.TotalSent} requests, {warmUpTally.TotalVerified} verified, {warmUpTally.TotalLost} lost, {warmUpTally.TotalCorrupted} corrupted."));
            Line(md, "");
            RestTable(md, "t after the warm-up pass (s)", restBefore);
        }

        Line(md, "## At rest after the load");
        Line(md, "");
        RestTable(md, "t after the load (s)", restAfter);

        Line(md, "## Samples");
        Line(md, "");
        Line(md, "| t (s) | RSS MiB | GC committed MiB | live heap MiB | GC heap MiB | open files | threads | connections | gen2 GCs | requests sent |");
        Line(md, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        int step = Math.Max(1, (samples.Count + MaxTableRows - 1) / MaxTableRows);
        for (int i = 0; i < samples.Count; i++)
        {
            if (i % step != 0 && i != samples.Count - 1)
            {
                continue;
            }
            ServerSample s = samples[i];
            Line(md, $"| {s.Elapsed.TotalSeconds:0} | {Mib(s.RssBytes)} | {Mib(s.CommittedBytes)} | {Mib(s.LiveHeapBytes)} | {Mib(s.HeapSizeBytes)} | {s.OpenFiles} | {s.Threads} | {s.ActiveConnections} | {s.Gen2Collections} | {s.RequestsSent} |");
        }
        return md.ToString();
    }

    private static void RestTable(StringBuilder md, string timeHeading, IReadOnlyList<ServerSample> rest)
    {
        Line(md, $"| {timeHeading} | RSS MiB | RSS anonymous MiB | GC committed MiB | GC heap MiB | fragmented MiB | gen2 free MiB | large objects free MiB | live heap MiB | gen0 at its last GC MiB | threads | gen2 GCs |");
        Line(md, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (ServerSample s in rest)
        {
            Line(md, $"| {s.Elapsed.TotalSeconds:0} | {Mib(s.RssBytes)} | {Mib(s.RssAnonymousBytes)} | {Mib(s.CommittedBytes)} | {Mib(s.HeapSizeBytes)} | {Mib(s.FragmentedBytes)} | {Mib(s.GcFigure("gen2_fragmentation_after_bytes"))} | {Mib(s.GcFigure("gen3_fragmentation_after_bytes"))} | {Mib(s.LiveHeapBytes)} | {Mib(s.Gen0BeforeGcBytes)} | {s.Threads} | {s.Gen2Collections} |");
        }
        Line(md, "");
    }

    private static void GenerationRow(StringBuilder md, string label, ServerSample s) =>
        Line(md, $"| {label} | {Mib(s.GcFigure("gen0_size_after_bytes"))} | {Mib(s.GcFigure("gen1_size_after_bytes"))} | {Mib(s.GcFigure("gen2_size_after_bytes"))} ({Mib(s.GcFigure("gen2_fragmentation_after_bytes"))}) | {Mib(s.GcFigure("gen3_size_after_bytes"))} ({Mib(s.GcFigure("gen3_fragmentation_after_bytes"))}) | {Mib(s.GcFigure("gen4_size_after_bytes"))} ({Mib(s.GcFigure("gen4_fragmentation_after_bytes"))}) | {(s.GcFigure("compacted") != 0 ? "yes" : "no")} | {s.GcFigure("pinned_objects")} |");

    private static TimeSpan WarmUp(TimeSpan duration) =>
        TimeSpan.FromSeconds(Math.Clamp(duration.TotalSeconds * 0.2, Math.Min(30, duration.TotalSeconds / 2), duration.TotalSeconds / 2));

    private static List<Check> Judge(TimeSpan cutoff, Tally tally, Tally? warmUpTally, ServerSample coldStart, ServerSample before, IReadOnlyList<ServerSample> samples, ServerSample after,
        ServerSample settled, SortedDictionary<string, int> filesBefore, SortedDictionary<string, int> filesAfter)
    {
        var checks = new List<Check>
        {
            new("responses lost", tally.TotalLost.ToString(CultureInfo.InvariantCulture), "0", tally.TotalLost == 0),
            new("responses corrupted", tally.TotalCorrupted.ToString(CultureInfo.InvariantCulture), "0", tally.TotalCorrupted == 0),
            new("responses verified", tally.TotalVerified.ToString(CultureInfo.InvariantCulture), "> 0", tally.TotalVerified > 0),
        };
        if (warmUpTally is not null)
        {
            long failed = warmUpTally.TotalLost + warmUpTally.TotalCorrupted;
            checks.Add(new Check("responses lost or corrupted in the warm-up pass", failed.ToString(CultureInfo.InvariantCulture), "0", failed == 0));
        }
        List<ServerSample> steady = samples.Where(s => s.Elapsed >= cutoff).ToList();
        if (steady.Count >= 3)
        {
            int third = steady.Count / 3;
            List<ServerSample> first = steady.Take(third).ToList();
            List<ServerSample> last = steady.Skip(steady.Count - third).ToList();
            checks.Add(Growth("RSS, median of last third vs first third after warm-up", first, last, s => s.RssBytes, RssToleranceBytes));
            checks.Add(Growth("live heap, median of last third vs first third after warm-up", first, last, s => s.LiveHeapBytes, HeapToleranceBytes));
            int firstFiles = first.Max(s => s.OpenFiles);
            int lastFiles = last.Max(s => s.OpenFiles);
            checks.Add(new Check("open files under load, max of last third vs first third", $"{firstFiles} → {lastFiles}", $"≤ {firstFiles + LoadFilesTolerance}", lastFiles <= firstFiles + LoadFilesTolerance));
        }
        else
        {
            checks.Add(new Check("samples after warm-up", steady.Count.ToString(CultureInfo.InvariantCulture), "≥ 3", false));
        }
        int handlesBefore = filesBefore.Where(pair => pair.Key != "assembly").Sum(pair => pair.Value);
        int handlesAfter = filesAfter.Where(pair => pair.Key != "assembly").Sum(pair => pair.Value);
        checks.Add(new Check("open sockets, pipes and files (not assemblies) at rest, after vs before", $"{handlesBefore} → {handlesAfter}",
            $"≤ {handlesBefore + IdleFilesTolerance}", handlesAfter <= handlesBefore + IdleFilesTolerance));
        checks.Add(new Check("connections at rest after the load (the sampler's own)", after.ActiveConnections.ToString(CultureInfo.InvariantCulture), "≤ 1", after.ActiveConnections <= 1));
        long rssLimit = (long)(before.RssBytes * RestRssRatio);
        string baseline = warmUpTally is not null ? "RSS at rest before it (after the warm-up pass)" : "RSS at rest before it (a cold start)";
        checks.Add(new Check($"RSS at rest after the load (settled) ≤ {RestRssRatio.ToString(CultureInfo.InvariantCulture)}× {baseline}",
            string.Create(CultureInfo.InvariantCulture, $"{Mib(before.RssBytes)} → {Mib(settled.RssBytes)} MiB ({(double)settled.RssBytes / before.RssBytes:0.00}×)"),
            $"≤ {Mib(rssLimit)} MiB", settled.RssBytes <= rssLimit));
        if (warmUpTally is not null)
        {
            // For comparison only: from a cold start the ratio includes the code the runtime compiled and loaded once.
            checks.Add(new Check("RSS at rest after the load (settled) against a cold start, before any request",
                string.Create(CultureInfo.InvariantCulture, $"{Mib(coldStart.RssBytes)} → {Mib(settled.RssBytes)} MiB ({(double)settled.RssBytes / coldStart.RssBytes:0.00}×)"),
                "–", Passed: true, Judged: false));
        }
        return checks;
    }

    /// <summary>The sample with the median RSS among the last few: a settled figure that one slow sample does not move.</summary>
    private static ServerSample Settled(IReadOnlyList<ServerSample> rest)
    {
        List<ServerSample> last = rest.Skip(Math.Max(0, rest.Count - SettledSamples)).OrderBy(s => s.RssBytes).ToList();
        return last[last.Count / 2];
    }

    private static Check Growth(string name, List<ServerSample> first, List<ServerSample> last, Func<ServerSample, long> value, long absoluteTolerance)
    {
        long from = Median(first.Select(value));
        long to = Median(last.Select(value));
        long limit = Math.Max((long)(from * (1 + RelativeTolerance)), from + absoluteTolerance);
        double change = from == 0 ? 0 : (to - from) * 100.0 / from;
        return new Check(name, string.Create(CultureInfo.InvariantCulture, $"{Mib(from)} → {Mib(to)} MiB ({change:+0.0;-0.0}%)"),
            string.Create(CultureInfo.InvariantCulture, $"≤ {Mib(limit)} MiB"), to <= limit);
    }

    private static long Median(IEnumerable<long> values)
    {
        long[] sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static void Row(StringBuilder md, string label, ServerSample s) =>
        Line(md, $"| {label} | {Mib(s.RssBytes)} | {Mib(s.RssAnonymousBytes)} | {Mib(s.CommittedBytes)} | {Mib(s.HeapSizeBytes)} | {Mib(s.FragmentedBytes)} | {Mib(s.LiveHeapBytes)} | {Mib(s.Gen0BeforeGcBytes)} | {s.OpenFiles} | {s.Threads} | {s.ActiveConnections} |");

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);

    private static void Line(StringBuilder md, string text) => md.Append(text).Append('\n');

    private sealed record Check(string Name, string Figure, string Limit, bool Passed, bool Judged = true);
}
