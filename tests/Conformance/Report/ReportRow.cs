using System.Collections.Generic;
using System.Linq;
using System.Text;
using TinyHttp.Testing;

namespace TinyHttp.Conformance;

/// <summary>How Kestrel's outcome for a case relates to TinyHttp's.</summary>
public enum Difference
{
    /// <summary>The same statuses and the same connection outcome.</summary>
    None,

    /// <summary>TinyHttp accepts; Kestrel refuses or gives up.</summary>
    KestrelStricter,

    /// <summary>TinyHttp refuses; Kestrel accepts.</summary>
    KestrelMoreLenient,

    /// <summary>Both refuse (or both accept), with different status codes.</summary>
    OtherStatus,

    /// <summary>The same statuses; the connection ends differently.</summary>
    Connection,
}

/// <summary>ReportRow is one case's outcome on TinyHttp and on Kestrel.</summary>
public sealed class ReportRow
{
    /// <summary>Compares the two observations of <paramref name="c"/>.</summary>
    public ReportRow(ConformanceCase c, CaseObservation tinyHttp, CaseObservation kestrel)
    {
        Case = c;
        TinyHttp = tinyHttp;
        Kestrel = kestrel;
        TinyHttpFailures = CaseAssertions.Mismatches(c, tinyHttp);
        Difference = Classify(c, tinyHttp, kestrel);
        Details = DetailsOf(c, tinyHttp, kestrel);
    }

    /// <summary>Case is the case.</summary>
    public ConformanceCase Case { get; }

    /// <summary>TinyHttp is what TinyHttp did.</summary>
    public CaseObservation TinyHttp { get; }

    /// <summary>Kestrel is what Kestrel did.</summary>
    public CaseObservation Kestrel { get; }

    /// <summary>TinyHttpFailures are the ways TinyHttp missed the case's expectations (empty when it conforms).</summary>
    public List<string> TinyHttpFailures { get; }

    /// <summary>Difference says how Kestrel's outcome relates to TinyHttp's.</summary>
    public Difference Difference { get; }

    /// <summary>Differs is true when the outcomes (statuses or connection) differ.</summary>
    public bool Differs => Difference != Difference.None;

    /// <summary>Details are differences the outcome summary does not show: reason phrases, what the handler saw, framing.</summary>
    public List<string> Details { get; }

    /// <summary>Why Kestrel's run stopped early, if it did, for console output.</summary>
    public string KestrelTroubleNote => Kestrel.Trouble is null ? string.Empty : $" ({Kestrel.Trouble.Split('\n')[0]})";

    private static Difference Classify(ConformanceCase c, CaseObservation tinyHttp, CaseObservation kestrel)
    {
        if (tinyHttp.Summary() == kestrel.Summary())
        {
            return Difference.None;
        }
        // A /status/{code} request, or a CONNECT the handler refuses, gets its 4xx from the handler, not from the server.
        string request = Encoding.Latin1.GetString(c.Request);
        bool handlerChoosesStatus = request.Contains(" /status/", System.StringComparison.Ordinal)
            || request.StartsWith("CONNECT " + ConformanceHandler.RefusedConnectHost, System.StringComparison.Ordinal);
        bool tinyHttpAccepts = Accepts(tinyHttp, handlerChoosesStatus);
        bool kestrelAccepts = Accepts(kestrel, handlerChoosesStatus);
        if (tinyHttpAccepts && !kestrelAccepts)
        {
            return Difference.KestrelStricter;
        }
        if (!tinyHttpAccepts && kestrelAccepts)
        {
            return Difference.KestrelMoreLenient;
        }
        return StatusesOf(tinyHttp) == StatusesOf(kestrel) ? Difference.Connection : Difference.OtherStatus;
    }

    // Accepted: there are responses, and none is a refusal (a 4xx or 5xx the handler did not choose).
    private static bool Accepts(CaseObservation observation, bool handlerChoosesStatus) =>
        observation.Responses.Count > 0
        && (handlerChoosesStatus || observation.Responses.All(r => r.Final.StatusCode < 400));

    private static string StatusesOf(CaseObservation observation)
    {
        string summary = observation.Summary();
        return summary[..summary.IndexOf(" · ", System.StringComparison.Ordinal)];
    }

    private static List<string> DetailsOf(ConformanceCase c, CaseObservation tinyHttp, CaseObservation kestrel)
    {
        var details = new List<string>();
        for (int i = 0; i < System.Math.Min(tinyHttp.Responses.Count, kestrel.Responses.Count); i++)
        {
            RawHttpResponse t = tinyHttp.Responses[i].Final;
            RawHttpResponse k = kestrel.Responses[i].Final;
            if (t.StatusCode == k.StatusCode && t.StatusLine != k.StatusLine)
            {
                details.Add($"Kestrel's status line is `{k.StatusLine}`");
            }
            if (t.StatusCode == k.StatusCode && t.Framing != k.Framing && !tinyHttp.Responses[i].IsHead)
            {
                details.Add($"Kestrel frames the body by {k.Framing}");
            }
            if (i < c.Responses.Count && kestrel.Responses[i].View is { } view)
            {
                foreach ((string field, string value) in c.Responses[i].Saw)
                {
                    string? seen = HandlerView.Get(view, field);
                    if (seen != value)
                    {
                        details.Add($"Kestrel's handler saw {field} {Shown(seen)}");
                    }
                }
                foreach ((string name, string[] values) in c.Responses[i].SawHeaders)
                {
                    List<string> seen = HandlerView.HeaderValues(view, name);
                    if (!seen.SequenceEqual(values.Select(HandlerView.Escape)))
                    {
                        details.Add($"Kestrel's handler saw {name} {Shown(string.Join(" | ", seen))}");
                    }
                }
            }
        }
        return details;
    }

    private static string Shown(string? value) => string.IsNullOrEmpty(value) ? "(empty)" : $"`{value}`";
}
