using System;

namespace TinyHttp.Testing;

/// <summary>
/// RoutePattern matches a request path against a stub route's pattern: literal segments match exactly
/// (case-sensitive, still percent-encoded), <c>{name}</c> matches one non-empty segment, and a final <c>{*name}</c>
/// or <c>*</c> matches the rest of the path, however many segments.
/// </summary>
internal sealed class RoutePattern
{
    private readonly string[] _segments;
    private readonly bool _matchesRest;

    internal RoutePattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        if (pattern[0] != '/')
        {
            throw new ArgumentException($"The path pattern '{pattern}' must start with '/'.", nameof(pattern));
        }
        if (pattern.Contains('?', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The path pattern '{pattern}' has a query; match the query with StubRoute.WithQuery instead.", nameof(pattern));
        }
        Text = pattern;
        string[] segments = pattern[1..].Split('/');
        string last = segments[^1];
        if (last == "*" || (last.StartsWith("{*", StringComparison.Ordinal) && last.EndsWith('}')))
        {
            _matchesRest = true;
            segments = segments[..^1];
        }
        for (int i = 0; i < segments.Length; i++)
        {
            if (segments[i].Contains('*', StringComparison.Ordinal))
            {
                throw new ArgumentException($"In the path pattern '{pattern}', only the last segment may be a catch-all ('*' or '{{*name}}').", nameof(pattern));
            }
        }
        _segments = segments;
    }

    internal string Text { get; }

    internal bool Matches(string path)
    {
        if (path.Length == 0 || path[0] != '/')
        {
            return false;
        }
        string[] segments = path[1..].Split('/');
        if (_matchesRest ? segments.Length < _segments.Length : segments.Length != _segments.Length)
        {
            return false;
        }
        for (int i = 0; i < _segments.Length; i++)
        {
            string pattern = _segments[i];
            bool isParameter = pattern.Length > 2 && pattern[0] == '{' && pattern[^1] == '}';
            if (isParameter ? segments[i].Length == 0 : !string.Equals(pattern, segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }
}
