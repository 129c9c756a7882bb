using System;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace TinyHttp.Hosting.Tests;

/// <summary>Handlers resolved from dependency injection, with a scope per request when they ask for one.</summary>
public class HandlerTests
{
    [Fact]
    public async Task AHandlerType_GetsANewScopePerRequest_AndItsScopedServicesAreDisposedWhenTheRequestEnds()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        var created = new ConcurrentQueue<RequestContext>();
        builder.Services.AddSingleton(created);
        builder.Services.AddScoped<RequestContext>();
        builder.AddTinyHttpServer().UseHandler<ContextEchoHandler>();
        using IHost host = builder.Build();
        await host.StartAsync();
        using HttpClient client = TestHost.Client(host);

        string first = await client.GetStringAsync("/");
        string second = await client.GetStringAsync("/");

        Assert.NotEqual(first, second);
        Assert.Equal(2, created.Count);
        Assert.All(created, context => Assert.True(context.Disposed, "the request's scope is disposed when the request ends"));
        await host.StopAsync();
    }

    [Fact]
    public async Task AHandlerTypeRegisteredAsASingleton_ServesEveryRequest_WithoutAScope()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        builder.Services.AddSingleton<CountingHandler>();
        builder.AddTinyHttpServer().UseHandler<CountingHandler>();
        using IHost host = builder.Build();
        await host.StartAsync();
        using HttpClient client = TestHost.Client(host);

        Assert.Equal("1", await client.GetStringAsync("/"));
        Assert.Equal("2", await client.GetStringAsync("/"));
        await host.StopAsync();
    }

    public sealed class RequestContext : IDisposable
    {
        public RequestContext(ConcurrentQueue<RequestContext> created) => created.Enqueue(this);

        public Guid Id { get; } = Guid.NewGuid();

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    public sealed class ContextEchoHandler(RequestContext context) : ITinyHttpHandler
    {
        public Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
        {
            response.SetBody(context.Id.ToString());
            return Task.CompletedTask;
        }
    }

    public sealed class CountingHandler : ITinyHttpHandler
    {
        private int _count;

        public Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
        {
            response.SetBody(Interlocked.Increment(ref _count).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Task.CompletedTask;
        }
    }
}
