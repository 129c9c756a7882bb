using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Bench.Harness;

HarnessOptions options;
try
{
    options = HarnessOptions.Parse(args);
}
catch (Exception exception) when (exception is ArgumentException or FormatException)
{
    Console.Error.WriteLine(exception.Message);
    return 2;
}

string resultsDirectory = Directory.CreateDirectory(options.FromRoot(options.ResultsDirectory)).FullName;
var notes = new List<string>();
string loadBefore = File.ReadAllText("/proc/loadavg").Trim();
List<string> busyBefore = ProcFs.TopCpu(TimeSpan.FromSeconds(2), 3);
DateTimeOffset started = DateTimeOffset.Now;

List<ServerSpec> servers = [];
foreach (ServerSpec spec in ServerSpec.Load(options.FromRoot(options.ServersFile)))
{
    if (options.Servers is not null && !options.Servers.Contains(spec.Name))
    {
        continue;
    }
    string? unavailable = spec.Unavailable(options);
    if (unavailable is not null)
    {
        Log($"skipping {spec.Name}: {unavailable}");
        notes.Add($"{spec.Name} was skipped: {unavailable}.");
        continue;
    }
    servers.Add(spec);
}
List<Scenario> scenarios = Scenario.All.Where(s => options.Scenarios is null || options.Scenarios.Contains(s.Name)).ToList();
if (options.Scenarios is not null && options.Scenarios.FirstOrDefault(name => !Scenario.All.Any(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase))) is string unknown)
{
    Console.Error.WriteLine($"No scenario '{unknown}'; the scenarios are {string.Join(", ", Scenario.All.Select(s => s.Name))}.");
    return 2;
}

// One certificate for the whole run, the same files for every server (bench/Harness/BenchTls.cs).
BenchTls? tls = options.RunLoad && scenarios.Any(s => s.Https)
    ? BenchTls.Create(Path.Combine(resultsDirectory, "work", "tls"))
    : null;
var negotiatedTls = new Dictionary<string, string>();

var startRuns = new List<StartRun>();
var loadRuns = new List<LoadRun>();
var peakRss = new Dictionary<string, long>();
var doubles = new List<DoubleCost>();
var settling = new Settling(options.ServerCpu, options.ClientCpu);
string? micro = null;

// The phases: start-up (each server started and stopped --reps times), load (all servers up, the
// scenarios interleaved), the test-double cost, the micro-benchmarks; then RESULTS.md from all of them.
if (options.RunLoad && servers.Count > 0)
{
    await MeasureStartAsync();
    if (SharedTools.FindWrk() is null)
    {
        Log("wrk is not installed: skipping the load scenarios (run.sh installs it with apt-get when run as root)");
        notes.Add("wrk was not installed, so no load scenario ran.");
    }
    else
    {
        await MeasureLoadAsync();
    }
}
if (options.RunDouble)
{
    await MeasureDoubleCostAsync();
}
if (options.RunMicro)
{
    micro = await RunMicroAsync();
}

string loadAfter = File.ReadAllText("/proc/loadavg").Trim();
List<string> busyAfter = ProcFs.TopCpu(TimeSpan.FromSeconds(2), 3);
var report = new Report(options, servers, scenarios, startRuns, loadRuns, peakRss, doubles, micro, notes, started, DateTimeOffset.Now, loadBefore, loadAfter, busyBefore, busyAfter)
{
    NegotiatedTls = negotiatedTls,
    Settling = settling.Describe(),
};
string output = options.FromRoot(options.OutputFile);
await File.WriteAllTextAsync(output, report.ToMarkdown());
Log($"wrote {output}");
return 0;

