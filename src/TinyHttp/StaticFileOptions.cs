using System;
using System.Collections.Generic;
using TinyHttp.Files;

namespace TinyHttp;

/// <summary>
/// StaticFileOptions says how a <see cref="StaticFiles"/> handler answers: the index file of a directory, whether it lists
/// directories, the Content-Type of each extension, caching and range limits. It is read once, when the handler is made.
/// </summary>
public sealed class StaticFileOptions
{
    /// <summary>The file served for a directory's URL (ending in <c>/</c>); <c>index.html</c> by default, null for none.</summary>
    public string? IndexFileName { get; set; } = "index.html";

    /// <summary>
    /// True to answer a directory without an index file with an HTML list of its entries. False by default: such a
    /// directory is 404, so the names in a folder are not revealed unless asked for.
    /// </summary>
    public bool ListDirectories { get; set; }

    /// <summary>
    /// Content-Type by file extension (with its dot, case-insensitive): <c>.html</c> is <c>text/html; charset=utf-8</c>.
    /// Starts with the web's common types (HTML, CSS, JavaScript, JSON, WebAssembly, images, fonts, audio, video, archives);
    /// add or replace entries to change them: <c>options.ContentTypes[".md"] = "text/markdown; charset=utf-8"</c>.
    /// </summary>
    public IDictionary<string, string> ContentTypes { get; } = ContentTypeTable.CreateDefault();

    /// <summary>
    /// The Content-Type of a file whose extension is not in <see cref="ContentTypes"/>; <c>application/octet-stream</c> by
    /// default. Null refuses such files with 404, so only files of known types are served.
    /// </summary>
    public string? DefaultContentType { get; set; } = "application/octet-stream";

    /// <summary>A Cache-Control value sent with every file (and its 304), such as <c>no-cache</c> or <c>max-age=3600</c>; none by default.</summary>
    public string? CacheControl { get; set; }

    /// <summary>
    /// The most ranges one Range field may ask for; 16 by default. A request for more gets the whole file (200), as
    /// RFC 9110 §14.2 allows, so a client cannot make the server send many small pieces.
    /// </summary>
    public int MaxRanges { get; set; } = 16;

    /// <summary>
    /// Whether files and directories whose names start with a dot (<c>.env</c>, <c>.git/</c>, <c>.well-known/</c>) are
    /// served and listed; false by default, so pointing the handler at a project folder does not publish its secrets
    /// (404, as for a missing file). Set it to serve <c>.well-known/</c>, for example.
    /// </summary>
    public bool ServeDotNames { get; set; }

    internal void Validate()
    {
        if (IndexFileName is not null && (IndexFileName.Length == 0 || IndexFileName.Contains('/') || IndexFileName.Contains('\\')))
        {
            throw new ArgumentException("StaticFileOptions.IndexFileName must be a file name without slashes, such as index.html, or null for none.");
        }
        if (MaxRanges < 1)
        {
            throw new ArgumentException("StaticFileOptions.MaxRanges must be at least 1.");
        }
    }
}
