using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace TinyHttp.Bench.Harness;

/// <summary>WrkResult is what the harness keeps from one wrk run.</summary>
internal sealed record WrkResult(double RequestsPerSecond, double P50Milliseconds, double P99Milliseconds, long Requests, long Errors, string ErrorText);

/// <summary>Wrk runs wrk pinned to the client CPU, with one thread (it has one core), and parses its report.</summary>
internal static partial class Wrk
{
    public static async Task<WrkResult> RunAsync(HarnessOptions options, Scenario scenario, int port, int seconds, string outputFile)
    {
        var info = new ProcessStartInfo("taskset")
        {
            WorkingDirectory = options.RepositoryRoot,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(options.ClientCpu.ToString(CultureInfo.InvariantCulture));
        foreach (string argument in (string[])["wrk", "-t1", $"-c{scenario.Connections}", $"-d{seconds}s", "--latency", "--timeout", "5s"])
        {
            info.ArgumentList.Add(argument);
        }
        foreach (string argument in scenario.WrkArguments)
        {
            info.ArgumentList.Add(argument);
        }
        // wrk speaks TLS for an https:// URL (OpenSSL, TLS 1.3 here) and does not verify the certificate.
        info.ArgumentList.Add($"{(scenario.Https ? "https" : "http")}://127.0.0.1:{port}{scenario.Path}");
        if (scenario.ScriptArguments.Length > 0)
        {
            info.ArgumentList.Add("--");
            foreach (string argument in scenario.ScriptArguments)
            {
                info.ArgumentList.Add(argument);
            }
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("Could not start wrk.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        string text = await output.ConfigureAwait(false) + await error.ConfigureAwait(false);
        await File.WriteAllTextAsync(outputFile, text).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with code {process.ExitCode}; see {outputFile}.");
        }
        return Parse(text);
    }

    public static WrkResult Parse(string text)
    {
        double rps = double.Parse(RequestsPerSecond().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        long requests = long.Parse(RequestsTotal().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        double p50 = Percentile(text, "50");
        double p99 = Percentile(text, "99");
        long errors = 0;
        string errorText = string.Empty;
        Match socketErrors = SocketErrors().Match(text);
        if (socketErrors.Success)
        {
            for (int group = 1; group <= 4; group++)
            {
                errors += long.Parse(socketErrors.Groups[group].Value, CultureInfo.InvariantCulture);
            }
            errorText = socketErrors.Value.Trim();
        }
        Match non2xx = Non2xx().Match(text);
        if (non2xx.Success)
        {
            errors += long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture);
            errorText = (errorText + " " + non2xx.Value.Trim()).Trim();
        }
        return new WrkResult(rps, p50, p99, requests, errors, errorText);
    }

    private static double Percentile(string text, string percent)
    {
        Match match = Regex.Match(text, $@"^\s*{percent}%\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            return double.NaN;
        }
        double value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            _ => value * 60_000,
        };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"([0-9]+) requests in")]
    private static partial Regex RequestsTotal();

    [GeneratedRegex(@"Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"Non-2xx or 3xx responses: ([0-9]+)")]
    private static partial Regex Non2xx();
}
