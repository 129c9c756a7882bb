using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;

namespace TinyHttp.Bench.Harness;

/// <summary>Report turns the runs into bench/RESULTS.md.</summary>
internal sealed class Report(
    HarnessOptions options,
    IReadOnlyList<ServerSpec> servers,
    IReadOnlyList<Scenario> scenarios,
    IReadOnlyList<StartRun> startRuns,
    IReadOnlyList<LoadRun> loadRuns,
    IReadOnlyDictionary<string, long> peakRss,
    IReadOnlyList<DoubleCost> doubles,
    string? micro,
    IReadOnlyList<string> notes,
    DateTimeOffset started,
    DateTimeOffset finished,
    string loadBefore,
    string loadAfter,
    IReadOnlyList<string> busyBefore,
    IReadOnlyList<string> busyAfter)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private readonly StringBuilder _text = new();

    /// <summary>Per server, the TLS protocol and cipher suite a .NET client negotiated with its HTTPS port at start.</summary>
    public IReadOnlyDictionary<string, string> NegotiatedTls { get; init; } = new Dictionary<string, string>();

    /// <summary>The line on how long the harness waited for idle CPUs before the measured runs (<see cref="Harness.Settling.Describe"/>), or null.</summary>
    public string? Settling { get; init; }

    public string ToMarkdown()
    {
        Line("# TinyHttp benchmark results");
        Line();
        string took = options.StartedAt is long startedAt
            ? $"took {((finished - DateTimeOffset.FromUnixTimeSeconds(startedAt)).TotalMinutes).ToString("F1", Invariant)} min with the build, " +
              $"{(finished - started).TotalMinutes.ToString("F1", Invariant)} min measuring"
            : $"took {(finished - started).TotalMinutes.ToString("F1", Invariant)} min";
        Line($"Written by `{options.Command}` on {started.ToString("yyyy-MM-dd HH:mm zzz", Invariant)} " +
             $"({took}). How to read the numbers: [README.md](README.md).");
        Line();
        WriteMachine();
        if (loadRuns.Count > 0)
        {
            WriteSummary();
            WriteTargets();
            WriteBuildKindTargets();
            WriteScenarios();
            WriteTlsCost();
        }
        if (startRuns.Count > 0)
        {
            WriteStartAndMemory();
        }
        if (loadRuns.Any(run => run.BytesPerRequest is not null))
        {
            WriteAllocations();
        }
        if (doubles.Count > 0)
        {
            WriteDoubles();
        }
        if (micro is not null)
        {
            Line("## Micro-benchmarks (BenchmarkDotNet)");
            Line();
            Line($"`bench/TinyHttp.Benchmarks`, in-process toolchain, job `{options.MicroJob}`, pinned to CPU {options.ServerCpu}. " +
                 "Allocated is bytes per operation from `[MemoryDiagnoser]`; `-` means none.");
            Line();
            Line(micro.Trim());
            Line();
        }
        if (notes.Count > 0)
        {
            Line("## Notes");
            Line();
            foreach (string note in notes)
            {
                Line($"- {note}");
            }
            Line();
        }
        return _text.ToString();
    }

    private void WriteMachine()
    {
        Line("## Machine and method");
        Line();
        Line($"- CPU: {CpuModel()}, {CpuCount()} logical cores; memory {MemoryTotal()}; Linux {Read("/proc/sys/kernel/osrelease")}");
        Line($"- .NET: {RuntimeInformation.FrameworkDescription}; every .NET server runs with workstation concurrent GC and invariant globalization (bench/Directory.Build.props)");
        Line($"- Load generator: {Version("wrk", "-v")}; nginx: {Version("nginx", "-v")}");
        Line($"- Pinning: each server on CPU {options.ServerCpu}, wrk (one thread) and the harness on CPU {options.ClientCpu}, via `taskset`");
        Line($"- Each scenario: {options.WarmupSeconds} s unrecorded warm-up per server, then {options.Repetitions} rounds of {options.DurationSeconds} s per server, servers interleaved within a round; " +
             "figures are the median of the rounds, with min–max in brackets; each round starts with the next server in turn");
        if (Settling is not null)
        {
            Line($"- {Settling}");
        }
        Line($"- Load average (1, 5, 15 min) before: {string.Join(' ', loadBefore.Split(' ').Take(3))}; after: {string.Join(' ', loadAfter.Split(' ').Take(3))} " +
             "(the harness itself adds about 1 at full load; more than that is other work on the machine)");
        Line($"- Other processes using the CPU (2 s sample, 100% = one core) before: {Busy(busyBefore)}; after: {Busy(busyAfter)}");
        if (scenarios.Any(s => s.Https))
        {
            string negotiated = NegotiatedTls.Count == 0
                ? "none measured"
                : string.Join("; ", NegotiatedTls.Select(pair => $"{pair.Key} {pair.Value}"));
            Line($"- HTTPS: one certificate for the run, {BenchTls.Description}, the same PEM files for every server; " +
                 $"{OpenSslVersion()} under wrk, nginx and .NET alike; the servers start with `OPENSSL_CONF` = `NumTickets = 0` " +
                 "(no session tickets, so every wrk reconnect is a full handshake: see bench/README.md, \"HTTPS\"). " +
                 $"Negotiated with a .NET client at start: {negotiated}");
        }
        Line();
    }

    private void WriteSummary()
    {
        List<string> others = servers.Select(s => s.Name).Where(name => name != options.Baseline).ToList();
        Line($"## Requests per second relative to {options.Baseline}");
        Line();
        Line($"Median requests/s of each server divided by {options.Baseline}'s in the same run; above 1 is faster.");
        if (servers.Any(s => s.Name == "RawSocket"))
        {
            Line("RawSocket is not an HTTP server: it answers every request head with canned bytes, without parsing. It is the floor " +
                 "of a .NET process on this machine (runtime, sockets, wrk) that the HTTP servers cannot go below.");
        }
        Line();
        Line($"| Scenario | {options.Baseline} req/s | " + string.Join(" | ", others) + " |");
        Line("|---|---:|" + string.Concat(others.Select(_ => "---:|")));
        foreach (Scenario scenario in scenarios)
        {
            double baseline = MedianRps(options.Baseline, scenario.Name);
            var cells = new List<string> { scenario.Name, FormatRps(baseline) };
            foreach (string name in others)
            {
                double rps = MedianRps(name, scenario.Name);
                cells.Add(double.IsNaN(rps) ? "n/a" : double.IsNaN(baseline) ? FormatRps(rps) : (rps / baseline).ToString("F2", Invariant) + "×");
            }
            Line("| " + string.Join(" | ", cells) + " |");
        }
        Line();
    }

    private void WriteTargets()
    {
        if (!servers.Any(s => s.Name == "TinyHttp") || !servers.Any(s => s.Name == "Kestrel"))
        {
            return;
        }
        Line("## Targets of issue 6");
        Line();
        Line("| Target | Measured | Met |");
        Line("|---|---|:-:|");
        void Ratio(string scenario, double atLeast, string label)
        {
            double ratio = MedianRps("TinyHttp", scenario) / MedianRps("Kestrel", scenario);
            if (!double.IsNaN(ratio))
            {
                Line($"| {label} | {ratio.ToString("F2", Invariant)}× | {Mark(ratio >= atLeast)} |");
            }
        }
        Ratio("keepalive", 1.0, "keep-alive 50 connections ≥ 1.0× Kestrel (aim 1.2×)");
        Ratio("pipelined", 1.0, "pipelined ≥ 1.0× Kestrel (aim 1.2×)");
        Ratio("close", 1.0, "connection per request ≥ 1.0× Kestrel");
        double allocation = Statistics.Median(loadRuns.Where(r => r.Server == "TinyHttp" && r.Scenario == "keepalive" && r.BytesPerRequest is not null).Select(r => r.BytesPerRequest!.Value));
        if (!double.IsNaN(allocation))
        {
            Line($"| 0 B allocated per keep-alive request | {allocation.ToString("F1", Invariant)} B | {Mark(allocation < 1)} |");
        }
        DoubleCost? tiny = doubles.FirstOrDefault(d => d.Server == "TinyHttp");
        DoubleCost? kestrel = doubles.FirstOrDefault(d => d.Server == "Kestrel");
        if (tiny is not null && kestrel is not null)
        {
            double speedup = kestrel.MedianMilliseconds / tiny.MedianMilliseconds;
            Line($"| start → response → stop cycle ≥ 10× faster than Kestrel | {speedup.ToString("F1", Invariant)}× (median {tiny.MedianMilliseconds.ToString("F2", Invariant)} vs {kestrel.MedianMilliseconds.ToString("F2", Invariant)} ms) | {Mark(speedup >= 10)} |");
        }
        double tinyRss = Statistics.Median(startRuns.Where(r => r.Server == "TinyHttp").Select(r => (double)r.IdleRss));
        double kestrelRss = Statistics.Median(startRuns.Where(r => r.Server == "Kestrel").Select(r => (double)r.IdleRss));
        if (!double.IsNaN(tinyRss) && !double.IsNaN(kestrelRss))
        {
            double floorRss = Statistics.Median(startRuns.Where(r => r.Server == "RawSocket").Select(r => (double)r.IdleRss));
            string floor = double.IsNaN(floorRss) ? string.Empty : $"; the RawSocket floor is {Mib(floorRss)} MiB";
            Line($"| idle RSS ≤ 0.5× Kestrel's | {(tinyRss / kestrelRss).ToString("F2", Invariant)}× ({Mib(tinyRss)} vs {Mib(kestrelRss)} MiB{floor}) | {Mark(tinyRss <= kestrelRss / 2)} |");
        }
        string? parserAllocation = ParserAllocation();
        Line(parserAllocation is null
            ? "| parser micro-benchmark allocates 0 B | not run | |"
            : $"| parser micro-benchmark allocates 0 B | {parserAllocation} | {Mark(parserAllocation == "0 B")} |");
        Line();
    }

    /// <summary>
    /// The targets of the performance issue (12): TinyHttp against Kestrel and against the RawSocket floor of the same
    /// build kind (JIT beside JIT, NativeAOT beside NativeAOT), so an AOT figure is never flattered by a JIT baseline.
    /// </summary>
    private void WriteBuildKindTargets()
    {
        (string Kind, string Suffix)[] kinds = [("JIT", ""), ("NativeAOT", "-AOT")];
        string[] measured = ["keepalive", "latency", "pipelined"];
        if (!kinds.Any(kind => servers.Any(s => s.Name == "TinyHttp" + kind.Suffix) && servers.Any(s => s.Name == "Kestrel" + kind.Suffix)))
        {
            return;
        }
        Line("## TinyHttp beside Kestrel and the floor, same build kind");
        Line();
        Line("Each ratio divides TinyHttp's median requests/s by Kestrel's, or by RawSocket's (the floor: canned bytes, no parsing), " +
             "built the same way (JIT or NativeAOT) and measured in this run. Targets: at least 1.2× Kestrel, at least 0.95× the floor, " +
             "and a one-connection p99 no worse than Kestrel's.");
        Line();
        Line("| Build | Scenario | vs Kestrel (≥ 1.2×) | vs floor (≥ 0.95×) | p99 ms TinyHttp / Kestrel |");
        Line("|---|---|---:|---:|---:|");
        foreach ((string kind, string suffix) in kinds)
        {
            string tiny = "TinyHttp" + suffix;
            foreach (string scenario in measured)
            {
                double rps = MedianRps(tiny, scenario);
                if (double.IsNaN(rps))
                {
                    continue;
                }
                double kestrel = rps / MedianRps("Kestrel" + suffix, scenario);
                double floor = rps / MedianRps("RawSocket" + suffix, scenario);
                string p99 = "–";
                if (scenario == "latency")
                {
                    double tinyP99 = Statistics.Median(Runs(tiny, scenario).Select(r => r.Wrk.P99Milliseconds));
                    double kestrelP99 = Statistics.Median(Runs("Kestrel" + suffix, scenario).Select(r => r.Wrk.P99Milliseconds));
                    p99 = double.IsNaN(kestrelP99)
                        ? tinyP99.ToString("F3", Invariant)
                        : $"{tinyP99.ToString("F3", Invariant)} / {kestrelP99.ToString("F3", Invariant)} {Mark(tinyP99 <= kestrelP99)}";
                }
                Line($"| {kind} | {scenario} | {RatioCell(kestrel, 1.2)} | {RatioCell(floor, 0.95)} | {p99} |");
            }
        }
        Line();
    }

    private static string RatioCell(double ratio, double atLeast) =>
        double.IsNaN(ratio) ? "n/a" : $"{ratio.ToString("F2", Invariant)}× {Mark(ratio >= atLeast)}";

    private void WriteScenarios()
    {
        Line("## Scenarios");
        Line();
        Line("CPU µs/req is the server process's user+system CPU time (from /proc, kernel network work done in its context included) " +
             "divided by the responses wrk counted: less sensitive to other load on the machine than req/s. " +
             "p50/p99 are wrk's latency percentiles (median over the rounds); wrk gives none that mean anything for the pipelined " +
             "scenario. alloc B/req is explained below. errors are wrk's socket errors and non-2xx responses summed over the rounds.");
        Line();
        foreach (Scenario scenario in scenarios)
        {
            Line($"### {scenario.Name}: {scenario.Title}");
            Line();
            Line($"| Server | req/s median (min–max) | vs {options.Baseline} | CPU µs/req | p50 ms | p99 ms | alloc B/req | peak RSS MiB | errors |");
            Line("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            double baseline = MedianRps(options.Baseline, scenario.Name);
            foreach (ServerSpec server in servers)
            {
                List<LoadRun> runs = Runs(server.Name, scenario.Name);
                if (runs.Count == 0)
                {
                    Line($"| {server.Name} | not served | | | | | | | |");
                    continue;
                }
                double rps = Statistics.Median(runs.Select(r => r.Wrk.RequestsPerSecond));
                string spread = $"{FormatRps(rps)} ({FormatRps(runs.Min(r => r.Wrk.RequestsPerSecond))}–{FormatRps(runs.Max(r => r.Wrk.RequestsPerSecond))})";
                string ratio = double.IsNaN(baseline) ? "" : (rps / baseline).ToString("F2", Invariant) + "×";
                string p50 = scenario.HasLatency ? Statistics.Median(runs.Select(r => r.Wrk.P50Milliseconds)).ToString("F3", Invariant) : "–";
                string p99 = scenario.HasLatency ? Statistics.Median(runs.Select(r => r.Wrk.P99Milliseconds)).ToString("F3", Invariant) : "–";
                string allocation = runs.Any(r => r.BytesPerRequest is not null)
                    ? Statistics.Median(runs.Where(r => r.BytesPerRequest is not null).Select(r => r.BytesPerRequest!.Value)).ToString("F1", Invariant)
                    : "n/a";
                string rss = Mib(runs.Max(r => r.PeakRss));
                long errors = runs.Sum(r => r.Wrk.Errors);
                // Fewer responses than a few per connection means the server stopped answering, not that it is slow.
                string stalled = runs.Any(r => r.Wrk.Requests < 10L * scenario.Connections)
                    ? $" (stalled: {runs.Min(r => r.Wrk.Requests).ToString(Invariant)} responses in a run)"
                    : string.Empty;
                string cpu = Statistics.Median(runs.Select(r => r.CpuMicrosecondsPerRequest)).ToString("F1", Invariant);
                Line($"| {server.Name} | {spread}{stalled} | {ratio} | {cpu} | {p50} | {p99} | {allocation} | {rss} | {errors.ToString(Invariant)} |");
            }
            Line();
        }
    }

    /// <summary>
    /// What TLS adds, per server, from scenarios of the same run: the CPU and allocation of an HTTPS scenario minus those
    /// of its plain twin. https-close minus close is the cost of one full handshake (and the TLS connection set-up and
    /// close_notify around it); https-keepalive minus keepalive the cost of TLS records on a request that reuses a connection.
    /// </summary>
    private void WriteTlsCost()
    {
        (string Https, string Plain, string What)[] pairs =
        [
            ("https-close", "close", "per handshake (https-close − close)"),
            ("https-keepalive", "keepalive", "per keep-alive request (https-keepalive − keepalive)"),
        ];
        List<(string Https, string Plain, string What)> measured = pairs
            .Where(pair => scenarios.Any(s => s.Name == pair.Https) && scenarios.Any(s => s.Name == pair.Plain)).ToList();
        if (measured.Count == 0 || !loadRuns.Any(r => r.Scenario.StartsWith("https-", StringComparison.Ordinal)))
        {
            return;
        }
        Line("## What TLS costs");
        Line();
        Line("Per server, an HTTPS scenario's median CPU µs/req and alloc B/req minus those of its plain-HTTP twin in the same run. " +
             "https-close − close is one full TLS handshake (ECDHE key exchange, the certificate, its ECDSA signature, the key schedule) " +
             "with the TLS connection set-up and close around it; https-keepalive − keepalive is encrypting and decrypting one request " +
             "and its response on a connection already open.");
        Line();
        Line("| Server | " + string.Join(" | ", measured.Select(pair => $"CPU µs {pair.What}")) + " | " +
             string.Join(" | ", measured.Select(pair => $"alloc B {pair.What}")) + " |");
        Line("|---|" + string.Concat(measured.Select(_ => "---:|")) + string.Concat(measured.Select(_ => "---:|")));
        foreach (ServerSpec server in servers)
        {
            var cpu = new List<string>();
            var allocation = new List<string>();
            foreach ((string https, string plain, _) in measured)
            {
                List<LoadRun> secure = Runs(server.Name, https);
                List<LoadRun> clear = Runs(server.Name, plain);
                if (secure.Count == 0 || clear.Count == 0)
                {
                    cpu.Add("n/a");
                    allocation.Add("n/a");
                    continue;
                }
                double secureCpu = Statistics.Median(secure.Select(r => r.CpuMicrosecondsPerRequest));
                double clearCpu = Statistics.Median(clear.Select(r => r.CpuMicrosecondsPerRequest));
                cpu.Add($"{(secureCpu - clearCpu).ToString("F1", Invariant)} ({secureCpu.ToString("F1", Invariant)} − {clearCpu.ToString("F1", Invariant)})");
                double secureBytes = Statistics.Median(secure.Where(r => r.BytesPerRequest is not null).Select(r => r.BytesPerRequest!.Value));
                double clearBytes = Statistics.Median(clear.Where(r => r.BytesPerRequest is not null).Select(r => r.BytesPerRequest!.Value));
                allocation.Add(double.IsNaN(secureBytes) || double.IsNaN(clearBytes)
                    ? "n/a"
                    : $"{(secureBytes - clearBytes).ToString("F0", Invariant)} ({secureBytes.ToString("F0", Invariant)} − {clearBytes.ToString("F0", Invariant)})");
            }
            if (cpu.All(cell => cell == "n/a"))
            {
                continue;
            }
            Line($"| {server.Name} | {string.Join(" | ", cpu)} | {string.Join(" | ", allocation)} |");
        }
        Line();
    }

    private void WriteStartAndMemory()
    {
        Line("## Start-up and memory");
        Line();
        Line("Start → first response: from just before the process is started to the end of the first `200` to `GET /hello` " +
             "(polled every millisecond on a fresh connection). Idle RSS: one second after that response. Peak RSS: the most seen " +
             "(sampled every 50 ms, and the kernel's VmHWM) while the load scenarios ran. RSS includes child processes (nginx's worker).");
        Line();
        Line("| Server | start → first response ms, median (min–max) | idle RSS MiB, median | peak RSS under load MiB |");
        Line("|---|---:|---:|---:|");
        foreach (ServerSpec server in servers)
        {
            List<StartRun> runs = startRuns.Where(r => r.Server == server.Name).ToList();
            if (runs.Count == 0)
            {
                continue;
            }
            double start = Statistics.Median(runs.Select(r => r.Milliseconds));
            string peak = peakRss.TryGetValue(server.Name, out long bytes) ? Mib(bytes) : "n/a";
            Line($"| {server.Name} | {start.ToString("F0", Invariant)} ({runs.Min(r => r.Milliseconds).ToString("F0", Invariant)}–{runs.Max(r => r.Milliseconds).ToString("F0", Invariant)}) " +
                 $"| {Mib(Statistics.Median(runs.Select(r => (double)r.IdleRss)))} | {peak} |");
        }
        Line();
    }

    private void WriteAllocations()
    {
        Line("## Bytes allocated per request");
        Line();
        Line("`GC.GetTotalAllocatedBytes(precise: true)` in the server process, read through `/_stats` before and after each " +
             "measured run, divided by the benchmark requests the server counted in between (the two control requests are not counted). " +
             "Median of the rounds; in brackets the GC collections (gen0/gen1/gen2) during the measured runs, summed over the rounds.");
        Line();
        List<ServerSpec> dotnetServers = servers.Where(s => loadRuns.Any(r => r.Server == s.Name && r.BytesPerRequest is not null)).ToList();
        Line("| Scenario | " + string.Join(" | ", dotnetServers.Select(s => s.Name)) + " |");
        Line("|---|" + string.Concat(dotnetServers.Select(_ => "---:|")));
        foreach (Scenario scenario in scenarios)
        {
            var cells = new List<string> { scenario.Name };
            foreach (ServerSpec server in dotnetServers)
            {
                List<LoadRun> runs = Runs(server.Name, scenario.Name).Where(r => r.BytesPerRequest is not null).ToList();
                cells.Add(runs.Count == 0
                    ? "n/a"
                    : $"{Statistics.Median(runs.Select(r => r.BytesPerRequest!.Value)).ToString("F1", Invariant)} ({runs.Sum(r => r.Gen0)}/{runs.Sum(r => r.Gen1)}/{runs.Sum(r => r.Gen2)})");
            }
            Line("| " + string.Join(" | ", cells) + " |");
        }
        Line();
    }

    private void WriteDoubles()
    {
        Line("## Test-double cost");
        Line();
        Line("One cycle, in process (`bench/TestDoubleCost`): construct a server on 127.0.0.1:0 serving `/hello`, start it, " +
             "send one GET with a new `HttpClient`, dispose the client, stop the server, dispose it. Each server runs in a fresh " +
             "process on all cores; the cold figure is that process's first cycle (JIT included), then the warm cycles are timed.");
        Line();
        Line("| Server | cold first cycle ms | warm median ms | warm p90 ms | warm min–max ms | warm cycles |");
        Line("|---|---:|---:|---:|---:|---:|");
        foreach (DoubleCost cost in doubles)
        {
            Line($"| {cost.Server} | {cost.ColdMilliseconds.ToString("F1", Invariant)} | {cost.MedianMilliseconds.ToString("F3", Invariant)} | " +
                 $"{cost.P90Milliseconds.ToString("F3", Invariant)} | {cost.MinMilliseconds.ToString("F3", Invariant)}–{cost.MaxMilliseconds.ToString("F3", Invariant)} | {cost.Cycles} |");
        }
        DoubleCost? tiny = doubles.FirstOrDefault(d => d.Server == "TinyHttp");
        DoubleCost? kestrel = doubles.FirstOrDefault(d => d.Server == "Kestrel");
        if (tiny is not null && kestrel is not null)
        {
            Line();
            Line($"TinyHttp's warm cycle is {(kestrel.MedianMilliseconds / tiny.MedianMilliseconds).ToString("F1", Invariant)}× faster than Kestrel's (median), " +
                 $"its cold cycle {(kestrel.ColdMilliseconds / tiny.ColdMilliseconds).ToString("F1", Invariant)}× faster.");
        }
        Line();
    }

    /// <summary>The largest Allocated of the parser benchmarks in BenchmarkDotNet's table ("0 B" for "-"), or null.</summary>
    private string? ParserAllocation()
    {
        if (micro is null)
        {
            return null;
        }
        int start = micro.IndexOf("`RequestHeadParserBenchmarks`", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }
        string[] lines = micro[start..].Split('\n');
        int column = -1;
        string largest = "0 B";
        foreach (string line in lines.Skip(1))
        {
            if (line.StartsWith('`'))
            {
                break;
            }
            if (!line.StartsWith('|'))
            {
                continue;
            }
            string[] cells = line.Split('|').Select(cell => cell.Trim()).ToArray();
            if (column < 0)
            {
                column = Array.IndexOf(cells, "Allocated");
                continue;
            }
            if (column < cells.Length && !cells[column].StartsWith('-') && cells[column] is not ("" or "0 B"))
            {
                largest = cells[column];
            }
        }
        return column < 0 ? null : largest;
    }

    private List<LoadRun> Runs(string server, string scenario) =>
        loadRuns.Where(r => r.Server == server && r.Scenario == scenario).ToList();

    private double MedianRps(string server, string scenario) =>
        Statistics.Median(Runs(server, scenario).Select(r => r.Wrk.RequestsPerSecond));

    private static string Busy(IReadOnlyList<string> processes) => processes.Count == 0 ? "none above 5%" : string.Join(", ", processes);

    private static string FormatRps(double rps) => double.IsNaN(rps) ? "n/a" : rps.ToString("N0", Invariant);

    private static string Mib(double bytes) => (bytes / 1048576).ToString("F1", Invariant);

    private static string Mark(bool met) => met ? "yes" : "**no**";

    private void Line(string text = "") => _text.Append(text).Append('\n');

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    private static int CpuCount() =>
        File.ReadLines("/proc/cpuinfo").Count(line => line.StartsWith("processor", StringComparison.Ordinal));

    private static string MemoryTotal()
    {
        string? line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        if (line is null)
        {
            return "unknown";
        }
        long kilobytes = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Invariant);
        return (kilobytes / 1048576.0).ToString("F1", Invariant) + " GiB";
    }

    private static string OpenSslVersion()
    {
        string? path = ServerSpec.FindOnPath("openssl");
        if (path is null)
        {
            return "OpenSSL (version unknown: no openssl command)";
        }
        var info = new ProcessStartInfo(path, "version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using Process process = Process.Start(info)!;
        string text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        // "OpenSSL 3.0.19 27 Jan 2026 (Library: OpenSSL 3.0.19 27 Jan 2026)": the library is what the servers load.
        int library = text.IndexOf("(Library: ", StringComparison.Ordinal);
        return library >= 0 ? text[(library + 10)..].TrimEnd(')') : text;
    }

    private static string Version(string program, string flag)
    {
        string? path = ServerSpec.FindOnPath(program);
        if (path is null)
        {
            return "not installed";
        }
        try
        {
            var info = new ProcessStartInfo(path, flag) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using Process process = Process.Start(info)!;
            string text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            string first = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? program;
            int copyright = first.IndexOf(" Copyright", StringComparison.Ordinal);
            return copyright > 0 ? first[..copyright] : first;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return program;
        }
    }
}
