using System;
using Microsoft.Extensions.Logging;

namespace TinyHttp.Testing;

/// <summary>StubLog is what a <see cref="StubServer"/> given an <see cref="ILogger"/> writes about the requests it receives.</summary>
internal static partial class StubLog
{
    [LoggerMessage(EventId = 1001, EventName = "StubRequestAnswered", Level = LogLevel.Debug, Message = "Stub: {Method} {Target} answered by route {Route}")]
    internal static partial void RequestAnswered(ILogger logger, string method, string target, string route);

    [LoggerMessage(EventId = 1002, EventName = "StubRequestUnmatched", Level = LogLevel.Warning, Message = "Stub: no route matched {Method} {Target}; answered 404. {Reasons}")]
    internal static partial void RequestUnmatched(ILogger logger, string method, string target, string reasons);

    [LoggerMessage(EventId = 1003, EventName = "StubConditionThrew", Level = LogLevel.Warning, Message = "Stub: the condition '{Condition}' of route {Route} threw for {Method} {Target}, so the route did not match")]
    internal static partial void ConditionThrew(ILogger logger, Exception exception, string condition, string route, string method, string target);
}
