using System;
using System.Text;
using TinyHttp.Protocol;

namespace TinyHttp.Server;

/// <summary>The short text bodies of responses the server writes itself, encoded once.</summary>
internal static class ErrorBodies
{
    public const string ContentType = "text/plain; charset=utf-8";

    private static readonly byte[][] ByReason = Build();

    public static byte[] InternalServerError { get; } = Encoding.ASCII.GetBytes("500 Internal Server Error: the request handler failed.\n");

    private static readonly ResponseField[] Fields = [new ResponseField("Content-Type", ContentType)];

    // RFC 6455 §4.2.2: a 426 to a WebSocket upgrade names the version the server speaks.
    private static readonly ResponseField[] UpgradeRequiredFields = [new ResponseField("Content-Type", ContentType), new ResponseField("Sec-WebSocket-Version", "13")];

    public static byte[] For(BadHttpRequestException rejection) => ByReason[(int)rejection.Reason];

    /// <summary>
    /// Queues the response for <paramref name="rejection"/>: its status, a one-line text body, Connection: close. It is
    /// framed by <see cref="ResponseFraming"/> like every response, so a HEAD request gets the head without the body
    /// (RFC 9110 §9.3.2): a client would otherwise read the text as the start of the next response.
    /// </summary>
    public static void Write(ConnectionOutput output, BadHttpRequestException rejection, bool isHeadRequest)
    {
        byte[] body = For(rejection);
        int status = rejection.StatusCode;
        ResponseFraming framing = ResponseFraming.Decide(status, isConnectRequest: false, isHttp11: true, declaredLength: null, completeLength: body.Length);
        ResponseField[] fields = rejection.Reason == RequestRejectionReason.UnsupportedWebSocketVersion ? UpgradeRequiredFields : Fields;
        Span<byte> destination = output.GetSpan(ResponseHeadWriter.MaxLength(status, null, fields) + body.Length);
        int written = ResponseHeadWriter.Write(destination, status, null, fields, framing.Kind, framing.ContentLength, ConnectionOption.Close);
        if (ResponseFraming.SendsBody(status, isHeadRequest))
        {
            body.CopyTo(destination.Slice(written));
            written += body.Length;
        }
        output.Advance(written);
    }

    /// <summary>The whole 503 response for a connection over the limit; rare, so built each time for a fresh Date.</summary>
    public static byte[] ServiceUnavailableResponse()
    {
        byte[] body = Encoding.ASCII.GetBytes("503 Service Unavailable: the server has too many connections; try again later.\n");
        var buffer = new byte[ResponseHeadWriter.MaxLength(503, null, Fields) + body.Length];
        int length = ResponseHeadWriter.Write(buffer, 503, null, Fields, ResponseBodyFraming.ContentLength, body.Length, ConnectionOption.Close);
        body.CopyTo(buffer, length);
        return buffer[..(length + body.Length)];
    }

    private static byte[][] Build()
    {
        var reasons = Enum.GetValues<RequestRejectionReason>();
        var bodies = new byte[reasons.Length][];
        foreach (RequestRejectionReason reason in reasons)
        {
            int status = RequestRejection.StatusCodeOf(reason);
            bodies[(int)reason] = Encoding.ASCII.GetBytes($"{status} {ReasonPhrases.Get(status)}: {RequestRejection.Describe(reason)}\n");
        }
        return bodies;
    }
}
