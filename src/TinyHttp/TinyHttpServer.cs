using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TinyHttp.Server;

namespace TinyHttp;

/// <summary>
/// TinyHttpServer is an embeddable HTTP/1.1 server: give it options and a handler, call <see cref="Start"/>,
/// and every request on its endpoints is passed to the handler until <see cref="StopAsync(CancellationToken)"/>.
/// </summary>
/// <example>
/// <code>
/// var options = new TinyHttpServerOptions().ListenLocalhost(8888);
/// await using var server = new TinyHttpServer(options, (request, response) => response.SetBody("Hello, World!"));
/// server.Start();
/// </code>
/// </example>
public sealed class TinyHttpServer : IAsyncDisposable, IDisposable
{
    private readonly object _gate = new();
    private readonly TinyHttpServerOptions _options;
    private readonly RequestHandler _handler;
    private readonly ILogger? _logger;
    private readonly IMeterFactory? _meterFactory;
    private ServerContext? _context;
    private Lifecycle _lifecycle;
    private Task? _stopping;
    private IReadOnlyList<EndPoint> _endPoints = Array.Empty<EndPoint>();

    private enum Lifecycle
    {
        Created,
        Started,
        Stopped,
        Disposed,
    }

    /// <summary>Creates a server that passes each request to an asynchronous <paramref name="handler"/>.</summary>
    /// <param name="options">Endpoints and limits; read when <see cref="Start"/> is called.</param>
    /// <param name="handler">Called once per request, possibly on several connections at once.</param>
    /// <param name="logger">Receives connection, rejection and failure events; none when null.</param>
    /// <param name="meterFactory">
    /// Creates the server's <c>TinyHttp</c> meter (the .NET convention: pass the app's or the test's factory); when null
    /// the server creates its own meter and disposes it when it stops.
    /// </param>
    public TinyHttpServer(TinyHttpServerOptions options, RequestHandler handler, ILogger? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        _options = options;
        _handler = handler;
        _logger = logger;
        _meterFactory = meterFactory;
    }

    /// <summary>Creates a server with a synchronous <paramref name="handler"/>, for handlers that do no I/O of their own.</summary>
    /// <param name="options">Endpoints and limits; read when <see cref="Start"/> is called.</param>
    /// <param name="handler">Called once per request, possibly on several connections at once.</param>
    /// <param name="logger">Receives connection, rejection and failure events; none when null.</param>
    /// <param name="meterFactory">Creates the server's <c>TinyHttp</c> meter; when null the server creates its own.</param>
    public TinyHttpServer(TinyHttpServerOptions options, Action<HttpRequest, HttpResponse> handler, ILogger? logger = null, IMeterFactory? meterFactory = null)
        : this(options, Adapt(handler), logger, meterFactory)
    {
    }

    /// <summary>The endpoints the server listens on, with the ports actually bound (port 0 resolved). Empty before <see cref="Start"/>.</summary>
    public IReadOnlyList<EndPoint> EndPoints => _endPoints;

    /// <summary>The port of the first TCP endpoint.</summary>
    /// <exception cref="InvalidOperationException">The server has not started, or listens only on Unix sockets.</exception>
    public int Port
    {
        get
        {
            foreach (EndPoint endPoint in RequireStarted())
            {
                if (endPoint is IPEndPoint ip)
                {
                    return ip.Port;
                }
            }
            throw new InvalidOperationException("The server listens only on Unix domain sockets; it has no port.");
        }
    }

