using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace TinyHttp.Conformance;

/// <summary>
/// TinyHttpUnderTest runs the conformance handler on TinyHttp (127.0.0.1, a free port). As an xunit class fixture it
/// gives each section class its own server; cases with their own limits get a server of their own for the case.
/// </summary>
public sealed class TinyHttpUnderTest : IServerUnderTest, IAsyncLifetime, IAsyncDisposable
{
    private TinyHttpServer? _shared;

    /// <inheritdoc/>
    public string Name => "TinyHttp";

    /// <inheritdoc/>
    public async Task<ServerLease> LeaseAsync(CaseLimits? limits)
    {
        if (limits is null)
        {
            _shared ??= await StartAsync(null).ConfigureAwait(false);
            return new ServerLease(_shared.EndPoints[0], null);
        }
        TinyHttpServer own = await StartAsync(limits).ConfigureAwait(false);
        return new ServerLease(own.EndPoints[0], () => own.DisposeAsync());
    }

    /// <summary>
    /// VerifyAsync runs the case <paramref name="name"/> of <paramref name="section"/> against TinyHttp and asserts everything
    /// it expects; its snapshot, if it has one, lives beside the calling test's source file.
    /// </summary>
    public async Task VerifyAsync(CaseSection section, string name, [CallerFilePath] string sourceFile = "")
    {
        ArgumentNullException.ThrowIfNull(section);
        ConformanceCase c = section[name];
        CaseObservation observation = await CaseRunner.RunAsync(c, this, CaseRunner.TestReadTimeout).ConfigureAwait(false);
        CaseAssertions.Check(c, observation, sourceFile);
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

    private static Task<TinyHttpServer> StartAsync(CaseLimits? limits)
    {
        // Every case closes its client socket before its server stops, so draining ends at once. A zero drain time would abort
        // connections still finishing, and Abort racing the connection's own release throws ObjectDisposedException out of
        // DisposeAsync (a TinyHttp bug, reported); a drain that completes never aborts.
        var options = new TinyHttpServerOptions { ShutdownTimeout = TimeSpan.FromSeconds(5) };
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
