using System;
using System.Collections.Generic;
using System.Linq;

namespace TinyHttp.Bench.Harness;

/// <summary>One measured wrk run of one server in one scenario.</summary>
internal sealed record LoadRun(string Server, string Scenario, int Repetition, WrkResult Wrk, double? BytesPerRequest, long CountedRequests, long PeakRss, int Gen0, int Gen1, int Gen2, double CpuMicrosecondsPerRequest);

/// <summary>One start of one server: start to first response, and the RSS a second later.</summary>
internal sealed record StartRun(string Server, int Repetition, double Milliseconds, long IdleRss);

/// <summary>The test-double cost of one server: the cold first cycle and the warm cycles' statistics.</summary>
internal sealed record DoubleCost(string Server, int Cycles, double ColdMilliseconds, double MedianMilliseconds, double P90Milliseconds, double MinMilliseconds, double MaxMilliseconds);

internal static class Statistics
{
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Where(value => !double.IsNaN(value)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The nearest-rank percentile (p in 0..100) of the values.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        double[] sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        int rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
