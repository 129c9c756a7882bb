using System;
using System.Text;
using TinyHttp.Protocol;
using Xunit;

namespace TinyHttp.Tests.Protocol;

public class ChunkedBodyDecoderTests
{
    private static (string Body, bool Done, int Consumed) Decode(string wire, int outputSize = 1024)
    {
        var decoder = new ChunkedBodyDecoder(maxTrailerSize: 1024);
        byte[] input = Encoding.Latin1.GetBytes(wire);
        var output = new byte[outputSize];
        var body = new StringBuilder();
        int offset = 0;
        bool done = false;
        while (!done && offset < input.Length)
        {
            done = decoder.Decode(input.AsSpan(offset), output, out int consumed, out int written);
            body.Append(Encoding.Latin1.GetString(output, 0, written));
            offset += consumed;
            if (consumed == 0 && written == 0)
            {
                break;
            }
        }
        return (body.ToString(), done, offset);
    }

    [Theory]
    [InlineData("5\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world")]
    [InlineData("A\r\n0123456789\r\n0\r\n\r\n", "0123456789")]
    [InlineData("a\r\n0123456789\r\n0\r\n\r\n", "0123456789")]
    [InlineData("0005\r\nhello\r\n000\r\n\r\n", "hello")]
    [InlineData("5;name=value\r\nhello\r\n0;last\r\n\r\n", "hello")]
    [InlineData("5 ;name=\"quoted\"\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5\r\nhello\r\n0\r\nTrailer-One: 1\r\nTrailer-Two: two\r\n\r\n", "hello")]
    [InlineData("0\r\n\r\n", "")]
    public void DecodesValidBodies(string wire, string expected)
    {
        var (body, done, consumed) = Decode(wire);
        Assert.True(done);
        Assert.Equal(expected, body);
        Assert.Equal(wire.Length, consumed);
    }

    [Fact]
    public void StopsAtTheEndOfTheBodyAndLeavesTheNextRequest()
    {
        var (body, done, consumed) = Decode("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n");
        Assert.True(done);
        Assert.Equal("abc", body);
        Assert.Equal(13, consumed);
    }

    [Fact]
    public void DecodesWhenFedOneByteAtATimeIntoASmallOutput()
    {
        string wire = "5;x=y\r\nhello\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\n";
        var decoder = new ChunkedBodyDecoder(1024);
        byte[] input = Encoding.ASCII.GetBytes(wire);
        var output = new byte[2];
        var body = new StringBuilder();
        bool done = false;
        for (int i = 0; i < input.Length; i++)
        {
            int offset = 0;
            while (offset < 1)
            {
                done = decoder.Decode(input.AsSpan(i + offset, 1 - offset), output, out int consumed, out int written);
                body.Append(Encoding.ASCII.GetString(output, 0, written));
                offset += consumed;
            }
        }
        Assert.True(done);
        Assert.Equal("helloabc", body.ToString());
    }

    [Theory]
    [InlineData("\r\nhello\r\n0\r\n\r\n", RequestRejectionReason.InvalidChunkSize)]
    [InlineData("g\r\nhello\r\n0\r\n\r\n", RequestRejectionReason.InvalidChunkSize)]
    [InlineData("0x5\r\nhello\r\n0\r\n\r\n", RequestRejectionReason.InvalidChunkSize)]
    [InlineData("-5\r\nhello\r\n0\r\n\r\n", RequestRejectionReason.InvalidChunkSize)]
    [InlineData("5 5\r\nhello\r\n0\r\n\r\n", RequestRejectionReason.InvalidChunkSize)]
    [InlineData("10000000000000000\r\n", RequestRejectionReason.InvalidChunkSize)]
    [InlineData("5\nhello\r\n0\r\n\r\n", RequestRejectionReason.InvalidChunkSize)]
    [InlineData("5\r\nhelloX\r\n0\r\n\r\n", RequestRejectionReason.InvalidChunkFraming)]
    [InlineData("5\r\nhello\n0\r\n\r\n", RequestRejectionReason.InvalidChunkFraming)]
    [InlineData("5;a\0b\r\nhello\r\n0\r\n\r\n", RequestRejectionReason.InvalidChunkFraming)]
    [InlineData("5\r\nhello\r\n0\r\nBad Name: v\r\n\r\n", RequestRejectionReason.InvalidTrailer)]
    [InlineData("5\r\nhello\r\n0\r\n folded\r\n\r\n", RequestRejectionReason.InvalidTrailer)]
    [InlineData("5\r\nhello\r\n0\r\nT: a\0\r\n\r\n", RequestRejectionReason.InvalidTrailer)]
    [InlineData("5\r\nhello\r\n0\r\n\n", RequestRejectionReason.InvalidTrailer)]
    public void RejectsMalformedFraming(string wire, object reason)
    {
        var ex = Assert.Throws<BadHttpRequestException>(() => Decode(wire));
        Assert.Equal((RequestRejectionReason)reason, ex.Reason);
        Assert.Equal(400, ex.StatusCode);
    }

    [Fact]
    public void AcceptsTheLargestSizeThatFitsIn63Bits()
    {
        var decoder = new ChunkedBodyDecoder(1024);
        decoder.Decode("7fffffffffffffff\r\nab"u8, new byte[8], out int consumed, out int written);
        Assert.Equal(2, written);
        Assert.Equal(20, consumed);
    }

    [Fact]
    public void BoundsTheChunkSizeLine_EvenWhenItIsAllLeadingZeros()
    {
        var decoder = new ChunkedBodyDecoder(1024);
        Assert.Throws<BadHttpRequestException>(() =>
            decoder.Decode(Encoding.ASCII.GetBytes(new string('0', 5000) + "1\r\nX\r\n0\r\n\r\n"), new byte[8], out _, out _));
    }

    [Fact]
    public void BoundsTheExtensionsOfAWholeBody()
    {
        var decoder = new ChunkedBodyDecoder(maxTrailerSize: 1000);
        string manyChunks = string.Concat(System.Linq.Enumerable.Repeat("1;" + new string('e', 100) + "\r\nX\r\n", 20)) + "0\r\n\r\n";
        Assert.Throws<BadHttpRequestException>(() => decoder.Decode(Encoding.ASCII.GetBytes(manyChunks), new byte[64], out _, out _));
    }

    [Fact]
    public void BoundsTheTrailerSection()
    {
        var decoder = new ChunkedBodyDecoder(maxTrailerSize: 16);
        Assert.Throws<BadHttpRequestException>(() =>
            decoder.Decode(Encoding.ASCII.GetBytes("0\r\nX: " + new string('a', 40) + "\r\n\r\n"), new byte[8], out _, out _));
    }
}
