using System;
using System.Text;
using BenchmarkDotNet.Attributes;
using TinyHttp.Protocol;

namespace TinyHttp.Benchmarks;

/// <summary>
/// ChunkedBodyDecoder turning a whole 64 KiB chunked body into its bytes, with the chunk sizes a
/// client streaming small writes (256 B) or buffered writes (8 KiB) would produce.
/// </summary>
[MemoryDiagnoser]
public class ChunkedBodyDecoderBenchmarks
{
    private const int BodyLength = 64 * 1024;

    private byte[] _encoded = [];
    private readonly byte[] _output = new byte[BodyLength];

    [Params(256, 8192)]
    public int ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        for (int written = 0; written < BodyLength; written += ChunkSize)
        {
            int size = Math.Min(ChunkSize, BodyLength - written);
            text.Append(size.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
            text.Append('x', size).Append("\r\n");
        }
        text.Append("0\r\n\r\n");
        _encoded = Encoding.ASCII.GetBytes(text.ToString());
    }

    [Benchmark(Description = "decode 64 KiB chunked body")]
    public int Decode()
    {
        var decoder = new ChunkedBodyDecoder(maxTrailerSize: 4096);
        int total = 0;
        ReadOnlySpan<byte> input = _encoded;
        while (!decoder.Decode(input, _output.AsSpan(total), out int consumed, out int written))
        {
            if (consumed == 0 && written == 0)
            {
                throw new InvalidOperationException("The decoder made no progress.");
            }
            input = input.Slice(consumed);
            total += written;
        }
        return total;
    }
}
