using System;
using System.Buffers;
using System.Collections.Generic;
using TinyHttp.Protocol;

namespace TinyHttp.Routing;

/// <summary>One registered pattern with what it routes to; <see cref="Order"/> counts registrations from 0.</summary>
internal sealed record RouteEntry<T>(RoutePattern Pattern, T Value, int Order);

/// <summary>A registered pattern that did not match a request, with the reasons, for "closest routes" messages.</summary>
internal sealed record RouteMiss<T>(RouteEntry<T> Entry, IReadOnlyList<string> Reasons);

/// <summary>
/// RouteTable finds, for a request's method, host and clean path, the most specific of its patterns that matches
/// (<see cref="RouteSpecificity"/>), refusing at registration any pattern that conflicts with one it holds. It is a
/// tree, as Go's <c>ServeMux</c> builds one: host, then method, then one level per segment, where a literal child is
/// tried before a <c>{name}</c> child and that before a rest. Because conflicting patterns never get in, the first leaf
/// this order reaches is the most specific match. Matching allocates nothing; wildcard values come back as ranges of the
/// path. Not thread-safe: readers may share a table nobody adds to (HttpRouter copies it to add).
/// </summary>
internal sealed class RouteTable<T>
{
    private readonly List<RouteEntry<T>> _entries = new();
    private readonly MethodNode _anyHost = new();
    private Dictionary<string, MethodNode>? _hosts;
    private Dictionary<string, MethodNode>.AlternateLookup<ReadOnlySpan<char>> _hostLookup;

    /// <summary>The patterns in the order they were added.</summary>
    public IReadOnlyList<RouteEntry<T>> Entries => _entries;

    /// <summary>True when some pattern names a host, so a match needs the request's host.</summary>
    public bool HasHosts => _hosts is not null;

    /// <summary>The most wildcards any pattern has: the length the captures span given to <see cref="Match"/> needs.</summary>
    public int MaxWildcards { get; private set; }

    /// <summary>Adds <paramref name="pattern"/>, routing to <paramref name="value"/>.</summary>
    /// <exception cref="InvalidOperationException">The pattern conflicts with one already added; the message names both.</exception>
    public RouteEntry<T> Add(RoutePattern pattern, T value)
    {
        foreach (RouteEntry<T> existing in _entries)
        {
            if (RouteSpecificity.Conflicts(pattern, existing.Pattern))
            {
                throw new InvalidOperationException(RouteSpecificity.DescribeConflict(pattern, existing.Pattern));
            }
        }
        var entry = new RouteEntry<T>(pattern, value, _entries.Count);
        _entries.Add(entry);
        Insert(entry);
        return entry;
    }

    /// <summary>
    /// The entry whose pattern matches exactly the requests <paramref name="pattern"/> matches (same host, equivalent method
    /// and path, perhaps other wildcard names), or null. A stub server that lets several routes share a pattern, told
    /// apart by conditions of its own, keeps them in one entry found this way.
    /// </summary>
    public RouteEntry<T>? FindEquivalent(RoutePattern pattern)
    {
        foreach (RouteEntry<T> entry in _entries)
        {
            if (string.Equals(pattern.Host, entry.Pattern.Host, StringComparison.OrdinalIgnoreCase)
                && RouteSpecificity.Compare(pattern, entry.Pattern) == RouteRelation.Equivalent)
            {
                return entry;
            }
        }
        return null;
    }

    /// <summary>A new table with this one's patterns and <paramref name="pattern"/>; this one is unchanged.</summary>
    /// <exception cref="InvalidOperationException">The pattern conflicts with one already added.</exception>
    public RouteTable<T> With(RoutePattern pattern, T value)
    {
        var copy = new RouteTable<T>();
        foreach (RouteEntry<T> entry in _entries)
        {
            copy._entries.Add(entry);
            copy.Insert(entry);
        }
        copy.Add(pattern, value);
        return copy;
    }

    /// <summary>
    /// Finds the most specific pattern matching the request. <paramref name="path"/> is percent-encoded and clean; it is split
    /// at '/' only, and each segment is decoded to be compared with literals. <paramref name="host"/> is without its port
    /// (empty: none). <paramref name="captures"/>, at least <see cref="MaxWildcards"/> long, receives one range of
    /// <paramref name="path"/> per wildcard of the pattern found, in its order (see <see cref="RoutePattern.WildcardNames"/>).
    /// </summary>
    /// <returns>The entry, or null when no pattern matches.</returns>
    public RouteEntry<T>? Match(string method, ReadOnlySpan<char> host, ReadOnlySpan<char> path, Span<Range> captures)
    {
        if (path.IsEmpty || path[0] != '/')
        {
            return null;
        }
        if (_hosts is not null && !host.IsEmpty && _hostLookup.TryGetValue(host, out MethodNode? hostNode)
            && MatchMethod(hostNode, method, path, captures) is { } hostMatch)
        {
            return hostMatch;
        }
        return MatchMethod(_anyHost, method, path, captures);
    }