    /// <summary>
    /// An address for the first endpoint that clients on this machine can use, ending in '/':
    /// <c>http://127.0.0.1:PORT/</c> for IPv4 (and for any-address endpoints), <c>http://[::1]:PORT/</c> for IPv6 loopback,
    /// <c>http://localhost/</c> for a Unix socket (connect the client to the socket path); <c>https://</c> for an HTTPS endpoint.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server has not started.</exception>
    public Uri BaseAddress
    {
        get
        {
            EndPoint first = RequireStarted()[0];
            string scheme = _context!.IsHttps(0) ? "https" : "http";
            return first switch
            {
                IPEndPoint ip when ip.Address.Equals(IPAddress.Any) || ip.Address.Equals(IPAddress.IPv6Any) => new Uri($"{scheme}://127.0.0.1:{ip.Port}/"),
                IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } ip => new Uri($"{scheme}://[{ip.Address}]:{ip.Port}/"),
                IPEndPoint ip => new Uri($"{scheme}://{ip.Address}:{ip.Port}/"),
                _ => new Uri($"{scheme}://localhost/"),
            };
        }
    }

    /// <summary>The number of open connections, idle or busy.</summary>
    public int ActiveConnectionCount => _context?.ActiveConnectionCount ?? 0;

    /// <summary>Binds every endpoint and starts accepting. When it returns, clients can connect.</summary>
    /// <exception cref="System.IO.IOException">An endpoint could not be bound (for example, its port is in use); the message names it. Nothing stays bound.</exception>
    /// <exception cref="InvalidOperationException">The server was already started, stopped or disposed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Start() => StartCore(inMemory: false);

    /// <summary>
    /// Starts the server without binding any endpoint: it takes connections only from <see cref="ConnectInMemory"/>.
    /// <see cref="EndPoints"/> stays empty. For TinyHttp.Testing's <c>InMemoryServer</c>.
    /// </summary>
    internal void StartInMemory() => StartCore(inMemory: true);

    /// <summary>Opens a connection with no socket to a server started with <see cref="StartInMemory"/> (or <see cref="Start"/>); returns the client's end.</summary>
    /// <exception cref="InvalidOperationException">The server has not started, or is stopping.</exception>
    internal InMemoryStream ConnectInMemory()
    {
        ServerContext context;
        lock (_gate)
        {
            if (_lifecycle != Lifecycle.Started)
            {
                throw new InvalidOperationException(_lifecycle == Lifecycle.Created
                    ? "The server has not started; call Start first."
                    : "The server is stopped; it takes no new connections.");
            }
            context = _context!;
        }
        (InMemoryTransport server, InMemoryStream client) = InMemoryTransport.CreatePair();
        context.Accept(server);
        return client;
    }

    private void StartCore(bool inMemory)
    {
        lock (_gate)
        {
            switch (_lifecycle)
            {
                case Lifecycle.Started:
                    throw new InvalidOperationException("The server is already started; call Start once.");
                case Lifecycle.Stopped:
                    throw new InvalidOperationException("A stopped server cannot be restarted; create a new TinyHttpServer.");
                case Lifecycle.Disposed:
                    throw new ObjectDisposedException(nameof(TinyHttpServer), "The server is disposed; create a new TinyHttpServer.");
            }
            _options.Validate();
            var context = new ServerContext(_options, _handler, new ServerLog(_logger ?? NullLogger.Instance), new ServerMetrics(_meterFactory));
            try
            {
                _endPoints = inMemory ? Array.Empty<EndPoint>() : context.Bind(_options.EndPoints);
            }
            catch
            {
                context.Metrics.Dispose();
                throw;
            }
            context.StartAccepting();
            _context = context;
            _lifecycle = Lifecycle.Started;
        }
    }

    /// <summary>
    /// Stops gracefully: stops accepting at once, closes idle connections, lets in-flight requests finish
    /// (their connections close after the response) until <paramref name="cancellationToken"/> fires, then aborts
    /// the rest, firing their handlers' tokens. Calling it again, or before <see cref="Start"/>, is harmless.
    /// </summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_lifecycle == Lifecycle.Created)
            {
                _lifecycle = Lifecycle.Stopped;
                return Task.CompletedTask;
            }
            if (_stopping is null && _lifecycle == Lifecycle.Started)
            {
                _lifecycle = Lifecycle.Stopped;
                _stopping = _context!.StopAsync(cancellationToken);
            }
            return _stopping ?? Task.CompletedTask;
        }
    }

    /// <summary>
    /// Stops gracefully as <see cref="StopAsync"/> does, aborting requests still running after
    /// <see cref="TinyHttpServerOptions.ShutdownTimeout"/>, and releases the server.
    /// </summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        using var drain = new CancellationTokenSource(_options.ShutdownTimeout);
        await StopAsync(drain.Token).ConfigureAwait(false);
        lock (_gate)
        {
            _lifecycle = Lifecycle.Disposed;
        }
    }

    /// <summary>Stops and releases the server as <see cref="DisposeAsync"/> does, blocking until done.</summary>
    public void Dispose()
    {
        DisposeAsync().AsTask().GetAwaiter().GetResult();
        lock (_gate)
        {
            _lifecycle = Lifecycle.Disposed;
        }
    }

    private IReadOnlyList<EndPoint> RequireStarted() =>
        _endPoints.Count > 0 ? _endPoints : throw new InvalidOperationException("The server has not started; call Start first.");

    private static RequestHandler Adapt(Action<HttpRequest, HttpResponse> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return (request, response, _) =>
        {
            handler(request, response);
            return Task.CompletedTask;
        };
    }
}
