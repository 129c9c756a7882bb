using System;
using System.Diagnostics.Metrics;
using System.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TinyHttp.Hosting;

/// <summary>
/// Adds TinyHttp servers to the services of a .NET Generic Host. Each server reads its options from configuration (the
/// <c>TinyHttp</c> section, or <c>TinyHttp:NAME</c> for a named server), is bound before the host reports started,
/// and stops gracefully, before the other hosted services stop, when the host stops.
/// </summary>
public static class TinyHttpServiceCollectionExtensions
{
    /// <summary>
    /// Adds a server. Give it a handler with <see cref="TinyHttpServerBuilder.UseHandler(RequestHandler)"/> or
    /// <see cref="TinyHttpServerBuilder.UseHandler{THandler}"/>, and health-check paths with
    /// <see cref="TinyHttpServerBuilder.MapHealthChecks"/>; requests nothing answers get 404. After the host is built,
    /// the server is the <see cref="TinyHttpServer"/> service (keyed by its name, and unkeyed for the default server),
    /// for its <see cref="TinyHttpServer.BaseAddress"/> once the host has started.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="name">
    /// The server's name, for a second server in the same host: its options come from <c>TinyHttp:NAME</c> and it logs
    /// under <c>TinyHttp.Server.NAME</c>. Null or empty for the default server (<c>TinyHttp</c>, <c>TinyHttp.Server</c>).
    /// </param>
    /// <returns>A builder for the server's handler, options and health checks.</returns>
    /// <exception cref="InvalidOperationException">A server with this name is already registered.</exception>
    /// <exception cref="ArgumentException">The name contains ':'.</exception>
    public static TinyHttpServerBuilder AddTinyHttpServer(this IServiceCollection services, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        name ??= Options.DefaultName;
        if (name.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The server name '{name}' contains ':'; a name is one configuration key (its section is TinyHttp:NAME), such as \"admin\".", nameof(name));
        }
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType == typeof(ServerRegistration) && descriptor.ImplementationInstance is ServerRegistration existing
                && string.Equals(existing.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(name.Length == 0
                    ? "A default TinyHttp server is already registered; call AddTinyHttpServer once, or give the second server a name: AddTinyHttpServer(\"admin\")."
                    : $"A TinyHttp server named '{existing.Name}' is already registered (names are case-insensitive, as configuration keys are); give each server its own name.");
            }
        }

        var registration = new ServerRegistration(name);
        services.AddSingleton(registration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<TinyHttpServerOptions>, ServerOptionsSetup>());
        if (!services.Any(static descriptor => descriptor.ServiceType == typeof(IConfigureOptions<StartupCheck>)))
        {
            services.AddSingleton<IConfigureOptions<StartupCheck>, StartupCheck.Setup>();
            services.AddOptions<StartupCheck>().ValidateOnStart();
        }
        services.AddKeyedSingleton(name, (provider, _) => CreateServer(provider, registration));
        if (name.Length == 0)
        {
            services.AddSingleton(static provider => provider.GetRequiredKeyedService<TinyHttpServer>(Options.DefaultName));
        }
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ServerLifetime>());
        return new TinyHttpServerBuilder(services, registration);
    }

    private static TinyHttpServer CreateServer(IServiceProvider provider, ServerRegistration registration)
    {
        TinyHttpServerOptions options = provider.GetRequiredService<IOptionsMonitor<TinyHttpServerOptions>>().Get(registration.Name);
        var dispatcher = new RequestDispatcher(
            registration.HealthChecks.ToArray(),
            registration.HealthChecks.Count > 0 ? provider.GetRequiredService<HealthCheckService>() : null,
            registration.CreateHandler?.Invoke(provider));
        ILogger? logger = provider.GetService<ILoggerFactory>()?.CreateLogger(registration.LoggerCategory);
        return new TinyHttpServer(options, dispatcher.HandleAsync, logger, provider.GetService<IMeterFactory>());
    }
}
