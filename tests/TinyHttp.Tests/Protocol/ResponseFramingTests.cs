using System;
using TinyHttp.Protocol;
using Xunit;

namespace TinyHttp.Tests.Protocol;

// ResponseBodyFraming and ConnectionOption are internal, so the tables name them as strings: a public test method
// cannot take an internal type as a parameter.
public class ResponseFramingTests
{
    private const bool Connect = true;
    private const bool NotConnect = false;
    private const bool Http11 = true;
    private const bool Http10 = false;

    // "Content-Length: N" for Content-Length framing, else the kind's name; a length on any other kind is a bug, so it shows.
    private static string Describe(ResponseFraming framing) => framing.Kind switch
    {
        ResponseBodyFraming.ContentLength => $"Content-Length: {framing.ContentLength}",
        _ when framing.ContentLength != 0 => $"{framing.Kind} with length {framing.ContentLength}",
        _ => framing.Kind.ToString(),
    };

    private static string Decide(int status, bool isConnect, bool isHttp11, long? declared, long? complete) =>
        Describe(ResponseFraming.Decide(status, isConnect, isHttp11, declared, complete));

    // RFC 9110 §8.6: a server MUST NOT send Content-Length in a 1xx or 204; §15.2, §15.3.5: neither has content.
    // Whatever the handler declared or wrote, there is no framing field.
    [Theory]
    [InlineData(100, NotConnect, Http11, null, null)]
    [InlineData(101, NotConnect, Http11, null, null)]
    [InlineData(103, NotConnect, Http11, 10L, null)]
    [InlineData(199, NotConnect, Http10, null, 0L)]
    [InlineData(204, NotConnect, Http11, null, null)]
    [InlineData(204, NotConnect, Http11, null, 0L)]
    [InlineData(204, NotConnect, Http11, 5L, null)]
    [InlineData(204, NotConnect, Http11, 5L, 0L)]
    [InlineData(204, NotConnect, Http10, null, null)]
    public void InformationalAnd204_HaveNoFraming_Rfc9110_8_6(int status, bool isConnect, bool isHttp11, long? declared, long? complete)
    {
        Assert.Equal("None", Decide(status, isConnect, isHttp11, declared, complete));
    }

    // RFC 9110 §15.3.6: a 205 has no content but, unlike 204, frames it: Content-Length: 0, never chunked or
    // close-delimited, and never the length the handler declared.
    [Theory]
    [InlineData(Http11, null, null)]
    [InlineData(Http10, null, null)]
    [InlineData(Http11, null, 0L)]
    [InlineData(Http11, 7L, null)]
    [InlineData(Http11, 7L, 0L)]
    public void ResetContent_IsContentLengthZero_Rfc9110_15_3_6(bool isHttp11, long? declared, long? complete)
    {
        Assert.Equal("Content-Length: 0", Decide(205, NotConnect, isHttp11, declared, complete));
    }

    // RFC 9110 §8.6 and §15.4.5: a 304 may carry the Content-Length a 200 would have had, so a declared length is
    // announced (and is not compared with the empty body); without one, there is no framing field.
    [Theory]
    [InlineData(Http11, 42L, null, "Content-Length: 42")]
    [InlineData(Http11, 42L, 0L, "Content-Length: 42")]
    [InlineData(Http10, 42L, null, "Content-Length: 42")]
    [InlineData(Http11, 0L, null, "Content-Length: 0")]
    [InlineData(Http11, null, null, "None")]
    [InlineData(Http11, null, 0L, "None")]
    [InlineData(Http10, null, null, "None")]
    public void NotModified_AnnouncesOnlyADeclaredLength_Rfc9110_15_4_5(bool isHttp11, long? declared, long? complete, string expected)
    {
        Assert.Equal(expected, Decide(304, NotConnect, isHttp11, declared, complete));
    }

