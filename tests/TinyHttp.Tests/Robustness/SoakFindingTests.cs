using System;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using TinyHttp.Tests.Infrastructure;
using Xunit;

namespace TinyHttp.Tests.Robustness;

/// <summary>What the soak run (bench/soak) found, kept as tests.</summary>
public class SoakFindingTests
{
    // F3 (bench/soak/REPORT.md, 2026-11-25): when a client resets while the handler streams its response, the write
    // throws SocketException into the handler; HandleFailureAsync only recognises OperationCanceledException as "the
    // client went away", so the server logs HandlerFailed at Error level with a stack trace. The soak logged 11,417 such
    // errors in 10 minutes, one per aborted download, though the request-aborted token had fired and nothing failed but
    // the client.
    [Fact]
    public async Task A_client_that_resets_mid_response_is_not_logged_as_a_handler_failure()
    {
        var log = new EventLog();
        await using var server = new TinyHttpServer(new TinyHttpServerOptions(), async (request, response, requestAborted) =>
        {
            byte[] piece = new byte[4096];
            // Far more than the client will read: the loop ends when the client is gone.
            for (int i = 0; i < 100_000; i++)
            {
                await response.WriteAsync(piece, requestAborted);
                await response.FlushAsync(requestAborted);
            }
        }, log);
        server.Start();

        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await client.ConnectAsync(server.EndPoints[0]);
            await client.SendAsync(Encoding.ASCII.GetBytes("GET /large HTTP/1.1\r\nHost: h\r\n\r\n"), SocketFlags.None);
            byte[] buffer = new byte[1024];
            Assert.True(await client.ReceiveAsync(buffer, SocketFlags.None) > 0);
            // A reset, as a crashed or impatient client sends.
            client.LingerState = new LingerOption(true, 0);
        }
        await log.ConnectionClosed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(log.Events.ContainsKey("HandlerFailed"), "the client's reset was logged as a handler failure");
    }

    // F5 (bench/soak, 2026-11-30): ReadBodyAsBytesAsync sized its buffer from Content-Length before the first read
    // checked it against MaxBodySize, so the soak's bad request announcing 40,000,000 bytes (over the 30,000,000 default)
    // made the server allocate 40 MB before answering 413: a 60-byte request could make it allocate up to 2 GB.
    [Fact]
    public async Task A_body_announced_over_the_limit_is_refused_before_anything_is_allocated_for_it()
    {
        var allocated = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new TinyHttpServerOptions { MaxRequestBodySize = 1000 };
        await using var server = new TinyHttpServer(options, async (request, response, requestAborted) =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Task<byte[]> reading = request.ReadBodyAsBytesAsync(requestAborted);
            allocated.TrySetResult(GC.GetAllocatedBytesForCurrentThread() - before);
            // Throws the 413, which the server answers with.
            await reading;
        });
        server.Start();

        await using var client = await RawSocket.ConnectAsync(server);
        await client.SendAsync("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 40000000\r\n\r\n");
        string response = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 413", response, StringComparison.Ordinal);
        Assert.True(await allocated.Task < 64 * 1024, $"{await allocated.Task} bytes allocated to refuse the body");
    }

    // F6 (bench/soak, 2026-11-30): copying the request body (Stream.CopyToAsync, which ReadBodyAsBytesAsync used) rented
    // Stream's 81,920-byte copy buffer, a 128 KiB array from ArrayPool.Shared: a large object. The pool kept those arrays
    // after the burst, scattered over the large object heap, which full collections do not compact; at rest after a
    // 3-minute soak the GC heap held 18 MiB of large object heap, 17 MiB of it free space around them.
    [Fact]
    public async Task Copying_the_request_body_reads_it_in_pieces_that_stay_small_objects()
    {
        var largest = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TinyHttpServer(new TinyHttpServerOptions(), async (request, response, requestAborted) =>
        {
            var destination = new LargestWriteStream();
            await request.Body.CopyToAsync(destination, requestAborted);
            largest.TrySetResult(destination.Largest);
            response.SetBody(destination.Total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        server.Start();

        const int length = 1024 * 1024;
        await using var client = await RawSocket.ConnectAsync(server);
        await client.SendAsync($"POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: {length}\r\n\r\n");
        await client.SendAsync(new byte[length]);
        string response = await client.ReadResponseAsync();

        Assert.Equal(length.ToString(System.Globalization.CultureInfo.InvariantCulture), RawSocket.Body(response));
        // Arrays from 85,000 bytes up are large objects.
        Assert.InRange(await largest.Task, 1, 64 * 1024);
    }

    private sealed class LargestWriteStream : System.IO.Stream
    {
        public int Largest { get; private set; }

        public long Total { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Total;

        public override long Position { get => Total; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, System.IO.SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Largest = Math.Max(Largest, count);
            Total += count;
        }
    }

    private sealed class EventLog : ILogger
    {
        public ConcurrentDictionary<string, int> Events { get; } = new();

        public TaskCompletionSource ConnectionClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string name = eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Events.AddOrUpdate(name, 1, static (_, n) => n + 1);
            if (name == "ConnectionClosed")
            {
                ConnectionClosed.TrySetResult();
            }
        }
    }
}
