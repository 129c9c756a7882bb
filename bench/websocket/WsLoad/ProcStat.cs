using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;

namespace TinyHttp.Bench.WebSockets;

/// <summary>ProcStat reads CPU time from <c>/proc/PID/stat</c>, as bench/Harness does for the other benches.</summary>
internal static class ProcStat
{
    /// <summary>
    /// Clock ticks per second of the times in /proc (USER_HZ). It is part of the kernel's ABI and 100 on every
    /// architecture .NET runs on (x86-64, arm64), whatever the kernel's internal HZ.
    /// </summary>
    public const double TicksPerSecond = 100;

    /// <summary>User plus system CPU time of a process so far, in seconds (utime + stime, fields 14 and 15).</summary>
    public static double CpuSeconds(int pid) =>
        TryReadTicks($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat", out _, out long ticks)
            ? ticks / TicksPerSecond
            : throw new InvalidOperationException($"cannot read /proc/{pid}/stat: the process has gone");

    /// <summary>
    /// The processes other than <paramref name="exclude"/> (comma-separated PIDs) and this one that used more than 5% of
    /// a core over the next two seconds, busiest first: <c>name (pid) NN%; ...</c>, or <c>none above 5%</c>.
    /// </summary>
    public static string Neighbours(string exclude)
    {
        var excluded = new HashSet<int> { Environment.ProcessId };
        foreach (string pid in exclude.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            excluded.Add(int.Parse(pid, NumberStyles.None, CultureInfo.InvariantCulture));
        }
        Dictionary<int, (string Name, long Ticks)> before = AllTicks();
        const double SampleSeconds = 2;
        Thread.Sleep(TimeSpan.FromSeconds(SampleSeconds));
        Dictionary<int, (string Name, long Ticks)> after = AllTicks();
        var busy = new List<(double Percent, string Text)>();
        foreach ((int pid, (string name, long ticks)) in after)
        {
            if (excluded.Contains(pid) || !before.TryGetValue(pid, out (string Name, long Ticks) earlier))
            {
                continue;
            }
            double percent = (ticks - earlier.Ticks) / TicksPerSecond / SampleSeconds * 100;
            if (percent > 5)
            {
                busy.Add((percent, $"{name} ({pid}) {percent.ToString("F0", CultureInfo.InvariantCulture)}%"));
            }
        }
        busy.Sort((a, b) => b.Percent.CompareTo(a.Percent));
        return busy.Count == 0 ? "none above 5%" : string.Join("; ", busy.ConvertAll(b => b.Text));
    }

    private static Dictionary<int, (string Name, long Ticks)> AllTicks()
    {
        var all = new Dictionary<int, (string, long)>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && TryReadTicks(Path.Combine(directory, "stat"), out string name, out long ticks))
            {
                all[pid] = (name, ticks);
            }
        }
        return all;
    }

    private static bool TryReadTicks(string path, out string name, out long ticks)
    {
        name = "";
        ticks = 0;
        try
        {
            string stat = File.ReadAllText(path);
            int open = stat.IndexOf('(', StringComparison.Ordinal);
            int close = stat.LastIndexOf(')');
            // The fields after the name start at "state" (field 3); utime and stime are fields 14 and 15.
            string[] fields = stat[(close + 2)..].Split(' ');
            name = stat[(open + 1)..close];
            ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException
                                              or ArgumentOutOfRangeException)
        {
            return false;
        }
    }
}
