using System;
using System.IO;

namespace TinyHttp;

/// <summary>
/// BadHttpRequestException is thrown when the peer broke HTTP/1.1: a malformed request, a limit
/// exceeded, or a body that ended early. It carries the status code the server answers with.
/// </summary>
/// <remarks>
/// Handlers see it from <see cref="HttpRequest.Body"/> reads (for example a 413 when the body is over <see cref="HttpRequest.MaxBodySize"/>).
/// If the handler lets it escape and the response has not started, the server answers with
/// <see cref="StatusCode"/> and closes the connection; it is not logged as a handler failure.
/// </remarks>
public sealed class BadHttpRequestException : IOException
{
    /// <summary>Creates an exception for <paramref name="reason"/> with its standard status code and message.</summary>
    internal BadHttpRequestException(RequestRejectionReason reason)
        : base(RequestRejection.Describe(reason))
    {
        Reason = reason;
        StatusCode = RequestRejection.StatusCodeOf(reason);
    }

    /// <summary>The status code a server answers this request with (400, 403, 408, 413, 414, 417, 426, 431, 501 or 505).</summary>
    public int StatusCode { get; }

    /// <summary>Why the request was rejected; logged by name and tagged on the rejection metric.</summary>
    internal RequestRejectionReason Reason { get; }
}
