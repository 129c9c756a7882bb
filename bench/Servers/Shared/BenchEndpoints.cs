using System;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Bench;

/// <summary>
/// BenchEndpoints is what every .NET server in the comparison serves, so the servers differ only in
/// how they get bytes on and off the wire:
/// <c>GET /hello</c> answers <c>Hello, World!</c> (13 bytes, text/plain) with a Content-Length;
/// <c>POST /echo</c> answers with the request body (the harness sends 4 KiB);
/// <c>GET /stream64k</c> answers 64 KiB written in <see cref="StreamWriteSize"/> pieces without a
/// Content-Length, so HTTP/1.1 frames it chunked;
/// <c>GET /_stats</c> is the harness's control endpoint and is not counted (see <see cref="Stats"/>).
/// </summary>
internal static class BenchEndpoints
{
    public const string HelloPath = "/hello";
    public const string EchoPath = "/echo";
    public const string StreamPath = "/stream64k";
    public const string StatsPath = "/_stats";

    public const int StreamLength = 64 * 1024;
    public const int StreamWriteSize = 8 * 1024;

    /// <summary>The largest echo body a server buffers; the harness sends 4 KiB.</summary>
    public const int EchoBufferSize = 16 * 1024;

    public static readonly byte[] Hello = "Hello, World!"u8.ToArray();

    public static readonly byte[] StreamBody = CreateStreamBody();

    private static byte[] CreateStreamBody()
    {
        var body = new byte[StreamLength];
        for (int i = 0; i < body.Length; i++)
        {
            body[i] = (byte)('a' + (i % 26));
        }
        return body;
    }

    /// <summary>The command-line port: the first argument, required.</summary>
    public static int ParsePort(string[] args)
    {
        if (args.Length >= 1 && int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535)
        {
            return port;
        }
        Console.Error.WriteLine("usage: <server> PORT");
        Environment.Exit(2);
        return 0;
    }

    /// <summary>
    /// Completes when the harness asks the process to stop with SIGTERM (or a user presses Ctrl+C).
    /// </summary>
    public static async Task WaitForStopAsync()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopped.TrySetResult();
        });
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stopped.TrySetResult();
        });
        await stopped.Task.ConfigureAwait(false);
    }
}

/// <summary>
/// Stats counts the benchmark requests a server has answered and reports them with the process's
/// allocation total. The harness reads <c>/_stats</c> before and after a wrk run; the difference in
/// allocated bytes divided by the difference in requests is the bytes allocated per request. The two
/// control requests themselves are not counted; their own allocations (a few hundred bytes) are spread
/// over the hundreds of thousands of requests in a run.
/// </summary>
internal static class Stats
{
    private static long s_requests;

    public static void CountRequest() => Interlocked.Increment(ref s_requests);

    /// <summary>One line: <c>requests=N allocated=BYTES gen0=N gen1=N gen2=N</c>.</summary>
    public static byte[] Snapshot()
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"requests={Interlocked.Read(ref s_requests)} allocated={allocated} gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)}\n");
        return System.Text.Encoding.ASCII.GetBytes(line);
    }
}
