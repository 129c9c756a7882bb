using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace TinyHttp.Soak;

/// <summary>
/// MemoryMap is where a process's resident memory lies, from /proc/PID/smaps: the GC's region range, glibc's malloc
/// heap and arenas (the runtime's native allocations), other anonymous memory (thread stacks, the runtime's own data),
/// JIT'd code and mapped files.
/// </summary>
/// <remarks>
/// With regions (.NET 7 and later) the GC reserves one contiguous range of address space (by default twice the
/// physical memory, at least 256 GiB without a hard limit) and commits regions inside it; committing splits the
/// reservation into adjacent anonymous mappings. The GC range is therefore taken to be the run of adjacent anonymous
/// mappings with the largest span, provided it spans at least 1 GiB; nothing else in a .NET process reserves that much.
/// glibc's arenas other than the main one (<c>[heap]</c>) are anonymous heaps of at most 64 MiB, each aligned to 64 MiB
/// (HEAP_MAX_SIZE on 64-bit). With W^X (the default) the runtime maps JIT'd code and stubs from a memfd named doublemapper.
/// </remarks>
internal sealed record MemoryMap(long GcRangeRssBytes, long GcRangeSpanBytes, long MallocRssBytes, long OtherAnonymousRssBytes, long JitCodeRssBytes, long FileRssBytes, long TotalRssBytes)
{
    private const long MinGcRangeSpan = 1L << 30;
    private const long ArenaSize = 64L << 20;

    public static MemoryMap Read(int pid) => Parse(File.ReadLines($"/proc/{pid}/smaps"));

    public static MemoryMap Parse(IEnumerable<string> smaps)
    {
        var mappings = new List<Mapping>();
        foreach (string line in smaps)
        {
            if (TryParseHeader(line, out Mapping? mapping))
            {
                mappings.Add(mapping);
            }
            else if (line.StartsWith("Rss:", StringComparison.Ordinal) && mappings.Count > 0)
            {
                mappings[^1].RssBytes = Kilobytes(line.AsSpan(4));
            }
        }

        // The largest span of adjacent anonymous mappings: the GC's reservation, committed regions and all.
        (int first, int last, long span) best = (-1, -1, 0);
        for (int i = 0; i < mappings.Count;)
        {
            if (mappings[i].Path.Length != 0)
            {
                i++;
                continue;
            }
            int j = i;
            while (j + 1 < mappings.Count && mappings[j + 1].Path.Length == 0 && mappings[j + 1].Start == mappings[j].End)
            {
                j++;
            }
            long span = mappings[j].End - mappings[i].Start;
            if (span > best.span)
            {
                best = (i, j, span);
            }
            i = j + 1;
        }
        if (best.span < MinGcRangeSpan)
        {
            best = (-1, -1, 0);
        }

        long gc = 0, malloc = 0, anonymous = 0, jitCode = 0, files = 0, total = 0;
        long arenaEnd = 0;
        for (int i = 0; i < mappings.Count; i++)
        {
            Mapping m = mappings[i];
            total += m.RssBytes;
            bool anonymousMapping = m.Path.Length == 0;
            if (anonymousMapping && m.Start % ArenaSize == 0 && (i < best.first || i > best.last))
            {
                arenaEnd = m.Start + ArenaSize;
            }
            if (i >= best.first && i <= best.last)
            {
                gc += m.RssBytes;
            }
            else if (m.Path == "[heap]" || (anonymousMapping && m.Start < arenaEnd))
            {
                malloc += m.RssBytes;
            }
            else if (anonymousMapping || m.Path == "[stack]" || m.Path.StartsWith("[anon", StringComparison.Ordinal))
            {
                anonymous += m.RssBytes;
            }
            else if (m.Path.StartsWith("/memfd:doublemapper", StringComparison.Ordinal))
            {
                jitCode += m.RssBytes;
            }
            else if (!m.Path.StartsWith('['))
            {
                files += m.RssBytes;
            }
        }
        return new MemoryMap(gc, best.span, malloc, anonymous, jitCode, files, total);
    }

    private static bool TryParseHeader(string line, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Mapping? mapping)
    {
        // "7f1c2e000000-7f1c2e021000 rw-p 00000000 00:00 0                  [heap]"
        mapping = null;
        int dash = line.IndexOf('-', StringComparison.Ordinal);
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        if (dash <= 0 || space <= dash
            || !long.TryParse(line.AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long start)
            || !long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long end))
        {
            return false;
        }
        // Fields: range, perms, offset, device, inode, then the path (which may contain spaces), if any.
        string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        string path = fields.Length == 6 ? fields[5].Trim() : "";
        mapping = new Mapping(start, end, path);
        return true;
    }

    private static long Kilobytes(ReadOnlySpan<char> value) =>
        long.Parse(value.Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;

    private sealed class Mapping(long start, long end, string path)
    {
        public long Start { get; } = start;

        public long End { get; } = end;

        public string Path { get; } = path;

        public long RssBytes { get; set; }
    }
}
