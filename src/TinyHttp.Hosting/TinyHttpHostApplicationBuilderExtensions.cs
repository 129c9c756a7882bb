using System;
using Microsoft.Extensions.Hosting;

namespace TinyHttp.Hosting;

/// <summary>Adds TinyHttp servers to a host application builder (<c>Host.CreateApplicationBuilder(args)</c>).</summary>
public static class TinyHttpHostApplicationBuilderExtensions
{
    /// <summary>Adds a server to the builder's services, as <see cref="TinyHttpServiceCollectionExtensions.AddTinyHttpServer"/> does.</summary>
    /// <param name="builder">The host application builder.</param>
    /// <param name="name">The server's name, for a second server in the same host (section <c>TinyHttp:NAME</c>); null or empty for the default server.</param>
    /// <returns>A builder for the server's handler, options and health checks.</returns>
    public static TinyHttpServerBuilder AddTinyHttpServer(this IHostApplicationBuilder builder, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Services.AddTinyHttpServer(name);
    }
}
