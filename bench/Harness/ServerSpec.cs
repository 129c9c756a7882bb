using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace TinyHttp.Bench.Harness;

/// <summary>ServerSpec is one line of bench/servers.txt.</summary>
internal sealed record ServerSpec(string Name, string Needs, IReadOnlySet<string> Scenarios, string[] Command)
{
    /// <summary>
    /// Whether the server runs <paramref name="scenario"/>: named in its line, or "all" for a plain-HTTP scenario, or
    /// "https" for an HTTPS one (a server with "https" reads its HTTPS endpoint from BENCH_HTTPS_PORT and the rest).
    /// </summary>
    public bool Serves(Scenario scenario) =>
        Scenarios.Contains(scenario.Name) || Scenarios.Contains(scenario.Https ? "https" : "all");

    public bool ServesHttps => Scenarios.Contains("https") || Scenarios.Any(name => name.StartsWith("https-", StringComparison.Ordinal));

    public static List<ServerSpec> Load(string path)
    {
        var servers = new List<ServerSpec>();
        foreach (string raw in File.ReadLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4)
            {
                throw new FormatException($"{path}: a server line needs name, needs, scenarios and a command: '{line}'.");
            }
            servers.Add(new ServerSpec(
                fields[0],
                fields[1],
                new HashSet<string>(fields[2].Split(','), StringComparer.OrdinalIgnoreCase),
                fields[3..]));
        }
        return servers;
    }

    /// <summary>Why this server cannot run here, or null when it can.</summary>
    public string? Unavailable(HarnessOptions options)
    {
        if (Needs != "-" && FindOnPath(Needs) is null)
        {
            return $"'{Needs}' is not installed (run.sh installs it when run as root with apt-get)";
        }
        string program = Command[0];
        if (program.Contains('/') && !File.Exists(options.FromRoot(program)))
        {
            return $"{program} was not built";
        }
        return null;
    }

    public static string? FindOnPath(string program)
    {
        IEnumerable<string> directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/local/sbin"]);
        return directories.Select(directory => Path.Combine(directory, program)).FirstOrDefault(File.Exists);
    }
}
