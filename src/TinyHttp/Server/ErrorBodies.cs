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

    public static byte[] For(BadHttpRequestException rejection) => ByReason[(int)rejection.Reason];

    /// <summary>The whole 503 response for a connection over the limit; rare, so built each time for a fresh Date.</summary>
    public static byte[] ServiceUnavailableResponse()
    {
        byte[] body = Encoding.ASCII.GetBytes("503 Service Unavailable: the server has too many connections; try again later.\n");
        ResponseField[] fields = [new ResponseField("Content-Type", ContentType)];
        var buffer = new byte[ResponseHeadWriter.MaxLength(503, null, fields) + body.Length];
        int length = ResponseHeadWriter.Write(buffer, 503, null, fields, ResponseBodyFraming.ContentLength, body.Length, ConnectionOption.Close);
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
