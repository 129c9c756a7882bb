using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TinyHttp.Hosting;

/// <summary>A hosted server's handler: the mapped health-check paths first, then the application's handler, else 404.</summary>
internal sealed class RequestDispatcher(HealthCheckEndpoint[] healthChecks, HealthCheckService? healthCheckService, RequestHandler? handler)
{
    public Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
    {
        if (healthChecks.Length > 0)
        {
            string path = request.Path;
            foreach (HealthCheckEndpoint endpoint in healthChecks)
            {
                if (string.Equals(path, endpoint.Path, StringComparison.Ordinal))
                {
                    return endpoint.AnswerAsync(healthCheckService!, response, requestAborted);
                }
            }
        }
        if (handler is null)
        {
            response.StatusCode = 404;
            return Task.CompletedTask;
        }
        return handler(request, response, requestAborted);
    }
}
