using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;

namespace TinyHttp.Bench.WebSockets;

/// <summary>
/// Report writes RESULTS.md from the lines run.sh collected: one <c>round=R neighbours=0|1 key=value ...</c> line per
/// run (see <see cref="LoadRun.RunAsync"/>). Loads and servers keep the order of their first line; every figure in the
/// summary is the median over the rounds of that round's figure.
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
            throw new UsageException("no runs to report");
        }
        string baseline = arguments.Text("baseline", "Kestrel");
        List<string> servers = runs.Select(r => r["server"]).Distinct().ToList();
        List<string> others = servers.Where(s => s != baseline).ToList();
        List<(string Connections, string Size, string Type)> loads = runs.Select(r => (r["connections"], r["size"], r["type"])).Distinct().ToList();
        int rounds = runs.Select(r => r["round"]).Distinct().Count();

        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line("# WebSocket echo: TinyHttp beside Kestrel");
        Line();
        string waited = arguments.Text("waited", "0");
        Line($"Written by `bench/websocket/run.sh` on {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", Invariant)} UTC; the run took " +
             $"{arguments.Text("seconds")} s{(waited == "0" ? "" : $", {waited} s of it waiting for other benchmarks to finish")}, " +
             "then the build and the measurements. What the figures mean: [README.md](README.md).");
        Line();
        Line("| | |");
        Line("|---|---|");
        Line($"| command | `{arguments.Text("command")}` |");
        Line($"| machine | {Machine(arguments.Text("cpus"))} |");
        Line($"| .NET | SDK {arguments.Text("sdk")}, runtime {RuntimeInformation.FrameworkDescription}; workstation concurrent GC, invariant " +
             "globalization for both servers and the client ([bench/Directory.Build.props](../Directory.Build.props)) |");
        Line($"| TinyHttp built from | {arguments.Text("source-state")} |");
        Line($"| pinning | both servers on CPU {arguments.Text("server-cpu")} (`taskset -c {arguments.Text("server-cpu")}`), started once and " +
             $"running side by side; WsLoad on CPU {arguments.Text("client-cpu")} (`taskset -c {arguments.Text("client-cpu")}`) |");
        Line($"| method | per server and load, one unrecorded {arguments.Text("warmup")} s run first; then {rounds} round{(rounds == 1 ? "" : "s")}, " +
             "each load in turn and the servers interleaved within it (A B A B …); a run opens its connections, does 1 s of round trips " +
             $"unrecorded, then {arguments.Text("duration")} s measured, then closes them |");
        Line($"| other benchmarks | {arguments.Text("wait-note")} |");
        Line($"| load average (1 min) | {arguments.Text("load-before")} before the run, {arguments.Text("load-after")} after |");
        Line($"| other processes using the CPU (2 s sample, 100% = one core) | before: {arguments.Text("neighbours-before")}; " +
             $"after: {arguments.Text("neighbours-after")} |");
        Line();

        Line($"## Messages per second, median of {rounds} round{(rounds == 1 ? "" : "s")}");
        Line();
        Line($"One message is one round trip: the client sends it and the server echoes it back whole. Above 1 in a `/ {baseline}` " +
             "column is faster (messages/s) or cheaper (CPU).");
        Line();
        var header = new StringBuilder("| connections | message | ");
        var rule = new StringBuilder("|---:|---|");
        foreach (string server in servers)
        {
            header.Append(Invariant, $"{server} msg/s | ");
            rule.Append("---:|");
        }
        foreach (string other in others)
        {
            header.Append(Invariant, $"{other} / {baseline} | ");
            rule.Append("---:|");
        }
        foreach (string server in servers)
        {
            header.Append(Invariant, $"{server} CPU µs/msg | ");
            rule.Append("---:|");
        }
        foreach (string other in others)
        {
            header.Append(Invariant, $"{other} / {baseline} CPU | ");
            rule.Append("---:|");
        }
        Line(header.ToString().TrimEnd());
        Line(rule.ToString());
        foreach ((string connections, string size, string type) in loads)
        {
            List<Dictionary<string, string>> mine = runs.Where(r => r["connections"] == connections && r["size"] == size && r["type"] == type).ToList();
            var row = new StringBuilder($"| {connections} | {Message(size, type)} | ");
            foreach (string server in servers)
            {
                row.Append(Invariant, $"**{Number(Median(mine, server, Rate), 0)}** | ");
            }
            foreach (string other in others)
            {
                row.Append(Invariant, $"**{Number(Median(mine, other, Rate) / Median(mine, baseline, Rate), 2)}** | ");
            }
            foreach (string server in servers)
            {
                row.Append(Invariant, $"{Number(Median(mine, server, CpuPerMessage), 1)} | ");
            }
            foreach (string other in others)
            {
                row.Append(Invariant, $"{Number(Median(mine, other, CpuPerMessage) / Median(mine, baseline, CpuPerMessage), 2)} | ");
            }
            Line(row.ToString().TrimEnd());
        }
        Line();
        int clientBound = runs.Count(r => ClientBusy(r) >= 95);
        if (clientBound > 0)
        {
            Line($"**The client set the pace in {clientBound} of {runs.Count} runs**: WsLoad's core was at least 95% busy (see \"client core " +
                 "busy\" below). There msg/s is what one core of `ClientWebSocket` manages against that server, and the msg/s ratio says " +
                 "less about the servers than the CPU ratio does.");
            Line();
        }
        Line("CPU µs/msg: the server process's user + system CPU time over the measured window (`utime + stime` from `/proc/PID/stat`) " +
             "divided by the round trips completed in it; it includes the kernel's loopback TCP work done in the server's context. " +
             $"`{string.Join(" / ", others)} / {baseline} CPU` is that figure's ratio: below 1 is cheaper.");
        Line();

        Line("## Details, median of the rounds");
        Line();
        Line("In brackets the lowest and highest round. Server core busy: the server's CPU time over the window's wall time (100% = all of " +
             "its core); client core busy: the same for WsLoad, all of whose work is on the other core. When the client is near 100% " +
             "and the server is not, the client set the pace and messages/s understates the server; CPU µs/msg does not depend on it.");
        Line();
        Line($"| connections | message | server | msg/s | vs {baseline} | p50 µs | p99 µs | CPU µs/msg | server core busy | client core busy | alloc B/msg | GCs (gen0/1/2, summed) | errors |");
        Line("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach ((string connections, string size, string type) in loads)
        {
            List<Dictionary<string, string>> mine = runs.Where(r => r["connections"] == connections && r["size"] == size && r["type"] == type).ToList();
            double baselineRate = Median(mine, baseline, Rate);
            foreach (string server in servers)
            {
                List<Dictionary<string, string>> its = mine.Where(r => r["server"] == server).ToList();
                List<double> rates = its.Select(Rate).ToList();
                Line($"| {connections} | {Message(size, type)} | {server} " +
                     $"| **{Number(Median(rates), 0)}** ({Number(rates.Min(), 0)}–{Number(rates.Max(), 0)}) " +
                     $"| {Number(Median(rates) / baselineRate, 2)} " +
                     $"| {Number(Median(its.Select(r => Double(r, "p50_us"))), 0)} | {Number(Median(its.Select(r => Double(r, "p99_us"))), 0)} " +
                     $"| {Number(Median(its.Select(CpuPerMessage)), 1)} " +
                     $"| {Number(Median(its.Select(r => Double(r, "server_cpu_s") / Double(r, "seconds") * 100)), 0)}% " +
                     $"| {Number(Median(its.Select(ClientBusy)), 0)}% " +
                     $"| {Number(Median(its.Select(AllocatedPerMessage)), 0)} " +
                     $"| {its.Sum(r => Long(r, "gen0"))}/{its.Sum(r => Long(r, "gen1"))}/{its.Sum(r => Long(r, "gen2"))} " +
                     $"| {its.Sum(r => Long(r, "errors"))} |");
            }
        }
        Line();
        Line("alloc B/msg: the difference in the server's `GC.GetTotalAllocatedBytes(precise: true)` (read from its `/_stats` just " +
             "before and after the window) divided by the messages it echoed in between: what the whole process allocated per round trip. " +
             "p50/p99: each run's percentiles of every round trip in the window (from just before the send to the end of the echo), " +
             "then the median over the rounds. errors: connections whose round trips failed, summed over the rounds.");
        Line();

        Line("## Every run");
        Line();
        Line("Other benchmark running: `pgrep -f` found a process of another benchmark or test run (the pattern in run.sh) " +
             "just before the run.");
        Line();
        Line("| round | connections | message | server | msg/s | p50 µs | p99 µs | CPU µs/msg | server core busy | client core busy | alloc B/msg | other benchmark running | errors |");
        Line("|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (Dictionary<string, string> run in runs)
        {
            Line($"| {run["round"]} | {run["connections"]} | {Message(run["size"], run["type"])} | {run["server"]} | {Number(Rate(run), 0)} " +
                 $"| {Number(Double(run, "p50_us"), 0)} | {Number(Double(run, "p99_us"), 0)} | {Number(CpuPerMessage(run), 1)} " +
                 $"| {Number(Double(run, "server_cpu_s") / Double(run, "seconds") * 100, 0)}% " +
                 $"| {Number(ClientBusy(run), 0)}% " +
                 $"| {Number(AllocatedPerMessage(run), 0)} | {(run.GetValueOrDefault("neighbours", "0") == "1" ? "yes" : "no")} | {run["errors"]} |");
        }

        string output = arguments.Text("output");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, text.ToString());
    }

    private static string Message(string size, string type)
    {
        int bytes = int.Parse(size, Invariant);
        string shown = bytes >= 1024 && bytes % 1024 == 0 ? $"{bytes / 1024} KiB" : $"{bytes} B";
        return $"{shown} {type}";
    }

    private static double Rate(Dictionary<string, string> run) => Double(run, "rate");

    private static double ClientBusy(Dictionary<string, string> run) => Double(run, "client_cpu_s") / Double(run, "seconds") * 100;

    private static double CpuPerMessage(Dictionary<string, string> run) =>
        Long(run, "messages") == 0 ? double.NaN : Double(run, "server_cpu_s") * 1e6 / Long(run, "messages");

    private static double AllocatedPerMessage(Dictionary<string, string> run) =>
        Long(run, "server_messages") == 0 ? double.NaN : (double)Long(run, "allocated") / Long(run, "server_messages");

    private static double Median(List<Dictionary<string, string>> runs, string server, Func<Dictionary<string, string>, double> figure) =>
        Median(runs.Where(r => r["server"] == server).Select(figure));

    private static double Median(IEnumerable<double> values)
    {
        List<double> sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }
        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string Number(double value, int decimals) =>
        double.IsNaN(value) || double.IsInfinity(value) ? "–" : value.ToString("N" + decimals.ToString(Invariant), Invariant);

    private static double Double(Dictionary<string, string> run, string key) => double.Parse(run[key], Invariant);

    private static long Long(Dictionary<string, string> run, string key) => long.Parse(run[key], Invariant);

    private static string Machine(string cpus)
    {
        string model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                       ?? RuntimeInformation.ProcessArchitecture.ToString();
        string memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        double gib = long.Parse(memory.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Invariant) / 1024.0 / 1024.0;
        string kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        return $"{cpus} CPUs (`nproc --all`), {model}, {gib.ToString("F1", Invariant)} GiB RAM, Linux {kernel}";
    }
}
