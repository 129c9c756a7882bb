using System;
using System.Text;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Testing;

// Parsing is pure (bytes in, response out), so every framing rule is tested here without a socket.
public sealed class RawHttpResponseTests
{
    [Fact]
    public void Status_line_and_headers_are_kept_exactly_as_sent()
    {
        RawHttpResponse response = RawHttpResponse.Parse("HTTP/1.1 201 Created Nicely\r\nX-B:  two \r\nx-a: one\r\nX-B: three\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal("HTTP/1.1 201 Created Nicely", response.StatusLine);
        Assert.Equal("HTTP/1.1", response.Version);
        Assert.Equal(201, response.StatusCode);
        Assert.Equal("Created Nicely", response.ReasonPhrase);
        Assert.Equal(new[] { "X-B", "x-a", "X-B", "Content-Length" }, Array.ConvertAll(ToArray(response), h => h.Name));
        Assert.Equal("two", response.Headers[0].Value);
        Assert.Equal("X-B:  two \r\n", Encoding.Latin1.GetString(response.Headers[0].Line.Span));
        Assert.Equal("X-B:  two ", response.Headers[0].ToString());
        Assert.Equal("one", response.GetHeader("X-A"));
        Assert.Equal(new[] { "two", "three" }, response.GetHeaderValues("x-b"));
        Assert.Null(response.GetHeader("Missing"));
        Assert.Equal(BodyFraming.ContentLength, response.Framing);
        Assert.True(response.Body.IsEmpty);
    }

    [Fact]
    public void Chunked_body_is_kept_as_sent_and_decoded()
    {
        const string wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";

        RawHttpResponse response = RawHttpResponse.Parse(wire);

        Assert.Equal(BodyFraming.Chunked, response.Framing);
        Assert.Equal("hello world", response.BodyText);
        Assert.Equal("5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n", Encoding.Latin1.GetString(response.BodyAsSent.Span));
        Assert.Equal(wire, Encoding.Latin1.GetString(response.Raw.Span));
        Assert.Equal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", Encoding.Latin1.GetString(response.Head.Span));
        RawHttpHeader trailer = Assert.Single(response.Trailers);
        Assert.Equal(("X-Trailer", "t"), (trailer.Name, trailer.Value));
    }

    [Fact]
    public void Response_to_HEAD_has_no_body_whatever_its_Content_Length_says()
    {
        RawHttpResponse response = RawHttpResponse.Parse("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", isHeadRequest: true);

        Assert.Equal(BodyFraming.None, response.Framing);
        Assert.Equal("42", response.GetHeader("Content-Length"));
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    [InlineData(100)]
    public void Statuses_without_a_body_end_at_the_head(int status)
    {
        ParseOutcome outcome = ResponseParser.Parse(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\n\r\nnext"), isHeadRequest: false, endOfStream: false);

        Assert.Equal(ParseStatus.Complete, outcome.Status);
        Assert.Equal(BodyFraming.None, outcome.Response!.Framing);
        Assert.Equal($"HTTP/1.1 {status} X\r\n\r\n".Length, outcome.Consumed);
    }

    [Fact]
    public void Body_without_length_runs_until_the_connection_closes()
    {
        byte[] wire = Encoding.ASCII.GetBytes("HTTP/1.0 200 OK\r\n\r\nuntil close");

        Assert.Equal(ParseStatus.Incomplete, ResponseParser.Parse(wire, isHeadRequest: false, endOfStream: false).Status);
        RawHttpResponse response = RawHttpResponse.Parse(wire);
        Assert.Equal(BodyFraming.CloseDelimited, response.Framing);
        Assert.Equal("until close", response.BodyText);
    }

    [Fact]
    public void Partial_responses_ask_for_more_bytes_at_every_stage()
    {
        const string wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        for (int length = 0; length < wire.Length; length++)
        {
            ParseOutcome outcome = ResponseParser.Parse(Encoding.ASCII.GetBytes(wire[..length]), isHeadRequest: false, endOfStream: false);
            Assert.True(outcome.Status == ParseStatus.Incomplete, $"{length} bytes parsed as {outcome.Status}: {outcome.Error}");
        }
    }

    [Fact]
    public void Bare_LF_line_endings_are_accepted_and_kept_visible_in_the_raw_bytes()
    {
        RawHttpResponse response = RawHttpResponse.Parse("HTTP/1.1 200 OK\nContent-Length: 2\n\nok");

        Assert.Equal("ok", response.BodyText);
        Assert.Equal("Content-Length: 2\n", Encoding.Latin1.GetString(response.Headers[0].Line.Span));
    }

    [Fact]
    public void Bytes_after_a_response_are_left_for_the_next_parse()
    {
        byte[] wire = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 204 No Content\r\n\r\n");

        ParseOutcome first = ResponseParser.Parse(wire, isHeadRequest: false, endOfStream: false);
        ParseOutcome second = ResponseParser.Parse(wire.AsSpan(first.Consumed), isHeadRequest: false, endOfStream: false);

        Assert.Equal("a", first.Response!.BodyText);
        Assert.Equal(204, second.Response!.StatusCode);
        Assert.Equal(wire.Length, first.Consumed + second.Consumed);
    }

    [Theory]
    [InlineData("HTTX/1.1 200 OK\r\n\r\n", "does not start with an HTTP version")]
    [InlineData("HTTP/1.1 2x0 OK\r\n\r\n", "no three-digit status code")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "no valid \"name:\"")]
    [InlineData("HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n", "obsolete line folding")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "conflicting Content-Length values (1 and 2)")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length \"-1\"")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "not a hexadecimal size")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXY0\r\n\r\n", "not followed by CRLF")]
    public void Malformed_responses_fail_with_the_reason_and_the_bytes(string wire, string reason)
    {
        FormatException error = Assert.Throws<FormatException>(() => RawHttpResponse.Parse(wire));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains("Received", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Incomplete_and_overlong_input_fail_with_the_bytes_shown_escaped()
    {
        FormatException incomplete = Assert.Throws<FormatException>(() => RawHttpResponse.Parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"));
        FormatException extra = Assert.Throws<FormatException>(() => RawHttpResponse.Parse("HTTP/1.1 204 No Content\r\n\r\nextra"));

        Assert.Contains("incomplete", incomplete.Message, StringComparison.Ordinal);
        Assert.Contains("\"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nab\"", incomplete.Message, StringComparison.Ordinal);
        Assert.Contains("5 bytes follow the end of the response", extra.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Escaping_shows_control_bytes_and_non_ASCII_as_hex()
    {
        Assert.Equal("a\\r\\n\\t\\\\\\x00\\xC3\\xA9", ByteText.Escape(new byte[] { (byte)'a', 13, 10, 9, (byte)'\\', 0, 0xC3, 0xA9 }));
        Assert.Equal("0 bytes", ByteText.Describe(ReadOnlySpan<byte>.Empty));
        Assert.Throws<ArgumentException>(() => ByteText.Latin1("snowman \u2603"));
    }

    private static RawHttpHeader[] ToArray(RawHttpResponse response)
    {
        var headers = new RawHttpHeader[response.Headers.Count];
        for (int i = 0; i < headers.Length; i++)
        {
            headers[i] = response.Headers[i];
        }
        return headers;
    }
}
