using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;

namespace TinyHttp.Bench.Harness;

/// <summary>
/// Waits, before each measured run, until the server's and the client's CPUs are idle. A server that has just
/// finished its run keeps its core busy for a while (the JIT compiles its connection-close path in the background,
/// tens of milliseconds in slices of up to 4 ms), and so does the harness beside wrk; without the wait that work
/// lands in the next server's run, which is always the same server when the order is fixed.
/// </summary>
internal sealed class Settling(int serverCpu, int clientCpu)
{
    private const double IdleShare = 0.05;
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private readonly List<double> _waitedSeconds = [];
    private int _unsettled;

    /// <summary>
    /// Returns once both CPUs were at most 5% busy over one window, or after the limit; then the busy shares of the
    /// last window, to log, or null when the CPUs went idle.
    /// </summary>
    public async Task<string?> WaitAsync()
    {
        long started = Stopwatch.GetTimestamp();
        while (true)
        {
            (long Busy, long All)[] before = ProcFs.CoreTicks(serverCpu, clientCpu);
            await Task.Delay(Window);
            (long Busy, long All)[] after = ProcFs.CoreTicks(serverCpu, clientCpu);
            double server = Share(before[0], after[0]);
            double client = Share(before[1], after[1]);
            TimeSpan waited = Stopwatch.GetElapsedTime(started);
            if (server <= IdleShare && client <= IdleShare)
            {
                _waitedSeconds.Add(waited.TotalSeconds);
                return null;
            }
            if (waited >= Limit)
            {
                _waitedSeconds.Add(waited.TotalSeconds);
                _unsettled++;
                return $"the CPUs did not go idle in {Limit.TotalSeconds:F0} s (server CPU {server:P0}, client CPU {client:P0} busy); measuring anyway";
            }
        }
    }

    /// <summary>RESULTS.md's line on the waits, or null when there were none.</summary>
    public string? Describe()
    {
        if (_waitedSeconds.Count == 0)
        {
            return null;
        }
        string Seconds(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
        return $"Before each measured run the harness waited until both CPUs were idle (at most {IdleShare * 100:F0}% busy over " +
               $"{Window.TotalMilliseconds:F0} ms, giving up after {Limit.TotalSeconds:F0} s): {Seconds(_waitedSeconds.Average())} s on average, " +
               $"{Seconds(_waitedSeconds.Max())} s at most; {_unsettled} of {_waitedSeconds.Count} runs started without the CPUs going idle";
    }

    private static double Share((long Busy, long All) before, (long Busy, long All) after)
    {
        long all = after.All - before.All;
        return all <= 0 ? 0 : (double)(after.Busy - before.Busy) / all;
    }
}
