using System;
using System.Collections.Generic;

namespace TinyHttp.Hosting;

/// <summary>
/// The shape of a server's configuration section, bound by the configuration binder's source generator. Every
/// property is nullable: null means the key is absent and the option keeps its value. It exists because
/// <see cref="TinyHttpServerOptions"/> cannot be bound directly: the binder fills the <see cref="MinDataRate"/> the
/// options already hold instead of making a new one, and its properties are read-only, so a configured rate was
/// silently dropped; and endpoints are <see cref="System.Net.EndPoint"/> objects, not URLs.
/// </summary>
internal sealed class ServerSettings
{
    public List<string>? Endpoints { get; set; }

    public CertificateSettings? Certificate { get; set; }

    public int? MaxRequestLineLength { get; set; }

    public int? MaxRequestHeadersTotalSize { get; set; }

    public int? MaxRequestHeaderCount { get; set; }

    public long? MaxRequestBodySize { get; set; }

    public long? MaxUnreadRequestBodyToDrain { get; set; }

    public TimeSpan? RequestHeadersTimeout { get; set; }

    public TimeSpan? KeepAliveTimeout { get; set; }

    public DataRateSettings? MinRequestBodyDataRate { get; set; }

    public DataRateSettings? MinResponseDataRate { get; set; }

    public int? MaxConcurrentConnections { get; set; }

    public TimeSpan? ShutdownTimeout { get; set; }

    public int? ResponseBufferSize { get; set; }

    /// <summary>The keys a server section may hold, as written in the README.</summary>
    public static readonly string[] Keys =
    [
        nameof(Endpoints), nameof(Certificate), nameof(MaxRequestLineLength), nameof(MaxRequestHeadersTotalSize),
        nameof(MaxRequestHeaderCount), nameof(MaxRequestBodySize), nameof(MaxUnreadRequestBodyToDrain),
        nameof(RequestHeadersTimeout), nameof(KeepAliveTimeout), nameof(MinRequestBodyDataRate), nameof(MinResponseDataRate),
        nameof(MaxConcurrentConnections), nameof(ShutdownTimeout), nameof(ResponseBufferSize),
    ];
}

/// <summary>A <see cref="MinDataRate"/> in configuration: <c>{ "BytesPerSecond": 240, "GracePeriod": "00:00:05" }</c>.</summary>
internal sealed class DataRateSettings
{
    public double? BytesPerSecond { get; set; }

    public TimeSpan? GracePeriod { get; set; }

    public static readonly string[] Keys = [nameof(BytesPerSecond), nameof(GracePeriod)];
}

/// <summary>The certificate of a server's https:// endpoints: a PEM file with its key file, a PEM file holding both, or a PFX file.</summary>
internal sealed class CertificateSettings
{
    public string? Path { get; set; }

    public string? KeyPath { get; set; }

    public string? Password { get; set; }

    public static readonly string[] Keys = [nameof(Path), nameof(KeyPath), nameof(Password)];
}
