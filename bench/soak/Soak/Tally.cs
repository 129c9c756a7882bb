using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace TinyHttp.Soak;

/// <summary>Tally counts, per scenario, requests sent, responses verified, lost and corrupted, and named outcomes; it keeps the first errors' text.</summary>
internal sealed class Tally
{
    private const int MaxErrorsKept = 20;
    private const int MaxErrorLength = 600;

    private readonly ConcurrentDictionary<string, ScenarioTally> _scenarios = new();
    private readonly ConcurrentQueue<string> _errors = new();

    public IReadOnlyCollection<string> Errors => _errors;

    public ICollection<KeyValuePair<string, ScenarioTally>> Scenarios => _scenarios;

    public long TotalSent => Sum(static s => s.Sent);

    public long TotalVerified => Sum(static s => s.Verified);

    public long TotalLost => Sum(static s => s.Lost);

    public long TotalCorrupted => Sum(static s => s.Corrupted);

    public void Sent(string scenario, int count) => Interlocked.Add(ref Of(scenario).Sent, count);

    public void Verified(string scenario, int bytes)
    {
        ScenarioTally tally = Of(scenario);
        Interlocked.Increment(ref tally.Verified);
        Interlocked.Add(ref tally.VerifiedBytes, bytes);
    }

    public void Lost(string scenario, int count, string error)
    {
        Interlocked.Add(ref Of(scenario).Lost, count);
        Keep($"lost ({scenario}): {error}");
    }

    public void Corrupted(string scenario, string error)
    {
        Interlocked.Increment(ref Of(scenario).Corrupted);
        Keep($"corrupted ({scenario}): {error}");
    }

    public void Outcome(string scenario, string outcome) => Of(scenario).Outcomes.AddOrUpdate(outcome, 1, static (_, n) => n + 1);

    private ScenarioTally Of(string scenario) => _scenarios.GetOrAdd(scenario, static _ => new ScenarioTally());

    private void Keep(string error)
    {
        if (_errors.Count < MaxErrorsKept)
        {
            _errors.Enqueue(error.Length <= MaxErrorLength ? error : string.Concat(error.AsSpan(0, MaxErrorLength), $"… ({error.Length - MaxErrorLength} more chars)"));
        }
    }

    private long Sum(System.Func<ScenarioTally, long> field)
    {
        long total = 0;
        foreach (KeyValuePair<string, ScenarioTally> pair in _scenarios)
        {
            total += field(pair.Value);
        }
        return total;
    }
}

internal sealed class ScenarioTally
{
    public long Sent;
    public long Verified;
    public long VerifiedBytes;
    public long Lost;
    public long Corrupted;
    public readonly ConcurrentDictionary<string, long> Outcomes = new();
}
