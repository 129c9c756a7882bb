using System;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Threading.Tasks;

namespace TinyHttp.Tests.Infrastructure;

/// <summary>Starts a server on 127.0.0.1:0 for one test and stops it afterwards; records what handlers saw.</summary>
internal sealed class ServerScope : IAsyncDisposable
{
    private ServerScope(TinyHttpServer server) => Server = server;

    public TinyHttpServer Server { get; }

    public HttpClient Client { get; } = new();

    public ConcurrentQueue<string> Seen { get; } = new();

    public static ServerScope Start(RequestHandler handler, Action<TinyHttpServerOptions>? configure = null)
    {
        var options = new TinyHttpServerOptions();
        configure?.Invoke(options);
        var server = new TinyHttpServer(options, handler);
        server.Start();
        return new ServerScope(server);
    }

    public static ServerScope Start(Action<HttpRequest, HttpResponse> handler, Action<TinyHttpServerOptions>? configure = null) =>
        Start((request, response, _) =>
        {
            handler(request, response);
            return Task.CompletedTask;
        }, configure);

    public Uri Url(string path) => new(Server.BaseAddress, path);

    public Task<RawSocket> ConnectAsync() => RawSocket.ConnectAsync(Server);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
