using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Security.Cryptography;
using System.Threading;
using TinyHttp.Protocol;

namespace TinyHttp.Files;

/// <summary>
/// EmbeddedSource serves an assembly's manifest resources whose names start with a prefix, the rest of the name being
/// the file's path with <c>/</c> between directories (give the resources such names with <c>LogicalName</c>; a
/// backslash, as MSBuild's RecursiveDir gives on Windows, counts as a slash). Each resource is read into memory the first
/// time it is asked for; its entity tag is a hash of its bytes, and its date the assembly's (or the app's, when single-file).
/// </summary>
internal sealed class EmbeddedSource : FileSource
{
    private readonly Assembly _assembly;
    private readonly Dictionary<string, string> _resources = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal) { string.Empty };
    private readonly Dictionary<string, FileEntry> _loaded = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly DateTimeOffset _lastModified;

    public EmbeddedSource(Assembly assembly, string resourcePrefix)
    {
        _assembly = assembly;
        foreach (string name in assembly.GetManifestResourceNames())
        {
            string normalized = name.Replace('\\', '/');
            if (!normalized.StartsWith(resourcePrefix, StringComparison.Ordinal) || normalized.Length == resourcePrefix.Length)
            {
                continue;
            }
            string relative = normalized.Substring(resourcePrefix.Length).TrimStart('/');
            _resources[relative] = name;
            for (int slash = relative.IndexOf('/'); slash >= 0; slash = relative.IndexOf('/', slash + 1))
            {
                _directories.Add(relative.Substring(0, slash));
            }
        }
        if (_resources.Count == 0)
        {
            throw new ArgumentException(
                $"The assembly {assembly.GetName().Name} has no embedded resource whose name starts with '{resourcePrefix}'. " +
                "Embed the files with a LogicalName that keeps their path, e.g. <EmbeddedResource Include=\"wwwroot/**\" LogicalName=\"wwwroot/%(RecursiveDir)%(Filename)%(Extension)\" />, and pass \"wwwroot/\".",
                nameof(resourcePrefix));
        }
        _lastModified = HttpDate.ToWholeSeconds(BuildTime(assembly));
    }

    public override FileLookup Find(IReadOnlyList<string> segments)
    {
        string key = string.Join('/', segments);
        if (_resources.TryGetValue(key, out string? resource))
        {
            return new FileLookup(FileKind.File, Load(key, resource));
        }
        return _directories.Contains(key) ? new FileLookup(FileKind.Directory) : default;
    }

    public override List<string> List(IReadOnlyList<string> segments)
    {
        string prefix = segments.Count == 0 ? string.Empty : string.Join('/', segments) + "/";
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string relative in _resources.Keys)
        {
            if (relative.StartsWith(prefix, StringComparison.Ordinal))
            {
                int slash = relative.IndexOf('/', prefix.Length);
                names.Add(slash < 0 ? relative.Substring(prefix.Length) : relative.Substring(prefix.Length, slash - prefix.Length + 1));
            }
        }
        return new List<string>(names);
    }

    private FileEntry Load(string key, string resource)
    {
        lock (_lock)
        {
            if (_loaded.TryGetValue(key, out FileEntry? entry))
            {
                return entry;
            }
        }
        byte[] content;
        using (Stream stream = _assembly.GetManifestResourceStream(resource)!)
        {
            content = new byte[stream.Length];
            stream.ReadExactly(content);
        }
        // The bytes themselves make the tag: the same file embedded in the next build keeps its tag, so caches stay valid.
        string entityTag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
        int slash = key.LastIndexOf('/');
        var loaded = new FileEntry(key.Substring(slash + 1), content.Length, _lastModified, entityTag, null, content);
        lock (_lock)
        {
            return _loaded.TryAdd(key, loaded) ? loaded : _loaded[key];
        }
    }

    private static DateTimeOffset BuildTime(Assembly assembly)
    {
        // A single-file (or NativeAOT) app's assemblies have no Location; the executable's date is the build's.
#pragma warning disable IL3000 // Location is empty in a single-file app: handled, the executable stands in.
        string location = assembly.Location;
#pragma warning restore IL3000
        string? file = !string.IsNullOrEmpty(location) ? location : Environment.ProcessPath;
        return file is not null && File.Exists(file) ? File.GetLastWriteTimeUtc(file) : DateTimeOffset.UtcNow;
    }
}
