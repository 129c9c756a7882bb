using System;
using System.Collections.Generic;

namespace TinyHttp.Files;

/// <summary>What a path names in a <see cref="FileSource"/>.</summary>
internal enum FileKind
{
    /// <summary>Nothing (or something the source refuses to reach, such as a link out of the root).</summary>
    Missing,

    /// <summary>A file: <see cref="FileLookup.File"/> describes it.</summary>
    File,

    /// <summary>A directory.</summary>
    Directory,
}

/// <summary>The result of <see cref="FileSource.Find"/>.</summary>
internal readonly record struct FileLookup(FileKind Kind, FileEntry? File = null, bool LeftRoot = false);

/// <summary>
/// FileEntry is one file as it was when found: its name, length, modification date (whole seconds) and strong entity
/// tag, and where its bytes are (a path on disk, or bytes in memory).
/// </summary>
internal sealed class FileEntry(string name, long length, DateTimeOffset lastModified, string entityTag, string? path, ReadOnlyMemory<byte> content)
{
    public string Name { get; } = name;

    public long Length { get; } = length;

    public DateTimeOffset LastModified { get; } = lastModified;

    /// <summary>A strong entity tag, quotes included (RFC 9110 §8.8.3).</summary>
    public string EntityTag { get; } = entityTag;

    /// <summary>The file's full path, or null when the bytes are in <see cref="Content"/>.</summary>
    public string? Path { get; } = path;

    public ReadOnlyMemory<byte> Content { get; } = content;
}

/// <summary>FileSource is where a <see cref="StaticFiles"/> handler finds files: a directory, or an assembly's embedded resources.</summary>
internal abstract class FileSource
{
    /// <summary>Finds what <paramref name="segments"/> (checked by <see cref="Protocol.FilePath"/>) name under the root.</summary>
    public abstract FileLookup Find(IReadOnlyList<string> segments);

    /// <summary>The entries of the directory <paramref name="segments"/> names, sorted, directories with a trailing slash.</summary>
    public abstract List<string> List(IReadOnlyList<string> segments);
}
