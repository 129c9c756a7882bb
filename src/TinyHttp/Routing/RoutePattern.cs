using System;
using System.Collections.Generic;
using TinyHttp.Protocol;

namespace TinyHttp.Routing;

/// <summary>
/// RoutePattern is one parsed pattern in the syntax of Go 1.22's <c>ServeMux</c>: <c>[METHOD ][HOST]/[PATH]</c>, where the
/// path's segments are literals, <c>{name}</c> (one segment), <c>{name...}</c> (the rest, last only), or <c>{$}</c> (the
/// path ends at the slash before it, last only); a path ending in <c>/</c> matches the whole subtree below it. Literal
/// segments are percent-decoded once, as request segments are when compared with them.
/// </summary>
internal sealed class RoutePattern
{
    private RoutePattern(string text, string? method, string? host, RouteSegment[] segments, string?[] wildcardNames)
    {
        Text = text;
        Method = method;
        Host = host;
        Segments = segments;
        WildcardNames = wildcardNames;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>The method it answers (GET also answers HEAD), or null for every method.</summary>
    public string? Method { get; }

    /// <summary>The host it answers (compared without the port, ignoring case), or null for every host.</summary>
    public string? Host { get; }

    /// <summary>The path's pieces; never empty (the path <c>/</c> is one anonymous <see cref="RouteSegmentKind.Rest"/>).</summary>
    public RouteSegment[] Segments { get; }

    /// <summary>One entry per wildcard, in path order: its name, or null for a trailing slash's anonymous rest.</summary>
    public string?[] WildcardNames { get; }

    /// <summary>True when the last piece takes the rest of the path (<c>/files/</c>, <c>/files/{path...}</c>).</summary>
    public bool EndsInRest => Segments[^1].Kind == RouteSegmentKind.Rest;

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">The pattern breaks the syntax; the message says where and how to write it.</exception>
    public static RoutePattern Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            throw Invalid(text, "it is empty; a pattern is at least a path such as '/'");
        }
        string? method = null;
        string rest = text;
        int space = text.AsSpan().IndexOfAny(' ', '\t');
        if (space >= 0)
        {
            method = text.Substring(0, space);
            rest = text.Substring(space + 1).TrimStart(' ', '\t');
            if (!HttpCharacters.IsToken(method))
            {
                throw Invalid(text, $"the method '{method}' is not an HTTP token; write it as the request line does, e.g. 'GET /items'");
            }
        }
        int slash = rest.IndexOf('/');
        if (slash < 0)
        {
            throw Invalid(text, "it has no path; the path starts with '/', e.g. 'GET /items' or 'example.com/'");
        }
        string? host = slash == 0 ? null : rest.Substring(0, slash);
        if (host is not null && host.AsSpan().IndexOfAny("{} \t") >= 0)
        {
            throw Invalid(text, $"the host '{host}' contains a brace or a space; is the '/' before the path missing?");
        }
        if (host is not null && RoutePath.StripPort(host).Length != host.Length)
        {
            throw Invalid(text, $"hosts are matched without the port, so this one could never match; write '{RoutePath.StripPort(host)}{rest.Substring(slash)}'");
        }
        string path = rest.Substring(slash);
        if (path.AsSpan().IndexOfAny('?', '#') >= 0)
        {
            throw Invalid(text, "patterns match the path only; read the query in the handler with HttpRequest.GetQueryValue");
        }
        if (!RoutePath.IsClean(path))
        {
            throw Invalid(text, $"request paths are cleaned before they are matched, so this path could never match; write '{RoutePath.Clean(path)}'");
        }

