using System;

namespace TinyHttp.Conformance;

/// <summary>
/// CaseLimits are the server limits a case needs instead of the defaults. Both servers under test map them onto
/// their own options (TinyHttp's <see cref="TinyHttpServerOptions"/>, Kestrel's <c>KestrelServerLimits</c>); a
/// null property keeps that server's default.
/// </summary>
public sealed record CaseLimits
{
    /// <summary>Longest request line: TinyHttp's MaxRequestLineLength, Kestrel's MaxRequestLineSize.</summary>
    public int? MaxRequestLineLength { get; init; }

    /// <summary>Largest header section: MaxRequestHeadersTotalSize on both.</summary>
    public int? MaxRequestHeadersTotalSize { get; init; }

    /// <summary>Most header fields: MaxRequestHeaderCount on both.</summary>
    public int? MaxRequestHeaderCount { get; init; }

    /// <summary>Largest request body: MaxRequestBodySize on both.</summary>
    public long? MaxRequestBodySize { get; init; }

    /// <summary>Time allowed for the header section: RequestHeadersTimeout on both.</summary>
    public TimeSpan? RequestHeadersTimeout { get; init; }

    /// <summary>A short description for the report, such as <c>MaxRequestLineLength=32</c>.</summary>
    public override string ToString()
    {
        var parts = new System.Collections.Generic.List<string>();
        if (MaxRequestLineLength is int line)
        {
            parts.Add($"MaxRequestLineLength={line}");
        }
        if (MaxRequestHeadersTotalSize is int headers)
        {
            parts.Add($"MaxRequestHeadersTotalSize={headers}");
        }
        if (MaxRequestHeaderCount is int count)
        {
            parts.Add($"MaxRequestHeaderCount={count}");
        }
        if (MaxRequestBodySize is long body)
        {
            parts.Add($"MaxRequestBodySize={body}");
        }
        if (RequestHeadersTimeout is TimeSpan timeout)
        {
            parts.Add($"RequestHeadersTimeout={timeout.TotalSeconds:0.###}s");
        }
        return string.Join(", ", parts);
    }
}
