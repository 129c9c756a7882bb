using System;
using System.Globalization;
using System.Threading.Tasks;

namespace TinyHttp.Soak;

/// <summary>Entry point: <c>Soak server</c> runs the server under test, <c>Soak load</c> runs the load, sampling and report.</summary>
internal static class Program
{
    private const string Usage = """
        usage: Soak server --port-file FILE [--kind tinyhttp|kestrel]
               Soak load --pid PID --port PORT [--server tinyhttp|kestrel] [--minutes M] [--warm-up-pass-seconds S] [--sample-seconds S]
                         [--rest-seconds S] [--rest-without-collections] [--report FILE] [--results DIR]
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        try
        {
            return args[0] switch
            {
                "server" => Option(args, "--kind") switch
                {
                    null or "tinyhttp" => await SoakServer.RunAsync(PortFile(args)),
                    "kestrel" => await KestrelSoakServer.RunAsync(PortFile(args)),
                    string kind => throw new ArgumentException($"unknown server kind '{kind}'"),
                },
                "load" => await LoadRun.RunAsync(new LoadSettings(
                    ServerPid: int.Parse(Option(args, "--pid") ?? throw new ArgumentException("--pid is required"), CultureInfo.InvariantCulture),
                    Port: int.Parse(Option(args, "--port") ?? throw new ArgumentException("--port is required"), CultureInfo.InvariantCulture),
                    ServerKind: Option(args, "--server") ?? "tinyhttp",
                    Duration: TimeSpan.FromMinutes(double.Parse(Option(args, "--minutes") ?? "10", CultureInfo.InvariantCulture)),
                    WarmUpPass: TimeSpan.FromSeconds(double.Parse(Option(args, "--warm-up-pass-seconds") ?? "20", CultureInfo.InvariantCulture)),
                    SampleInterval: TimeSpan.FromSeconds(double.Parse(Option(args, "--sample-seconds") ?? "5", CultureInfo.InvariantCulture)),
                    RestDuration: TimeSpan.FromSeconds(double.Parse(Option(args, "--rest-seconds") ?? "120", CultureInfo.InvariantCulture)),
                    RestWithoutCollections: Array.IndexOf(args, "--rest-without-collections") > 0,
                    ReportPath: Option(args, "--report") ?? "REPORT.md",
                    ResultsDirectory: Option(args, "--results") ?? "results")),
                _ => throw new ArgumentException($"unknown command '{args[0]}'"),
            };
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }

    private static string PortFile(string[] args) => Option(args, "--port-file") ?? throw new ArgumentException("--port-file is required");

    private static string? Option(string[] args, string name)
    {
        for (int i = 1; i < args.Length - 1; i++)
        {
            if (args[i] == name)
            {
                return args[i + 1];
            }
        }
        return null;
    }
}
