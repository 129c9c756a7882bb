using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace TinyHttp.Bench.Harness;

/// <summary>ProcFs reads memory figures from Linux's /proc.</summary>
internal static class ProcFs
{
    /// <summary>
    /// The resident set size, in bytes, of a process and all its descendants (nginx's worker is its
    /// master's child), or 0 when the process is gone.
    /// </summary>
    public static long TreeRss(int pid)
    {
        long total = 0;
        var pending = new Stack<int>();
        pending.Push(pid);
        while (pending.Count > 0)
        {
            int current = pending.Pop();
            total += StatusKilobytes(current, "VmRSS:") * 1024;
            foreach (int child in Children(current))
            {
                pending.Push(child);
            }
        }
        return total;
    }

    /// <summary>VmHWM (the kernel's peak RSS) summed over a process tree, in bytes.</summary>
    public static long TreePeakRss(int pid)
    {
        long total = 0;
        var pending = new Stack<int>();
        pending.Push(pid);
        while (pending.Count > 0)
        {
            int current = pending.Pop();
            total += StatusKilobytes(current, "VmHWM:") * 1024;
            foreach (int child in Children(current))
            {
                pending.Push(child);
            }
        }
        return total;
    }

    /// <summary>User plus system CPU time, in clock ticks (1/100 s), of a process and its descendants.</summary>
    public static long TreeCpuTicks(int pid)
    {
        long total = 0;
        var pending = new Stack<int>();
        pending.Push(pid);
        while (pending.Count > 0)
        {
            int current = pending.Pop();
            try
            {
                string stat = File.ReadAllText($"/proc/{current}/stat");
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                total += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception exception) when (exception is IOException or FormatException or IndexOutOfRangeException)
            {
            }
            foreach (int child in Children(current))
            {
                pending.Push(child);
            }
        }
        return total;
    }

    private static long StatusKilobytes(int pid, string field)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    string number = line.AsSpan(field.Length).Trim().ToString();
                    int space = number.IndexOf(' ');
                    return long.Parse(space < 0 ? number : number[..space], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return 0;
    }

    private static List<int> Children(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                string text = File.ReadAllText(Path.Combine(task, "children"));
                foreach (string child in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    children.Add(int.Parse(child, CultureInfo.InvariantCulture));
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return children;
    }

    /// <summary>
    /// The processes that used the most CPU over <paramref name="window"/>, as "name (pid) NN%" where
    /// 100% is one core: what else was running on the machine when the harness started or finished.
    /// </summary>
    public static List<string> TopCpu(TimeSpan window, int count)
    {
        Dictionary<int, (string Name, long Ticks)> before = CpuTicks();
        System.Threading.Thread.Sleep(window);
        Dictionary<int, (string Name, long Ticks)> after = CpuTicks();
        int self = Environment.ProcessId;
        var used = new List<(string Name, int Pid, double Percent)>();
        foreach ((int pid, (string name, long ticks)) in after)
        {
            if (pid == self || !before.TryGetValue(pid, out var earlier))
            {
                continue;
            }
            // /proc/PID/stat counts in clock ticks of 1/100 s on Linux.
            double percent = (ticks - earlier.Ticks) / window.TotalSeconds;
            if (percent >= 5)
            {
                used.Add((name, pid, percent));
            }
        }
        used.Sort((a, b) => b.Percent.CompareTo(a.Percent));
        var top = new List<string>();
        foreach ((string name, int pid, double percent) in used)
        {
            if (top.Count == count)
            {
                break;
            }
            top.Add($"{name} ({pid}) {percent.ToString("F0", CultureInfo.InvariantCulture)}%");
        }
        return top;
    }

    /// <summary>
    /// The given CPUs' clock ticks from one read of /proc/stat, in the order asked: busy (user, nice, system, irq,
    /// softirq, steal) and all (idle and iowait added); (0, 0) for a CPU whose line is missing.
    /// </summary>
    public static (long Busy, long All)[] CoreTicks(params int[] cpus)
    {
        var ticks = new (long Busy, long All)[cpus.Length];
        foreach (string line in File.ReadLines("/proc/stat"))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!fields[0].StartsWith("cpu", StringComparison.Ordinal)
                || !int.TryParse(fields[0].AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out int cpu))
            {
                continue;
            }
            long Field(int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);
            long busy = Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
            for (int i = 0; i < cpus.Length; i++)
            {
                if (cpus[i] == cpu)
                {
                    ticks[i] = (busy, busy + Field(4) + Field(5));
                }
            }
        }
        return ticks;
    }

    private static Dictionary<int, (string Name, long Ticks)> CpuTicks()
    {
        var ticks = new Dictionary<int, (string, long)>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }
            try
            {
                string stat = File.ReadAllText(Path.Combine(directory, "stat"));
                int open = stat.IndexOf('(');
                int close = stat.LastIndexOf(')');
                string[] fields = stat[(close + 2)..].Split(' ');
                // Fields after the name start at "state" (field 3); utime and stime are fields 14 and 15.
                long total = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                ticks[pid] = (stat[(open + 1)..close], total);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
            }
        }
        return ticks;
    }
}
