using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace TinyHttp.Hosting.Tests;

/// <summary>samples/WorkerHealth as an operator runs it: a process with probes, stopped by SIGTERM.</summary>
public partial class WorkerHealthSampleTests
{
    private const int SIGTERM = 15;

    [Fact]
    public async Task TheProbesAnswer_AndSigtermStopsTheServerThenTheJob_WithExitCodeZero()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));   // a hung process fails the test, not the run
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "WorkerHealth.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["TinyHttp__Endpoints"] = "http://127.0.0.1:0";
        start.Environment["Logging__LogLevel__QueueWorker"] = "Debug";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        using Process process = Process.Start(start)!;
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstBatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }
            lock (output)
            {
                output.AppendLine(line.Data);
            }
            if (ListeningLine().Match(line.Data) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
            if (line.Data.Contains("Batch 1 done", StringComparison.Ordinal))
            {
                firstBatch.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            int port = await listening.Task.WaitAsync(deadline.Token);
            await firstBatch.Task.WaitAsync(deadline.Token);
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            using HttpResponseMessage live = await client.GetAsync("/healthz", deadline.Token);
            using HttpResponseMessage ready = await client.GetAsync("/readyz", deadline.Token);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("\"queue-worker-ready\":{\"status\":\"Healthy\"", await ready.Content.ReadAsStringAsync(deadline.Token), StringComparison.Ordinal);

            Assert.Equal(0, Kill(process.Id, SIGTERM));
            await process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        string log;
        lock (output)
        {
            log = output.ToString();
        }
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}; output:\n{log}");
        int serverStopped = log.IndexOf("TinyHttp.Server[11] Stopped", StringComparison.Ordinal);
        int workerStopped = log.IndexOf("Queue worker stopped cleanly", StringComparison.Ordinal);
        Assert.True(serverStopped >= 0 && workerStopped > serverStopped, $"the server stops before the job; output:\n{log}");
    }

    [Fact]
    public void TheRootReadme_ShowsTheSamplesWholeProgram()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "TinyHttp.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("TinyHttp.sln not found above the test's folder");
        }
        string program = File.ReadAllText(Path.Combine(root, "samples", "WorkerHealth", "Program.cs"));
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        Assert.Contains("```csharp\n" + program + "```", readme, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"TinyHttp\.Server\[1\] Listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
