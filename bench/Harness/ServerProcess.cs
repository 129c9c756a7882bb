using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Bench.Harness;

/// <summary>ServerProcess is one running server, started pinned to the server CPU.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(ServerSpec spec, int port, Process process, TimeSpan startToFirstResponse)
    {
        Spec = spec;
        Port = port;
        _process = process;
        StartToFirstResponse = startToFirstResponse;
    }

    public ServerSpec Spec { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    /// <summary>From just before the process was started to the end of the first 200 response to GET /hello.</summary>
    public TimeSpan StartToFirstResponse { get; }

    /// <summary>
    /// Starts the server and polls GET /hello on a fresh connection every millisecond until it answers
    /// 200. The poller runs on the harness's CPU, not the server's.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(ServerSpec spec, HarnessOptions options, string logFile)
    {
        int port = RawHttp.FreePort();
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = options.RepositoryRoot,
            UseShellExecute = false,
        };
        // exec keeps the PID, so the harness signals and measures the server itself, not a shell.
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec taskset -c \"$0\" \"$@\" > \"$BENCH_LOG\" 2>&1");
        info.ArgumentList.Add(options.ServerCpu.ToString(CultureInfo.InvariantCulture));
        foreach (string argument in spec.Command)
        {
            info.ArgumentList.Add(argument.Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }
        info.Environment["BENCH_LOG"] = logFile;
        info.Environment["BENCH_WORK_DIR"] = Directory.CreateDirectory(options.FromRoot(Path.Combine(options.ResultsDirectory, "work"))).FullName;

        Stopwatch clock = Stopwatch.StartNew();
        Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {spec.Name}.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{spec.Name} exited with code {process.ExitCode} before answering; see {logFile}.");
            }
            try
            {
                (int status, _) = await RawHttp.GetAsync(port, "/hello", timeout.Token).ConfigureAwait(false);
                if (status == 200)
                {
                    clock.Stop();
                    return new ServerProcess(spec, port, process, clock.Elapsed);
                }
            }
            catch (SocketException)
            {
            }
            catch (IOException)
            {
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{spec.Name} did not answer GET /hello within 30 s; see {logFile}.");
            }
            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    /// <summary>The process's allocation counters from /_stats, or null when the server has none (nginx).</summary>
    public async Task<ServerStats?> ReadStatsAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            (int status, string body) = await RawHttp.GetAsync(Port, "/_stats", timeout.Token).ConfigureAwait(false);
            return status == 200 ? ServerStats.Parse(body) : null;
        }
        catch (Exception exception) when (exception is IOException or SocketException or FormatException or OperationCanceledException)
        {
            return null;
        }
    }

    public long Rss() => ProcFs.TreeRss(Pid);

    public long PeakRss() => ProcFs.TreePeakRss(Pid);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (Process? kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]))
            {
                if (kill is not null)
                {
                    await kill.WaitForExitAsync().ConfigureAwait(false);
                }
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        _process.Dispose();
    }
}

/// <summary>ServerStats is one answer of /_stats.</summary>
internal sealed record ServerStats(long Requests, long AllocatedBytes, int Gen0, int Gen1, int Gen2)
{
    public static ServerStats Parse(string body)
    {
        long requests = 0, allocated = 0;
        int gen0 = 0, gen1 = 0, gen2 = 0;
        foreach (string pair in body.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = pair.IndexOf('=');
            if (equals < 0)
            {
                throw new FormatException($"Not a stats line: '{body}'.");
            }
            long value = long.Parse(pair.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture);
            switch (pair[..equals])
            {
                case "requests": requests = value; break;
                case "allocated": allocated = value; break;
                case "gen0": gen0 = (int)value; break;
                case "gen1": gen1 = (int)value; break;
                case "gen2": gen2 = (int)value; break;
            }
        }
        return new ServerStats(requests, allocated, gen0, gen1, gen2);
    }
}
