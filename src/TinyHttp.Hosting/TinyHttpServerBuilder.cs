using System;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TinyHttp.Hosting;

/// <summary>
/// TinyHttpServerBuilder sets up one server added with <c>AddTinyHttpServer</c>: its handler, options set in code and
/// health-check paths. Every method returns the builder, for chaining.
/// </summary>
public sealed class TinyHttpServerBuilder
{
    private readonly ServerRegistration _registration;

    internal TinyHttpServerBuilder(IServiceCollection services, ServerRegistration registration)
    {
        Services = services;
        _registration = registration;
    }

    /// <summary>The server's name: empty for the default server, which reads the <c>TinyHttp</c> configuration section.</summary>
    public string Name => _registration.Name;

    /// <summary>The configuration section the server's options are read from: <c>TinyHttp</c>, or <c>TinyHttp:NAME</c> for a named server.</summary>
    public string ConfigurationSectionPath => _registration.SectionPath;

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Passes each request to <paramref name="handler"/> (after the health-check paths, which answer first).</summary>
    /// <param name="handler">Called once per request, possibly on several connections at once.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">The server already has a handler.</exception>
    public TinyHttpServerBuilder UseHandler(RequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        SetHandler(_ => handler);
        return this;
    }

    /// <summary>
    /// Passes each request to a <typeparamref name="THandler"/> resolved from dependency injection. Unless the app has
    /// registered <typeparamref name="THandler"/> already, it is registered scoped: every request gets a new DI scope,
    /// so the handler can take scoped services, and the scope and what it made are disposed when the request ends.
    /// Register <typeparamref name="THandler"/> as a singleton before this call and one handler serves every request,
    /// with no scope.
    /// </summary>
    /// <typeparam name="THandler">The handler type.</typeparam>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">The server already has a handler.</exception>
    public TinyHttpServerBuilder UseHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>()
        where THandler : class, ITinyHttpHandler
    {
        ServiceLifetime lifetime = ServiceLifetime.Scoped;
        foreach (ServiceDescriptor descriptor in Services)
        {
            if (descriptor.ServiceType == typeof(THandler) && !descriptor.IsKeyedService)
            {
                lifetime = descriptor.Lifetime;
            }
        }
        Services.TryAdd(ServiceDescriptor.Scoped<THandler, THandler>());
        SetHandler(lifetime == ServiceLifetime.Singleton
            ? static provider => provider.GetRequiredService<THandler>().HandleAsync
            : static provider => new ScopedHandler<THandler>(provider.GetRequiredService<IServiceScopeFactory>()).HandleAsync);
        return this;
    }

    /// <summary>
    /// Changes the server's options in code, after they are read from configuration: for example endpoints with a
    /// certificate from a store, or a limit that must not be configurable.
    /// </summary>
    /// <param name="configure">Called once with the options when the server is created.</param>
    /// <returns>This builder.</returns>
    public TinyHttpServerBuilder Configure(Action<TinyHttpServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(Name, configure);
        return this;
    }

    /// <summary>
    /// Answers requests for <paramref name="path"/> with the application's health checks
    /// (<c>services.AddHealthChecks()</c>), as ASP.NET Core's health checks middleware does: 200 when the report is
    /// Healthy or Degraded, 503 when Unhealthy, with a small JSON body naming each check's status and the
    /// caching headers that keep proxies from storing it. Requests for other paths go to the server's handler.
    /// </summary>
    /// <param name="path">The exact request path, starting with '/'. Default <c>/healthz</c>.</param>
    /// <param name="predicate">Which registered checks run for this path (for example those tagged "ready"); all when null.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The path does not start with '/', has a query, or is already mapped on this server.</exception>
    public TinyHttpServerBuilder MapHealthChecks(string path = "/healthz", Func<HealthCheckRegistration, bool>? predicate = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path[0] != '/' || path.Contains('?', StringComparison.Ordinal) || path.Contains('#', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The health-check path '{path}' must be an absolute path without a query, such as \"/healthz\".", nameof(path));
        }
        foreach (HealthCheckEndpoint existing in _registration.HealthChecks)
        {
            if (string.Equals(existing.Path, path, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The path '{path}' already answers health checks on this server; map each path once.", nameof(path));
            }
        }
        Services.AddHealthChecks();
        _registration.HealthChecks.Add(new HealthCheckEndpoint(path, predicate));
        return this;
    }

    private void SetHandler(Func<IServiceProvider, RequestHandler> createHandler)
    {
        if (_registration.CreateHandler is not null)
        {
            throw new InvalidOperationException($"The TinyHttp server{(Name.Length == 0 ? "" : $" '{Name}'")} already has a handler; call UseHandler once per server (one handler can route by request.Path).");
        }
        _registration.CreateHandler = createHandler;
    }
}