    // RFC 9110 §9.3.6: a 2xx to CONNECT turns the connection into a tunnel and MUST NOT carry Content-Length or
    // Transfer-Encoding, so what follows the head runs to the close, whatever the handler declared or wrote.
    [Theory]
    [InlineData(200, Http11, null, null)]
    [InlineData(200, Http10, null, null)]
    [InlineData(200, Http11, 5L, null)]
    [InlineData(200, Http11, null, 5L)]
    [InlineData(200, Http11, 5L, 5L)]
    [InlineData(201, Http11, null, 0L)]
    [InlineData(299, Http11, null, null)]
    [InlineData(204, Http11, null, null)]
    [InlineData(205, Http11, null, null)]
    public void SuccessToConnect_IsCloseDelimited_Rfc9110_9_3_6(int status, bool isHttp11, long? declared, long? complete)
    {
        Assert.Equal("CloseDelimited", Decide(status, Connect, isHttp11, declared, complete));
    }

    // RFC 9110 §9.3.6: only a 2xx establishes the tunnel; any other answer to CONNECT is an ordinary response,
    // framed by the same rules as for any other method.
    [Theory]
    [InlineData(300, Http11, null, 10L, "Content-Length: 10")]
    [InlineData(302, Http11, 3L, 3L, "Content-Length: 3")]
    [InlineData(400, Http11, null, 0L, "Content-Length: 0")]
    [InlineData(407, Http11, null, null, "Chunked")]
    [InlineData(403, Http10, null, null, "CloseDelimited")]
    [InlineData(502, Http11, 12L, null, "Content-Length: 12")]
    [InlineData(599, Http10, null, 7L, "Content-Length: 7")]
    public void OtherStatusesToConnect_AreFramedNormally_Rfc9110_9_3_6(int status, bool isHttp11, long? declared, long? complete, string expected)
    {
        Assert.Equal(expected, Decide(status, Connect, isHttp11, declared, complete));
    }

    // RFC 9112 §6.3 rule 6: when the handler has returned, the whole body is known and Content-Length frames it, on
    // either version; a declared length that agrees changes nothing.
    [Theory]
    [InlineData(200, Http11, null, 0L)]
    [InlineData(200, Http11, null, 13L)]
    [InlineData(200, Http10, null, 13L)]
    [InlineData(200, Http11, 13L, 13L)]
    [InlineData(200, Http10, 0L, 0L)]
    [InlineData(206, Http11, null, 1L)]
    [InlineData(404, Http11, null, 9L)]
    [InlineData(500, Http10, null, 0L)]
    [InlineData(999, Http11, null, 1L)]
    [InlineData(200, Http11, null, 5_000_000_000L)]
    public void WholeBodyKnown_IsContentLength_Rfc9112_6_3(int status, bool isHttp11, long? declared, long complete)
    {
        Assert.Equal($"Content-Length: {complete}", Decide(status, NotConnect, isHttp11, declared, complete));
    }

    // RFC 9110 §8.6: Content-Length must be the body's length; a handler that declared one thing and wrote another
    // has misused the API, and the server must not put a length on the wire that the bytes contradict.
    [Theory]
    [InlineData(200, NotConnect, Http11, 5L, 4L)]
    [InlineData(200, NotConnect, Http11, 5L, 6L)]
    [InlineData(200, NotConnect, Http11, 0L, 1L)]
    [InlineData(200, NotConnect, Http11, 1L, 0L)]
    [InlineData(200, NotConnect, Http10, 10L, 3L)]
    [InlineData(404, NotConnect, Http11, 10L, 0L)]
    [InlineData(302, Connect, Http11, 3L, 2L)]
    public void DeclaredLengthDisagreeingWithTheWholeBody_Throws_Rfc9110_8_6(int status, bool isConnect, bool isHttp11, long declared, long complete)
    {
        Assert.Throws<InvalidOperationException>(() => ResponseFraming.Decide(status, isConnect, isHttp11, declared, complete));
    }

