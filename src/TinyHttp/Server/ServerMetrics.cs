using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TinyHttp.Server;

/// <summary>
/// Metrics on the meter named "TinyHttp", named after the OpenTelemetry HTTP semantic conventions where
/// one exists (http.server.*) and prefixed tinyhttp.* otherwise. Instruments nobody listens to cost a flag check.
/// </summary>
internal static class ServerMetrics
{
    public const string MeterName = "TinyHttp";

    private static readonly Meter Meter = new(MeterName, typeof(ServerMetrics).Assembly.GetName().Version?.ToString());

    private static readonly object[] BoxedStatusCodes = BoxStatusCodes();

    public static readonly UpDownCounter<long> ActiveConnections = Meter.CreateUpDownCounter<long>(
        "tinyhttp.server.active_connections", "{connection}", "Connections open on the server, idle or busy.");

    public static readonly Counter<long> RejectedConnections = Meter.CreateCounter<long>(
        "tinyhttp.server.rejected_connections", "{connection}", "Connections refused because MaxConcurrentConnections was reached.");

    public static readonly UpDownCounter<long> ActiveRequests = Meter.CreateUpDownCounter<long>(
        "http.server.active_requests", "{request}", "Requests whose handler is running.");

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "http.server.request.duration", "s", "Time from a complete request head to a complete response.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });

    public static readonly Counter<long> RejectedRequests = Meter.CreateCounter<long>(
        "tinyhttp.server.rejected_requests", "{request}", "Requests the server refused before or while reading them; tagged with error.type, the rejection reason.");

    public static void RecordRequest(long startTimestamp, string method, int statusCode, bool isHttp11)
    {
        if (!RequestDuration.Enabled)
        {
            return;
        }
        var tags = new TagList
        {
            { "http.request.method", IsKnownMethod(method) ? method : "_OTHER" },
            { "http.response.status_code", (uint)statusCode < (uint)BoxedStatusCodes.Length ? BoxedStatusCodes[statusCode] : statusCode },
            { "network.protocol.version", isHttp11 ? "1.1" : "1.0" },
        };
        RequestDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }

    public static void RecordRejection(RequestRejectionReason reason)
    {
        if (RejectedRequests.Enabled)
        {
            RejectedRequests.Add(1, new KeyValuePair<string, object?>("error.type", reason.ToString()));
        }
    }

    private static bool IsKnownMethod(string method) =>
        method is "GET" or "HEAD" or "POST" or "PUT" or "DELETE" or "CONNECT" or "OPTIONS" or "TRACE" or "PATCH";

    private static object[] BoxStatusCodes()
    {
        var boxed = new object[600];
        for (int i = 0; i < boxed.Length; i++)
        {
            boxed[i] = i;
        }
        return boxed;
    }
}
