using System;
using BenchmarkDotNet.Attributes;
using TinyHttp.Protocol;

namespace TinyHttp.Benchmarks;

/// <summary>
/// ResponseHeadWriter serialising a status line and header section into a buffer: the hello
/// response (one field, Content-Length) and a streamed response (four fields, chunked).
/// </summary>
[MemoryDiagnoser]
public class ResponseHeadWriterBenchmarks
{
    private static readonly ResponseField[] HelloFields = [new("Content-Type", "text/plain")];

    private static readonly ResponseField[] StreamFields =
    [
        new("Content-Type", "application/json; charset=utf-8"),
        new("Cache-Control", "no-store"),
        new("ETag", "\"33a64df551425fcc55e4d42a148795d9f25f89d4\""),
        new("X-Request-Id", "4bf92f3577b34da6a3ce929d0e0e4736"),
    ];

    private readonly byte[] _destination = new byte[1024];

    [Benchmark(Baseline = true, Description = "write 200 head, 1 field, Content-Length")]
    public int WriteHello() =>
        ResponseHeadWriter.Write(_destination, 200, null, HelloFields, ResponseBodyFraming.ContentLength, 13, ConnectionOption.None);

    [Benchmark(Description = "write 200 head, 4 fields, chunked")]
    public int WriteStreamed() =>
        ResponseHeadWriter.Write(_destination, 200, null, StreamFields, ResponseBodyFraming.Chunked, -1, ConnectionOption.KeepAlive);
}
