using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using TinyHttp.Bench.Harness;

namespace TinyHttp.Bench.Idle;

/// <summary>
/// The commands bench/idle/run.sh runs:
/// <c>free-port</c> prints a free TCP port on 127.0.0.1;
/// <c>certificate</c> writes the run's TLS material (see BenchTls) into a directory;
/// <c>measure</c> measures one running server (see <see cref="Measurement"/>) and prints one <c>key=value</c> line;
/// <c>slow-handshakes</c> stalls handshakes on one running HTTPS server (see <see cref="SlowHandshakes"/>), one line too;
/// <c>report</c> turns the lines of all rounds into bench/idle/RESULTS.md (see <see cref="Report"/>), or with
/// <c>--slow-handshakes</c> into the slow-handshake report.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            switch (args)
            {
                case ["free-port"]:
                    using (var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
                    {
                        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                        Console.WriteLine(((IPEndPoint)listener.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture));
                    }
                    return 0;
                case ["measure", .. string[] rest]:
                    MeasurementResult result = await Measurement.RunAsync(MeasurementOptions.Parse(Arguments.Parse(rest))).ConfigureAwait(false);
                    Console.WriteLine(result.ToLine());
                    return 0;
                case ["slow-handshakes", .. string[] rest]:
                    Console.WriteLine(await SlowHandshakes.RunAsync(SlowHandshakeOptions.Parse(Arguments.Parse(rest))).ConfigureAwait(false));
                    return 0;
                case ["certificate", "--dir", string directory]:
                    BenchTls.Create(directory);
                    return 0;
                case ["report", "--slow-handshakes", .. string[] rest]:
                    Report.WriteSlowHandshakes(Arguments.Parse(rest));
                    return 0;
                case ["report", .. string[] rest]:
                    Report.Write(Arguments.Parse(rest));
                    return 0;
                default:
                    throw new UsageException("usage: IdleClient free-port | certificate --dir DIR | measure --name S --pid P --port P [options] " +
                                             "| slow-handshakes --name S --pid P --port P --https-port P --tls-dir DIR [options] " +
                                             "| report [--slow-handshakes] --runs FILE --output FILE [options]");
            }
        }
        catch (UsageException exception)
        {
            Console.Error.WriteLine(exception.Message);
            return 2;
        }
    }
}

/// <summary>Arguments is <c>--name value</c> pairs and <c>--flag</c>s, read by name.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public static Arguments Parse(string[] args)
    {
        var arguments = new Arguments();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unexpected argument '{args[i]}'");
            }
            bool hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            arguments._values[args[i][2..]] = hasValue ? args[++i] : null;
        }
        return arguments;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string Text(string name, string? fallback = null) =>
        _values.TryGetValue(name, out string? value) && value is not null ? value
        : fallback ?? throw new UsageException($"--{name} is required");

    public int Int(string name, int? fallback = null)
    {
        if (!_values.TryGetValue(name, out string? text) || text is null)
        {
            return fallback ?? throw new UsageException($"--{name} is required");
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new UsageException($"--{name} needs a positive whole number, not '{text}'");
    }
}

internal sealed class UsageException(string message) : Exception(message);
