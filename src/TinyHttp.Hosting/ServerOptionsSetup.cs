using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TinyHttp.Hosting;

/// <summary>
/// Fills each registered server's <see cref="TinyHttpServerOptions"/> from its configuration section and checks every
/// value, so a mistake fails the host's start with a message naming the key (<c>TinyHttp:MaxRequestLineLength is 5;
/// it must be at least 16.</c>). The limits the core also checks are checked here with the same bounds, so the message
/// can name the configuration key rather than the property. Runs when the options are first read: at the host's start,
/// through <c>ValidateOnStart</c>.
/// </summary>
internal sealed class ServerOptionsSetup(IEnumerable<ServerRegistration> registrations, IConfiguration? configuration = null, IHostEnvironment? environment = null)
    : IConfigureNamedOptions<TinyHttpServerOptions>
{
    public void Configure(TinyHttpServerOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, TinyHttpServerOptions options)
    {
        name ??= Options.DefaultName;
        ServerRegistration? registration = null;
        var otherServers = new List<string>();
        foreach (ServerRegistration candidate in registrations)
        {
            if (string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                registration = candidate;
            }
            else
            {
                otherServers.Add(candidate.Name);
            }
        }
        if (registration is null || configuration is null)
        {
            return;
        }
        var errors = new List<string>();
        Apply(configuration.GetSection(registration.SectionPath), options, name.Length == 0 ? otherServers : [], environment?.ContentRootPath, errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(name, typeof(TinyHttpServerOptions), errors);
        }
    }

    /// <summary>Applies <paramref name="section"/> to <paramref name="options"/>; each problem found is added to <paramref name="errors"/>.</summary>
    /// <param name="section">The server's section.</param>
    /// <param name="options">The options to fill.</param>
    /// <param name="namedServers">Keys in the section that are other servers' sections (the default server's section holds them).</param>
    /// <param name="contentRoot">Where relative certificate paths start; the current directory when null.</param>
    /// <param name="errors">Receives one message per problem, each naming its key.</param>
    internal static void Apply(IConfigurationSection section, TinyHttpServerOptions options, IReadOnlyCollection<string> namedServers, string? contentRoot, List<string> errors)
    {
        Dictionary<string, IConfigurationSection> present = Children(section, ServerSettings.Keys, namedServers, errors);
        if (present.TryGetValue(nameof(ServerSettings.Certificate), out IConfigurationSection? certificateSection))
        {
            Children(certificateSection, CertificateSettings.Keys, [], errors);
        }
        foreach (string rate in (string[])[nameof(ServerSettings.MinRequestBodyDataRate), nameof(ServerSettings.MinResponseDataRate)])
        {
            if (present.TryGetValue(rate, out IConfigurationSection? rateSection))
            {
                Children(rateSection, DataRateSettings.Keys, [], errors);
            }
        }

        var settings = new ServerSettings();
        try
        {
            section.Bind(settings);
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the key and the value it could not convert.
            errors.Add(ex.Message);
            return;
        }

        string path = section.Path;
        Apply(settings.MaxRequestLineLength, nameof(ServerSettings.MaxRequestLineLength), v => v >= 16, "at least 16", v => options.MaxRequestLineLength = v);
        Apply(settings.MaxRequestHeadersTotalSize, nameof(ServerSettings.MaxRequestHeadersTotalSize), v => v >= 64, "at least 64", v => options.MaxRequestHeadersTotalSize = v);
        Apply(settings.MaxRequestHeaderCount, nameof(ServerSettings.MaxRequestHeaderCount), v => v >= 1, "at least 1", v => options.MaxRequestHeaderCount = v);
        if (IsEmpty(present, nameof(ServerSettings.MaxRequestBodySize)))
        {
            options.MaxRequestBodySize = null;
        }
        else
        {
            Apply(settings.MaxRequestBodySize, nameof(ServerSettings.MaxRequestBodySize), v => v >= 0, "0 or more, or empty (null) for no limit", v => options.MaxRequestBodySize = v);
        }
        Apply(settings.MaxUnreadRequestBodyToDrain, nameof(ServerSettings.MaxUnreadRequestBodyToDrain), v => v >= 0, "0 or more", v => options.MaxUnreadRequestBodyToDrain = v);
        Apply(settings.RequestHeadersTimeout, nameof(ServerSettings.RequestHeadersTimeout), v => v > TimeSpan.Zero, "more than zero", v => options.RequestHeadersTimeout = v);
        Apply(settings.KeepAliveTimeout, nameof(ServerSettings.KeepAliveTimeout), v => v > TimeSpan.Zero, "more than zero", v => options.KeepAliveTimeout = v);
        MinDataRate? requestRate = options.MinRequestBodyDataRate;
        if (ApplyRate(present, nameof(ServerSettings.MinRequestBodyDataRate), settings.MinRequestBodyDataRate, ref requestRate, errors))
        {
            options.MinRequestBodyDataRate = requestRate;
        }
        MinDataRate? responseRate = options.MinResponseDataRate;
        if (ApplyRate(present, nameof(ServerSettings.MinResponseDataRate), settings.MinResponseDataRate, ref responseRate, errors))
        {
            options.MinResponseDataRate = responseRate;
        }
        if (IsEmpty(present, nameof(ServerSettings.MaxConcurrentConnections)))
        {
            options.MaxConcurrentConnections = null;
        }
        else
        {
            Apply(settings.MaxConcurrentConnections, nameof(ServerSettings.MaxConcurrentConnections), v => v >= 1, "at least 1, or empty (null) for no limit", v => options.MaxConcurrentConnections = v);
        }
        Apply(settings.ShutdownTimeout, nameof(ServerSettings.ShutdownTimeout), v => v >= TimeSpan.Zero, "zero or more", v => options.ShutdownTimeout = v);
        Apply(settings.ResponseBufferSize, nameof(ServerSettings.ResponseBufferSize), v => v >= 0, "0 or more", v => options.ResponseBufferSize = v);
        ApplyEndpoints(section, present, settings, options, contentRoot, errors);

        // One bound limit: absent leaves the option as it is; a value outside its rule is reported under its key.
        void Apply<T>(T? value, string key, Func<T, bool> allowed, string rule, Action<T> set)
            where T : struct
        {
            if (value is not T given)
            {
                return;
            }
            if (allowed(given))
            {
                set(given);
            }
            else
            {
                errors.Add($"{path}:{key} is {given}; it must be {rule}.");
            }
        }
    }

    private static void ApplyEndpoints(
        IConfigurationSection section, Dictionary<string, IConfigurationSection> present, ServerSettings settings,
        TinyHttpServerOptions options, string? contentRoot, List<string> errors)
    {
        string path = section.Path;
        var urls = new List<(string Key, string Url)>();
        if (present.TryGetValue(nameof(ServerSettings.Endpoints), out IConfigurationSection? single) && !string.IsNullOrWhiteSpace(single.Value))
        {
            // One string, as an environment variable gives it (TinyHttp__Endpoints=http://[::]:8080), ';' between several.
            // It replaces a list from appsettings.json, as a later configuration source should.
            foreach (string url in single.Value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                urls.Add(($"{path}:Endpoints", url));
            }
        }
        else if (settings.Endpoints is { } list)
        {
            for (int i = 0; i < list.Count; i++)
            {
                urls.Add(($"{path}:Endpoints:{i}", list[i]));
            }
        }

        var endpoints = new List<EndpointUrl>();
        string? firstHttpsKey = null;
        foreach ((string key, string url) in urls)
        {
            if (EndpointUrl.TryParse(url, out EndpointUrl endpoint, out string? error))
            {
                endpoints.Add(endpoint);
                if (endpoint.IsHttps)
                {
                    firstHttpsKey ??= key;
                }
            }
            else
            {
                errors.Add($"{key} is '{url}': {error}. Write an endpoint as {EndpointUrl.Examples}.");
            }
        }

        HttpsOptions? https = null;
        if (firstHttpsKey is not null)
        {
            X509Certificate2? certificate = LoadCertificate(path, settings.Certificate, firstHttpsKey, contentRoot, errors);
            https = certificate is null ? null : new HttpsOptions { ServerCertificate = certificate };
        }
        if (errors.Count > 0)
        {
            return;
        }
        foreach (EndpointUrl endpoint in endpoints)
        {
            endpoint.AddTo(options, endpoint.IsHttps ? https : null);
        }
    }

    private static X509Certificate2? LoadCertificate(string path, CertificateSettings? settings, string httpsKey, string? contentRoot, List<string> errors)
    {
        if (string.IsNullOrEmpty(settings?.Path))
        {
            errors.Add($"{httpsKey} is an https:// endpoint, but {path}:Certificate:Path is not set; give the certificate: a PEM file with {path}:Certificate:KeyPath, or a PFX file with {path}:Certificate:Password.");
            return null;
        }
        string certificatePath = Resolve(settings.Path, contentRoot);
        if (!File.Exists(certificatePath))
        {
            errors.Add($"{path}:Certificate:Path is '{settings.Path}', and there is no file at {certificatePath}.");
            return null;
        }
        string? keyPath = null;
        if (!string.IsNullOrEmpty(settings.KeyPath))
        {
            keyPath = Resolve(settings.KeyPath, contentRoot);
            if (!File.Exists(keyPath))
            {
                errors.Add($"{path}:Certificate:KeyPath is '{settings.KeyPath}', and there is no file at {keyPath}.");
                return null;
            }
        }
        try
        {
            X509Certificate2 certificate;
            if (keyPath is not null)
            {
                certificate = string.IsNullOrEmpty(settings.Password)
                    ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, settings.Password, keyPath);
            }
            else if (certificatePath.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || certificatePath.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, settings.Password);
            }
            else
            {
                certificate = X509Certificate2.CreateFromPemFile(certificatePath);
            }
            if (!certificate.HasPrivateKey)
            {
                certificate.Dispose();
                errors.Add($"{path}:Certificate:Path is '{settings.Path}', which has no private key; give the key in {path}:Certificate:KeyPath (PEM) or use a PFX file that holds it.");
                return null;
            }
            return certificate;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            errors.Add($"{path}:Certificate could not be loaded from '{settings.Path}'{(keyPath is null ? "" : $" and '{settings.KeyPath}'")}: {ex.Message}");
            return null;
        }
    }

    private static string Resolve(string file, string? contentRoot) =>
        Path.IsPathRooted(file) || contentRoot is null ? Path.GetFullPath(file) : Path.GetFullPath(Path.Combine(contentRoot, file));

    /// <summary>
    /// A rate from configuration: an empty value (JSON null or "") turns the check off; otherwise the keys given replace
    /// those of the current rate (so <c>"GracePeriod": "00:00:10"</c> alone keeps 240 B/s). Returns whether to set it.
    /// </summary>
    private static bool ApplyRate(
        Dictionary<string, IConfigurationSection> present, string key, DataRateSettings? settings, ref MinDataRate? rate, List<string> errors)
    {
        if (IsEmpty(present, key))
        {
            rate = null;
            return true;
        }
        if (settings is null || (settings.BytesPerSecond is null && settings.GracePeriod is null))
        {
            return false;
        }
        string path = present[key].Path;
        double bytesPerSecond = settings.BytesPerSecond ?? rate?.BytesPerSecond ?? 240;
        TimeSpan gracePeriod = settings.GracePeriod ?? rate?.GracePeriod ?? TimeSpan.FromSeconds(5);
        bool valid = true;
        if (!(bytesPerSecond > 0) || double.IsInfinity(bytesPerSecond))
        {
            errors.Add($"{path}:BytesPerSecond is {bytesPerSecond}; it must be more than zero (to turn the check off, set {path} to null or \"\").");
            valid = false;
        }
        if (gracePeriod < TimeSpan.Zero)
        {
            errors.Add($"{path}:GracePeriod is {gracePeriod}; it must be zero or more.");
            valid = false;
        }
        if (valid)
        {
            rate = new MinDataRate(bytesPerSecond, gracePeriod);
        }
        return valid;
    }

    /// <summary>Whether <paramref name="key"/> is present with an empty value (JSON null or ""): "no limit" for a nullable limit.</summary>
    private static bool IsEmpty(Dictionary<string, IConfigurationSection> present, string key)
    {
        if (!present.TryGetValue(key, out IConfigurationSection? child) || !string.IsNullOrEmpty(child.Value))
        {
            return false;
        }
        using IEnumerator<IConfigurationSection> children = child.GetChildren().GetEnumerator();
        return !children.MoveNext();
    }

    /// <summary>The children of <paramref name="section"/> by key; a key that is not one of <paramref name="keys"/> (nor another server's section) is an error.</summary>
    private static Dictionary<string, IConfigurationSection> Children(
        IConfigurationSection section, string[] keys, IReadOnlyCollection<string> namedServers, List<string> errors)
    {
        var present = new Dictionary<string, IConfigurationSection>(StringComparer.OrdinalIgnoreCase);
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (Array.Exists(keys, key => string.Equals(key, child.Key, StringComparison.OrdinalIgnoreCase)))
            {
                present[child.Key] = child;
                continue;
            }
            bool isServer = false;
            foreach (string server in namedServers)
            {
                isServer |= string.Equals(server, child.Key, StringComparison.OrdinalIgnoreCase);
            }
            if (!isServer)
            {
                errors.Add($"{child.Path} is not a TinyHttp setting; {section.Path} may hold {string.Join(", ", keys)}"
                    + (namedServers.Count > 0 ? ", or the section of a server named with AddTinyHttpServer(name)." : "."));
            }
        }
        return present;
    }
}
