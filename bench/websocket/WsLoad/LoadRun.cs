using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Bench.WebSockets;

/// <summary>One run's load: how many connections, what message, and for how long.</summary>
internal sealed record LoadOptions(string Name, int Pid, int Port, int Connections, int Size, WebSocketMessageType Type, double Duration, double Warmup)
{
    public static LoadOptions Parse(Arguments arguments)
    {
        WebSocketMessageType type = arguments.Text("type", "text") switch
        {
            "text" => WebSocketMessageType.Text,
            "binary" => WebSocketMessageType.Binary,
            string other => throw new UsageException($"--type is text or binary, not '{other}'"),
        };
        var options = new LoadOptions(arguments.Text("name"), arguments.Int("pid"), arguments.Int("port"), arguments.Int("connections", 1),
            arguments.Int("size", 32), type, arguments.Seconds("duration", 5), arguments.Seconds("warmup", 1));
        if (options.Connections < 1 || options.Size < 1 || options.Duration <= 0)
        {
            throw new UsageException("--connections, --size and --duration must be positive");
        }
        return options;
    }
}

/// <summary>
/// LoadRun measures one running echo server. It opens the connections (ClientWebSocket, <c>ws://127.0.0.1:PORT/ws</c>,
/// no keep-alive pings), and each connection then does round trips, one at a time: send the message, receive the echo
/// to its end, check it is the same bytes. After the warm-up it reads the server's <c>/_stats</c> and both processes'
/// CPU time, lets the round trips run for the duration, reads them again and closes every connection with a Close
/// handshake. A round trip counts when it completes inside the measured window; its latency is from just before the
/// send to the end of the echo.
/// </summary>
internal static class LoadRun
{
    private const int Warming = 0;
    private const int Measuring = 1;
    private const int Stopping = 2;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private static int s_phase;

