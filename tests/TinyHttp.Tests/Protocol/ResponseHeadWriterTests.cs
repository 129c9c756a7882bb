using System;
using System.Text;
using TinyHttp.Protocol;
using Xunit;

namespace TinyHttp.Tests.Protocol;

public class ResponseHeadWriterTests
{
    private static string Write(int status, string? reason, ResponseField[] fields, ResponseBodyFraming framing, long length, ConnectionOption connection)
    {
        var buffer = new byte[ResponseHeadWriter.MaxLength(status, reason, fields)];
        int written = ResponseHeadWriter.Write(buffer, status, reason, fields, framing, length, connection);
        string text = Encoding.UTF8.GetString(buffer, 0, written);
        // The date changes every second; the rest is exact.
        return System.Text.RegularExpressions.Regex.Replace(text, "Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT", "Date: <date>");
    }

    [Fact]
    public void WritesStatusLineFieldsDateAndFraming()
    {
        string head = Write(200, null, [new("Content-Type", "text/plain")], ResponseBodyFraming.ContentLength, 13, ConnectionOption.None);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: <date>\r\nContent-Length: 13\r\n\r\n", head);
    }

    [Fact]
    public void WritesChunkedAndConnectionOptions()
    {
        Assert.Equal("HTTP/1.1 201 Created\r\nDate: <date>\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            Write(201, null, [], ResponseBodyFraming.Chunked, 0, ConnectionOption.Close));
        Assert.Equal("HTTP/1.1 204 No Content\r\nDate: <date>\r\nConnection: keep-alive\r\n\r\n",
            Write(204, null, [], ResponseBodyFraming.None, 0, ConnectionOption.KeepAlive));
    }

    [Theory]
    [InlineData(299, null, "HTTP/1.1 299 \r\n")]
    [InlineData(200, "Fine", "HTTP/1.1 200 Fine\r\n")]
    [InlineData(799, "Custom Thing", "HTTP/1.1 799 Custom Thing\r\n")]
    [InlineData(413, null, "HTTP/1.1 413 Content Too Large\r\n")]
    public void WritesCustomAndUnknownStatusLines(int status, string? reason, string expected)
    {
        var buffer = new byte[128];
        int written = ResponseHeadWriter.WriteStatusLine(buffer, status, reason);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer, 0, written));
    }

    [Fact]
    public void LeavesOutTheHandlersFramingFieldsAndKeepsItsDate()
    {
        string head = Write(200, null,
            [new("Content-Length", "99"), new("Transfer-Encoding", "gzip"), new("Connection", "close"), new("Date", "yesterday")],
            ResponseBodyFraming.ContentLength, 3, ConnectionOption.Close);
        Assert.Equal("HTTP/1.1 200 OK\r\nDate: yesterday\r\nContent-Length: 3\r\nConnection: close\r\n\r\n", head);
    }
}
