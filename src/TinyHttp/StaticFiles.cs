using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using TinyHttp.Files;
using TinyHttp.Protocol;

namespace TinyHttp;

/// <summary>
/// StaticFiles serves the files of a directory (or of an assembly's embedded resources) under a URL prefix:
/// <c>new StaticFiles("wwwroot", "/assets/")</c> answers <c>GET /assets/css/site.css</c> with <c>wwwroot/css/site.css</c>.
/// <see cref="HandleAsync"/> is a <see cref="RequestHandler"/>: pass it as a server's whole handler, call it from yours,
/// or mount it on a router under the same prefix.
/// </summary>
/// <remarks>
/// Each file goes out with Content-Type (by extension, <see cref="StaticFileOptions.ContentTypes"/>), Last-Modified, a
/// strong ETag and <c>Accept-Ranges: bytes</c>. Conditional requests are answered per RFC 9110 §13 (If-Match and
/// If-Unmodified-Since → 412, If-None-Match and If-Modified-Since → 304, in the RFC's order), range requests per §14
/// (one range → 206 with Content-Range, several → <c>multipart/byteranges</c>, none satisfiable → 416, If-Range), HEAD
/// gets the head alone. A directory's URL without its trailing slash is redirected (301) to it; with it, the index file
/// is served. Only GET and HEAD are answered (405 otherwise). On a plain TCP connection a large file goes from the file
/// to the socket without passing through managed memory (sendfile).
/// <para>
/// Nothing outside the root is ever served: <c>..</c> in any encoding, encoded slashes and backslashes, NUL and other
/// control characters, empty segments (which would make an absolute path), colons (drives, NTFS streams), Windows
/// device names and names Windows would alter are refused with 404 before the file system is asked, and a symbolic
/// link is followed only when its target lies inside the root.
/// </para>
/// </remarks>
public sealed class StaticFiles
{
    private const string AllowedMethods = "GET, HEAD";

    private readonly FileSource _source;
    private readonly string _prefix;
    private readonly string? _indexFileName;
    private readonly bool _listDirectories;
    private readonly bool _serveDotNames;
    private readonly Dictionary<string, string> _contentTypes;
    private readonly string? _defaultContentType;
    private readonly string? _cacheControl;
    private readonly int _maxRanges;
    private readonly StaticFileLog? _log;
    private readonly string _rootForLogs;

    /// <summary>Serves the files under <paramref name="directory"/> at URLs starting with <paramref name="urlPrefix"/>.</summary>
    /// <param name="directory">The root directory; relative to the current directory unless absolute. It must exist.</param>
    /// <param name="urlPrefix">The path the files are served under, such as <c>/</c> or <c>/assets/</c> (a missing trailing slash is added).</param>
    /// <param name="options">How to answer; null for the defaults.</param>
    /// <param name="logger">Where refused paths are logged (Debug; a link leaving the root, Warning); null for nowhere.</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="ArgumentException">The prefix does not start with <c>/</c>, or has <c>%</c>, <c>?</c> or <c>#</c>; or the options are invalid.</exception>
    public StaticFiles(string directory, string urlPrefix = "/", StaticFileOptions? options = null, ILogger? logger = null)
        : this(new DirectorySource(directory ?? throw new ArgumentNullException(nameof(directory))), urlPrefix, options, logger)
    {
    }

    private StaticFiles(FileSource source, string urlPrefix, StaticFileOptions? options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(urlPrefix);
        if (!urlPrefix.StartsWith('/') || urlPrefix.AsSpan().IndexOfAny("%?#\\") >= 0 || !Ascii.IsValid(urlPrefix))
        {
            throw new ArgumentException($"The URL prefix '{urlPrefix}' must be a plain path starting with '/', such as \"/assets/\" (ASCII, without %, ?, # or backslashes).", nameof(urlPrefix));
        }
        options ??= new StaticFileOptions();
        options.Validate();
        _source = source;
        _prefix = urlPrefix.EndsWith('/') ? urlPrefix : urlPrefix + "/";
        _indexFileName = options.IndexFileName;
        _listDirectories = options.ListDirectories;
        _serveDotNames = options.ServeDotNames;
        _contentTypes = new Dictionary<string, string>(options.ContentTypes, StringComparer.OrdinalIgnoreCase);
        _defaultContentType = options.DefaultContentType;
        _cacheControl = options.CacheControl;
        _maxRanges = options.MaxRanges;
        _log = logger is null ? null : new StaticFileLog(logger);
        _rootForLogs = source is DirectorySource directory ? directory.Root : "(embedded resources)";
    }

