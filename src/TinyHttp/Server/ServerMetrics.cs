using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace TinyHttp.Server;

/// <summary>
/// One server's metrics on a meter named "TinyHttp", named after the OpenTelemetry HTTP semantic conventions where
/// one exists (http.server.*) and prefixed tinyhttp.* otherwise. The meter comes from the app's
/// <see cref="IMeterFactory"/> when one is given (the .NET convention, so tests can observe one server among
/// several); otherwise the server creates its own and disposes it when it stops. Instruments nobody listens to cost a flag check.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "TinyHttp";

    private static readonly object[] BoxedStatusCodes = BoxStatusCodes();

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly UpDownCounter<long> _activeConnections;
    private readonly Counter<long> _rejectedConnections;
    private readonly UpDownCounter<long> _activeRequests;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _rejectedRequests;
    private readonly UpDownCounter<long> _activeTlsHandshakes;
    private readonly UpDownCounter<long> _activeWebSockets;
    private readonly Histogram<double> _tlsHandshakeDuration;

    public ServerMetrics(IMeterFactory? meterFactory)
    {
        string? version = typeof(ServerMetrics).Assembly.GetName().Version?.ToString();
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(MeterName) { Version = version }) ?? new Meter(MeterName, version);
        _activeConnections = _meter.CreateUpDownCounter<long>(
            "tinyhttp.server.active_connections", "{connection}", "Connections open on the server, idle or busy.");
        _rejectedConnections = _meter.CreateCounter<long>(
            "tinyhttp.server.rejected_connections", "{connection}", "Connections refused because MaxConcurrentConnections was reached.");
        _activeRequests = _meter.CreateUpDownCounter<long>(
            "http.server.active_requests", "{request}", "Requests whose handler is running.");
        _requestDuration = _meter.CreateHistogram<double>(
            "http.server.request.duration", "s", "Time from a complete request head to a complete response.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        _rejectedRequests = _meter.CreateCounter<long>(
            "tinyhttp.server.rejected_requests", "{request}", "Requests the server refused before or while reading them; tagged with error.type, the rejection reason.");
        _activeWebSockets = _meter.CreateUpDownCounter<long>(
            "tinyhttp.server.active_websockets", "{websocket}", "WebSockets accepted and not yet ended.");
        _activeTlsHandshakes = _meter.CreateUpDownCounter<long>(
            "tinyhttp.server.active_tls_handshakes", "{handshake}", "TLS handshakes under way on HTTPS endpoints.");
        _tlsHandshakeDuration = _meter.CreateHistogram<double>(
            "tinyhttp.server.tls_handshake.duration", "s", "TLS handshakes, from the client's first byte to the end; tagged with tls.protocol.version, or error.type when it failed.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
    }

    public void WebSocketOpened() => _activeWebSockets.Add(1);

    public void WebSocketClosed() => _activeWebSockets.Add(-1);

    public void TlsHandshakeStarted() => _activeTlsHandshakes.Add(1);

    /// <summary>Records a handshake that ended: <paramref name="error"/> names why it failed, or is null when it succeeded.</summary>
    public void TlsHandshakeEnded(long startTimestamp, TlsConnectionInfo? tls, TlsHandshakeFailure? error)
    {
        _activeTlsHandshakes.Add(-1);
        if (!_tlsHandshakeDuration.Enabled)
        {
            return;
        }
        KeyValuePair<string, object?> tag = error is TlsHandshakeFailure failure
            ? new("error.type", ErrorType(failure))
            : new("tls.protocol.version", tls?.Protocol == System.Security.Authentication.SslProtocols.Tls13 ? "1.3" : "1.2");
        _tlsHandshakeDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tag);
    }

    public void ConnectionOpened() => _activeConnections.Add(1);

    public void ConnectionClosed() => _activeConnections.Add(-1);

    public void ConnectionRejected() => _rejectedConnections.Add(1);

    /// <summary>
    /// Counts a request as active when someone listens, and says whether it did: pass that to <see cref="RequestEnded"/>,
    /// so a listener that arrives mid-request never sees an end without a start.
    /// </summary>
    public bool RequestStarted()
    {
        if (!_activeRequests.Enabled)
        {
            return false;
        }
        _activeRequests.Add(1);
        return true;
    }

    public void RequestEnded(bool counted)
    {
        if (counted)
        {
            _activeRequests.Add(-1);
        }
    }

    /// <summary>True while a listener records request durations: only then is a request's start time worth reading.</summary>
    public bool MeasuresRequestDuration => _requestDuration.Enabled;

    public void RecordRequest(long startTimestamp, HttpRequest request, int statusCode)
    {
        // A start of 0: the listener came after the request started.
        if (_requestDuration.Enabled && startTimestamp != 0)
        {
            RecordDuration(startTimestamp, request, statusCode);
        }
    }

    // Apart from RecordRequest's check, which is inlined: the tag list is a large struct, and a method holding one
    // zeroes it on entry, listener or not.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordDuration(long startTimestamp, HttpRequest request, int statusCode)
    {
        string method = request.Method;
        bool isHttp11 = request.Head.IsHttp11;
        var tags = new TagList
        {
            { "http.request.method", IsKnownMethod(method) ? method : "_OTHER" },
            { "http.response.status_code", (uint)statusCode < (uint)BoxedStatusCodes.Length ? BoxedStatusCodes[statusCode] : statusCode },
            { "network.protocol.version", isHttp11 ? "1.1" : "1.0" },
        };
        _requestDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }

    public void RecordRejection(RequestRejectionReason reason)
    {
        if (_rejectedRequests.Enabled)
        {
            _rejectedRequests.Add(1, new KeyValuePair<string, object?>("error.type", reason.ToString()));
        }
    }

    private static string ErrorType(TlsHandshakeFailure failure) => failure switch
    {
        TlsHandshakeFailure.Timeout => "timeout",
        TlsHandshakeFailure.Authentication => "authentication",
        TlsHandshakeFailure.PlainHttp => "plain_http",
        TlsHandshakeFailure.NotTls => "not_tls",
        TlsHandshakeFailure.ServerStopping => "server_stopping",
        TlsHandshakeFailure.ServerError => "server_error",
        _ => "closed",
    };

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
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
