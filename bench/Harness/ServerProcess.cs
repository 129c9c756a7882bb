using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Bench.Harness;

/// <summary>ServerProcess is one running server, started pinned to the server CPU.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(ServerSpec spec, int port, int? httpsPort, Process process, TimeSpan startToFirstResponse)
    {
        Spec = spec;
        Port = port;
        HttpsPort = httpsPort;
        _process = process;
        StartToFirstResponse = startToFirstResponse;
    }

    public ServerSpec Spec { get; }

    public int Port { get; }

    /// <summary>The HTTPS port, when the server was started with the run's TLS material; null otherwise.</summary>
    public int? HttpsPort { get; }

    /// <summary>The protocol and cipher suite a .NET client negotiated with the HTTPS port at start, or null.</summary>
    public string? NegotiatedTls { get; private set; }

    /// <summary>The port a scenario's load goes to: the HTTPS one for an HTTPS scenario.</summary>
    public int PortFor(Scenario scenario) =>
        !scenario.Https ? Port : HttpsPort ?? throw new InvalidOperationException($"{Spec.Name} was started without HTTPS.");

    public int Pid => _process.Id;

    /// <summary>From just before the process was started to the end of the first 200 response to GET /hello.</summary>
    public TimeSpan StartToFirstResponse { get; }

    /// <summary>
    /// Starts the server and polls GET /hello on a fresh connection every millisecond until it answers
    /// 200. The poller runs on the harness's CPU, not the server's. With <paramref name="tls"/> (and a server
    /// whose line in servers.txt serves HTTPS) the server also gets an HTTPS port, the certificate and the OpenSSL
    /// configuration through its environment, and must answer GET /hello over TLS too before it counts as started.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(ServerSpec spec, HarnessOptions options, string logFile, BenchTls? tls = null)
    {
        int port = RawHttp.FreePort();
        int? httpsPort = null;
        if (tls is not null && spec.ServesHttps)
        {
            do
            {
                httpsPort = RawHttp.FreePort();
            }
            while (httpsPort == port);
        }
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
        if (tls is not null && httpsPort is int tlsPort)
        {
            info.Environment["BENCH_HTTPS_PORT"] = tlsPort.ToString(CultureInfo.InvariantCulture);
            info.Environment["BENCH_TLS_CERT"] = tls.CertificateFile;
            info.Environment["BENCH_TLS_KEY"] = tls.KeyFile;
            info.Environment["OPENSSL_CONF"] = tls.OpenSslConfigFile;
        }

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
                    var server = new ServerProcess(spec, port, httpsPort, process, clock.Elapsed);
                    if (tls is not null && httpsPort is int securePort)
                    {
                        await server.CheckHttpsAsync(tls, securePort, logFile).ConfigureAwait(false);
                    }
                    return server;
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

    /// <summary>
    /// One GET /hello over TLS, once the plain port answers (both listeners open at start): a server that cannot serve
    /// HTTPS is stopped and reported rather than measured.
    /// </summary>
    private async Task CheckHttpsAsync(BenchTls tls, int port, string logFile)
    {
        string failure;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            try
            {
                (int status, NegotiatedTls) = await tls.GetAsync(port, "/hello", timeout.Token).ConfigureAwait(false);
                if (status == 200)
                {
                    return;
                }
                failure = $"answered GET /hello over HTTPS with {status}";
                break;
            }
            catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionRefused && !timeout.IsCancellationRequested)
            {
                // A server may open its plain endpoint a moment before its HTTPS one (Kestrel binds them in turn).
                await Task.Delay(10).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or SocketException or AuthenticationException or OperationCanceledException)
            {
                failure = $"did not serve GET /hello over HTTPS ({exception.GetType().Name}: {exception.Message})";
                break;
            }
        }
        await DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"{Spec.Name} {failure}; see {logFile}.");
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
