using Microsoft.Extensions.Logging;
using TinyHttp.Protocol;

namespace TinyHttp.Files;

/// <summary>The events a <see cref="StaticFiles"/> handler logs, with stable event ids (after the server's own).</summary>
internal sealed partial class StaticFileLog(ILogger logger)
{
    private readonly ILogger _logger = logger;

    [LoggerMessage(EventId = 101, EventName = "StaticFilePathRefused", Level = LogLevel.Debug, Message = "Static file request {Path} refused with 404: {Reason}")]
    public partial void PathRefused(string path, FilePathRefusal reason);

    [LoggerMessage(EventId = 102, EventName = "StaticFileLinkOutsideRoot", Level = LogLevel.Warning, Message = "Static file request {Path} refused with 404: a symbolic link on the path leads outside the root {Root}")]
    public partial void LinkOutsideRoot(string path, string root);

    [LoggerMessage(EventId = 103, EventName = "StaticFileUnreadable", Level = LogLevel.Debug, Message = "Static file {Path} answered 404: the file system refused it ({Error})")]
    public partial void FileUnreadable(string path, string error);
}
