using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;

namespace TinyHttp.Conformance;

/// <summary>
/// Program runs every conformance case against TinyHttp and against Kestrel and writes docs/conformance.md:
/// <code>
/// dotnet run --project tests/Conformance -- --report docs/conformance.md
/// dotnet run --project tests/Conformance -- --filter Expect        (print the outcomes and responses of matching cases)
/// </code>
/// <c>dotnet test</c> does not use it: the tests run the cases against TinyHttp only, and assert.
/// </summary>
public static class Program
{
    /// <summary>How long the report waits for each response; a server still waiting after this is reported as such.</summary>
    private static readonly TimeSpan ReportReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Runs the cases; returns 0, or 1 when TinyHttp fails a case it is expected to pass, or 2 for bad arguments.</summary>
    public static async Task<int> Main(string[] args)
    {
        string? reportPath = null;
        string? filter = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--report" when i + 1 < args.Length:
                    reportPath = args[++i];
                    break;
                case "--filter" when i + 1 < args.Length:
                    filter = args[++i];
                    break;
                default:
                    Console.Error.WriteLine("usage: dotnet run --project tests/Conformance -- [--report docs/conformance.md] [--filter text]");
                    return 2;
            }
        }

        var cases = new List<ConformanceCase>();
        foreach (ConformanceCase c in CaseCatalogue.AllCases)
        {
            if (filter is null || c.ToString().Contains(filter, StringComparison.OrdinalIgnoreCase))
            {
                cases.Add(c);
            }
        }

        await using var tinyHttp = new TinyHttpUnderTest();
        await using var kestrel = new KestrelUnderTest();
        Console.Error.WriteLine($"Running {cases.Count} cases against TinyHttp and Kestrel {KestrelUnderTest.Version}...");
        Task<List<CaseObservation>> tinyHttpRun = RunAllAsync(cases, tinyHttp);
        Task<List<CaseObservation>> kestrelRun = RunAllAsync(cases, kestrel);
        List<CaseObservation> tinyHttpResults = await tinyHttpRun.ConfigureAwait(false);
        List<CaseObservation> kestrelResults = await kestrelRun.ConfigureAwait(false);

        var rows = new List<ReportRow>(cases.Count);
        for (int i = 0; i < cases.Count; i++)
        {
            rows.Add(new ReportRow(cases[i], tinyHttpResults[i], kestrelResults[i]));
        }

        int failures = 0;
        foreach (ReportRow row in rows)
        {
            if (row.TinyHttpFailures.Count > 0 && row.Case.KnownBug is null)
            {
                failures++;
                Console.Error.WriteLine($"TinyHttp fails {row.Case}: {string.Join("; ", row.TinyHttpFailures)}");
            }
            if (row.Differs && row.Case.KestrelNote is null)
            {
                Console.Error.WriteLine($"Unexplained difference in {row.Case}: TinyHttp {row.TinyHttp.Summary()}, Kestrel {row.Kestrel.Summary()}{row.KestrelTroubleNote}");
            }
            if (!row.Differs && row.Case.KestrelNote is not null)
            {
                Console.Error.WriteLine($"Stale Kestrel note in {row.Case}: both now {row.TinyHttp.Summary()}");
            }
            if (reportPath is null)
            {
                Console.WriteLine($"{row.Case,-90} TinyHttp {row.TinyHttp.Summary(),-16} Kestrel {row.Kestrel.Summary()}{row.KestrelTroubleNote}");
                if (filter is not null)
                {
                    PrintResponses("TinyHttp", row.TinyHttp);
                    PrintResponses("Kestrel", row.Kestrel);
                }
            }
        }

        if (reportPath is not null)
        {
            await File.WriteAllTextAsync(reportPath, ReportWriter.Write(rows)).ConfigureAwait(false);
            Console.Error.WriteLine($"Wrote {reportPath}");
        }
        return failures == 0 ? 0 : 1;
    }

    private static void PrintResponses(string server, CaseObservation observation)
    {
        foreach (ObservedResponse response in observation.Responses)
        {
            Console.WriteLine($"    {server}: {HandlerView.EscapeBytes(response.Bytes())}");
        }
        if (observation.ProbeAnswer is not null)
        {
            Console.WriteLine($"    {server} probe: {observation.ProbeAnswer}");
        }
    }

    private static async Task<List<CaseObservation>> RunAllAsync(List<ConformanceCase> cases, IServerUnderTest server)
    {
        var results = new List<CaseObservation>(cases.Count);
        foreach (ConformanceCase c in cases)
        {
            try
            {
                results.Add(await CaseRunner.RunAsync(c, server, ReportReadTimeout).ConfigureAwait(false));
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                results.Add(new CaseObservation { Connection = ConnectionOutcome.Closed, Trouble = $"{e.GetType().Name}: {e.Message}" });
            }
        }
        return results;
    }
}
