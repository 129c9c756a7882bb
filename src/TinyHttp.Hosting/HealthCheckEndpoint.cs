using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TinyHttp.Hosting;

/// <summary>
/// One path that answers with a health report, as ASP.NET Core's health checks middleware does: 200 for Healthy and
/// Degraded, 503 for Unhealthy, never cached. The body is a small JSON object, for example
/// <c>{"status":"Degraded","totalDuration":"00:00:00.0012","entries":{"worker":{"status":"Degraded","description":"...","duration":"00:00:00.0001"}}}</c>;
/// exceptions and data stay out of it, since a probe endpoint is often reachable from outside.
/// </summary>
internal sealed class HealthCheckEndpoint(string path, Func<HealthCheckRegistration, bool>? predicate)
{
    public string Path { get; } = path;

    public async Task AnswerAsync(HealthCheckService service, HttpResponse response, CancellationToken requestAborted)
    {
        HealthReport report = await service.CheckHealthAsync(predicate, requestAborted).ConfigureAwait(false);
        response.StatusCode = report.Status == HealthStatus.Unhealthy ? 503 : 200;
        // The middleware's headers: a probe must see the state now, not a proxy's copy.
        response.Headers.Set("Cache-Control", "no-store, no-cache");
        response.Headers.Set("Pragma", "no-cache");
        response.Headers.Set("Expires", "Thu, 01 Jan 1970 00:00:00 GMT");
        response.ContentType = "application/json; charset=utf-8";
        response.SetBody(Write(report));
    }

    internal static ReadOnlyMemory<byte> Write(HealthReport report)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            json.WriteString("totalDuration", report.TotalDuration.ToString("c", null));
            json.WriteStartObject("entries");
            foreach (KeyValuePair<string, HealthReportEntry> entry in report.Entries)
            {
                json.WriteStartObject(entry.Key);
                json.WriteString("status", entry.Value.Status.ToString());
                if (entry.Value.Description is not null)
                {
                    json.WriteString("description", entry.Value.Description);
                }
                json.WriteString("duration", entry.Value.Duration.ToString("c", null));
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.WrittenMemory;
    }
}