    /// <summary>
    /// Serves the manifest resources of <paramref name="assembly"/> whose names start with <paramref name="resourcePrefix"/>,
    /// for single-file apps that carry their UI inside: the rest of each name is the file's path under
    /// <paramref name="urlPrefix"/>. Embed the files with names that keep their paths:
    /// <c>&lt;EmbeddedResource Include="wwwroot/**" LogicalName="wwwroot/%(RecursiveDir)%(Filename)%(Extension)" /&gt;</c>,
    /// then pass <c>"wwwroot/"</c>. Each resource is read into memory when first asked for; its ETag is a hash of its bytes.
    /// </summary>
    /// <exception cref="ArgumentException">No resource name starts with <paramref name="resourcePrefix"/>, or the prefix or options are invalid.</exception>
    public static StaticFiles FromEmbeddedResources(Assembly assembly, string resourcePrefix, string urlPrefix = "/", StaticFileOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(resourcePrefix);
        return new StaticFiles(new EmbeddedSource(assembly, resourcePrefix), urlPrefix, options, logger);
    }

    /// <summary>The URL prefix the files are served under, always ending in <c>/</c>.</summary>
    public string UrlPrefix => _prefix;

    /// <summary>
    /// Answers <paramref name="request"/> with the file its path names below <see cref="UrlPrefix"/>: a
    /// <see cref="RequestHandler"/>. A path outside the prefix, a missing file, or a refused path is 404; the prefix without
    /// its trailing slash is redirected to it.
    /// </summary>
    public Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        string path = request.Path;
        if (!path.StartsWith(_prefix, StringComparison.Ordinal))
        {
            if (path.Length == _prefix.Length - 1 && _prefix.StartsWith(path, StringComparison.Ordinal))
            {
                Redirect(request, response, _prefix);
                return Task.CompletedTask;
            }
            NotFound(response);
            return Task.CompletedTask;
        }
        bool isHead = request.Method == "HEAD";
        if (!isHead && request.Method != "GET")
        {
            response.StatusCode = 405;
            response.Headers.Set("Allow", AllowedMethods);
            response.SetBody("405 Method Not Allowed: static files answer GET and HEAD.");
            return Task.CompletedTask;
        }

