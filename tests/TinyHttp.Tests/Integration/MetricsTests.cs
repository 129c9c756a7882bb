using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Integration;

/// <summary>
/// The server's metrics as an app observes them: on the meter of the IMeterFactory it was given, so one server can be
/// told from another in the same process, or on a meter named "TinyHttp" of its own. Every test awaits
/// <see cref="TinyHttpServer.StopAsync"/> before it looks: it completes once every connection has closed, and a
/// connection records its request before it closes, so nothing is still on its way to the listener.
/// </summary>
public class MetricsTests
{
    private const string RequestDuration = "http.server.request.duration";
    private const string ActiveConnections = "tinyhttp.server.active_connections";

    // No other test answers with this code, so a listener on every "TinyHttp" meter in the process (tests run in
    // parallel) can tell this test's requests from theirs.
    private const int UnusedStatusCode = 237;

    private static TinyHttpServer StartServer(IMeterFactory? meterFactory, int statusCode)
    {
        var server = new TinyHttpServer(
            new TinyHttpServerOptions(), (request, response) => response.StatusCode = statusCode, meterFactory: meterFactory);
        server.Start();
        return server;
    }

    // Sends `count` requests on one kept-alive connection, reads each response, then closes the connection.
    private static async Task SendRequestsAsync(TinyHttpServer server, int count, int expectedStatus)
    {
        await using RawSocket client = await RawSocket.ConnectAsync(server);
        for (int i = 0; i < count; i++)
        {
            await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.StartsWith($"HTTP/1.1 {expectedStatus} ", await client.ReadResponseAsync());
        }
    }

    [Fact]
    public async Task EachServer_RecordsRequestsOnlyOnTheMeterOfItsOwnFactory()
    {
        using var factoryA = new TestMeterFactory();
        using var factoryB = new TestMeterFactory();
        using var recordedA = new MeasurementRecorder(instrument => factoryA.Created(instrument.Meter));
        using var recordedB = new MeasurementRecorder(instrument => factoryB.Created(instrument.Meter));
        await using TinyHttpServer serverA = StartServer(factoryA, 200);
        await using TinyHttpServer serverB = StartServer(factoryB, 202);

        await SendRequestsAsync(serverA, 2, 200);
        await SendRequestsAsync(serverB, 3, 202);
        await serverA.StopAsync();
        await serverB.StopAsync();

        IReadOnlyList<Recorded> durationsA = recordedA.Of(RequestDuration);
        Assert.Equal(2, durationsA.Count);
        Assert.All(durationsA, m => Assert.Equal(200, m.Tags["http.response.status_code"]));
        IReadOnlyList<Recorded> durationsB = recordedB.Of(RequestDuration);
        Assert.Equal(3, durationsB.Count);
        Assert.All(durationsB, m => Assert.Equal(202, m.Tags["http.response.status_code"]));
    }

    [Fact]
    public async Task WithoutAFactory_TheServerPublishesOnAMeterNamedTinyHttp()
    {
        using var recorded = new MeasurementRecorder(
            instrument => instrument.Meter.Name == "TinyHttp" && instrument.Name == RequestDuration);
        await using TinyHttpServer server = StartServer(meterFactory: null, UnusedStatusCode);

        await SendRequestsAsync(server, 1, UnusedStatusCode);
        await server.StopAsync();

        Recorded duration = Assert.Single(
            recorded.Of(RequestDuration), m => Equals(m.Tags["http.response.status_code"], UnusedStatusCode));
        Assert.Equal("GET", duration.Tags["http.request.method"]);
        Assert.Equal("1.1", duration.Tags["network.protocol.version"]);
    }

    [Fact]
    public async Task ActiveConnections_CountsOpenConnectionsAndReturnsToZeroOnceTheyClose()
    {
        using var factory = new TestMeterFactory();
        using var recorded = new MeasurementRecorder(
            instrument => factory.Created(instrument.Meter) && instrument.Name == ActiveConnections);
        await using TinyHttpServer server = StartServer(factory, 200);

        await using (RawSocket first = await RawSocket.ConnectAsync(server))
        await using (RawSocket second = await RawSocket.ConnectAsync(server))
        {
            // A response proves the server accepted the connection, and it counts a connection before serving it.
            await first.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            await first.ReadResponseAsync();
            await second.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            await second.ReadResponseAsync();

            Assert.Equal(2, recorded.Sum(ActiveConnections));
        }
        await server.StopAsync();

        Assert.Equal(0, recorded.Sum(ActiveConnections));
        Assert.Equal(4, recorded.Of(ActiveConnections).Count);
    }
}

/// <summary>An <see cref="IMeterFactory"/> for one test: it remembers the meters it created and disposes them with itself.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        lock (_meters)
        {
            _meters.Add(meter);
        }
        return meter;
    }

    /// <summary>Whether this factory created <paramref name="meter"/>.</summary>
    public bool Created(Meter meter)
    {
        lock (_meters)
        {
            return _meters.Contains(meter);
        }
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (Meter meter in _meters)
            {
                meter.Dispose();
            }
            _meters.Clear();
        }
    }
}

/// <summary>One measurement as a listener saw it.</summary>
internal sealed record Recorded(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

/// <summary>Records every measurement of the instruments <c>listensTo</c> accepts, from whichever thread takes them.</summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Recorded> _recorded = new();

    public MeasurementRecorder(Func<Instrument, bool> listensTo)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (listensTo(instrument))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<Recorded> Of(string instrument)
    {
        var found = new List<Recorded>();
        foreach (Recorded recorded in _recorded)
        {
            if (recorded.Instrument == instrument)
            {
                found.Add(recorded);
            }
        }
        return found;
    }

    /// <summary>The sum of an instrument's measurements: an up-down counter's current value.</summary>
    public double Sum(string instrument)
    {
        double sum = 0;
        foreach (Recorded recorded in Of(instrument))
        {
            sum += recorded.Value;
        }
        return sum;
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }
        _recorded.Enqueue(new Recorded(instrument.Name, value, copy));
    }
}