    /// <summary>Returns once the server on <paramref name="port"/> answers <c>GET /_stats</c>; fails after 30 s.</summary>
    public static async Task WaitForServerAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using HttpResponseMessage response = await http.GetAsync(StatsUri(port)).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"no server answered on port {port} within 30 s");
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    public static async Task<string> RunAsync(LoadOptions options)
    {
        byte[] message = CreateMessage(options.Size, options.Type);
        var uri = new Uri($"ws://127.0.0.1:{options.Port.ToString(CultureInfo.InvariantCulture)}/ws");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var connections = new EchoConnection[options.Connections];
        var connects = new Task[connections.Length];
        for (int i = 0; i < connections.Length; i++)
        {
            connections[i] = new EchoConnection(message, options.Type);
            connects[i] = connections[i].ConnectAsync(uri);
        }
        await Task.WhenAll(connects).ConfigureAwait(false);

        Volatile.Write(ref s_phase, Warming);
        var loops = new Task[connections.Length];
        for (int i = 0; i < connections.Length; i++)
        {
            loops[i] = connections[i].RunAsync();
        }
        await Task.Delay(TimeSpan.FromSeconds(options.Warmup)).ConfigureAwait(false);

        ServerStats statsBefore = await ServerStats.ReadAsync(http, options.Port).ConfigureAwait(false);
        double serverCpuBefore = ProcStat.CpuSeconds(options.Pid);
        double clientCpuBefore = ProcStat.CpuSeconds(Environment.ProcessId);
        long start = Stopwatch.GetTimestamp();
        Volatile.Write(ref s_phase, Measuring);
        await Task.Delay(TimeSpan.FromSeconds(options.Duration)).ConfigureAwait(false);
        Volatile.Write(ref s_phase, Stopping);
        long end = Stopwatch.GetTimestamp();
        double serverCpu = ProcStat.CpuSeconds(options.Pid) - serverCpuBefore;
        double clientCpu = ProcStat.CpuSeconds(Environment.ProcessId) - clientCpuBefore;
        ServerStats statsAfter = await ServerStats.ReadAsync(http, options.Port).ConfigureAwait(false);

        int errors = 0;
        try
        {
            await Task.WhenAll(loops).WaitAsync(StopTimeout).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Console.Error.WriteLine($"[WsLoad] a round trip failed or did not finish within {StopTimeout.TotalSeconds} s: {exception.Message}");
        }
        foreach (Task loop in loops)
        {
            errors += loop.IsCompletedSuccessfully ? 0 : 1;
        }
        var closes = new Task[connections.Length];
        for (int i = 0; i < connections.Length; i++)
        {
            closes[i] = connections[i].CloseAsync();
        }
        await Task.WhenAll(closes).ConfigureAwait(false);

        var latencies = new List<long>();
        foreach (EchoConnection connection in connections)
        {
            latencies.AddRange(connection.Latencies);
        }
        latencies.Sort();
        double seconds = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
        var invariant = CultureInfo.InvariantCulture;
        return string.Create(invariant,
            $"server={options.Name} connections={options.Connections} size={options.Size} type={(options.Type == WebSocketMessageType.Text ? "text" : "binary")} " +
            $"seconds={seconds:F3} messages={latencies.Count} rate={latencies.Count / seconds:F0} " +
            $"p50_us={Microseconds(Percentile(latencies, 0.50)):F1} p99_us={Microseconds(Percentile(latencies, 0.99)):F1} " +
            $"server_cpu_s={serverCpu:F2} client_cpu_s={clientCpu:F2} server_messages={statsAfter.Messages - statsBefore.Messages} " +
            $"allocated={statsAfter.Allocated - statsBefore.Allocated} gen0={statsAfter.Gen0 - statsBefore.Gen0} " +
            $"gen1={statsAfter.Gen1 - statsBefore.Gen1} gen2={statsAfter.Gen2 - statsBefore.Gen2} errors={errors}");
    }

    private static bool IsMeasuring => Volatile.Read(ref s_phase) == Measuring;

    private static bool IsStopping => Volatile.Read(ref s_phase) == Stopping;

    private static Uri StatsUri(int port) => new($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/_stats");

    private static byte[] CreateMessage(int size, WebSocketMessageType type)
    {
        var message = new byte[size];
        if (type == WebSocketMessageType.Text)
        {
            for (int i = 0; i < size; i++)
            {
                message[i] = (byte)('a' + (i % 26));
            }
        }
        else
        {
            new Random(6455).NextBytes(message);
        }
        return message;
    }

    /// <summary>The nearest-rank percentile of sorted Stopwatch durations; 0 when there are none.</summary>
    private static long Percentile(List<long> sorted, double fraction) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static double Microseconds(long stopwatchTicks) => stopwatchTicks * 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>One client WebSocket and the latencies of its round trips in the measured window.</summary>
    private sealed class EchoConnection
    {
        private readonly byte[] _message;
        private readonly WebSocketMessageType _type;
        private readonly byte[] _received;
        private readonly ClientWebSocket _socket = new();

        public EchoConnection(byte[] message, WebSocketMessageType type)
        {
            _message = message;
            _type = type;
            _received = new byte[message.Length];
            _socket.Options.KeepAliveInterval = TimeSpan.Zero;
        }

        public List<long> Latencies { get; } = new(capacity: 1 << 14);

        public Task ConnectAsync(Uri uri) => _socket.ConnectAsync(uri, CancellationToken.None);

        public async Task RunAsync()
        {
            while (!IsStopping)
            {
                long start = Stopwatch.GetTimestamp();
                await _socket.SendAsync(_message, _type, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                int length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == _received.Length)
                    {
                        throw new InvalidOperationException($"the echo is longer than the {_message.Length} bytes sent");
                    }
                    result = await _socket.ReceiveAsync(_received.AsMemory(length), CancellationToken.None).ConfigureAwait(false);
                    if (result.MessageType != _type)
                    {
                        throw new InvalidOperationException($"expected a {_type} message, got {result.MessageType}");
                    }
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                long end = Stopwatch.GetTimestamp();
                if (!_received.AsSpan(0, length).SequenceEqual(_message))
                {
                    throw new InvalidOperationException($"the echo ({length} bytes) is not the {_message.Length} bytes sent");
                }
                if (IsMeasuring)
                {
                    Latencies.Add(end - start);
                }
            }
        }

        public async Task CloseAsync()
        {
            try
            {
                if (_socket.State == WebSocketState.Open)
                {
                    using var timeout = new CancellationTokenSource(StopTimeout);
                    await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
            {
                Console.Error.WriteLine($"[WsLoad] a Close handshake failed: {exception.Message}");
            }
            finally
            {
                _socket.Dispose();
            }
        }
    }

    /// <summary>What the server's <c>/_stats</c> says: messages echoed so far, bytes allocated, GC counts.</summary>
    private readonly record struct ServerStats(long Messages, long Allocated, long Gen0, long Gen1, long Gen2)
    {
        public static async Task<ServerStats> ReadAsync(HttpClient http, int port)
        {
            string line = await http.GetStringAsync(StatsUri(port)).ConfigureAwait(false);
            var values = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (string pair in line.Trim().Split(' '))
            {
                string[] parts = pair.Split('=', 2);
                values[parts[0]] = long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
            return new ServerStats(values["messages"], values["allocated"], values["gen0"], values["gen1"], values["gen2"]);
        }
    }
}
