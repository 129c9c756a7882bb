using System;
using System.Text;
using TinyHttp.Protocol;
using Xunit;

namespace TinyHttp.Tests.Protocol;

public class RequestHeadParserTests
{
    private static RequestHeadParser NewParser() => new(maxRequestLineLength: 8192, maxHeadersTotalSize: 32768, maxHeaderCount: 100);

    private static (RequestHead Head, int Length, byte[] Bytes) Parse(string text)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(text);
        var parser = NewParser();
        var head = new RequestHead();
        parser.Reset(head);
        int length = parser.Parse(bytes, head);
        return (head, length, bytes);
    }

    private static BadHttpRequestException Reject(string text) =>
        Assert.Throws<BadHttpRequestException>(() => Parse(text));

    [Fact]
    public void ParsesRequestLineAndHeadersInWireOrder()
    {
        var (head, length, bytes) = Parse("GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\nAccept:  */*  \r\nX-Two: 1\r\nx-two: 2\r\n\r\nBODY");

        Assert.Equal(bytes.Length - 4, length);
        Assert.Equal("GET", Encoding.ASCII.GetString(head.Method.Of(bytes)));
        Assert.Equal("/a/b?x=1&y=2", Encoding.ASCII.GetString(head.Target.Of(bytes)));
        Assert.Equal("/a/b", Encoding.ASCII.GetString(head.TargetPath.Of(bytes)));
        Assert.Equal("x=1&y=2", Encoding.ASCII.GetString(head.TargetQuery.Of(bytes)));
        Assert.True(head.IsHttp11);
        Assert.Equal(4, head.HeaderCount);
        Assert.Equal("Accept", Encoding.ASCII.GetString(head.Headers[1].Name.Of(bytes)));
        Assert.Equal("*/*", Encoding.ASCII.GetString(head.Headers[1].Value.Of(bytes)));
        Assert.Equal("x-two", Encoding.ASCII.GetString(head.Headers[3].Name.Of(bytes)));
    }

    [Fact]
    public void ReturnsIncompleteUntilTheEmptyLineArrives_ByteByByte()
    {
        byte[] bytes = "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"u8.ToArray();
        var parser = NewParser();
        var head = new RequestHead();
        parser.Reset(head);
        for (int i = 1; i < bytes.Length; i++)
        {
            Assert.Equal(-1, parser.Parse(bytes.AsSpan(0, i), head));
        }
        Assert.Equal(bytes.Length, parser.Parse(bytes, head));
        Assert.Equal(5, head.ContentLength);
    }

    [Fact]
    public void IgnoresEmptyLinesBeforeTheRequestLine()
    {
        var (head, _, bytes) = Parse("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal("GET", Encoding.ASCII.GetString(head.Method.Of(bytes)));
    }

    [Theory]
    [InlineData("HTTP/1.0", 0)]
    [InlineData("HTTP/1.1", 1)]
    [InlineData("HTTP/1.9", 1)]
    public void AcceptsHttp1Versions(string version, int minor)
    {
        var (head, _, _) = Parse($"GET / {version}\r\nHost: h\r\n\r\n");
        Assert.Equal(minor, head.MinorVersion);
    }

    [Theory]
    [InlineData("GET / HTTP/2.0\r\nHost: h\r\n\r\n", RequestRejectionReason.UnsupportedHttpVersion)]
    [InlineData("GET / HTTP/0.9\r\nHost: h\r\n\r\n", RequestRejectionReason.UnsupportedHttpVersion)]
    [InlineData("GET / http/1.1\r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidHttpVersion)]
    [InlineData("GET / HTTP/1.10\r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidHttpVersion)]
    [InlineData("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidRequestLine)]
    [InlineData("GET /\r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidRequestLine)]
    [InlineData("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidRequestLine)]
    [InlineData(" GET / HTTP/1.1\r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidRequestLine)]
    [InlineData("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidMethod)]
    [InlineData("GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidRequestTarget)]
    [InlineData("GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidRequestTarget)]
    [InlineData("GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidRequestTarget)]
    [InlineData("GET /caf\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidRequestTarget)]
    [InlineData("GET * HTTP/1.1\r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidRequestTarget)]
    [InlineData("CONNECT /path HTTP/1.1\r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidRequestTarget)]
    [InlineData("GET example.com:80 HTTP/1.1\r\nHost: h\r\n\r\n", RequestRejectionReason.InvalidRequestTarget)]
    [InlineData("GET / HTTP/1.1\nHost: h\r\n\r\n", RequestRejectionReason.BareLineFeed)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\n\r\n", RequestRejectionReason.BareLineFeed)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n\n", RequestRejectionReason.BareLineFeed)]
    [InlineData("GET / HTTP/1.1\r\nHost : h\r\n\r\n", RequestRejectionReason.WhitespaceBeforeColon)]
    [InlineData("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", RequestRejectionReason.WhitespaceBeforeColon)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", RequestRejectionReason.ObsoleteLineFolding)]
    [InlineData("GET / HTTP/1.1\r\n Host: h\r\n\r\n", RequestRejectionReason.ObsoleteLineFolding)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n: empty\r\n\r\n", RequestRejectionReason.InvalidHeaderLine)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", RequestRejectionReason.InvalidHeaderLine)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nBad[Name]: v\r\n\r\n", RequestRejectionReason.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n", RequestRejectionReason.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", RequestRejectionReason.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX: a\u007fb\r\n\r\n", RequestRejectionReason.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", RequestRejectionReason.MissingHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", RequestRejectionReason.MultipleHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", RequestRejectionReason.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", RequestRejectionReason.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", RequestRejectionReason.InvalidHost)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", RequestRejectionReason.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n", RequestRejectionReason.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n", RequestRejectionReason.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n", RequestRejectionReason.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n", RequestRejectionReason.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", RequestRejectionReason.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", RequestRejectionReason.InvalidContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", RequestRejectionReason.MultipleContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", RequestRejectionReason.MultipleContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", RequestRejectionReason.TransferEncodingWithContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", RequestRejectionReason.TransferEncodingWithContentLength)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", RequestRejectionReason.ChunkedNotFinalTransferCoding)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", RequestRejectionReason.ChunkedNotFinalTransferCoding)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", RequestRejectionReason.ChunkedNotFinalTransferCoding)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", RequestRejectionReason.ChunkedNotFinalTransferCoding)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \r\n\r\n", RequestRejectionReason.ChunkedNotFinalTransferCoding)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", RequestRejectionReason.UnsupportedTransferCoding)]
    [InlineData("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", RequestRejectionReason.TransferEncodingInHttp10)]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n", RequestRejectionReason.UnsupportedExpectation)]
    public void RejectsWithReason(string request, object reason)
    {
        // The reason is internal (users see the status code and message), so the table passes it boxed.
        Assert.Equal((RequestRejectionReason)reason, Reject(request).Reason);
    }

    [Theory]
    [InlineData(RequestRejectionReason.UnsupportedHttpVersion, 505)]
    [InlineData(RequestRejectionReason.RequestLineTooLong, 414)]
    [InlineData(RequestRejectionReason.HeadersTooLarge, 431)]
    [InlineData(RequestRejectionReason.TooManyHeaders, 431)]
    [InlineData(RequestRejectionReason.UnsupportedTransferCoding, 501)]
    [InlineData(RequestRejectionReason.RequestBodyTooLarge, 413)]
    [InlineData(RequestRejectionReason.RequestHeadersTimeout, 408)]
    [InlineData(RequestRejectionReason.UnsupportedExpectation, 417)]
    [InlineData(RequestRejectionReason.TransferEncodingWithContentLength, 400)]
    [InlineData(RequestRejectionReason.ObsoleteLineFolding, 400)]
    public void EachReasonMapsToItsStatusCode(object reason, int status)
    {
        Assert.Equal(status, new BadHttpRequestException((RequestRejectionReason)reason).StatusCode);
    }

    [Fact]
    public void RejectsALongRequestLineBeforeItEnds()
    {
        var parser = new RequestHeadParser(maxRequestLineLength: 64, maxHeadersTotalSize: 1024, maxHeaderCount: 10);
        var head = new RequestHead();
        parser.Reset(head);
        byte[] partial = Encoding.ASCII.GetBytes("GET /" + new string('a', 100));
        var ex = Assert.Throws<BadHttpRequestException>(() => parser.Parse(partial, head));
        Assert.Equal(414, ex.StatusCode);
    }

    [Fact]
    public void RejectsTooManyHeadersAndTooLargeHeaderSections()
    {
        var parser = new RequestHeadParser(maxRequestLineLength: 64, maxHeadersTotalSize: 100, maxHeaderCount: 3);
        var head = new RequestHead();
        parser.Reset(head);
        var tooMany = Assert.Throws<BadHttpRequestException>(() =>
            parser.Parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"u8, head));
        Assert.Equal(RequestRejectionReason.TooManyHeaders, tooMany.Reason);

        parser.Reset(head);
        var tooLarge = Assert.Throws<BadHttpRequestException>(() =>
            parser.Parse(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: h\r\nA: " + new string('x', 120)), head));
        Assert.Equal(RequestRejectionReason.HeadersTooLarge, tooLarge.Reason);
    }

    [Theory]
    [InlineData("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "Asterisk", "*", "")]
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "Authority", "", "")]
    [InlineData("GET http://example.com/a/b?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n", "Absolute", "/a/b", "q=1")]
    [InlineData("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n", "Absolute", "", "")]
    [InlineData("GET /p?a=b?c HTTP/1.1\r\nHost: h\r\n\r\n", "Origin", "/p", "a=b?c")]
    public void ClassifiesTheFourTargetForms(string request, string form, string path, string query)
    {
        var (head, _, bytes) = Parse(request);
        Assert.Equal(form, head.TargetForm.ToString());
        Assert.Equal(path, Encoding.ASCII.GetString(head.TargetPath.Of(bytes)));
        Assert.Equal(query, Encoding.ASCII.GetString(head.TargetQuery.Of(bytes)));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.0\r\nConnection: Keep-Alive, close\r\n\r\n", false)]
    public void DecidesPersistence(string request, bool keepAlive)
    {
        Assert.Equal(keepAlive, Parse(request).Head.KeepAlive);
    }

    [Theory]
    [InlineData("Content-Length: 0", 0L, false)]
    [InlineData("Content-Length: 007", 7L, false)]
    [InlineData("Transfer-Encoding: chunked", -1L, true)]
    [InlineData("Transfer-Encoding: CHUNKED", -1L, true)]
    [InlineData("Transfer-Encoding: ,chunked,", -1L, true)]
    public void ReadsFraming(string field, long contentLength, bool chunked)
    {
        var (head, _, _) = Parse($"POST / HTTP/1.1\r\nHost: h\r\n{field}\r\n\r\n");
        Assert.Equal(contentLength, head.ContentLength);
        Assert.Equal(chunked, head.IsChunked);
    }

    [Fact]
    public void IgnoresExpectContinueInHttp10()
    {
        Assert.False(Parse("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n").Head.ExpectContinue);
        Assert.True(Parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n").Head.ExpectContinue);
    }

    [Fact]
    public void AcceptsObsTextInFieldValues()
    {
        var (head, _, bytes) = Parse("GET / HTTP/1.1\r\nHost: h\r\nX: caf\u00e9\r\n\r\n");
        Assert.Equal(new byte[] { (byte)'c', (byte)'a', (byte)'f', 0xE9 }, head.Headers[1].Value.Of(bytes).ToArray());
    }
}
