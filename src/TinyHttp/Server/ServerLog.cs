using System;
using System.Net;
using Microsoft.Extensions.Logging;

namespace TinyHttp.Server;

/// <summary>
/// Every event the server logs, with stable event ids. Source-generated, so a disabled level costs a
/// level check and nothing else.
/// </summary>
internal sealed partial class ServerLog(ILogger logger)
{
    private readonly ILogger _logger = logger;

    public bool IsEnabled(LogLevel level) => _logger.IsEnabled(level);

    [LoggerMessage(EventId = 1, EventName = "Listening", Level = LogLevel.Information, Message = "Listening on {EndPoint}")]
    public partial void Listening(EndPoint endPoint);

    [LoggerMessage(EventId = 2, EventName = "ConnectionOpened", Level = LogLevel.Debug, Message = "Connection {ConnectionId} opened from {RemoteEndPoint}")]
    public partial void ConnectionOpened(long connectionId, EndPoint? remoteEndPoint);

    [LoggerMessage(EventId = 3, EventName = "ConnectionClosed", Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed")]
    public partial void ConnectionClosed(long connectionId);

    [LoggerMessage(EventId = 4, EventName = "RequestRejected", Level = LogLevel.Debug, Message = "Connection {ConnectionId}: request rejected with {StatusCode}: {Reason}")]
    public partial void RequestRejected(long connectionId, RequestRejectionReason reason, int statusCode);

    [LoggerMessage(EventId = 5, EventName = "HandlerFailed", Level = LogLevel.Error, Message = "Connection {ConnectionId}: the handler for {Method} {Target} threw")]
    public partial void HandlerFailed(long connectionId, string method, string target, Exception exception);

    [LoggerMessage(EventId = 6, EventName = "ResponseBodyIncomplete", Level = LogLevel.Error, Message = "Connection {ConnectionId}: the handler for {Method} {Target} wrote fewer bytes than its Content-Length; the connection was aborted")]
    public partial void ResponseBodyIncomplete(long connectionId, string method, string target);

    [LoggerMessage(EventId = 7, EventName = "ConnectionFailed", Level = LogLevel.Warning, Message = "Connection {ConnectionId} failed unexpectedly")]
    public partial void ConnectionFailed(long connectionId, Exception exception);

    [LoggerMessage(EventId = 8, EventName = "AcceptFailed", Level = LogLevel.Warning, Message = "Accepting a connection on {EndPoint} failed")]
    public partial void AcceptFailed(EndPoint? endPoint, Exception exception);

    [LoggerMessage(EventId = 9, EventName = "StopStarted", Level = LogLevel.Information, Message = "Stopping: no longer accepting; {ActiveConnections} connections open")]
    public partial void StopStarted(int activeConnections);

    [LoggerMessage(EventId = 10, EventName = "StopAborting", Level = LogLevel.Warning, Message = "Stopping: drain time is over; aborting {ActiveConnections} connections")]
    public partial void StopAborting(int activeConnections);

    [LoggerMessage(EventId = 11, EventName = "StopCompleted", Level = LogLevel.Information, Message = "Stopped")]
    public partial void StopCompleted();

    [LoggerMessage(EventId = 12, EventName = "CancellationCallbackFailed", Level = LogLevel.Warning, Message = "Connection {ConnectionId}: a callback registered on the request-aborted token threw")]
    public partial void CancellationCallbackFailed(long connectionId, Exception exception);

    [LoggerMessage(EventId = 13, EventName = "ResponseDataRateTooLow", Level = LogLevel.Debug, Message = "Connection {ConnectionId}: the client read the response too slowly; the connection was aborted")]
    public partial void ResponseDataRateTooLow(long connectionId);

    [LoggerMessage(EventId = 15, EventName = "TlsHandshakeFailed", Level = LogLevel.Debug, Message = "Connection {ConnectionId}: the TLS handshake failed ({Reason})")]
    public partial void TlsHandshakeFailed(long connectionId, TlsHandshakeFailure reason, Exception? exception);

    [LoggerMessage(EventId = 16, EventName = "TlsHandshakeServerError", Level = LogLevel.Error, Message = "Connection {ConnectionId}: the server's TLS settings failed a handshake (a certificate selector or validation callback threw, or a certificate has no private key)")]
    public partial void TlsHandshakeServerError(long connectionId, Exception? exception);

    [LoggerMessage(EventId = 14, EventName = "ConnectionRejected", Level = LogLevel.Warning, Message = "A connection from {RemoteEndPoint} was refused with 503: {Limit} connections are open (MaxConcurrentConnections)")]
    public partial void ConnectionRejected(EndPoint? remoteEndPoint, int limit);
}
