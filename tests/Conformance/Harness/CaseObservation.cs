using System;
using System.Collections.Generic;
using System.Text;
using TinyHttp.Testing;

namespace TinyHttp.Conformance;

/// <summary>ObservedResponse is one final response a server sent, with the interim responses before it.</summary>
public sealed class ObservedResponse
{
    /// <summary>Creates an observation of <paramref name="final"/> preceded by <paramref name="interim"/>.</summary>
    public ObservedResponse(RawHttpResponse final, IReadOnlyList<RawHttpResponse> interim, bool isHead)
    {
        Final = final;
        Interim = interim;
        IsHead = isHead;
        string text = Encoding.ASCII.GetString(final.Body.Span);
        View = text.StartsWith(HandlerView.Method + "=", StringComparison.Ordinal) ? HandlerView.Parse(text) : null;
    }

    /// <summary>Final is the final response.</summary>
    public RawHttpResponse Final { get; }

    /// <summary>Interim are the 1xx responses before it, in order.</summary>
    public IReadOnlyList<RawHttpResponse> Interim { get; }

    /// <summary>IsHead is true when the response answered a HEAD request.</summary>
    public bool IsHead { get; }

    /// <summary>View is what the handler saw, when the body is its echo; otherwise null.</summary>
    public IReadOnlyList<(string Field, string Value)>? View { get; }

    /// <summary>The bytes of the interim responses and the final one, in order.</summary>
    public byte[] Bytes()
    {
        var bytes = new List<byte>();
        foreach (RawHttpResponse interim in Interim)
        {
            bytes.AddRange(interim.Raw.Span);
        }
        bytes.AddRange(Final.Raw.Span);
        return bytes.ToArray();
    }
}

/// <summary>CaseObservation is what a server did with a case's bytes.</summary>
public sealed class CaseObservation
{
    /// <summary>Responses are the final responses read, in order.</summary>
    public List<ObservedResponse> Responses { get; } = new();

    /// <summary>Connection is what the connection was like afterwards.</summary>
    public ConnectionOutcome Connection { get; set; }

    /// <summary>Trouble says why reading stopped before every expected response arrived (a timeout, a close, malformed bytes), or null.</summary>
    public string? Trouble { get; set; }

    /// <summary>ProbeAnswer is the status line that came back to the probe when the connection was not simply open or closed.</summary>
    public string? ProbeAnswer { get; set; }

    /// <summary>A short summary for reports and failure messages: <c>400 · close</c>, <c>100, 200 · open</c>, <c>none · close</c>.</summary>
    public string Summary()
    {
        var text = new StringBuilder();
        if (Responses.Count == 0)
        {
            text.Append("none");
        }
        for (int i = 0; i < Responses.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            foreach (RawHttpResponse interim in Responses[i].Interim)
            {
                text.Append(interim.StatusCode).Append("→");
            }
            text.Append(Responses[i].Final.StatusCode);
        }
        text.Append(" · ").Append(Describe(Connection));
        return text.ToString();
    }

    /// <summary>How the report names a connection outcome.</summary>
    public static string Describe(ConnectionOutcome outcome) => outcome switch
    {
        ConnectionOutcome.Open => "open",
        ConnectionOutcome.Closed => "close",
        ConnectionOutcome.Desynchronised => "desync",
        _ => "waits",
    };
}
