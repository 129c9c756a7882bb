using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp;

/// <summary>
/// RequestHandler answers one request. It reads <paramref name="request"/>, fills <paramref name="response"/>
/// and returns; the server then completes the response (adding Content-Length or ending a chunked body).
/// </summary>
/// <param name="request">The request. Valid only until the returned task completes.</param>
/// <param name="response">The response to fill. Valid only until the returned task completes.</param>
/// <param name="requestAborted">Fires when the client goes away or the server aborts the request at the end of a shutdown's drain time.</param>
/// <returns>A task that completes when the handler is done with the request and response.</returns>
public delegate Task RequestHandler(HttpRequest request, HttpResponse response, CancellationToken requestAborted);