        var segments = new List<RouteSegment>();
        var names = new List<string?>();
        int start = 1;
        while (true)
        {
            if (start == path.Length)
            {
                segments.Add(new RouteSegment(RouteSegmentKind.Rest, string.Empty));
                names.Add(null);
                break;
            }
            int length = path.AsSpan(start).IndexOf('/');
            int end = length < 0 ? path.Length : start + length;
            string segment = path.Substring(start, end - start);
            bool last = end == path.Length;
            if (!segment.Contains('{') && !segment.Contains('}'))
            {
                segments.Add(new RouteSegment(RouteSegmentKind.Literal, PercentDecoding.DecodeAll(segment)));
            }
            else
            {
                segments.Add(ParseWildcard(text, segment, last, names));
                if (segments[^1].Kind == RouteSegmentKind.End)
                {
                    break;
                }
            }
            if (last)
            {
                break;
            }
            start = end + 1;
        }
        return new RoutePattern(text, method, host, segments.ToArray(), names.ToArray());
    }

    /// <summary>True when the pattern matches the request, regardless of other patterns.</summary>
    public bool Matches(string method, ReadOnlySpan<char> host, ReadOnlySpan<char> path) => Explain(method, host, path, stopAtFirst: true).Count == 0;

    /// <summary>
    /// Says why the pattern does not match the request, one reason per part that differs (method, host, path), in the words
    /// a "closest routes" message uses; empty when it matches. <paramref name="path"/> is clean and percent-encoded.
    /// </summary>
    public List<string> Explain(string method, ReadOnlySpan<char> host, ReadOnlySpan<char> path, bool stopAtFirst = false)
    {
        var reasons = new List<string>();
        if (Method is not null && Method != method && !(Method == "GET" && method == "HEAD"))
        {
            reasons.Add($"method is {method}, the route wants {Method}");
            if (stopAtFirst)
            {
                return reasons;
            }
        }
        if (Host is not null && !RoutePath.StripPort(host).Equals(Host, StringComparison.OrdinalIgnoreCase))
        {
            reasons.Add(host.IsEmpty ? $"the request has no host, the route wants {Host}" : $"host is {RoutePath.StripPort(host)}, the route wants {Host}");
            if (stopAtFirst)
            {
                return reasons;
            }
        }
        if (ExplainPath(path) is string pathReason)
        {
            reasons.Add(pathReason);
        }
        return reasons;
    }

    /// <summary>True when the pattern's path matches <paramref name="path"/>, whatever the method and host.</summary>
    public bool PathMatches(ReadOnlySpan<char> path) => ExplainPath(path) is null;

    /// <summary>The pattern as written.</summary>
    public override string ToString() => Text;

    /// <summary>
    /// Matches the pattern's path alone against <paramref name="path"/> (percent-encoded, not necessarily clean) and fills
    /// <paramref name="captures"/>, at least <see cref="WildcardNames"/> long, with one range of <paramref name="path"/> per
    /// wildcard. For a matcher that tries patterns one by one (the stub server in TinyHttp.Testing) rather than through a
    /// <see cref="RouteTable{T}"/>; both decide with the same rules, and <see cref="Explain"/> says why it failed.
    /// </summary>
    internal bool TryMatchPath(ReadOnlySpan<char> path, Span<Range> captures) => ExplainPath(path, captures) is null;

    /// <summary>Says why the pattern's path does not match <paramref name="path"/>, in the words of <see cref="Explain"/>; null when it matches.</summary>
    internal string? ExplainPath(ReadOnlySpan<char> path) => ExplainPath(path, Span<Range>.Empty);

    private string? ExplainPath(ReadOnlySpan<char> path, Span<Range> captures)
    {
        int captured = 0;
        if (path.IsEmpty || path[0] != '/')
        {
            return "the request has no path starting with '/'";
        }
        int position = 0;
        for (int i = 0; i < Segments.Length; i++)
        {
            RouteSegment segment = Segments[i];
            if (segment.Kind == RouteSegmentKind.Rest)
            {
                if (position == path.Length)
                {
                    return $"the path ends after segment {i}, the route wants a '/' and the rest after it";
                }
                if (!captures.IsEmpty)
                {
                    captures[captured] = new Range(position + 1, path.Length);
                }
                return null;
            }
            if (position == path.Length)
            {
                return $"the path ends after segment {i}, the route wants segment {i + 1} ({Describe(segment)})";
            }
            if (segment.Kind == RouteSegmentKind.End)
            {
                return position == path.Length - 1 ? null : $"the path goes on after segment {i}, the route ends there with {{$}}";
            }
            if (position == path.Length - 1)
            {
                return $"the path ends in '/' after segment {i}, the route wants segment {i + 1} ({Describe(segment)})";
            }
            int length = path.Slice(position + 1).IndexOf('/');
            int end = length < 0 ? path.Length : position + 1 + length;
            ReadOnlySpan<char> actual = path[(position + 1)..end];
            if (segment.Kind == RouteSegmentKind.Literal && !LiteralEquals(actual, segment.Text))
            {
                return $"segment {i + 1} is '{actual}', the route wants '{segment.Text}'";
            }
            if (segment.Kind == RouteSegmentKind.Wildcard)
            {
                // Only a path that is not clean has an empty segment before its end; as the table, {name} takes none.
                if (actual.IsEmpty)
                {
                    return $"segment {i + 1} is empty, the route wants {segment}";
                }
                if (!captures.IsEmpty)
                {
                    captures[captured] = new Range(position + 1, end);
                }
                captured++;
            }
            position = end;
        }
        return position == path.Length ? null
            : path.Slice(position).SequenceEqual("/") ? $"the path has a trailing '/' the route lacks"
            : $"the path goes on after segment {Segments.Length}, where the route ends (end it in '/' or {{name...}} to match a subtree)";
    }

    private static string Describe(RouteSegment segment) => segment.Kind == RouteSegmentKind.Literal ? $"'{segment.Text}'" : segment.ToString();

    /// <summary>True when the request segment <paramref name="encoded"/>, percent-decoded, equals the decoded literal.</summary>
    internal static bool LiteralEquals(ReadOnlySpan<char> encoded, string literal)
    {
        if (!encoded.Contains('%'))
        {
            return encoded.SequenceEqual(literal);
        }
        Span<byte> scratch = encoded.Length <= 256 ? stackalloc byte[256] : new byte[encoded.Length];
        Span<char> chars = encoded.Length <= 256 ? stackalloc char[256] : new char[encoded.Length];
        return PercentDecoding.TryDecodeSegment(encoded, scratch, chars, out int written) && chars.Slice(0, written).SequenceEqual(literal);
    }

    private static RouteSegment ParseWildcard(string text, string segment, bool last, List<string?> names)
    {
        if (segment[0] != '{' || segment[^1] != '}' || segment.AsSpan(1, segment.Length - 2).IndexOfAny('{', '}') >= 0)
        {
            throw Invalid(text, $"the segment '{segment}' mixes a wildcard with other text; a wildcard is a whole segment: {{name}}, {{name...}} or {{$}}");
        }
        string name = segment.Substring(1, segment.Length - 2);
        if (name == "$")
        {
            if (!last)
            {
                throw Invalid(text, "{$} is not last; it marks the end of the path, as in '/items/{$}'");
            }
            return new RouteSegment(RouteSegmentKind.End, string.Empty);
        }
        bool rest = name.EndsWith("...", StringComparison.Ordinal);
        if (rest)
        {
            name = name.Substring(0, name.Length - 3);
            if (!last)
            {
                throw Invalid(text, $"{{{name}...}} is not last; it takes the rest of the path, so nothing can follow it");
            }
        }
        if (!IsIdentifier(name))
        {
            throw Invalid(text, $"the wildcard name '{name}' is not an identifier (a letter or '_', then letters, digits or '_')");
        }
        if (names.Contains(name))
        {
            throw Invalid(text, $"the wildcard name '{name}' is used twice; give each wildcard its own name");
        }
        names.Add(name);
        return new RouteSegment(rest ? RouteSegmentKind.Rest : RouteSegmentKind.Wildcard, name);
    }

    private static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || !(char.IsLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }
        foreach (char c in name)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    private static ArgumentException Invalid(string text, string why) => new($"The route pattern '{text}' is not valid: {why}.", "pattern");
}
