using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Soak;

/// <summary>
/// SoakServer is the process under test: a TinyHttpServer with default options and a handler an application might
/// have (fixed bodies, streamed bodies, echoed uploads), plus <c>/stats</c> for the sampler. It runs until SIGTERM or SIGINT.
/// </summary>
internal static class SoakServer
{
    private const int PieceSize = 4096;
    private const int WholeBodyLimit = 64 * 1024;

    public static async Task<int> RunAsync(string portFile)
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopping.TrySetResult();
        });
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stopping.TrySetResult();
        });

        TinyHttpServer? server = null;
        var events = new ServerEventCounter();
        server = new TinyHttpServer(new TinyHttpServerOptions(), (request, response, requestAborted) => HandleAsync(server!, events, request, response, requestAborted), events);
        await using (server)
        {
            server.Start();
            await File.WriteAllTextAsync(portFile, server.Port.ToString(CultureInfo.InvariantCulture));
            Console.WriteLine($"soak server listening on {server.BaseAddress} (pid {Environment.ProcessId})");
            await stopping.Task;
            using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await server.StopAsync(drain.Token);
        }
        return 0;
    }

    private static async Task HandleAsync(TinyHttpServer server, ServerEventCounter events, HttpRequest request, HttpResponse response, CancellationToken requestAborted)
    {
        switch (request.Path)
        {
            case "/data":
            {
                // A body of n bytes with Content-Length: set whole when small, written in pieces after the length when large.
                int length = Math.Max(Payload.QueryValue(request.QueryString, "n"), 0);
                int seed = Payload.QueryValue(request.QueryString, "s");
                response.ContentType = "application/octet-stream";
                if (length <= WholeBodyLimit)
                {
                    response.SetBody(Payload.Create(seed, length));
                    return;
                }
                response.ContentLength = length;
                await WritePiecesAsync(response, seed, length, flushEach: false, requestAborted);
                return;
            }
            case "/stream":
                // The same bytes in pieces with a flush after each, no length given: chunked framing.
                await WritePiecesAsync(response, Payload.QueryValue(request.QueryString, "s"), Math.Max(Payload.QueryValue(request.QueryString, "n"), 0), flushEach: true, requestAborted);
                return;
            case "/echo":
            {
                byte[] body = await request.ReadBodyAsBytesAsync(requestAborted);
                response.ContentType = "application/octet-stream";
                response.SetBody(body);
                return;
            }
            case "/stats":
                response.SetBody(Stats(server.ActiveConnectionCount, events.Counts, request.QueryString));
                return;
            case "/gc-config":
                response.SetBody(GcConfig());
                return;
            default:
                response.StatusCode = 404;
                response.SetBody("no such page");
                return;
        }
    }

    private static async Task WritePiecesAsync(HttpResponse response, int seed, int length, bool flushEach, CancellationToken requestAborted)
    {
        byte[] piece = ArrayPool<byte>.Shared.Rent(PieceSize);
        try
        {
            for (int offset = 0; offset < length; offset += PieceSize)
            {
                int count = Math.Min(PieceSize, length - offset);
                Payload.Fill(seed, offset, piece.AsSpan(0, count));
                await response.WriteAsync(piece.AsMemory(0, count), requestAborted);
                if (flushEach)
                {
                    await response.FlushAsync(requestAborted);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(piece);
        }
    }

    /// <summary>
    /// The managed side of the process, as <c>name=value</c> lines. The live heap is measured after a full collection.
    /// Two queries give memory back first, to show whose it is: <c>collect=aggressive</c> runs a
    /// <see cref="GCCollectionMode.Aggressive"/> collection, which decommits every free region the GC keeps for reuse;
    /// <c>trim=native</c> asks glibc to return the free memory of its malloc arenas (<c>malloc_trim(0)</c>).
    /// </summary>
    public static string Stats(int activeConnections, IReadOnlyDictionary<string, long> events, string query)
    {
        if (Payload.QueryText(query, "collect") == "aggressive")
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        if (Payload.QueryText(query, "trim") == "native")
        {
            _ = MallocTrim(0);
        }
        long live = GC.GetTotalMemory(forceFullCollection: true);
        GCMemoryInfo info = GC.GetGCMemoryInfo();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"live_heap_bytes={live}\n");
        text.Append(CultureInfo.InvariantCulture, $"heap_size_bytes={info.HeapSizeBytes}\n");
        text.Append(CultureInfo.InvariantCulture, $"committed_bytes={info.TotalCommittedBytes}\n");
        text.Append(CultureInfo.InvariantCulture, $"fragmented_bytes={info.FragmentedBytes}\n");
        // How far gen0 grew before the last ephemeral collection: the gen0 budget the GC chose, which it keeps committed.
        text.Append(CultureInfo.InvariantCulture, $"gen0_before_last_ephemeral_gc_bytes={GC.GetGCMemoryInfo(GCKind.Ephemeral).GenerationInfo[0].SizeBeforeBytes}\n");
        text.Append(CultureInfo.InvariantCulture, $"gen0={GC.CollectionCount(0)}\ngen1={GC.CollectionCount(1)}\ngen2={GC.CollectionCount(2)}\n");
        // The full collection just run, generation by generation (0, 1, 2, large objects, pinned objects): where the heap
        // and its free space are, whether it compacted, and how many objects were pinned while it ran.
        text.Append(CultureInfo.InvariantCulture, $"gc.compacted={(info.Compacted ? 1 : 0)}\ngc.pinned_objects={info.PinnedObjectsCount}\ngc.promoted_bytes={info.PromotedBytes}\ngc.generation={info.Generation}\n");
        for (int generation = 0; generation < info.GenerationInfo.Length; generation++)
        {
            GCGenerationInfo generationInfo = info.GenerationInfo[generation];
            text.Append(CultureInfo.InvariantCulture, $"gc.gen{generation}_size_after_bytes={generationInfo.SizeAfterBytes}\ngc.gen{generation}_fragmentation_after_bytes={generationInfo.FragmentationAfterBytes}\n");
        }
        // The last background and the last ephemeral collection, which ran under load (pinned objects and compaction).
        GCMemoryInfo background = GC.GetGCMemoryInfo(GCKind.Background);
        GCMemoryInfo ephemeral = GC.GetGCMemoryInfo(GCKind.Ephemeral);
        text.Append(CultureInfo.InvariantCulture, $"gc.ephemeral_pinned_objects={ephemeral.PinnedObjectsCount}\ngc.ephemeral_compacted={(ephemeral.Compacted ? 1 : 0)}\ngc.background_index={background.Index}\ngc.index={info.Index}\n");
        text.Append(CultureInfo.InvariantCulture, $"active_connections={activeConnections}\n");
        text.Append(CultureInfo.InvariantCulture, $"thread_pool_threads={ThreadPool.ThreadCount}\n");
        foreach (KeyValuePair<string, long> pair in events)
        {
            text.Append(CultureInfo.InvariantCulture, $"event.{pair.Key}={pair.Value}\n");
        }
        return text.ToString();
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    /// <summary>The GC's effective settings (<see cref="GC.GetConfigurationVariables"/>), as <c>name=value</c> lines, for the report.</summary>
    public static string GcConfig()
    {
        var text = new StringBuilder();
        foreach (KeyValuePair<string, object> pair in GC.GetConfigurationVariables())
        {
            text.Append(CultureInfo.InvariantCulture, $"{pair.Key}={pair.Value}\n");
        }
        return text.ToString();
    }
}
