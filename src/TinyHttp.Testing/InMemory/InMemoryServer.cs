using System;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace TinyHttp.Testing;

/// <summary>
/// InMemoryServer runs a <see cref="RequestHandler"/> in TinyHttp's own HTTP/1.1 engine with no socket: each connection is
/// a pair of in-memory pipes under the same connection code a socket gets (the parser, body framing, keep-alive,
/// <c>Expect: 100-continue</c>, limits and timeouts), and the test reads back the exact bytes a client would have received.
/// Go's <c>httptest.NewRecorder</c> calls the handler directly; this goes through the server, so what a test sees is what
/// the wire would carry, with no port, no listener and nothing for a firewall or a parallel test to interfere with.
/// </summary>
/// <remarks>
/// <para><see cref="SendAsync"/> sends one request and returns its response; <see cref="Connect"/> returns a
/// <see cref="RawHttpConnection"/> with every method it has over TCP (pipelining, pieces, half-close, reset,
/// <see cref="RawHttpConnection.ReadNextResponseAsync"/>). Responses are <see cref="RawHttpResponse"/>s, so
/// <see cref="ResponseSnapshot.Verify(RawHttpResponse, SnapshotSettings?, string?, string)"/> works on them unchanged.</para>
/// <para>The endpoints and HTTPS settings in the options are ignored; every other option applies. <c>HttpRequest.RemoteEndPoint</c>
/// and <c>LocalEndPoint</c> are null, since there is no socket. Bytes a handler writes are kept until the test reads them,
/// however many: keep test responses to a reasonable size.</para>
/// </remarks>
public sealed class InMemoryServer : IAsyncDisposable
{
    private const string OverloadPairs = "The RequestHandler and Action overloads differ in a required parameter's type, which picks one.";

    private readonly TinyHttpServer _server;

    /// <summary>Starts <paramref name="handler"/> in memory; connections can be made as soon as the constructor returns.</summary>
    /// <param name="handler">Answers every request.</param>
    /// <param name="options">Limits and timeouts; null for the defaults with a <see cref="TinyHttpServerFixture.DefaultShutdownTimeout"/>. Endpoints are ignored.</param>
    /// <param name="logger">Where the server logs; null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    [SuppressMessage("ApiDesign", "RS0026", Justification = OverloadPairs)]
    public InMemoryServer(RequestHandler handler, TinyHttpServerOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _server = new TinyHttpServer(options ?? new TinyHttpServerOptions { ShutdownTimeout = TinyHttpServerFixture.DefaultShutdownTimeout }, handler, logger);
        _server.StartInMemory();
    }

    /// <summary>Starts a synchronous <paramref name="handler"/> in memory; connections can be made as soon as the constructor returns.</summary>
    /// <param name="handler">Answers every request.</param>
    /// <param name="options">Limits and timeouts; null for the defaults with a <see cref="TinyHttpServerFixture.DefaultShutdownTimeout"/>. Endpoints are ignored.</param>
    /// <param name="logger">Where the server logs; null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    [SuppressMessage("ApiDesign", "RS0026", Justification = OverloadPairs)]
    public InMemoryServer(Action<HttpRequest, HttpResponse> handler, TinyHttpServerOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _server = new TinyHttpServer(options ?? new TinyHttpServerOptions { ShutdownTimeout = TinyHttpServerFixture.DefaultShutdownTimeout }, handler, logger);
        _server.StartInMemory();
    }

    /// <summary>ActiveConnectionCount is the number of in-memory connections the server still has open.</summary>
    public int ActiveConnectionCount => _server.ActiveConnectionCount;

    /// <summary>
    /// Connect opens a new in-memory connection to the handler and returns its client end, which reads and writes exactly as
    /// a <see cref="RawHttpConnection"/> over TCP does. Dispose it to close the connection.
    /// </summary>
    /// <returns>The connection.</returns>
    /// <exception cref="InvalidOperationException">The server is stopped.</exception>
    public RawHttpConnection Connect() => new(_server.ConnectInMemory());

    /// <summary>
    /// SendAsync sends <paramref name="request"/> on a new connection, exactly as written (one byte per char, ISO-8859-1,
    /// nothing added), reads one response, and closes the connection: <c>await server.SendAsync("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n")</c>.
    /// A request starting with <c>HEAD </c> is read as HEAD's response, with no body whatever its headers say.
    /// </summary>
    /// <param name="request">The request's bytes as text, through the end of its body.</param>
    /// <param name="cancellationToken">Cancels the send and the read.</param>
    /// <returns>The final response, with any interim responses before it in <see cref="RawHttpResponse.InterimResponses"/>.</returns>
    /// <exception cref="TimeoutException">No complete response within <see cref="RawHttpConnection.ReadTimeout"/>'s default; the message shows what arrived.</exception>
    /// <exception cref="System.IO.IOException">The server closed the connection before a complete response; the message shows what arrived.</exception>
    /// <exception cref="FormatException">The response is not valid HTTP/1.1; the message shows it.</exception>
    public async Task<RawHttpResponse> SendAsync(string request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using RawHttpConnection connection = Connect();
        await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await connection.ReadResponseAsync(request.StartsWith("HEAD ", StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the server gracefully (in-flight requests get the options' <c>ShutdownTimeout</c>) and closes its connections.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