    // RFC 9112 §6.3 rule 6: a handler that declares a length before it streams is framed by that length, on either
    // version, so an HTTP/1.0 client can keep the connection.
    [Theory]
    [InlineData(200, Http11, 100L)]
    [InlineData(200, Http10, 100L)]
    [InlineData(200, Http11, 0L)]
    [InlineData(500, Http11, 3L)]
    [InlineData(200, Http11, 5_000_000_000L)]
    public void DeclaredLengthWhileStreaming_IsContentLength_Rfc9112_6_3(int status, bool isHttp11, long declared)
    {
        Assert.Equal($"Content-Length: {declared}", Decide(status, NotConnect, isHttp11, declared, null));
    }

    // RFC 9112 §6.1: chunked needs an HTTP/1.1 recipient; an HTTP/1.0 client reads to the close instead
    // (RFC 9112 §6.3 rule 8).
    [Theory]
    [InlineData(200, Http11, "Chunked")]
    [InlineData(201, Http11, "Chunked")]
    [InlineData(404, Http11, "Chunked")]
    [InlineData(500, Http11, "Chunked")]
    [InlineData(200, Http10, "CloseDelimited")]
    [InlineData(404, Http10, "CloseDelimited")]
    [InlineData(500, Http10, "CloseDelimited")]
    public void StreamingWithoutALength_IsChunkedOnHttp11AndCloseDelimitedOnHttp10_Rfc9112_6_1(int status, bool isHttp11, string expected)
    {
        Assert.Equal(expected, Decide(status, NotConnect, isHttp11, null, null));
    }

    // RFC 9110 §6.4.1 and §15: 1xx, 204, 205 and 304 never carry content; every other status may.
    [Theory]
    [InlineData(100, false)]
    [InlineData(101, false)]
    [InlineData(103, false)]
    [InlineData(199, false)]
    [InlineData(200, true)]
    [InlineData(201, true)]
    [InlineData(203, true)]
    [InlineData(204, false)]
    [InlineData(205, false)]
    [InlineData(206, true)]
    [InlineData(299, true)]
    [InlineData(300, true)]
    [InlineData(303, true)]
    [InlineData(304, false)]
    [InlineData(307, true)]
    [InlineData(404, true)]
    [InlineData(500, true)]
    [InlineData(999, true)]
    public void StatusAllowsBody_Rfc9110_6_4_1(int status, bool expected)
    {
        Assert.Equal(expected, ResponseFraming.StatusAllowsBody(status));
    }

    // RFC 9110 §9.3.2: a response to HEAD never has body bytes on the wire, whatever its status; otherwise the status
    // decides (RFC 9110 §6.4.1).
    [Theory]
    [InlineData(200, true, false)]
    [InlineData(404, true, false)]
    [InlineData(500, true, false)]
    [InlineData(304, true, false)]
    [InlineData(204, true, false)]
    [InlineData(200, false, true)]
    [InlineData(404, false, true)]
    [InlineData(500, false, true)]
    [InlineData(100, false, false)]
    [InlineData(204, false, false)]
    [InlineData(205, false, false)]
    [InlineData(304, false, false)]
    public void SendsBody_NeverForHead_Rfc9110_9_3_2(int status, bool isHeadRequest, bool expected)
    {
        Assert.Equal(expected, ResponseFraming.SendsBody(status, isHeadRequest));
    }

