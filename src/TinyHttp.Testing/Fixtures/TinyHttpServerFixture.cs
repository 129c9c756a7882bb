using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Xunit;

namespace TinyHttp.Testing;

/// <summary>
/// TinyHttpServerFixture is a real <see cref="TinyHttpServer"/> on 127.0.0.1 with a free port, running a handler
/// for the length of a test or a test class. Because every fixture gets its own port from the operating system,
/// fixtures in test classes that run in parallel never collide.
/// </summary>
/// <remarks>
/// <para>As an xunit class fixture, derive a class with a parameterless constructor that passes the handler:
/// <c>public sealed class HelloServer() : TinyHttpServerFixture((request, response) =&gt; response.SetBody("hi"));</c>
/// xunit starts it through <see cref="IAsyncLifetime.InitializeAsync"/> and stops it afterwards.</para>
/// <para>By hand, <c>await using var server = await TinyHttpServerFixture.StartAsync(handler);</c></para>
/// </remarks>
public class TinyHttpServerFixture : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>DefaultShutdownTimeout is how long a fixture created without options lets in-flight requests finish when it is disposed: 2 seconds.</summary>
    public static TimeSpan DefaultShutdownTimeout { get; } = TimeSpan.FromSeconds(2);

    private readonly TinyHttpServer _server;
    private readonly List<IDisposable> _owned = new();
    private bool _started;

    /// <summary>Creates a fixture that will run <paramref name="handler"/>; it listens once started.</summary>
    /// <param name="handler">Answers every request.</param>
    /// <param name="options">Server options; null means defaults with 127.0.0.1 port 0 and a <see cref="DefaultShutdownTimeout"/>.
    /// Options without endpoints also listen on 127.0.0.1 port 0.</param>
    /// <param name="logger">Where the server logs; null for none.</param>
    public TinyHttpServerFixture(RequestHandler handler, TinyHttpServerOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _server = new TinyHttpServer(options ?? DefaultOptions(), handler, logger);
    }

    /// <summary>Creates a fixture that will run a synchronous <paramref name="handler"/>; it listens once started.</summary>
    /// <param name="handler">Answers every request.</param>
    /// <param name="options">Server options; null means defaults with 127.0.0.1 port 0 and a <see cref="DefaultShutdownTimeout"/>.</param>
    /// <param name="logger">Where the server logs; null for none.</param>
    public TinyHttpServerFixture(Action<HttpRequest, HttpResponse> handler, TinyHttpServerOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _server = new TinyHttpServer(options ?? DefaultOptions(), handler, logger);
    }

    /// <summary>Server is the running server, for its endpoints and connection count.</summary>
    public TinyHttpServer Server => _server;

    /// <summary>BaseAddress is the server's address, for example <c>http://127.0.0.1:41234/</c>.</summary>
    /// <exception cref="InvalidOperationException">The fixture has not started.</exception>
    public Uri BaseAddress => _server.BaseAddress;

    /// <summary>Port is the TCP port the server listens on.</summary>
    /// <exception cref="InvalidOperationException">The fixture has not started.</exception>
    public int Port => _server.Port;

    /// <summary>Starts a fixture that runs <paramref name="handler"/>, for use with <c>await using</c>.</summary>
    /// <param name="handler">Answers every request.</param>
    /// <param name="options">Server options; null for the fixture's defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started fixture.</returns>
    public static async Task<TinyHttpServerFixture> StartAsync(RequestHandler handler, TinyHttpServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var fixture = new TinyHttpServerFixture(handler, options);
        await fixture.StartAsync(cancellationToken).ConfigureAwait(false);
        return fixture;
    }

    /// <summary>Starts a fixture that runs a synchronous <paramref name="handler"/>, for use with <c>await using</c>.</summary>
    /// <param name="handler">Answers every request.</param>
    /// <param name="options">Server options; null for the fixture's defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started fixture.</returns>
    public static async Task<TinyHttpServerFixture> StartAsync(Action<HttpRequest, HttpResponse> handler, TinyHttpServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var fixture = new TinyHttpServerFixture(handler, options);
        await fixture.StartAsync(cancellationToken).ConfigureAwait(false);
        return fixture;
    }

    /// <summary>Starts the server; when the task completes, clients can connect. Calling it again does nothing.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server listens.</returns>
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
    /// can write <c>await client.GetAsync("/path")</c>. The fixture disposes it.
    /// </summary>
    /// <returns>A new client with its own connection pool.</returns>
    public HttpClient CreateClient()
    {
        var client = new HttpClient(new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = BaseAddress };
        lock (_owned)
        {
            _owned.Add(client);
        }
        return client;
    }

    /// <summary>ConnectRawAsync opens a <see cref="RawHttpConnection"/> to the server, for sending exact bytes. The fixture disposes it.</summary>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The open connection.</returns>
    public async Task<RawHttpConnection> ConnectRawAsync(CancellationToken cancellationToken = default)
    {
        RawHttpConnection connection = await RawHttpConnection.ConnectAsync(_server.EndPoints[0], cancellationToken).ConfigureAwait(false);
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

    /// <summary>Starts the server; xunit calls this before the first test that uses the fixture.</summary>
    /// <returns>A task that completes when the server listens.</returns>
    Task IAsyncLifetime.InitializeAsync() => StartAsync();

    /// <summary>Stops the server; xunit calls this after the last test that uses the fixture.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

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

    // A test is over when its fixture is disposed: handlers that finish promptly may, and one still stuck
    // (a stub's long delay, say) is aborted soon rather than after the server's 30-second default.
    private static TinyHttpServerOptions DefaultOptions() => new() { ShutdownTimeout = DefaultShutdownTimeout };
}