        var segments = new List<string>();
        FilePathRefusal refusal = FilePath.Split(path.Substring(_prefix.Length), segments, out bool endsWithSlash);
        if (refusal == FilePathRefusal.None && !_serveDotNames && HasDotName(segments))
        {
            refusal = FilePathRefusal.DotName;
        }
        if (refusal != FilePathRefusal.None)
        {
            _log?.PathRefused(path, refusal);
            NotFound(response);
            return Task.CompletedTask;
        }
        FileLookup found = Find(path, segments);
        if (found.Kind == FileKind.Directory)
        {
            if (!endsWithSlash && segments.Count > 0)
            {
                // Relative links in the directory's index resolve against the URL, so it must end with a slash.
                Redirect(request, response, path + "/");
                return Task.CompletedTask;
            }
            if (_indexFileName is not null)
            {
                segments.Add(_indexFileName);
                FileLookup index = Find(path, segments);
                segments.RemoveAt(segments.Count - 1);
                if (index.Kind == FileKind.File)
                {
                    return ServeAsync(request, response, index.File!, isHead, requestAborted);
                }
            }
            if (_listDirectories)
            {
                List(request, response, segments);
                return Task.CompletedTask;
            }
            NotFound(response);
            return Task.CompletedTask;
        }
        if (found.Kind == FileKind.Missing || endsWithSlash)
        {
            if (found.LeftRoot)
            {
                _log?.LinkOutsideRoot(path, _rootForLogs);
            }
            NotFound(response);
            return Task.CompletedTask;
        }
        return ServeAsync(request, response, found.File!, isHead, requestAborted);
    }

    private async Task ServeAsync(HttpRequest request, HttpResponse response, FileEntry found, bool isHead, CancellationToken requestAborted)
    {
        FileStream? stream = null;
        FileEntry file = found;
        if (found.Path is not null)
        {
            // Open first, then describe the file from its handle: a deploy that renames a new file over this one after the
            // lookup would otherwise send the new bytes under the old length and entity tag.
            if (!TryOpen(response, found, out stream))
            {
                return;
            }
            file = DirectorySource.Describe(found.Name, found.Path, RandomAccess.GetLength(stream!.SafeFileHandle), File.GetLastWriteTimeUtc(stream.SafeFileHandle));
        }
        using (stream)
        {
            await ServeOpenAsync(request, response, file, stream, isHead, requestAborted).ConfigureAwait(false);
        }
    }

    private Task ServeOpenAsync(HttpRequest request, HttpResponse response, FileEntry file, FileStream? stream, bool isHead, CancellationToken requestAborted)
    {
        string? contentType = ContentTypeOf(file.Name);
        if (contentType is null)
        {
            NotFound(response);
            return Task.CompletedTask;
        }
        HttpRequestHeaders headers = request.Headers;
        string lastModified = HttpDate.Format(file.LastModified);
        response.Headers.Set("ETag", file.EntityTag);
        response.Headers.Set("Last-Modified", lastModified);
        if (_cacheControl is not null)
        {
            response.Headers.Set("Cache-Control", _cacheControl);
        }

        Precondition precondition = ConditionalRequest.Evaluate(
            isGetOrHead: true,
            headers.GetValues("If-Match"),
            headers.GetValues("If-Unmodified-Since"),
            headers.GetValues("If-None-Match"),
            headers.GetValues("If-Modified-Since"),
            file.EntityTag,
            file.LastModified);
        if (precondition == Precondition.NotModified)
        {
            // RFC 9110 §15.4.5: a 304 carries the validators and Cache-Control a 200 would have, and no content.
            response.StatusCode = 304;
            return Task.CompletedTask;
        }
        if (precondition == Precondition.Failed)
        {
            response.StatusCode = 412;
            response.Headers.Remove("Last-Modified");
            response.Headers.Remove("ETag");
            return Task.CompletedTask;
        }

        response.Headers.Set("Accept-Ranges", "bytes");
        response.ContentType = contentType;
        // RFC 9110 §14.2: Range is defined for GET only, and a server ignores it when If-Range does not hold.
        IReadOnlyList<string> range = isHead ? Array.Empty<string>() : headers.GetValues("Range");
        if (range.Count == 1 && (headers["If-Range"] is not { } ifRange || ConditionalRequest.IfRangeHolds(ifRange, file.EntityTag, file.LastModified)))
        {
            var ranges = new List<RequestedRange>();
            switch (ByteRanges.Parse(range[0], file.Length, _maxRanges, ranges))
            {
                case RangeRequest.Unsatisfiable:
                    response.StatusCode = 416;
                    response.Headers.Set("Content-Range", ByteRanges.UnsatisfiedRange(file.Length));
                    response.Headers.Remove("Content-Type");
                    response.ContentLength = 0;
                    return Task.CompletedTask;
                case RangeRequest.Satisfiable when ranges.Count == 1:
                    response.StatusCode = 206;
                    response.Headers.Set("Content-Range", ByteRanges.ContentRange(ranges[0], file.Length));
                    response.ContentLength = ranges[0].Length;
                    return SendRangeAsync(response, file, stream, ranges[0], requestAborted).AsTask();
                case RangeRequest.Satisfiable:
                    return SendPartsAsync(response, file, stream, contentType, ranges, requestAborted);
            }
        }
        response.ContentLength = file.Length;
        if (isHead || file.Length == 0)
        {
            return Task.CompletedTask;
        }
        return SendRangeAsync(response, file, stream, new RequestedRange(0, file.Length), requestAborted).AsTask();
    }

    // RFC 9110 §14.6: each part has its own Content-Type and Content-Range, between boundary lines; the whole is framed by
    // a Content-Length computed beforehand, so the response never needs chunked coding.
    private static async Task SendPartsAsync(HttpResponse response, FileEntry file, FileStream? stream, string contentType, List<RequestedRange> ranges, CancellationToken requestAborted)
    {
        // Derived from the entity tag (hex digits and '-'), so it is stable for the same file and cannot occur in it by chance.
        string boundary = "tinyhttp-" + file.EntityTag.Trim('"');
        var heads = new byte[ranges.Count][];
        long length = 0;
        for (int i = 0; i < ranges.Count; i++)
        {
            heads[i] = Encoding.ASCII.GetBytes(
                (i == 0 ? "--" : "\r\n--") + boundary + "\r\nContent-Type: " + contentType + "\r\nContent-Range: " + ByteRanges.ContentRange(ranges[i], file.Length) + "\r\n\r\n");
            length += heads[i].Length + ranges[i].Length;
        }
        byte[] closing = Encoding.ASCII.GetBytes("\r\n--" + boundary + "--\r\n");
        length += closing.Length;

        response.StatusCode = 206;
        response.ContentType = "multipart/byteranges; boundary=" + boundary;
        response.ContentLength = length;
        for (int i = 0; i < ranges.Count; i++)
        {
            await response.WriteAsync(heads[i], requestAborted).ConfigureAwait(false);
            await SendRangeAsync(response, file, stream, ranges[i], requestAborted).ConfigureAwait(false);
        }
        await response.WriteAsync(closing, requestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// A file found by the lookup that then cannot be opened (deleted since, or unreadable) is answered as missing, as the
    /// lookup would have.
    /// </summary>
    private bool TryOpen(HttpResponse response, FileEntry file, out FileStream? stream)
    {
        try
        {
            stream = Open(file);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log?.FileUnreadable(file.Name, ex.GetType().Name);
            NotFound(response);
            stream = null;
            return false;
        }
    }

    /// <summary>
    /// The source's lookup, with the file system's own refusals (a name too long, a directory without permission, a loop of
    /// links) answered as missing: what a client's path makes the file system say is never a server failure.
    /// </summary>
    private FileLookup Find(string path, List<string> segments)
    {
        try
        {
            return _source.Find(segments);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log?.FileUnreadable(path, ex.GetType().Name);
            return default;
        }
    }

    private static ValueTask SendRangeAsync(HttpResponse response, FileEntry file, FileStream? stream, RequestedRange range, CancellationToken requestAborted) =>
        stream is null
            ? response.WriteAsync(file.Content.Slice((int)range.Start, (int)range.Length), requestAborted)
            : response.SendFileAsync(stream, range.Start, range.Length, requestAborted);

    // No buffer of its own (bufferSize 0): the bytes go by sendfile or into the connection's output buffer. Opened for
    // asynchronous I/O, which SendPacketsElement requires of a FileStream.
    private static FileStream? Open(FileEntry file) =>
        file.Path is null ? null : new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);

    private string? ContentTypeOf(string name)
    {
        string extension = Path.GetExtension(name);
        return extension.Length > 0 && _contentTypes.TryGetValue(extension, out string? contentType) ? contentType : _defaultContentType;
    }

    private void List(HttpRequest request, HttpResponse response, List<string> segments)
    {
        var html = new StringBuilder();
        string title = WebUtility.HtmlEncode(request.DecodedPath);
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ").Append(title)
            .Append("</title></head>\n<body><h1>Index of ").Append(title).Append("</h1>\n<ul>\n");
        if (segments.Count > 0)
        {
            html.Append("<li><a href=\"../\">../</a></li>\n");
        }
        var check = new List<string>(1);
        foreach (string entry in _source.List(segments))
        {
            string name = entry.TrimEnd('/');
            // Only names the handler would serve are listed.
            if (FilePath.Split(Uri.EscapeDataString(name), check, out _) != FilePathRefusal.None || (!_serveDotNames && name.StartsWith('.')))
            {
                continue;
            }
            string href = Uri.EscapeDataString(name) + (entry.EndsWith('/') ? "/" : string.Empty);
            html.Append("<li><a href=\"").Append(href).Append("\">").Append(WebUtility.HtmlEncode(entry)).Append("</a></li>\n");
        }
        html.Append("</ul></body></html>\n");
        response.ContentType = "text/html; charset=utf-8";
        response.SetBody(html.ToString());
    }

    private static void Redirect(HttpRequest request, HttpResponse response, string location)
    {
        response.StatusCode = 301;
        response.Headers.Set("Location", request.QueryString.Length == 0 ? location : location + "?" + request.QueryString);
    }

    private static bool HasDotName(List<string> segments)
    {
        foreach (string segment in segments)
        {
            if (segment.StartsWith('.'))
            {
                return true;
            }
        }
        return false;
    }

    private static void NotFound(HttpResponse response)
    {
        response.StatusCode = 404;
        response.SetBody("404 Not Found: no such file.");
    }
}
