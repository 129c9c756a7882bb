using System;

namespace TinyHttp;

/// <summary>How <see cref="HttpResponse.AcceptWebSocketAsync"/> answers a WebSocket upgrade.</summary>
public sealed class WebSocketAcceptOptions
{
    /// <summary>
    /// The subprotocol to speak, one of <see cref="HttpRequest.WebSocketSubProtocols"/>; null (the default) chooses none,
    /// and the response carries no Sec-WebSocket-Protocol (RFC 6455 §4.2.2).
    /// </summary>
    public string? SubProtocol { get; set; }

    /// <summary>
    /// How often the server sends an unsolicited Pong to keep intermediaries from closing an idle WebSocket. Default
    /// 30 seconds; <see cref="TimeSpan.Zero"/> sends none. (The runtime's WebSocket sends them; see
    /// <see cref="System.Net.WebSockets.WebSocketCreationOptions.KeepAliveInterval"/>.)
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether to accept the client's permessage-deflate offer (RFC 7692), compressing messages both ways. Default false:
    /// compression over TLS can leak secrets mixed with attacker-chosen data (CRIME/BREACH), so turn it on only for
    /// messages where that cannot happen.
    /// </summary>
    public bool EnableCompression { get; set; }

    /// <summary>
    /// Decides whether a browser page from the given origin (the request's Origin field, null when absent: not a browser)
    /// may connect; false answers 403. Null (the default) accepts every origin. A local tool's UI should accept only its own
    /// origin, so other sites' pages in the same browser cannot open a WebSocket to it (cross-site WebSocket hijacking,
    /// RFC 6455 §10.2).
    /// </summary>
    public Func<string?, bool>? AllowOrigin { get; set; }
}
