using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using TinyHttp.Protocol;

namespace TinyHttp.Files;

/// <summary>
/// DirectorySource serves files under a directory. Names come already checked (<see cref="FilePath"/>); what it adds is
/// the one check syntax cannot make: it walks the path a segment at a time from the root and follows a symbolic link only
/// when its target stays inside the root, as a realpath confined to the root would.
/// </summary>
internal sealed class DirectorySource : FileSource
{
    // Linux's own limit on links followed in one lookup (ELOOP), so a loop of links ends.
    private const int MaxLinks = 40;

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private readonly string _root;

    public DirectorySource(string directory)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"The static files directory '{full}' does not exist; create it, or pass the directory that holds the files.");
        }
        // The root may itself be a link (a deployment's "current" link): serve what it points to, and judge links against that.
        if (Directory.ResolveLinkTarget(full, returnFinalTarget: true) is { } target)
        {
            full = Path.TrimEndingDirectorySeparator(target.FullName);
        }
        _root = full;
    }

    public string Root => _root;

    public override FileLookup Find(IReadOnlyList<string> segments)
    {
        var pending = new List<string>(segments);
        string current = _root;
        int links = 0;
        FileInfo? info = null;
        for (int i = 0; i < pending.Count; i++)
        {
            string next = Path.Join(current, pending[i]);
            info = new FileInfo(next);
            FileAttributes attributes = info.Attributes;
            if ((int)attributes == -1)
            {
                return default;
            }
            if ((attributes & FileAttributes.ReparsePoint) != 0 && info.LinkTarget is string target)
            {
                // current holds no links (it was walked), so the target's ".." resolve lexically against it.
                string resolved = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target, current));
                if (++links > MaxLinks || !IsUnderRoot(resolved))
                {
                    return new FileLookup(FileKind.Missing, LeftRoot: true);
                }
                // Walk again from the root: the target's own directories may be links too.
                List<string> rest = pending.GetRange(i + 1, pending.Count - i - 1);
                pending.Clear();
                if (resolved.Length > _root.Length)
                {
                    pending.AddRange(resolved.Substring(_root.Length + 1).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
                }
                pending.AddRange(rest);
                current = _root;
                info = null;
                i = -1;
                continue;
            }
            bool isDirectory = (attributes & FileAttributes.Directory) != 0;
            if (!isDirectory && i < pending.Count - 1)
            {
                return default;
            }
            current = next;
        }
        if (info is null || (info.Attributes & FileAttributes.Directory) != 0)
        {
            return new FileLookup(FileKind.Directory);
        }
        return new FileLookup(FileKind.File, Describe(info.Name, info.FullName, info.Length, info.LastWriteTimeUtc));
    }

    /// <summary>A file on disk as its length and modification time describe it (from a lookup, or from its open handle).</summary>
    public static FileEntry Describe(string name, string path, long length, DateTime lastWriteUtc)
    {
        // A strong tag from the full-resolution modification time and the length, as nginx makes one from the second and
        // the length: it changes whenever the file is rewritten, without reading the file.
        string entityTag = string.Create(CultureInfo.InvariantCulture, $"\"{lastWriteUtc.Ticks:x}-{length:x}\"");
        return new FileEntry(name, length, HttpDate.ToWholeSeconds(lastWriteUtc), entityTag, path, default);
    }

    public override List<string> List(IReadOnlyList<string> segments)
    {
        var names = new List<string>();
        string directory = _root;
        foreach (string segment in segments)
        {
            directory = Path.Join(directory, segment);
        }
        foreach (FileSystemInfo entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            names.Add((entry.Attributes & FileAttributes.Directory) != 0 ? entry.Name + "/" : entry.Name);
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private bool IsUnderRoot(string path) =>
        path.Equals(_root, PathComparison)
        || (path.Length > _root.Length && path[_root.Length] == Path.DirectorySeparatorChar && path.StartsWith(_root, PathComparison));
}
