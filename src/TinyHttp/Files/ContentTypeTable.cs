using System;
using System.Collections.Generic;

namespace TinyHttp.Files;

/// <summary>The built-in Content-Type of each common web file extension (StaticFileOptions.ContentTypes starts from it).</summary>
internal static class ContentTypeTable
{
    // Text types name their charset: files written today are UTF-8, and a browser would otherwise guess.
    private static readonly (string Extension, string ContentType)[] Defaults =
    [
        (".html", "text/html; charset=utf-8"),
        (".htm", "text/html; charset=utf-8"),
        (".css", "text/css; charset=utf-8"),
        (".js", "text/javascript; charset=utf-8"),
        (".mjs", "text/javascript; charset=utf-8"),
        (".json", "application/json"),
        (".map", "application/json"),
        (".webmanifest", "application/manifest+json"),
        (".txt", "text/plain; charset=utf-8"),
        (".md", "text/markdown; charset=utf-8"),
        (".csv", "text/csv; charset=utf-8"),
        (".xml", "application/xml"),
        (".wasm", "application/wasm"),
        (".svg", "image/svg+xml"),
        (".png", "image/png"),
        (".apng", "image/apng"),
        (".jpg", "image/jpeg"),
        (".jpeg", "image/jpeg"),
        (".gif", "image/gif"),
        (".webp", "image/webp"),
        (".avif", "image/avif"),
        (".ico", "image/x-icon"),
        (".bmp", "image/bmp"),
        (".woff", "font/woff"),
        (".woff2", "font/woff2"),
        (".ttf", "font/ttf"),
        (".otf", "font/otf"),
        (".mp3", "audio/mpeg"),
        (".ogg", "audio/ogg"),
        (".wav", "audio/wav"),
        (".mp4", "video/mp4"),
        (".webm", "video/webm"),
        (".pdf", "application/pdf"),
        (".zip", "application/zip"),
        (".gz", "application/gzip"),
        (".tar", "application/x-tar"),
    ];

    public static Dictionary<string, string> CreateDefault()
    {
        var table = new Dictionary<string, string>(Defaults.Length, StringComparer.OrdinalIgnoreCase);
        foreach ((string extension, string contentType) in Defaults)
        {
            table[extension] = contentType;
        }
        return table;
    }
}
