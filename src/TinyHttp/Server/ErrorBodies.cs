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
