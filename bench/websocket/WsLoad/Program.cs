using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace TinyHttp.Bench.WebSockets;

/// <summary>
/// WsLoad's commands (run.sh calls each pinned to the client CPU):
/// <c>free-port</c> prints a free TCP port on 127.0.0.1;
/// <c>wait --port P</c> returns once <c>GET /_stats</c> answers 200 (a server has started), or fails after 30 s;
/// <c>run</c> measures one running server with one kind of load (see <see cref="LoadRun"/>) and prints one <c>key=value</c> line;
/// <c>neighbours</c> prints the other processes that used the CPU over two seconds (see <see cref="ProcStat.Neighbours"/>);
/// <c>report</c> turns the lines of all runs into RESULTS.md (see <see cref="Report"/>).
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
                case ["wait", .. string[] rest]:
                    await LoadRun.WaitForServerAsync(Arguments.Parse(rest).Int("port")).ConfigureAwait(false);
                    return 0;
                case ["run", .. string[] rest]:
                    Console.WriteLine(await LoadRun.RunAsync(LoadOptions.Parse(Arguments.Parse(rest))).ConfigureAwait(false));
                    return 0;
                case ["neighbours", .. string[] rest]:
                    Console.WriteLine(ProcStat.Neighbours(Arguments.Parse(rest).Text("exclude", "")));
                    return 0;
                case ["report", .. string[] rest]:
                    Report.Write(Arguments.Parse(rest));
                    return 0;
                default:
                    throw new UsageException("usage: WsLoad free-port | wait --port P | run --name S --pid P --port P [--connections N] " +
                                             "[--size BYTES] [--type text|binary] [--duration S] [--warmup S] | neighbours [--exclude PID,PID] " +
                                             "| report --runs FILE --output FILE [options]");
            }
        }
        catch (UsageException exception)
        {
            Console.Error.WriteLine(exception.Message);
            return 2;
        }
    }
}

/// <summary>UsageException is a bad command line; Main prints its message and exits with 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }
}

/// <summary>Arguments are <c>--name value</c> pairs; a name given twice keeps its last value.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Arguments Parse(string[] args)
    {
        var arguments = new Arguments();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 == args.Length)
            {
                throw new UsageException($"expected --name value, got '{args[i]}'");
            }
            arguments._values[args[i][2..]] = args[++i];
        }
        return arguments;
    }

    public string Text(string name) =>
        _values.TryGetValue(name, out string? value) ? value : throw new UsageException($"--{name} is required");

    public string Text(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public int Int(string name) => ParseInt(name, Text(name));

    public int Int(string name, int fallback) => _values.TryGetValue(name, out string? value) ? ParseInt(name, value) : fallback;

    public double Seconds(string name, double fallback)
    {
        if (!_values.TryGetValue(name, out string? value))
        {
            return fallback;
        }
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0
            ? seconds
            : throw new UsageException($"--{name} needs a number of seconds, got '{value}'");
    }

    private static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int number)
            ? number
            : throw new UsageException($"--{name} needs a whole number, got '{value}'");
}
