using System;
using System.Collections.Generic;
using System.Text;

namespace TinyHttp.Routing;

/// <summary>
/// The request path as a router sees it: still percent-encoded, split at literal slashes only (a <c>%2F</c> stays inside its
/// segment), and clean: no empty segments but a trailing slash's, no <c>.</c> or <c>..</c> segments. A segment that
/// decodes to a dot segment (<c>%2e</c>, <c>.%2E</c>) counts as one: percent-encoded unreserved characters are the
/// characters themselves (RFC 3986 §2.3, §6.2.2.2), so no route value is ever <c>.</c> or <c>..</c>.
/// </summary>
internal static class RoutePath
{
    /// <summary>True when <paramref name="path"/> (starting with '/') has no empty segment except a final one and no dot segment.</summary>
    public static bool IsClean(ReadOnlySpan<char> path)
    {
        int start = 1;
        while (start <= path.Length)
        {
            int length = path.Slice(start).IndexOf('/');
            int end = length < 0 ? path.Length : start + length;
            ReadOnlySpan<char> segment = path[start..end];
            if ((segment.IsEmpty && end < path.Length) || DotSegment(segment) > 0)
            {
                return false;
            }
            start = end + 1;
        }
        return true;
    }

    /// <summary>
    /// The clean form of <paramref name="path"/>, as Go's <c>path.Clean</c> makes it and keeping a trailing slash: repeated
    /// slashes become one, <c>.</c> segments go, <c>..</c> removes the segment before it (at the root, itself).
    /// Only for paths that are not clean; allocates.
    /// </summary>
    public static string Clean(string path)
    {
        var kept = new List<Range>();
        int start = 1;
        while (start <= path.Length)
        {
            int length = path.AsSpan(start).IndexOf('/');
            int end = length < 0 ? path.Length : start + length;
            switch (DotSegment(path.AsSpan(start, end - start)))
            {
                case 1:
                    break;
                case 2:
                    if (kept.Count > 0)
                    {
                        kept.RemoveAt(kept.Count - 1);
                    }
                    break;
                default:
                    if (end > start)
                    {
                        kept.Add(new Range(start, end));
                    }
                    break;
            }
            start = end + 1;
        }
        var clean = new StringBuilder(path.Length);
        foreach (Range segment in kept)
        {
            clean.Append('/').Append(path.AsSpan()[segment]);
        }
        if (kept.Count == 0 || path[^1] == '/')
        {
            clean.Append('/');
        }
        return clean.ToString();
    }

    /// <summary>1 for a segment that is <c>.</c>, 2 for <c>..</c> (either dot possibly written <c>%2E</c>), else 0.</summary>
    public static int DotSegment(ReadOnlySpan<char> segment)
    {
        int dots = 0;
        int i = 0;
        while (i < segment.Length)
        {
            if (segment[i] == '.')
            {
                i++;
            }
            else if (segment.Slice(i).StartsWith("%2e", StringComparison.OrdinalIgnoreCase))
            {
                i += 3;
            }
            else
            {
                return 0;
            }
            if (++dots > 2)
            {
                return 0;
            }
        }
        return dots;
    }

    /// <summary>The host of a Host field value or an authority, without its port: <c>example.com</c>, <c>[::1]</c>.</summary>
    public static ReadOnlySpan<char> StripPort(ReadOnlySpan<char> authority)
    {
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']');
            return close < 0 ? authority : authority.Slice(0, close + 1);
        }
        int colon = authority.IndexOf(':');
        return colon < 0 ? authority : authority.Slice(0, colon);
    }

    // Levenshtein distance over at most 256 characters of each, to rank near misses (the stub server ranks its routes
    // with it too).
    internal static int EditDistance(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        a = a.Length > 256 ? a.Slice(0, 256) : a;
        b = b.Length > 256 ? b.Slice(0, 256) : b;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
