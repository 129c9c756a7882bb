using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Integration;

/// <summary>Data-rate limits, the connection limit, and the metrics that report them.</summary>
public class LimitsTests : WireTests
{
    [Fact]
    public async Task SlowRequestBody_Gets408AndTheConnectionCloses()
    {
        await using var scope = Start(async (request, response, ct) =>
        {
            await request.ReadBodyAsBytesAsync(ct);
            response.SetBody("not reached");
        }, options => options.MinRequestBodyDataRate = new MinDataRate(10_000, TimeSpan.FromMilliseconds(100)));
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nonly a few bytes");
        string response = await client.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", response);
        Assert.Contains("too slowly", RawSocket.Body(response));
    }

    [Fact]
    public async Task ClientThatStopsReading_IsAbortedAndTheHandlerSeesIt()
    {
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scope = Start(async (request, response, ct) =>
        {
            var chunk = new byte[1 << 20];
            try
            {
                while (true)
                {
                    await response.WriteAsync(chunk, ct);
                }
            }
            catch (Exception ex)
            {
                failed.TrySetResult(ex);
                throw;
            }
        }, options => options.MinResponseDataRate = new MinDataRate(1 << 20, TimeSpan.FromMilliseconds(100)));
        await using RawSocket client = await scope.ConnectAsync();

        await client.SendAsync("GET /never-read HTTP/1.1\r\nHost: x\r\n\r\n");
        Exception seen = await failed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(seen is System.IO.IOException or ObjectDisposedException or OperationCanceledException or System.Net.Sockets.SocketException, seen.ToString());
    }

    [Fact]
    public async Task ConnectionsOverTheLimit_Get503()
    {
        await using var scope = Start((request, response) => response.SetBody("ok"), options => options.MaxConcurrentConnections = 1);
        await using RawSocket first = await scope.ConnectAsync();
        await first.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await first.ReadResponseAsync();

        await using RawSocket second = await scope.ConnectAsync();
        string refused = await second.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", refused);
        Assert.Equal("close", RawSocket.HeaderValue(refused, "Connection"));
        await first.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("ok", RawSocket.Body(await first.ReadResponseAsync()));
    }

    [Fact]
    public async Task Metrics_ReportRequestsConnectionsAndRejections()
    {
        var measurements = new ConcurrentBag<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "TinyHttp")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measurements.Add((instrument.Name, value, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measurements.Add((instrument.Name, value, ToDictionary(tags))));
        listener.Start();
        await using var scope = Start((request, response) => response.StatusCode = 418);

        using (HttpResponseMessage reply = await scope.Client.GetAsync(scope.Url("/metrics-probe")))
        {
            Assert.Equal(418, (int)reply.StatusCode);
        }
        await using (RawSocket bad = await scope.ConnectAsync())
        {
            await bad.SendAsync("GET / HTTP/1.1\r\n\r\n");
            await bad.ReadToEndAsync();
        }

        Assert.Contains(measurements, m => m.Instrument == "http.server.request.duration"
            && Equals(m.Tags["http.response.status_code"], 418) && Equals(m.Tags["http.request.method"], "GET"));
        Assert.Contains(measurements, m => m.Instrument == "tinyhttp.server.rejected_requests" && Equals(m.Tags["error.type"], "MissingHost"));
        Assert.Contains(measurements, m => m.Instrument == "tinyhttp.server.active_connections" && m.Value == 1);
        Assert.Contains(measurements, m => m.Instrument == "http.server.active_requests" && m.Value == 1);
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dictionary = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }
        return dictionary;
    }
}

/// <summary>The same tests over the Stream transport (what HTTPS runs on).</summary>
public class LimitsTestsOverStreamTransport : LimitsTests
{
    /// <inheritdoc/>
    protected override bool OverStreamTransport => true;
}
