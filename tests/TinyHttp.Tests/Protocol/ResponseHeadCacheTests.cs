using System;
using System.Text;
using TinyHttp.Protocol;
using Xunit;

namespace TinyHttp.Tests.Protocol;

public class ResponseHeadCacheTests
{
    private static readonly ResponseField[] Fields = [new("Content-Type", "text/plain"), new("X-Id", "7")];

    [Fact]
    public void TheSamePartsFindTheBytesWrittenLast()
    {
        var cache = new ResponseHeadCache();
        byte[] buffer = new byte[512];
        int length = cache.Write(buffer, 200, null, Fields, ResponseBodyFraming.ContentLength, 5, ConnectionOption.None);

        ReadOnlySpan<byte> found = cache.Find(200, null, Fields.AsSpan(), ResponseBodyFraming.ContentLength, 5, ConnectionOption.None);

        // The Date may have moved on between the write and the find; then nothing is found, which is also right.
        if (!found.IsEmpty)
        {
            Assert.Equal(Encoding.ASCII.GetString(buffer, 0, length), Encoding.ASCII.GetString(found));
        }
    }

    [Fact]
    public void AnyDifferentPartFindsNothing()
    {
        var cache = new ResponseHeadCache();
        cache.Write(new byte[512], 200, null, Fields, ResponseBodyFraming.ContentLength, 5, ConnectionOption.None);
        // Equal text in another string instance is a miss too: only references are compared.
        ResponseField[] copied = [new("Content-Type", new string("text/plain".AsSpan())), Fields[1]];

        Assert.True(cache.Find(404, null, Fields, ResponseBodyFraming.ContentLength, 5, ConnectionOption.None).IsEmpty);
        Assert.True(cache.Find(200, "Fine", Fields, ResponseBodyFraming.ContentLength, 5, ConnectionOption.None).IsEmpty);
        Assert.True(cache.Find(200, null, Fields.AsSpan(0, 1), ResponseBodyFraming.ContentLength, 5, ConnectionOption.None).IsEmpty);
        Assert.True(cache.Find(200, null, copied, ResponseBodyFraming.ContentLength, 5, ConnectionOption.None).IsEmpty);
        Assert.True(cache.Find(200, null, Fields, ResponseBodyFraming.ContentLength, 6, ConnectionOption.None).IsEmpty);
        Assert.True(cache.Find(200, null, Fields, ResponseBodyFraming.Chunked, 5, ConnectionOption.None).IsEmpty);
        Assert.True(cache.Find(200, null, Fields, ResponseBodyFraming.ContentLength, 5, ConnectionOption.Close).IsEmpty);
    }

    [Fact]
    public void AHeadWithManyFieldsIsNotKept()
    {
        var cache = new ResponseHeadCache();
        ResponseField[] many = [new("A", "1"), new("B", "2"), new("C", "3"), new("D", "4"), new("E", "5")];
        cache.Write(new byte[512], 200, null, many, ResponseBodyFraming.ContentLength, 0, ConnectionOption.None);

        Assert.True(cache.Find(200, null, many, ResponseBodyFraming.ContentLength, 0, ConnectionOption.None).IsEmpty);
    }

    [Fact]
    public void WritingAgainReplacesWhatWasKept()
    {
        var cache = new ResponseHeadCache();
        cache.Write(new byte[512], 200, null, Fields, ResponseBodyFraming.ContentLength, 5, ConnectionOption.None);
        byte[] buffer = new byte[512];
        int length = cache.Write(buffer, 201, null, Fields, ResponseBodyFraming.ContentLength, 5, ConnectionOption.None);

        Assert.True(cache.Find(200, null, Fields, ResponseBodyFraming.ContentLength, 5, ConnectionOption.None).IsEmpty);
        ReadOnlySpan<byte> found = cache.Find(201, null, Fields, ResponseBodyFraming.ContentLength, 5, ConnectionOption.None);
        if (!found.IsEmpty)
        {
            Assert.StartsWith("HTTP/1.1 201 Created\r\n", Encoding.ASCII.GetString(found));
            Assert.Equal(length, found.Length);
        }
    }
}
