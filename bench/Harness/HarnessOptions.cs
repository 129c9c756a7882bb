using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace TinyHttp.Bench.Harness;

/// <summary>HarnessOptions is the command line of the harness; run.sh passes its own options through.</summary>
internal sealed class HarnessOptions
{
    public string RepositoryRoot { get; private set; } = Directory.GetCurrentDirectory();
    public string ServersFile { get; private set; } = "bench/servers.txt";
    public string OutputFile { get; private set; } = "bench/RESULTS.md";
    public string ResultsDirectory { get; private set; } = "bench/results";
    public string ArtifactsDirectory { get; private set; } = "bench/.artifacts";
    public string Baseline { get; private set; } = "Kestrel";
    public string Command { get; private set; } = "bash bench/run.sh";

    /// <summary>When run.sh started (Unix seconds), so the report can give the whole time, build included.</summary>
    public long? StartedAt { get; private set; }

    /// <summary>Seconds of load per measured wrk run.</summary>
    public int DurationSeconds { get; private set; } = 5;

    /// <summary>Seconds of unrecorded load per server and scenario before the first measured round.</summary>
    public int WarmupSeconds { get; private set; } = 2;

    public int Repetitions { get; private set; } = 3;
    public int DoubleCycles { get; private set; } = 200;
    public int ServerCpu { get; private set; }
    public int ClientCpu { get; private set; } = 1;
    public HashSet<string>? Scenarios { get; private set; }
    public HashSet<string>? Servers { get; private set; }
    public bool RunLoad { get; private set; } = true;
    public bool RunDouble { get; private set; } = true;
    public bool RunMicro { get; private set; } = true;

    /// <summary>The BenchmarkDotNet job: "short" (a few minutes in all) or "default" (much longer).</summary>
    public string MicroJob { get; private set; } = "short";

    public static HarnessOptions Parse(string[] args)
    {
        var options = new HarnessOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Number() => int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
            switch (name)
            {
                case "--root": options.RepositoryRoot = Path.GetFullPath(Value()); break;
                case "--servers-file": options.ServersFile = Value(); break;
                case "--output": options.OutputFile = Value(); break;
                case "--results-dir": options.ResultsDirectory = Value(); break;
                case "--artifacts": options.ArtifactsDirectory = Value(); break;
                case "--baseline": options.Baseline = Value(); break;
                case "--command": options.Command = Value(); break;
                case "--started-at": options.StartedAt = long.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture); break;
                case "--duration": options.DurationSeconds = Number(); break;
                case "--warmup": options.WarmupSeconds = Number(); break;
                case "--reps": options.Repetitions = Math.Max(1, Number()); break;
                case "--double-cycles": options.DoubleCycles = Math.Max(1, Number()); break;
                case "--server-cpu": options.ServerCpu = Number(); break;
                case "--client-cpu": options.ClientCpu = Number(); break;
                case "--scenarios": options.Scenarios = SplitList(Value()); break;
                case "--servers": options.Servers = SplitList(Value()); break;
                case "--no-load": options.RunLoad = false; break;
                case "--no-double": options.RunDouble = false; break;
                case "--no-micro": options.RunMicro = false; break;
                case "--micro-job": options.MicroJob = Value(); break;
                default: throw new ArgumentException($"Unknown option {name}; see bench/README.md.");
            }
        }
        return options;
    }

    public string FromRoot(string path) => Path.GetFullPath(Path.Combine(RepositoryRoot, path));

    private static HashSet<string> SplitList(string value) =>
        new(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase);
}
