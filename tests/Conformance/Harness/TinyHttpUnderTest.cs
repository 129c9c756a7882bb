using System;
using System.Collections.Generic;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace TinyHttp.Conformance;

/// <summary>
/// TinyHttpUnderTest runs the conformance handler on TinyHttp (127.0.0.1, a free port), over plain TCP or, made with
/// <see cref="OverTls"/>, on an HTTPS endpoint whose cases are sent through TLS. As an xunit class fixture it gives each
/// section class its own server; cases with their own limits get a server of their own for the case.
/// </summary>
public sealed class TinyHttpUnderTest : IServerUnderTest, IAsyncLifetime, IAsyncDisposable
{
    private static readonly Lazy<StaticFiles> Files = new(() => new StaticFiles(ConformanceFiles.Directory, ConformanceFiles.Prefix));

    private readonly X509Certificate2? _certificate;
    private TinyHttpServer? _shared;

    /// <summary>Creates the plain HTTP target.</summary>
    public TinyHttpUnderTest()
    {
    }

    private TinyHttpUnderTest(X509Certificate2 certificate) => _certificate = certificate;

    /// <summary>
    /// OverTls returns the TLS target: TinyHttp on an HTTPS endpoint presenting <see cref="LoopbackCertificate"/>, and a
    /// client that wraps its socket in an SslStream trusting exactly that certificate. The bytes inside TLS are the case's.
    /// </summary>
    public static TinyHttpUnderTest OverTls() => new(LoopbackCertificate.Instance);

    /// <inheritdoc/>
    public string Name => _certificate is null ? "TinyHttp" : "TinyHttp over TLS";

    /// <inheritdoc/>
    public async Task<ServerLease> LeaseAsync(CaseLimits? limits)
    {
        if (limits is null)
        {
            _shared ??= await StartAsync(null).ConfigureAwait(false);
            return new ServerLease(_shared.EndPoints[0], null, _certificate);
        }
        TinyHttpServer own = await StartAsync(limits).ConfigureAwait(false);
        return new ServerLease(own.EndPoints[0], () => own.DisposeAsync(), _certificate);
    }

    /// <summary>
    /// VerifyAsync runs the case <paramref name="name"/> of <paramref name="section"/> against TinyHttp and asserts everything
    /// it expects; its snapshot, if it has one, lives beside <paramref name="sourceFile"/> (by default the calling test's
    /// source file). The TLS target compares with the snapshot the plain run verified and never accepts one itself: the
    /// bytes of a response do not depend on the transport.
    /// </summary>
    public async Task VerifyAsync(CaseSection section, string name, [CallerFilePath] string sourceFile = "")
    {
        ArgumentNullException.ThrowIfNull(section);
        ConformanceCase c = section[name];
        CaseObservation observation = await CaseRunner.RunAsync(c, this, CaseRunner.TestReadTimeout).ConfigureAwait(false);
        CaseAssertions.Check(c, observation, sourceFile, mayAcceptSnapshot: _certificate is null);
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>Stops the shared server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_shared is not null)
        {
            await _shared.DisposeAsync().ConfigureAwait(false);
            _shared = null;
        }
    }

    private Task<TinyHttpServer> StartAsync(CaseLimits? limits)
    {
        // Every case closes its client socket before its server stops, so draining ends at once. A zero drain time would abort
        // connections still finishing, and Abort racing the connection's own release throws ObjectDisposedException out of
        // DisposeAsync (a TinyHttp bug, reported); a drain that completes never aborts.
        var options = new TinyHttpServerOptions { ShutdownTimeout = TimeSpan.FromSeconds(5) };
        if (_certificate is not null)
        {
            options.Listen(IPAddress.Loopback, 0, new HttpsOptions { ServerCertificate = _certificate });
        }
        if (limits is not null)
        {
            options.MaxRequestLineLength = limits.MaxRequestLineLength ?? options.MaxRequestLineLength;
            options.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize ?? options.MaxRequestHeadersTotalSize;
            options.MaxRequestHeaderCount = limits.MaxRequestHeaderCount ?? options.MaxRequestHeaderCount;
            options.MaxRequestBodySize = limits.MaxRequestBodySize ?? options.MaxRequestBodySize;
            options.RequestHeadersTimeout = limits.RequestHeadersTimeout ?? options.RequestHeadersTimeout;
        }
        var server = new TinyHttpServer(options, HandleAsync);
        server.Start();
        return Task.FromResult(server);
    }

    // The conformance handler (see ConformanceHandler) in TinyHttp's API.
    private static async Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
    {
        if (request.Method == "CONNECT")
        {
            response.StatusCode = ConformanceHandler.ConnectStatus(request.RawTarget);
            response.SetBody(await EchoAsync(request, requestAborted).ConfigureAwait(false));
            return;
        }
        switch (ConformanceHandler.RouteOf(request.Path))
        {
            case HandlerRoute.Status:
                StatusInstructions status = ConformanceHandler.StatusOf(request.Path, request.QueryString);
                response.StatusCode = status.Code;
                if (status.Reason is not null)
                {
                    response.ReasonPhrase = status.Reason;
                }
                if (status.DeclaredLength is long length)
                {
                    response.ContentLength = length;
                }
                if (status.Body is not null)
                {
                    response.SetBody(status.Body);
                }
                return;
            case HandlerRoute.Stream:
                foreach (string piece in ConformanceHandler.StreamPieces)
                {
                    await response.WriteAsync(System.Text.Encoding.ASCII.GetBytes(piece), requestAborted).ConfigureAwait(false);
                    await response.FlushAsync(requestAborted).ConfigureAwait(false);
                }
                return;
            case HandlerRoute.IgnoreBody:
                response.SetBody(ConformanceHandler.IgnoredBodyText);
                return;
            case HandlerRoute.Files:
                await Files.Value.HandleAsync(request, response, requestAborted).ConfigureAwait(false);
                return;
            default:
                response.SetBody(await EchoAsync(request, requestAborted).ConfigureAwait(false));
                return;
        }
    }

    private static async Task<string> EchoAsync(HttpRequest request, CancellationToken requestAborted)
    {
        byte[] body = await request.ReadBodyAsBytesAsync(requestAborted).ConfigureAwait(false);
        var headers = new List<KeyValuePair<string, string>>(request.Headers.Count);
        foreach (KeyValuePair<string, string> header in request.Headers)
        {
            headers.Add(header);
        }
        string version = request.ProtocolVersion.Major == 1 && request.ProtocolVersion.Minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
        return HandlerView.Format(request.Method, request.RawTarget, request.Path, request.QueryString, version, headers, body);
    }
}
