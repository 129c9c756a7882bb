using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace TinyHttp.Hosting;

/// <summary>Resolves a <typeparamref name="THandler"/> from a new DI scope for each request and disposes the scope when the request ends.</summary>
internal sealed class ScopedHandler<THandler>(IServiceScopeFactory scopes)
    where THandler : class, ITinyHttpHandler
{
    public async Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
    {
        AsyncServiceScope scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            THandler handler = scope.ServiceProvider.GetRequiredService<THandler>();
            await handler.HandleAsync(request, response, requestAborted).ConfigureAwait(false);
        }
    }
}
