using System;
using System.Net.Sockets;
using System.Threading.Tasks;
using TinyHttp.Server;

namespace TinyHttp.Tests.Infrastructure;

/// <summary>
/// A test class whose tests put a server on the wire. Its tests run over the plain socket transport; a class derived
/// with <see cref="OverStreamTransport"/> runs the same tests again over <see cref="StreamTransport"/>, the transport
/// an SslStream plugs into, so both transports answer to the same assertions.
/// </summary>
public abstract class WireTests
{
    /// <summary>True when this class's servers use the Stream transport.</summary>
    protected virtual bool OverStreamTransport => false;

    private protected ServerScope Start(RequestHandler handler, Action<TinyHttpServerOptions>? configure = null) =>
        ServerScope.Start(handler, options =>
        {
            if (OverStreamTransport)
            {
                options.TransportFactory = static socket => new StreamTransport(new NetworkStream(socket, ownsSocket: true), socket);
            }
            configure?.Invoke(options);
        });

    private protected ServerScope Start(Action<HttpRequest, HttpResponse> handler, Action<TinyHttpServerOptions>? configure = null) =>
        Start((request, response, _) =>
        {
            handler(request, response);
            return Task.CompletedTask;
        }, configure);
}
