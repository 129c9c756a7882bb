using System;
using System.IO;
using System.Text;
using TinyHttp.Protocol;
using Xunit;

namespace TinyHttp.Tests.Protocol;

public class ChunkedBodyEncoderTests
{
    // RFC 9112 §7.1: chunk-size = 1*HEXDIG, then CRLF. The encoder writes upper-case digits without leading zeros.
    [Theory]
    [InlineData(1, "1\r\n")]
    [InlineData(9, "9\r\n")]
    [InlineData(10, "A\r\n")]
    [InlineData(15, "F\r\n")]
    [InlineData(16, "10\r\n")]
    [InlineData(255, "FF\r\n")]
    [InlineData(256, "100\r\n")]
    [InlineData(4096, "1000\r\n")]
    [InlineData(65535, "FFFF\r\n")]
    [InlineData(65536, "10000\r\n")]
    [InlineData(int.MaxValue, "7FFFFFFF\r\n")]
    public void WritesChunkHeadersInHex(int size, string expected)
    {
        var buffer = new byte[ChunkedBodyEncoder.MaxChunkHeaderLength];
        int written = ChunkedBodyEncoder.WriteChunkHeader(buffer, size);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer, 0, written));
    }

    [Fact]
    public void TheLargestChunkHeaderFillsMaxChunkHeaderLengthExactly()
    {
        var buffer = new byte[ChunkedBodyEncoder.MaxChunkHeaderLength];
        Assert.Equal(ChunkedBodyEncoder.MaxChunkHeaderLength, ChunkedBodyEncoder.WriteChunkHeader(buffer, int.MaxValue));
    }

    // RFC 9112 §7.1: a chunk of size 0 is last-chunk, so writing one for empty data would end the body early.
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void RejectsChunkSizesBelowOne(int size)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedBodyEncoder.WriteChunkHeader(new byte[ChunkedBodyEncoder.MaxChunkHeaderLength], size));
    }

    [Fact]
    public void RejectsAnEmptyChunk()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedBodyEncoder.WriteChunk(new byte[ChunkedBodyEncoder.MaxFramingOverhead], ReadOnlySpan<byte>.Empty));
    }

    // RFC 9112 §7.1: chunk = chunk-size CRLF chunk-data CRLF. The data is copied as it is, CR and LF included.
    [Theory]
    [InlineData("a", "1\r\na\r\n")]
    [InlineData("0", "1\r\n0\r\n")]
    [InlineData("hello", "5\r\nhello\r\n")]
    [InlineData("0123456789", "A\r\n0123456789\r\n")]
    [InlineData("0123456789abcdef", "10\r\n0123456789abcdef\r\n")]
    [InlineData("\r\n", "2\r\n\r\n\r\n")]
    [InlineData("0\r\n\r\n", "5\r\n0\r\n\r\n\r\n")]
    public void WritesAChunkAsSizeDataAndCrlf(string data, string expected)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(data);
        var buffer = new byte[bytes.Length + ChunkedBodyEncoder.MaxFramingOverhead];
        int written = ChunkedBodyEncoder.WriteChunk(buffer, bytes);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer, 0, written));
    }

    [Theory]
    [InlineData(255, "FF\r\n")]
    [InlineData(4096, "1000\r\n")]
    [InlineData(65536, "10000\r\n")]
    public void WritesALargeChunkWithinMaxFramingOverhead(int size, string expectedHeader)
    {
        byte[] data = new byte[size];
        new Random(size).NextBytes(data);
        var buffer = new byte[size + ChunkedBodyEncoder.MaxFramingOverhead];

        int written = ChunkedBodyEncoder.WriteChunk(buffer, data);

        Assert.Equal(expectedHeader.Length + size + 2, written);
        Assert.Equal(expectedHeader, Encoding.ASCII.GetString(buffer, 0, expectedHeader.Length));
        Assert.Equal(data, buffer.AsSpan(expectedHeader.Length, size).ToArray());
        Assert.Equal("\r\n", Encoding.ASCII.GetString(buffer, written - 2, 2));
    }

    // RFC 9112 §7.1: last-chunk is "0" CRLF, then the (empty) trailer section and the final CRLF.
    [Fact]
    public void LastChunkIsZeroAndAnEmptyTrailerSection()
    {
        Assert.Equal("0\r\n\r\n", Encoding.ASCII.GetString(ChunkedBodyEncoder.LastChunk));
        Assert.Equal("\r\n", Encoding.ASCII.GetString(ChunkedBodyEncoder.ChunkEnd));
    }

    [Fact]
    public void LastChunkAloneDecodesAsAnEmptyBody()
    {
        var decoder = new ChunkedBodyDecoder(maxTrailerSize: 1024);
        bool done = decoder.Decode(ChunkedBodyEncoder.LastChunk, new byte[8], out int consumed, out int written);
        Assert.True(done);
        Assert.Equal(ChunkedBodyEncoder.LastChunk.Length, consumed);
        Assert.Equal(0, written);
    }

    public static TheoryData<int> RoundTripSeeds()
    {
        var seeds = new TheoryData<int>();
        for (int seed = 0; seed < 300; seed++)
        {
            seeds.Add(seed);
        }
        return seeds;
    }

    // A body split into pieces of any size and encoded with WriteChunk and LastChunk must decode, with the input
    // arriving in arbitrary slices and the output in arbitrary sizes, to the same bytes, ending exactly at the
    // last chunk. Each seed is one reproducible case.
    [Theory]
    [MemberData(nameof(RoundTripSeeds))]
    public void RoundTripsThroughTheDecoder(int seed)
    {
        var random = new Random(seed);
        int bodyLength = (seed % 4) switch
        {
            0 => random.Next(0, 17),
            1 => random.Next(0, 1_001),
            2 => random.Next(0, 20_001),
            _ => random.Next(65_536, 70_001),
        };
        byte[] body = new byte[bodyLength];
        random.NextBytes(body);
        // Some bodies go one byte per chunk; the rest in pieces up to the whole body.
        int maxPiece = random.Next(8) == 0 ? 1 : Math.Max(1, bodyLength);

        var wire = new MemoryStream();
        for (int offset = 0; offset < bodyLength;)
        {
            int piece = Math.Min(random.Next(1, maxPiece + 1), bodyLength - offset);
            var chunk = new byte[piece + ChunkedBodyEncoder.MaxFramingOverhead];
            int written = ChunkedBodyEncoder.WriteChunk(chunk, body.AsSpan(offset, piece));
            wire.Write(chunk, 0, written);
            offset += piece;
        }
        wire.Write(ChunkedBodyEncoder.LastChunk);
        byte[] input = wire.ToArray();

        var decoder = new ChunkedBodyDecoder(maxTrailerSize: 1024);
        var decoded = new MemoryStream();
        int position = 0;
        bool done = false;
        while (!done && position < input.Length)
        {
            int slice = Math.Min(random.Next(1, 4_097), input.Length - position);
            var output = new byte[random.Next(1, 1_025)];
            done = decoder.Decode(input.AsSpan(position, slice), output, out int consumed, out int produced);
            Assert.True(consumed > 0 || produced > 0, $"No progress at byte {position} of {input.Length}.");
            decoded.Write(output, 0, produced);
            position += consumed;
        }

        Assert.True(done);
        Assert.Equal(input.Length, position);
        Assert.Equal(body, decoded.ToArray());
    }
}
