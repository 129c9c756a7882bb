using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace TinyHttp.Testing;

/// <summary>
/// TinyHttpServerFixture is a real <see cref="TinyHttpServer"/> on 127.0.0.1 with a free port, running a handler
/// for the length of a test or a test class. Because every fixture gets its own port from the operating system,
/// fixtures in test classes that run in parallel never collide.
/// </summary>
/// <remarks>
/// <para>It references no test framework: it is a plain <see cref="IAsyncDisposable"/> with an asynchronous start. By hand,
/// <c>await using var server = await TinyHttpServerFixture.StartAsync(handler);</c>; from a framework's setup hook,
/// <c>new TinyHttpServerFixture(handler)</c> then <see cref="StartAsync(CancellationToken)"/>. As a class fixture, derive from
/// an adapter's <c>ServerFixture</c> (packages TinyHttp.Testing.Xunit, TinyHttp.Testing.XunitV3, TinyHttp.Testing.TUnit) with a
/// parameterless constructor: <c>public sealed class HelloServer() : ServerFixture((request, response) =&gt; response.SetBody("hi"));</c></para>
/// <para>With <c>https: true</c> the fixture serves HTTPS with <see cref="TestCertificate.Localhost"/>, and
/// <see cref="CreateClient"/> and <see cref="ConnectRawAsync"/> trust that certificate and no other:
/// <c>public sealed class SecureServer() : TinyHttpServerFixture(handler, https: true);</c></para>
/// </remarks>
public class TinyHttpServerFixture : IAsyncDisposable
{
    /// <summary>DefaultShutdownTimeout is how long a fixture created without options lets in-flight requests finish when it is disposed: 2 seconds.</summary>
    public static TimeSpan DefaultShutdownTimeout { get; } = TimeSpan.FromSeconds(2);

    // RS0026 guards against calls that two overloads with optional parameters could both take. The RequestHandler and
    // Action overloads cannot: the handler is required and its type (a lambda's arity) picks one. The old signatures
    // stay, with required parameters, so callers compiled against them keep working.
    private const string OverloadPairs = "The RequestHandler and Action overloads differ in a required parameter's type, which picks one.";

    private readonly TinyHttpServer _server;
    private readonly X509Certificate2? _certificate;
    private readonly List<IDisposable> _owned = new();
    private bool _started;

