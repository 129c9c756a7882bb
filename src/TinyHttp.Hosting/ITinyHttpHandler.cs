using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Hosting;

/// <summary>
/// ITinyHttpHandler is a request handler resolved from dependency injection, for handlers that need services.
/// Register it with <see cref="TinyHttpServerBuilder.UseHandler{THandler}"/>;
/// with the default scoped lifetime each request gets a new DI scope, and the handler and its scoped services are
/// disposed when the request ends.
/// </summary>
public interface ITinyHttpHandler
{
    /// <summary>Answers one request, as a <see cref="RequestHandler"/> does.</summary>
    /// <param name="request">The request. Valid only until the returned task completes.</param>
    /// <param name="response">The response to fill. Valid only until the returned task completes.</param>
    /// <param name="requestAborted">Fires when the client goes away or the server aborts the request at the end of a shutdown's drain time.</param>
    /// <returns>A task that completes when the handler is done with the request and response.</returns>
    Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted);
}