    /// <summary>
    /// True when <paramref name="entry"/>, just returned by <see cref="Match"/> with these <paramref name="captures"/>,
    /// matched the path exactly: it does not end in a rest, or its rest took nothing (Go's rule for the subtree redirect).
    /// </summary>
    public static bool IsExact(RouteEntry<T> entry, ReadOnlySpan<Range> captures, int pathLength)
    {
        if (!entry.Pattern.EndsInRest)
        {
            return true;
        }
        Range rest = captures[entry.Pattern.WildcardNames.Length - 1];
        return rest.End.GetOffset(pathLength) == rest.Start.GetOffset(pathLength);
    }

    /// <summary>Adds to <paramref name="methods"/> each method some pattern would answer for this host and path (HEAD with GET).</summary>
    public void AddMatchingMethods(ReadOnlySpan<char> host, ReadOnlySpan<char> path, ICollection<string> methods, Span<Range> captures)
    {
        if (path.IsEmpty || path[0] != '/')
        {
            return;
        }
        if (_hosts is not null && !host.IsEmpty && _hostLookup.TryGetValue(host, out MethodNode? hostNode))
        {
            AddMatchingMethods(hostNode, path, methods, captures);
        }
        AddMatchingMethods(_anyHost, path, methods, captures);
        if (methods.Contains("GET") && !methods.Contains("HEAD"))
        {
            methods.Add("HEAD");
        }
    }

