using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Reflection;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using AspNetHttpContext = Microsoft.AspNetCore.Http.HttpContext;

namespace TinyHttp.Conformance;

/// <summary>
/// KestrelUnderTest runs the conformance handler on Kestrel in-process (<c>WebApplication.CreateSlimBuilder</c>, 127.0.0.1,
/// a free port, no Server header, no logging, ASP.NET Core's static file middleware for <c>/files/</c>), so the report can set Kestrel's outcome beside TinyHttp's.
/// </summary>
public sealed class KestrelUnderTest : IServerUnderTest, IAsyncDisposable
{
    private WebApplication? _shared;
    private EndPoint? _sharedEndPoint;

    /// <inheritdoc/>
    public string Name => "Kestrel";

    /// <summary>Version is the ASP.NET Core shared framework Kestrel comes from.</summary>
    public static string Version
    {
        get
        {
            string? version = typeof(WebApplication).Assembly
                .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            return version is null ? "unknown" : version.Split('+')[0];
        }
    }

    /// <inheritdoc/>
    public async Task<ServerLease> LeaseAsync(CaseLimits? limits)
    {
        if (limits is null)
        {
            if (_shared is null)
            {
                (_shared, _sharedEndPoint) = await StartAsync(null).ConfigureAwait(false);
            }
            return new ServerLease(_sharedEndPoint!, null);
        }
        (WebApplication own, EndPoint endPoint) = await StartAsync(limits).ConfigureAwait(false);
        return new ServerLease(endPoint, () => own.DisposeAsync());
    }

    /// <summary>Stops the shared server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_shared is not null)
        {
            await _shared.DisposeAsync().ConfigureAwait(false);
            _shared = null;
        }
    }

    private static async Task<(WebApplication, EndPoint)> StartAsync(CaseLimits? limits)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Listen(IPAddress.Loopback, 0);
            if (limits is not null)
            {
                options.Limits.MaxRequestLineSize = limits.MaxRequestLineLength ?? options.Limits.MaxRequestLineSize;
                options.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize ?? options.Limits.MaxRequestHeadersTotalSize;
                options.Limits.MaxRequestHeaderCount = limits.MaxRequestHeaderCount ?? options.Limits.MaxRequestHeaderCount;
                options.Limits.MaxRequestBodySize = limits.MaxRequestBodySize ?? options.Limits.MaxRequestBodySize;
                options.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout ?? options.Limits.RequestHeadersTimeout;
            }
        });
        WebApplication app = builder.Build();
        app.UseStaticFiles(new Microsoft.AspNetCore.Builder.StaticFileOptions
        {
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(ConformanceFiles.Directory),
            RequestPath = ConformanceFiles.Prefix.TrimEnd('/'),
        });
        app.Run(HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var uri = new Uri(address);
        return (app, new IPEndPoint(IPAddress.Loopback, uri.Port));
    }

    // The conformance handler (see ConformanceHandler) in ASP.NET Core's API. Where TinyHttp's SetBody silently leaves a
    // body out (HEAD, 204, 304), Kestrel throws on a write, so the mirror does not write: both then put the same on the wire.
    // Kestrel also refuses content on 205 (RFC 9110 §15.3.6), which TinyHttp does not; the mirror skips that write too,
    // so the report shows what Kestrel sends for a 205 rather than a 500 from the refused write.
    private static async Task HandleAsync(AspNetHttpContext context)
    {
        try
        {
            await HandleCoreAsync(context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not Microsoft.AspNetCore.Http.BadHttpRequestException && !context.Response.HasStarted)
        {
            // Kestrel would answer 500 anyway; the field says why, for the report's --filter output.
            context.Response.Headers.Clear();
            context.Response.StatusCode = 500;
            context.Response.Headers["X-Handler-Exception"] = $"{e.GetType().Name}: {e.Message}".ReplaceLineEndings(" ");
        }
    }

    private static async Task HandleCoreAsync(AspNetHttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (request.Method == "CONNECT")
        {
            response.StatusCode = ConformanceHandler.ConnectStatus(RawTarget(context));
            await SetBodyAsync(context, await EchoAsync(context).ConfigureAwait(false), "text/plain; charset=utf-8").ConfigureAwait(false);
            return;
        }
        string path = (request.PathBase + request.Path).ToUriComponent();
        switch (ConformanceHandler.RouteOf(path))
        {
            case HandlerRoute.Status:
                StatusInstructions status = ConformanceHandler.StatusOf(path, Query(context));
                response.StatusCode = status.Code;
                if (status.Reason is not null)
                {
                    context.Features.GetRequiredFeature<IHttpResponseFeature>().ReasonPhrase = status.Reason;
                }
                if (status.DeclaredLength is long length)
                {
                    response.ContentLength = length;
                }
                if (status.Body is not null)
                {
                    await SetBodyAsync(context, status.Body, "text/plain; charset=utf-8").ConfigureAwait(false);
                }
                return;
            case HandlerRoute.Stream:
                foreach (string piece in ConformanceHandler.StreamPieces)
                {
                    await response.Body.WriteAsync(Encoding.ASCII.GetBytes(piece)).ConfigureAwait(false);
                    await response.Body.FlushAsync().ConfigureAwait(false);
                }
                return;
            case HandlerRoute.IgnoreBody:
                await SetBodyAsync(context, ConformanceHandler.IgnoredBodyText, "text/plain; charset=utf-8").ConfigureAwait(false);
                return;
            case HandlerRoute.Files:
                // The static file middleware declined it (no such file, or a method it does not serve).
                response.StatusCode = 404;
                return;
            default:
                string echo = await EchoAsync(context).ConfigureAwait(false);
                await SetBodyAsync(context, echo, "text/plain; charset=utf-8").ConfigureAwait(false);
                return;
        }
    }

    private static async Task SetBodyAsync(AspNetHttpContext context, string text, string contentType)
    {
        var response = context.Response;
        if (!ConformanceHandler.StatusAllowsContent(response.StatusCode) || response.StatusCode == 205)
        {
            return;
        }
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        response.ContentType ??= contentType;
        response.ContentLength = bytes.Length;
        if (context.Request.Method != "HEAD")
        {
            await response.Body.WriteAsync(bytes).ConfigureAwait(false);
        }
    }

    private static async Task<string> EchoAsync(AspNetHttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body).ConfigureAwait(false);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (KeyValuePair<string, StringValues> header in request.Headers)
        {
            foreach (string? value in header.Value)
            {
                headers.Add(new KeyValuePair<string, string>(header.Key, value ?? string.Empty));
            }
        }
        string path = (request.PathBase + request.Path).ToUriComponent();
        return HandlerView.Format(request.Method, RawTarget(context), path, Query(context), request.Protocol, headers, body.ToArray());
    }

    private static string RawTarget(AspNetHttpContext context) => context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;

    private static string Query(AspNetHttpContext context) =>
        context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : string.Empty;
}
