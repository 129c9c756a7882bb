using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Protocol;

namespace TinyHttp;

/// <summary>
/// HandlerTimeout puts a time limit on a handler, as Go's <c>http.TimeoutHandler</c> and ASP.NET Core's request timeouts
/// do. Wrap one route's handler (<c>router.Map("GET /report", HandlerTimeout.Wrap(BuildReport, TimeSpan.FromSeconds(5)))</c>)
/// or the whole router (<c>new TinyHttpServer(options, HandlerTimeout.Wrap(router.HandleAsync, …))</c>); an inner limit
/// shorter than an outer one wins.
/// </summary>
public static class HandlerTimeout
{
    /// <summary>
    /// Wrap returns a handler that runs <paramref name="handler"/> with a token that fires after <paramref name="timeout"/>
    /// (or when the client goes away, as before). A handler that passes the token on stops when it fires; the wrapper then
    /// waits for it to return, since the request and response are its until then. If by that time nothing of the
    /// response has been sent, whatever the handler set is discarded and the client gets <paramref name="statusCode"/>
    /// with a one-line text body; a response already started is left to finish (or abort) as the handler leaves it. An
    /// <see cref="OperationCanceledException"/> the limit caused is not an error; any other exception escapes as usual (500).
    /// A handler that ignores its token is not stopped: the limit cannot pre-empt it, only answer for it when it returns.
    /// </summary>
    /// <param name="handler">The handler to limit.</param>
    /// <param name="timeout">How long the handler may run; positive.</param>
    /// <param name="statusCode">The status sent when the limit passes before the response started: 503 by default (Go's
    /// choice), or another 4xx/5xx such as 504 (ASP.NET Core's).</param>
    /// <returns>The limited handler. Each request it handles allocates a linked <see cref="CancellationTokenSource"/> and its timer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is not positive, or the status is not 400–599.</exception>
    public static RequestHandler Wrap(RequestHandler handler, TimeSpan timeout, int statusCode = 503)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (timeout <= TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The time limit must be positive and under 24 days; leave the handler unwrapped for none.");
        }
        if (statusCode is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "The time limit's status must be an error status, 400–599 (503 or 504 usually).");
        }
        return new LimitedHandler(handler, timeout, statusCode).HandleAsync;
    }

    private sealed class LimitedHandler
    {
        private readonly RequestHandler _handler;
        private readonly TimeSpan _timeout;
        private readonly int _statusCode;
        private readonly string _body;

        public LimitedHandler(RequestHandler handler, TimeSpan timeout, int statusCode)
        {
            _handler = handler;
            _timeout = timeout;
            _statusCode = statusCode;
            string phrase = ReasonPhrases.Get(statusCode) is { Length: > 0 } known ? " " + known : string.Empty;
            _body = string.Create(CultureInfo.InvariantCulture, $"{statusCode}{phrase}: The handler did not finish within {timeout.TotalSeconds:0.###} s.");
        }

        public async Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
            limit.CancelAfter(_timeout);
            try
            {
                await _handler(request, response, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (TimedOut(limit, requestAborted) && !response.HasStarted)
            {
            }
            if (TimedOut(limit, requestAborted) && !response.HasStarted)
            {
                response.Reset();
                response.StatusCode = _statusCode;
                response.SetBody(_body);
            }
        }

        private static bool TimedOut(CancellationTokenSource limit, CancellationToken requestAborted) =>
            limit.IsCancellationRequested && !requestAborted.IsCancellationRequested;
    }
}