    /// <summary>
    /// The patterns closest to matching a request none matched, at most <paramref name="count"/>, each with why it missed:
    /// fewest reasons first (a path that differs counting two), then the pattern whose path is nearest the request's by
    /// edit distance, then the earliest added.
    /// </summary>
    public List<RouteMiss<T>> Closest(string method, ReadOnlySpan<char> host, ReadOnlySpan<char> path, int count)
    {
        var ranked = new List<(int Reasons, int Distance, RouteMiss<T> Miss)>(_entries.Count);
        foreach (RouteEntry<T> entry in _entries)
        {
            List<string> reasons = entry.Pattern.Explain(method, host, path);
            if (reasons.Count > 0)
            {
                // A route whose path fits is most likely the one meant, so a path that differs counts double.
                int score = reasons.Count + (entry.Pattern.PathMatches(path) ? 0 : 1);
                ranked.Add((score, RoutePath.EditDistance(path, PathOf(entry.Pattern.Text)), new RouteMiss<T>(entry, reasons)));
            }
        }
        ranked.Sort(static (a, b) => a.Reasons != b.Reasons ? a.Reasons.CompareTo(b.Reasons)
            : a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance)
            : a.Miss.Entry.Order.CompareTo(b.Miss.Entry.Order));
        var closest = new List<RouteMiss<T>>(Math.Min(count, ranked.Count));
        for (int i = 0; i < ranked.Count && i < count; i++)
        {
            closest.Add(ranked[i].Miss);
        }
        return closest;
    }

    private void Insert(RouteEntry<T> entry)
    {
        RoutePattern pattern = entry.Pattern;
        MethodNode methods = _anyHost;
        if (pattern.Host is not null)
        {
            if (_hosts is null)
            {
                _hosts = new Dictionary<string, MethodNode>(StringComparer.OrdinalIgnoreCase);
                _hostLookup = _hosts.GetAlternateLookup<ReadOnlySpan<char>>();
            }
            if (!_hosts.TryGetValue(pattern.Host, out methods!))
            {
                methods = new MethodNode();
                _hosts.Add(pattern.Host, methods);
            }
        }
        PathNode node;
        if (pattern.Method is null)
        {
            node = methods.AnyMethod ??= new PathNode();
        }
        else
        {
            methods.ByMethod ??= new Dictionary<string, PathNode>(StringComparer.Ordinal);
            if (!methods.ByMethod.TryGetValue(pattern.Method, out node!))
            {
                node = new PathNode();
                methods.ByMethod.Add(pattern.Method, node);
            }
        }
        foreach (RouteSegment segment in pattern.Segments)
        {
            switch (segment.Kind)
            {
                case RouteSegmentKind.Literal:
                    node = node.LiteralChild(segment.Text);
                    break;
                case RouteSegmentKind.Wildcard:
                    node = node.Wildcard ??= new PathNode();
                    break;
                case RouteSegmentKind.Rest:
                    node.Rest = entry;
                    break;
                default:
                    node.End = entry;
                    break;
            }
        }
        if (pattern.Segments[^1].Kind is RouteSegmentKind.Literal or RouteSegmentKind.Wildcard)
        {
            node.Leaf = entry;
        }
        MaxWildcards = Math.Max(MaxWildcards, pattern.WildcardNames.Length);
    }

    private static RouteEntry<T>? MatchMethod(MethodNode node, string method, ReadOnlySpan<char> path, Span<Range> captures)
    {
        if (node.ByMethod is not null)
        {
            if (node.ByMethod.TryGetValue(method, out PathNode? exact) && MatchPath(exact, path, 0, captures, 0) is { } found)
            {
                return found;
            }
            if (method == "HEAD" && node.ByMethod.TryGetValue("GET", out PathNode? get) && MatchPath(get, path, 0, captures, 0) is { } viaGet)
            {
                return viaGet;
            }
        }
        return node.AnyMethod is null ? null : MatchPath(node.AnyMethod, path, 0, captures, 0);
    }

    private static void AddMatchingMethods(MethodNode node, ReadOnlySpan<char> path, ICollection<string> methods, Span<Range> captures)
    {
        if (node.ByMethod is null)
        {
            return;
        }
        foreach (KeyValuePair<string, PathNode> pair in node.ByMethod)
        {
            if (!methods.Contains(pair.Key) && MatchPath(pair.Value, path, 0, captures, 0) is not null)
            {
                methods.Add(pair.Key);
            }
        }
    }

    // position is at the '/' before the next segment, or at the end. Tries a literal, then {name}, then a rest: the order of
    // specificity, which registration keeps unambiguous, so backtracking only happens when a more specific branch dead-ends.
    private static RouteEntry<T>? MatchPath(PathNode node, ReadOnlySpan<char> path, int position, Span<Range> captures, int captured)
    {
        if (position == path.Length)
        {
            return node.Leaf;
        }
        if (position == path.Length - 1)
        {
            // Only a trailing slash is left: {$} or a rest (taking nothing) match it; {name} does not.
            if (node.End is not null)
            {
                return node.End;
            }
            if (node.Rest is not null)
            {
                captures[captured] = new Range(path.Length, path.Length);
                return node.Rest;
            }
            return null;
        }
        int start = position + 1;
        int length = path.Slice(start).IndexOf('/');
        int end = length < 0 ? path.Length : start + length;
        if (node.Literals is not null && node.FindLiteral(path[start..end]) is { } literal
            && MatchPath(literal, path, end, captures, captured) is { } viaLiteral)
        {
            return viaLiteral;
        }
        if (node.Wildcard is not null)
        {
            captures[captured] = new Range(start, end);
            if (MatchPath(node.Wildcard, path, end, captures, captured + 1) is { } viaWildcard)
            {
                return viaWildcard;
            }
        }
        if (node.Rest is not null)
        {
            captures[captured] = new Range(start, path.Length);
            return node.Rest;
        }
        return null;
    }

    private static ReadOnlySpan<char> PathOf(string pattern)
    {
        int space = pattern.AsSpan().IndexOfAny(' ', '\t');
        ReadOnlySpan<char> rest = space < 0 ? pattern : pattern.AsSpan(space + 1).TrimStart(" \t");
        int slash = rest.IndexOf('/');
        return slash < 0 ? rest : rest.Slice(slash);
    }

    private sealed class MethodNode
    {
        public Dictionary<string, PathNode>? ByMethod;
        public PathNode? AnyMethod;
    }

    private sealed class PathNode
    {
        public RouteEntry<T>? Leaf;
        public RouteEntry<T>? End;
        public RouteEntry<T>? Rest;
        public PathNode? Wildcard;
        public Dictionary<string, PathNode>? Literals;
        private Dictionary<string, PathNode>.AlternateLookup<ReadOnlySpan<char>> _literalLookup;

        public PathNode LiteralChild(string literal)
        {
            if (Literals is null)
            {
                Literals = new Dictionary<string, PathNode>(StringComparer.Ordinal);
                _literalLookup = Literals.GetAlternateLookup<ReadOnlySpan<char>>();
            }
            if (!Literals.TryGetValue(literal, out PathNode? child))
            {
                child = new PathNode();
                Literals.Add(literal, child);
            }
            return child;
        }

        // The segment is compared decoded; one with no '%' is its own decoding.
        public PathNode? FindLiteral(ReadOnlySpan<char> segment)
        {
            if (!segment.Contains('%'))
            {
                return _literalLookup.TryGetValue(segment, out PathNode? plain) ? plain : null;
            }
            byte[]? rentedBytes = null;
            char[]? rentedChars = null;
            Span<byte> scratch = segment.Length <= 128 ? stackalloc byte[128] : (rentedBytes = ArrayPool<byte>.Shared.Rent(segment.Length));
            Span<char> chars = segment.Length <= 128 ? stackalloc char[128] : (rentedChars = ArrayPool<char>.Shared.Rent(segment.Length));
            try
            {
                return PercentDecoding.TryDecodeSegment(segment, scratch, chars, out int written)
                    && _literalLookup.TryGetValue(chars.Slice(0, written), out PathNode? decoded) ? decoded : null;
            }
            finally
            {
                if (rentedBytes is not null)
                {
                    ArrayPool<byte>.Shared.Return(rentedBytes);
                    ArrayPool<char>.Shared.Return(rentedChars!);
                }
            }
        }
    }
}