    // RFC 9112 §9.3 and §9.6: the connection persists only when every condition allows it. The first rows are the
    // ones that keep it; each row after changes one condition from those, and the last changes them all.
    [Theory]
    [InlineData(true, "ContentLength", false, false, true, true)]
    [InlineData(true, "Chunked", false, false, true, true)]
    [InlineData(true, "None", false, false, true, true)]
    // The request asked to close (Connection: close, or HTTP/1.0 without keep-alive), RFC 9112 §9.3.
    [InlineData(false, "ContentLength", false, false, true, false)]
    [InlineData(false, "Chunked", false, false, true, false)]
    // The body ends at the close, so the close is part of the message, RFC 9112 §6.3 rule 8.
    [InlineData(true, "CloseDelimited", false, false, true, false)]
    // The response (the handler) asked to close, RFC 9112 §9.6.
    [InlineData(true, "ContentLength", true, false, true, false)]
    [InlineData(true, "None", true, false, true, false)]
    // The server is stopping: finish this exchange, then close, RFC 9112 §9.6.
    [InlineData(true, "ContentLength", false, true, true, false)]
    [InlineData(true, "Chunked", false, true, true, false)]
    // The connection is out of step (request body unread and not drainable, or a failure), RFC 9112 §9.3.
    [InlineData(true, "ContentLength", false, false, false, false)]
    [InlineData(true, "Chunked", false, false, false, false)]
    [InlineData(false, "CloseDelimited", true, true, false, false)]
    public void KeepsAlive_OnlyWhenEveryConditionAllows_Rfc9112_9_3(
        bool requestKeepAlive, string framing, bool responseAsksToClose, bool serverStopping, bool connectionInStep, bool expected)
    {
        Assert.Equal(expected, ResponseFraming.KeepsAlive(
            requestKeepAlive, Enum.Parse<ResponseBodyFraming>(framing), responseAsksToClose, serverStopping, connectionInStep));
    }

    // RFC 9112 §9.3: HTTP/1.1 persists by default, so it needs an option only to close; an HTTP/1.0 client closes by
    // default, so a persisting HTTP/1.0 connection says keep-alive explicitly.
    [Theory]
    [InlineData(true, Http11, "None")]
    [InlineData(true, Http10, "KeepAlive")]
    [InlineData(false, Http11, "Close")]
    [InlineData(false, Http10, "Close")]
    public void ConnectionOptionFor_Http10KeepAliveIsExplicit_Rfc9112_9_3(bool keepAlive, bool isHttp11, string expected)
    {
        Assert.Equal(Enum.Parse<ConnectionOption>(expected), ResponseFraming.ConnectionOptionFor(keepAlive, isHttp11));
    }

    // The three decisions together, as the server makes them for a request that asked to keep the connection:
    // a streamed answer to HTTP/1.0 is close-delimited, so it cannot persist and says close (RFC 9112 §6.3 rule 8).
    [Theory]
    [InlineData(200, NotConnect, Http10, null, null, "CloseDelimited", "Close")]
    [InlineData(200, NotConnect, Http10, null, 5L, "Content-Length: 5", "KeepAlive")]
    [InlineData(200, NotConnect, Http10, 5L, null, "Content-Length: 5", "KeepAlive")]
    [InlineData(200, NotConnect, Http11, null, null, "Chunked", "None")]
    [InlineData(200, NotConnect, Http11, null, 5L, "Content-Length: 5", "None")]
    [InlineData(204, NotConnect, Http10, null, null, "None", "KeepAlive")]
    [InlineData(200, Connect, Http11, null, null, "CloseDelimited", "Close")]
    [InlineData(407, Connect, Http11, null, 0L, "Content-Length: 0", "None")]
    public void FramingDecidesPersistenceAndTheConnectionOption_Rfc9112_9_3(
        int status, bool isConnect, bool isHttp11, long? declared, long? complete, string expectedFraming, string expectedOption)
    {
        ResponseFraming framing = ResponseFraming.Decide(status, isConnect, isHttp11, declared, complete);
        bool keepAlive = ResponseFraming.KeepsAlive(
            requestKeepAlive: true, framing.Kind, responseAsksToClose: false, serverStopping: false, connectionInStep: true);

        Assert.Equal(expectedFraming, Describe(framing));
        Assert.Equal(Enum.Parse<ConnectionOption>(expectedOption), ResponseFraming.ConnectionOptionFor(keepAlive, isHttp11));
    }
}