    /// <summary>Creates a fixture that will run <paramref name="handler"/>; it listens once started.</summary>
    /// <param name="handler">Answers every request.</param>
    /// <param name="options">Server options; null means defaults with 127.0.0.1 port 0 and a <see cref="DefaultShutdownTimeout"/>.
    /// Options without endpoints also listen on 127.0.0.1 port 0.</param>
    /// <param name="logger">Where the server logs; null for none.</param>
    /// <param name="https">True to serve HTTPS on 127.0.0.1 port 0 with <see cref="TestCertificate.Localhost"/>; the fixture
    /// adds that endpoint to <paramref name="options"/>, which must then have none of their own.</param>
    /// <exception cref="ArgumentException"><paramref name="https"/> is true and <paramref name="options"/> already have endpoints.</exception>
    [SuppressMessage("ApiDesign", "RS0026", Justification = OverloadPairs)]
    public TinyHttpServerFixture(RequestHandler handler, TinyHttpServerOptions? options = null, ILogger? logger = null, bool https = false)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _certificate = https ? TestCertificate.Localhost : null;
        _server = new TinyHttpServer(Configure(options, _certificate), handler, logger);
    }

    /// <summary>Creates a fixture that will run a synchronous <paramref name="handler"/>; it listens once started.</summary>
    /// <param name="handler">Answers every request.</param>
    /// <param name="options">Server options; null means defaults with 127.0.0.1 port 0 and a <see cref="DefaultShutdownTimeout"/>.</param>
    /// <param name="logger">Where the server logs; null for none.</param>
    /// <param name="https">True to serve HTTPS on 127.0.0.1 port 0 with <see cref="TestCertificate.Localhost"/>; the fixture
    /// adds that endpoint to <paramref name="options"/>, which must then have none of their own.</param>
    /// <exception cref="ArgumentException"><paramref name="https"/> is true and <paramref name="options"/> already have endpoints.</exception>
    [SuppressMessage("ApiDesign", "RS0026", Justification = OverloadPairs)]
    public TinyHttpServerFixture(Action<HttpRequest, HttpResponse> handler, TinyHttpServerOptions? options = null, ILogger? logger = null, bool https = false)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _certificate = https ? TestCertificate.Localhost : null;
        _server = new TinyHttpServer(Configure(options, _certificate), handler, logger);
    }

    /// <summary>Server is the running server, for its endpoints and connection count.</summary>
    public TinyHttpServer Server => _server;

    /// <summary>BaseAddress is the server's address, for example <c>http://127.0.0.1:41234/</c>, or <c>https://127.0.0.1:41234/</c> with HTTPS.</summary>
    /// <exception cref="InvalidOperationException">The fixture has not started.</exception>
    public Uri BaseAddress => _server.BaseAddress;

    /// <summary>
    /// Certificate is the certificate the fixture serves HTTPS with (<see cref="TestCertificate.Localhost"/>), to trust in
    /// a client of your own: <c>fixture.Certificate.WritePemFile(path)</c> for <c>curl --cacert path</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The fixture serves plain HTTP; create it with <c>https: true</c>.</exception>
    public X509Certificate2 Certificate =>
        _certificate ?? throw new InvalidOperationException("This fixture serves plain HTTP and has no certificate; create it with https: true.");

    /// <summary>Port is the TCP port the server listens on.</summary>
    /// <exception cref="InvalidOperationException">The fixture has not started.</exception>
    public int Port => _server.Port;

    /// <summary>Starts a fixture that runs <paramref name="handler"/>, for use with <c>await using</c>.</summary>
    /// <param name="handler">Answers every request.</param>
    /// <param name="options">Server options; null for the fixture's defaults.</param>
    /// <param name="https">True to serve HTTPS with <see cref="TestCertificate.Localhost"/>; see the constructor.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started fixture.</returns>
    [SuppressMessage("ApiDesign", "RS0026", Justification = OverloadPairs)]
    public static async Task<TinyHttpServerFixture> StartAsync(
        RequestHandler handler, TinyHttpServerOptions? options = null, bool https = false, CancellationToken cancellationToken = default)
    {
        var fixture = new TinyHttpServerFixture(handler, options, logger: null, https);
        await fixture.StartAsync(cancellationToken).ConfigureAwait(false);
        return fixture;
    }

    /// <summary>Starts a fixture that runs a synchronous <paramref name="handler"/>, for use with <c>await using</c>.</summary>
    /// <param name="handler">Answers every request.</param>
    /// <param name="options">Server options; null for the fixture's defaults.</param>
    /// <param name="https">True to serve HTTPS with <see cref="TestCertificate.Localhost"/>; see the constructor.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started fixture.</returns>
    [SuppressMessage("ApiDesign", "RS0026", Justification = OverloadPairs)]
    public static async Task<TinyHttpServerFixture> StartAsync(
        Action<HttpRequest, HttpResponse> handler, TinyHttpServerOptions? options = null, bool https = false, CancellationToken cancellationToken = default)
    {
        var fixture = new TinyHttpServerFixture(handler, options, logger: null, https);
        await fixture.StartAsync(cancellationToken).ConfigureAwait(false);
        return fixture;
    }

    /// <summary>Starts the server; when the task completes, clients can connect. Calling it again does nothing.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server listens.</returns>
    [SuppressMessage("ApiDesign", "RS0027", Justification = "The static StartAsync overloads create a fixture; this one starts an existing one. They share a name, not a purpose.")]
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_started)
        {
            _server.Start();
            _started = true;
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// CreateClient returns an <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the server, so a test
    /// can write <c>await client.GetAsync("/path")</c>. With HTTPS it trusts <see cref="Certificate"/> and no other
    /// (see <see cref="TestCertificate.CreatePinnedHandler"/>). The fixture disposes it.
    /// </summary>
    /// <returns>A new client with its own connection pool.</returns>
    public HttpClient CreateClient()
    {
        SocketsHttpHandler handler = _certificate is null ? new SocketsHttpHandler() : TestCertificate.CreatePinnedHandler(_certificate);
        var client = new HttpClient(handler, disposeHandler: true) { BaseAddress = BaseAddress };
        lock (_owned)
        {
            _owned.Add(client);
        }
        return client;
    }

    /// <summary>
    /// ConnectRawAsync opens a <see cref="RawHttpConnection"/> to the server, for sending exact bytes; with HTTPS, the
    /// connection has done its TLS handshake, trusting <see cref="Certificate"/>. The fixture disposes it.
    /// </summary>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The open connection.</returns>
    public async Task<RawHttpConnection> ConnectRawAsync(CancellationToken cancellationToken = default)
    {
        RawHttpConnection connection = _certificate is null
            ? await RawHttpConnection.ConnectAsync(_server.EndPoints[0], cancellationToken).ConfigureAwait(false)
            : await RawHttpConnection.ConnectTlsAsync(_server.EndPoints[0], _certificate, serverName: null, cancellationToken).ConfigureAwait(false);
        lock (_owned)
        {
            _owned.Add(connection);
        }
        return connection;
    }

    /// <summary>Disposes the clients and connections this fixture made, then stops the server and releases its port.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the fixture holds; a derived class that holds more overrides it and calls the base.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    protected virtual async ValueTask DisposeAsyncCore()
    {
        IDisposable[] owned;
        lock (_owned)
        {
            owned = _owned.ToArray();
            _owned.Clear();
        }
        foreach (IDisposable disposable in owned)
        {
            disposable.Dispose();
        }
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    private static TinyHttpServerOptions Configure(TinyHttpServerOptions? options, X509Certificate2? certificate)
    {
        // A test is over when its fixture is disposed: handlers that finish promptly may, and one still stuck
        // (a stub's long delay, say) is aborted soon rather than after the server's 30-second default.
        options ??= new TinyHttpServerOptions { ShutdownTimeout = DefaultShutdownTimeout };
        if (certificate is not null)
        {
            if (options.EndPoints.Count > 0)
            {
                throw new ArgumentException(
                    "https: true makes the fixture listen on 127.0.0.1 port 0 itself, but the options already have endpoints. " +
                    "Remove them, or keep them and pass HttpsOptions to Listen yourself (then trust the certificate with TestCertificate.CreatePinnedHandler).",
                    nameof(options));
            }
            options.Listen(IPAddress.Loopback, 0, new HttpsOptions { ServerCertificate = certificate });
        }
        return options;
    }
}