// Each server is started Repetitions times, interleaved, and timed from process start to its first 200.
async Task MeasureStartAsync()
{
    for (int repetition = 1; repetition <= options.Repetitions; repetition++)
    {
        foreach (ServerSpec spec in servers.ToList())
        {
            string log = Path.Combine(resultsDirectory, $"{spec.Name}-start{repetition}.log");
            try
            {
                await using ServerProcess server = await ServerProcess.StartAsync(spec, options, log);
                await Task.Delay(TimeSpan.FromSeconds(1));
                var run = new StartRun(spec.Name, repetition, server.StartToFirstResponse.TotalMilliseconds, server.Rss());
                startRuns.Add(run);
                Log($"start {spec.Name} #{repetition}: {run.Milliseconds:F1} ms to first response, idle RSS {run.IdleRss / 1048576.0:F1} MiB");
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
            {
                Log($"skipping {spec.Name}: {exception.Message}");
                notes.Add($"{spec.Name} was skipped: {exception.Message}");
                servers.Remove(spec);
            }
        }
    }
}

// All servers run side by side (idle ones cost nothing measurable) while the scenarios go round:
// for each repetition, for each scenario, each server in turn (A B C A B C ...), so a slow patch of
// the machine lands on every server rather than on one.
async Task MeasureLoadAsync()
{
    var running = new List<ServerProcess>();
    try
    {
        foreach (ServerSpec spec in servers)
        {
            try
            {
                ServerProcess server = await ServerProcess.StartAsync(spec, options, Path.Combine(resultsDirectory, $"{spec.Name}-load.log"), tls);
                running.Add(server);
                if (server.NegotiatedTls is string negotiated)
                {
                    negotiatedTls[spec.Name] = negotiated;
                }
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
            {
                Log($"skipping {spec.Name} under load: {exception.Message}");
                notes.Add($"{spec.Name} did not start for the load scenarios: {exception.Message}");
            }
        }
        if (options.WarmupSeconds > 0)
        {
            foreach (Scenario scenario in scenarios)
            {
                foreach (ServerProcess server in running.Where(s => s.Spec.Serves(scenario)))
                {
                    Log($"warm-up {scenario.Name} {server.Spec.Name}");
                    try
                    {
                        await Wrk.RunAsync(options, scenario, server.PortFor(scenario), options.WarmupSeconds,
                            Path.Combine(resultsDirectory, $"{server.Spec.Name}-{scenario.Name}-warmup.txt"));
                    }
                    catch (Exception exception) when (exception is InvalidOperationException or FormatException)
                    {
                        Log($"warm-up of {server.Spec.Name} in {scenario.Name} failed: {exception.Message}");
                    }
                }
            }
        }
        for (int repetition = 1; repetition <= options.Repetitions; repetition++)
        {
            foreach (Scenario scenario in scenarios)
            {
                // Each round starts with a different server, so that whatever the previous scenario left behind
                // lands on a different server each time rather than always on the first.
                List<ServerProcess> serving = running.Where(s => s.Spec.Serves(scenario)).ToList();
                int first = (repetition - 1) % Math.Max(1, serving.Count);
                foreach (ServerProcess server in serving.Skip(first).Concat(serving.Take(first)))
                {
                    try
                    {
                        if (await settling.WaitAsync() is string unsettled)
                        {
                            Log(unsettled);
                        }
                        loadRuns.Add(await MeasureRunAsync(server, scenario, repetition));
                    }
                    catch (Exception exception) when (exception is InvalidOperationException or FormatException)
                    {
                        Log($"#{repetition} {scenario.Name} {server.Spec.Name} failed: {exception.Message}");
                        notes.Add($"Round {repetition} of {scenario.Name} on {server.Spec.Name} failed: {exception.Message}");
                    }
                }
            }
        }
        foreach (ServerProcess server in running)
        {
            peakRss[server.Spec.Name] = Math.Max(peakRss.GetValueOrDefault(server.Spec.Name), server.PeakRss());
        }
    }
    finally
    {
        foreach (ServerProcess server in running)
        {
            await server.DisposeAsync();
        }
    }
}

async Task<LoadRun> MeasureRunAsync(ServerProcess server, Scenario scenario, int repetition)
{
    ServerStats? before = await server.ReadStatsAsync();
    long cpuBefore = ProcFs.TreeCpuTicks(server.Pid);
    using var sampling = new CancellationTokenSource();
    long peak = 0;
    Task sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            peak = Math.Max(peak, server.Rss());
            try
            {
                await Task.Delay(50, sampling.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    });
    WrkResult wrk;
    try
    {
        wrk = await Wrk.RunAsync(options, scenario, server.PortFor(scenario), options.DurationSeconds,
            Path.Combine(resultsDirectory, $"{server.Spec.Name}-{scenario.Name}-{repetition}.txt"));
    }
    finally
    {
        await sampling.CancelAsync();
        await sampler;
    }
    long cpuAfter = ProcFs.TreeCpuTicks(server.Pid);
    ServerStats? after = await server.ReadStatsAsync();
    // Clock ticks are 1/100 s: 10,000 µs each.
    double cpuPerRequest = wrk.Requests > 0 ? (cpuAfter - cpuBefore) * 10_000.0 / wrk.Requests : double.NaN;

    double? perRequest = null;
    long counted = 0;
    int gen0 = 0, gen1 = 0, gen2 = 0;
    if (before is not null && after is not null)
    {
        counted = after.Requests - before.Requests;
        perRequest = counted > 0 ? (double)(after.AllocatedBytes - before.AllocatedBytes) / counted : null;
        (gen0, gen1, gen2) = (after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2);
    }
    var run = new LoadRun(server.Spec.Name, scenario.Name, repetition, wrk, perRequest, counted, peak, gen0, gen1, gen2, cpuPerRequest);
    peakRss[server.Spec.Name] = Math.Max(peakRss.GetValueOrDefault(server.Spec.Name), peak);
    string allocation = perRequest is double bytes ? $", {bytes:F1} B/req" : string.Empty;
    string errors = wrk.Errors > 0 ? $", errors: {wrk.ErrorText}" : string.Empty;
    Log($"#{repetition} {scenario.Name,-15} {server.Spec.Name,-12} {wrk.RequestsPerSecond,12:N0} req/s  {cpuPerRequest,6:F1} µs CPU/req  p50 {wrk.P50Milliseconds:F2} ms  p99 {wrk.P99Milliseconds:F2} ms{allocation}, peak RSS {peak / 1048576.0:F1} MiB{errors}");
    return run;
}

// The test double runs in its own process per server so that its first cycle is really cold.
async Task MeasureDoubleCostAsync()
{
    string program = options.FromRoot(Path.Combine(options.ArtifactsDirectory, "bin/TestDoubleCost/release/TestDoubleCost"));
    if (!File.Exists(program))
    {
        Log("skipping the test-double cost: TestDoubleCost was not built");
        notes.Add("The test-double cost was not measured: bench/TestDoubleCost was not built.");
        return;
    }
    foreach (string server in (string[])["TinyHttp", "Kestrel"])
    {
        if (options.Servers is not null && !options.Servers.Contains(server))
        {
            continue;
        }
        // The harness runs pinned to the client CPU; a test process normally has every core.
        (int exitCode, string text) = await SharedTools.RunAsync("taskset",
            ["-c", SharedTools.OnlineCpus(), program, server, options.DoubleCycles.ToString(CultureInfo.InvariantCulture)], options.RepositoryRoot);
        await File.WriteAllTextAsync(Path.Combine(resultsDirectory, $"double-{server}.txt"), text);
        string? result = text.Split('\n').LastOrDefault(line => line.StartsWith("RESULT ", StringComparison.Ordinal));
        if (exitCode != 0 || result is null)
        {
            Log($"test-double cost of {server} failed (exit {exitCode}); see results/double-{server}.txt");
            notes.Add($"The test-double cost of {server} could not be measured (exit code {exitCode}).");
            continue;
        }
        Dictionary<string, double> values = result[7..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('='))
            .ToDictionary(pair => pair[0], pair => double.Parse(pair[1], CultureInfo.InvariantCulture));
        var cost = new DoubleCost(server, (int)values["cycles"], values["cold"], values["median"], values["p90"], values["min"], values["max"]);
        doubles.Add(cost);
        Log($"test double {server}: cold {cost.ColdMilliseconds:F1} ms, median {cost.MedianMilliseconds:F2} ms, p90 {cost.P90Milliseconds:F2} ms over {cost.Cycles} warm cycles");
    }
}

async Task<string?> RunMicroAsync()
{
    string program = options.FromRoot(Path.Combine(options.ArtifactsDirectory, "bin/TinyHttp.Benchmarks/release/TinyHttp.Benchmarks"));
    if (!File.Exists(program))
    {
        Log("skipping the micro-benchmarks: TinyHttp.Benchmarks was not built");
        notes.Add("The micro-benchmarks did not run: bench/TinyHttp.Benchmarks was not built.");
        return null;
    }
    string artifacts = Path.Combine(resultsDirectory, "BenchmarkDotNet");
    if (Directory.Exists(artifacts))
    {
        Directory.Delete(artifacts, recursive: true);
    }
    Log($"micro-benchmarks (BenchmarkDotNet, --job {options.MicroJob}) ...");
    List<string> arguments = ["-c", options.ServerCpu.ToString(CultureInfo.InvariantCulture), program, "--filter", "*", "--inProcess", "--artifacts", artifacts];
    if (options.MicroJob != "default")
    {
        arguments.AddRange(["--job", options.MicroJob]);
    }
    (int exitCode, string console) = await SharedTools.RunAsync("taskset", arguments, options.RepositoryRoot);
    await File.WriteAllTextAsync(Path.Combine(resultsDirectory, "micro.txt"), console);
    string reports = Path.Combine(artifacts, "results");
    if (exitCode != 0 || !Directory.Exists(reports))
    {
        Log($"micro-benchmarks failed (exit {exitCode}); see results/micro.txt");
        notes.Add($"The micro-benchmarks failed (exit code {exitCode}).");
        return null;
    }
    // BenchmarkDotNet's GitHub report is a fenced environment block and a table in bold; the
    // environment is kept once, and the table plain.
    var tables = new System.Text.StringBuilder();
    bool environmentWritten = false;
    foreach (string file in Directory.GetFiles(reports, "*-report-github.md").Order())
    {
        string text = File.ReadAllText(file).Replace("**", "", StringComparison.Ordinal).Replace("&#39;", "'", StringComparison.Ordinal);
        int fenceEnd = text.StartsWith("```", StringComparison.Ordinal) ? text.IndexOf("```", 3, StringComparison.Ordinal) : -1;
        if (fenceEnd > 0)
        {
            if (!environmentWritten)
            {
                tables.AppendLine(text[..(fenceEnd + 3)].Trim());
                tables.AppendLine();
                environmentWritten = true;
            }
            text = text[(fenceEnd + 3)..];
        }
        tables.AppendLine($"`{Path.GetFileName(file).Replace("-report-github.md", "", StringComparison.Ordinal).Replace("TinyHttp.Benchmarks.", "", StringComparison.Ordinal)}`");
        tables.AppendLine();
        tables.AppendLine(text.Trim());
        tables.AppendLine();
    }
    return tables.ToString();
}

static void Log(string message) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

internal static class SharedTools
{
    public static string? FindWrk() => ServerSpec.FindOnPath("wrk");

    /// <summary>The machine's online CPUs as taskset writes them, e.g. "0-1".</summary>
    public static string OnlineCpus()
    {
        try
        {
            return File.ReadAllText("/sys/devices/system/cpu/online").Trim();
        }
        catch (IOException)
        {
            return "0-" + (Environment.ProcessorCount - 1).ToString(CultureInfo.InvariantCulture);
        }
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        return (process.ExitCode, await output.ConfigureAwait(false) + await error.ConfigureAwait(false));
    }
}
