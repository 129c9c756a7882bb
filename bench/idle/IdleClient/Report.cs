using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using TinyHttp.Bench.Harness;

namespace TinyHttp.Bench.Idle;

/// <summary>
/// Report writes bench/idle/RESULTS.md from the lines run.sh collected: one <c>round=R key=value ...</c> line per
/// round and server (see <see cref="MeasurementResult.ToLine"/>). The servers keep the order of their first line.
/// </summary>
internal static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(Arguments arguments)
    {
        List<Dictionary<string, string>> runs = File.ReadLines(arguments.Text("runs"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' ').Select(pair => pair.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal))
            .ToList();
        if (runs.Count == 0)
        {
            throw new UsageException("no rounds to report");
        }
        List<string> servers = runs.Select(r => r["server"]).Distinct().ToList();
        int rounds = runs.Select(r => r["round"]).Distinct().Count();
        List<string> negotiated = runs.Where(r => r.GetValueOrDefault("tls", "-") != "-").Select(r => $"{r["server"]} {r["tls"]}").Distinct().ToList();
        bool tls = negotiated.Count > 0;

        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line(tls ? "# Memory per idle TLS connection" : "# Memory per idle keep-alive connection");
        Line();
        Line($"Written by `bench/idle/run.sh` on {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", Invariant)} UTC; the run took " +
             $"{arguments.Text("seconds")} s. What the figures mean and how to read them: " +
             (tls ? "[bench/README.md](../README.md#https)." : "[bench/README.md](../README.md#memory-per-idle-keep-alive-connection)."));
        Line();
        WriteSetup(arguments, Line);
        if (tls)
        {
            Line($"| TLS | {BenchTls.Description}, made for this run; the servers start with `OPENSSL_CONF` = `NumTickets = 0` (no session tickets); " +
                 $"the client's SslStream trusts exactly that certificate. Negotiated: {string.Join("; ", negotiated)} |");
        }
        Line();
        Line($"## Median of {rounds} round{(rounds == 1 ? "" : "s")}");
        Line();
        Line("| server | N | RSS before | RSS after | KiB per connection | second-request failures |");
        Line("|---|---:|---:|---:|---:|---:|");
        foreach (string server in servers)
        {
            List<Dictionary<string, string>> mine = runs.Where(r => r["server"] == server).ToList();
            List<double> perConnection = mine.Select(KibPerConnection).Where(v => !double.IsNaN(v)).ToList();
            long requested = mine.Sum(r => Long(r, "requested"));
            long open = mine.Sum(r => Long(r, "open"));
            string n = mine[0]["requested"] + (open < requested ? $" ({requested - open} of {requested} not opened or not served)" : "");
            string spread = perConnection.Count > 1 ? $" ({Number(perConnection.Min(), 1)}–{Number(perConnection.Max(), 1)})" : "";
            Line($"| {server} | {n} | {Mib(Median(mine.Select(r => (double)Long(r, "rss_before"))))} MiB " +
                 $"| {Mib(Median(mine.Select(r => (double)Long(r, "rss_after"))))} MiB " +
                 $"| **{Number(Median(perConnection), 1)}**{spread} " +
                 $"| {mine.Sum(r => Long(r, "second_failures"))} of {open} |");
        }
        Line();
        Line("KiB per connection is (RSS after − RSS before) / N for each round, then the median; in brackets the lowest and highest " +
             "round. RSS is `VmRSS` from `/proc/PID/status` (nginx: master and worker together). Second-request failures are summed " +
             "over the rounds: a second `GET /hello` on every idle connection that did not come back as a complete 200 with the body.");
        Line();
        Line("## Every round");
        Line();
        Line("Settled: seconds until RSS stayed within 64 KiB for 2 s (`no`: it had not after 30 s, and the last sample is shown). " +
             "Allocated: `GC.GetTotalAllocatedBytes` difference over the opening of the connections, per connection, from `/_stats` " +
             "(.NET servers only); GCs: gen0/gen1/gen2 collections in that time. RSS after the second requests: settled again " +
             "after every connection had served its second request.");
        Line();
        Line("| round | server | open | RSS before (settled) | RSS after (settled) | KiB per connection | RSS after second requests (settled) | allocated per connection | GCs | failures: open / second |");
        Line("|---:|---|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (Dictionary<string, string> run in runs)
        {
            long open = Long(run, "open");
            string allocated = run["allocated"] == "-" || open == 0 ? "–" : $"{Number(Long(run, "allocated") / 1024.0 / open, 1)} KiB";
            Line($"| {run["round"]} | {run["server"]} | {open} | {Mib(Long(run, "rss_before"))} MiB ({run["rss_before_settle"]}) " +
                 $"| {Mib(Long(run, "rss_after"))} MiB ({run["rss_after_settle"]}) | {Number(KibPerConnection(run), 2)} " +
                 $"| {Mib(Long(run, "rss_second"))} MiB ({run["rss_second_settle"]}) | {allocated} | {(run["collections"] == "-" ? "–" : run["collections"])} " +
                 $"| {run["open_failures"]} / {run["second_failures"]} |");
        }

        string output = arguments.Text("output");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, text.ToString());
    }

    private static void WriteSetup(Arguments arguments, Action<string> line)
    {
        line("| | |");
        line("|---|---|");
        line($"| command | `{arguments.Text("command")}` |");
        line($"| machine | {arguments.Text("cpus")} CPUs (`nproc`), {CpuModel()}, {MemoryGib()} GiB RAM, Linux {Kernel()} |");
        line($"| .NET | SDK {arguments.Text("sdk")}, runtime {RuntimeInformation.FrameworkDescription}; workstation concurrent GC, " +
             "invariant globalization ([bench/Directory.Build.props](../Directory.Build.props)) |");
        line($"| nginx | {arguments.Text("nginx")} |");
        line($"| TinyHttp built from | {arguments.Text("source-state")} |");
        line($"| pinning | servers on CPU {arguments.Text("server-cpu")}, the client on CPU {arguments.Text("client-cpu")} (`taskset`) |");
        line($"| load average (1 min) | {arguments.Text("load-before")} before the run, {arguments.Text("load-after")} after |");
    }

    /// <summary>
    /// Writes the slow-handshake report from the lines run.sh collected (one <c>round=R key=value ...</c> line per round
    /// and server, from <see cref="SlowHandshakes.RunAsync"/>).
    /// </summary>
    public static void WriteSlowHandshakes(Arguments arguments)
    {
        List<Dictionary<string, string>> runs = File.ReadLines(arguments.Text("runs"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' ').Select(pair => pair.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal))
            .ToList();
        if (runs.Count == 0)
        {
            throw new UsageException("no rounds to report");
        }
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');
        string timeout = runs[0]["timeout_seconds"];

        Line("# Slow TLS handshakes");
        Line();
        Line($"Written by `bench/idle/run.sh --slow-handshakes` on {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", Invariant)} UTC; the run took " +
             $"{arguments.Text("seconds")} s. What it does and how to read it: [bench/README.md](../README.md#https).");
        Line();
        WriteSetup(arguments, Line);
        Line($"| TLS | {BenchTls.Description}, made for this run; the servers start with `OPENSSL_CONF` = `NumTickets = 0`; " +
             $"handshake timeout **{timeout} s** on every server (`HttpsOptions.HandshakeTimeout` and Kestrel's " +
             "`HttpsConnectionAdapterOptions.HandshakeTimeout` from `BENCH_TLS_HANDSHAKE_TIMEOUT`; nginx: `client_header_timeout`) |");
        Line();
        Line("## Normal HTTPS requests while the handshakes hang");
        Line();
        Line($"Each probe is a new connection, a full TLS handshake, `GET /hello` and its response, one every 100 ms from just before the " +
             "first stalled connection opens until the last is cut. Unloaded: the median of ten probes before any was opened. " +
             $"Over 1 s: probes that took longer than {SlowHandshakes.ProbeLimit.TotalSeconds:F0} s or failed; it must be 0.");
        Line();
        Line("| round | server | stalled open | unloaded ms | probes | median ms | max ms | failed | over 1 s | served after |");
        Line("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (Dictionary<string, string> run in runs)
        {
            Line($"| {run["round"]} | {run["server"]} | {run["open"]} of {run["stalled"]} (in {run["opening_seconds"]} s) | {run["unloaded_ms"]} | {run["probes"]} " +
                 $"| {run["probe_median_ms"]} | **{run["probe_max_ms"]}** | {run["probe_failures"]} | **{run["probe_over_limit"]}** | {run["after_ok"]} |");
        }
        Line();
        Line("## When the stalled connections are cut");
        Line();
        Line("Silent: connected and sent nothing. Partial: sent the first 43 bytes of a ClientHello (record and handshake headers " +
             "announcing 512 bytes, the version and the random) and nothing more. Cut: the server closed the connection; the time is " +
             "from the connection's connect to that close, min / median / max. How: FIN, RST, or an alert first.");
        Line();
        Line("| round | server | silent cut | silent s (min / median / max) | silent how | partial cut | partial s (min / median / max) | partial how | RSS before | RSS with all stalled | KiB per stalled |");
        Line("|---:|---|---:|---:|---|---:|---:|---|---:|---:|---:|");
        foreach (Dictionary<string, string> run in runs)
        {
            long open = Long(run, "open");
            double kib = open == 0 ? double.NaN : (Long(run, "rss_stalled") - Long(run, "rss_before")) / 1024.0 / open;
            Line($"| {run["round"]} | {run["server"]} | {run["silent_cut"]} of {run["silent_open"]} " +
                 $"| {run["silent_cut_min_s"]} / **{run["silent_cut_median_s"]}** / {run["silent_cut_max_s"]} | {run["silent_cut_how"]} " +
                 $"| {run["partial_cut"]} of {run["partial_open"]} | {run["partial_cut_min_s"]} / **{run["partial_cut_median_s"]}** / {run["partial_cut_max_s"]} " +
                 $"| {run["partial_cut_how"]} | {Mib(Long(run, "rss_before"))} MiB | {Mib(Long(run, "rss_stalled"))} MiB | {Number(kib, 1)} |");
        }
        Line();
        Line("RSS with all stalled is the highest `VmRSS` sampled every 50 ms between the last stalled connection opening and the first " +
             "being cut (not settled, so a rough figure); KiB per stalled is (that − RSS before) / stalled open.");

        string output = arguments.Text("output");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, text.ToString());
    }

    private static double KibPerConnection(Dictionary<string, string> run)
    {
        long open = Long(run, "open");
        return open == 0 ? double.NaN : (Long(run, "rss_after") - Long(run, "rss_before")) / 1024.0 / open;
    }

    private static long Long(Dictionary<string, string> run, string key) => long.Parse(run[key], NumberStyles.AllowLeadingSign, Invariant);

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string Number(double value, int decimals) => double.IsNaN(value) ? "n/a" : value.ToString("F" + decimals.ToString(Invariant), Invariant);

    private static string Mib(double bytes) => Number(bytes / 1048576.0, 1);

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    private static string MemoryGib()
    {
        string? line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line is null ? "?" : Number(long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Invariant) / 1048576.0, 1);
    }

    private static string Kernel() => File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
}
